"""Editors keep the media library: they upload, describe and remove pictures."""

from django.db import migrations

from core.editors import grant_to_editors

MEDIA_PERMISSIONS = {"image": ("add", "change", "delete", "view")}


class Migration(migrations.Migration):
    dependencies = [("media", "0001_initial")]

    operations = [grant_to_editors("media", MEDIA_PERMISSIONS)]
