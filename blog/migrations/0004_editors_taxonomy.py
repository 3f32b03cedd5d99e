"""Editors curate the taxonomy: they add, change and remove categories and tags."""

from django.db import migrations

from core.editors import grant_to_editors

TAXONOMY_PERMISSIONS = {
    "category": ("add", "change", "delete", "view"),
    "tag": ("add", "change", "delete", "view"),
}


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_taxonomy")]

    operations = [grant_to_editors("blog", TAXONOMY_PERMISSIONS)]
