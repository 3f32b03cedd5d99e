"""Editors see subscribers (and export them) and each article's deliveries."""

from django.db import migrations

from core.editors import grant_to_editors

EDITOR_PERMISSIONS = {
    "subscriber": ("view",),
    "mailing": ("view",),
    "delivery": ("view",),
}


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("blog", "0002_editors_group"),
    ]

    operations = [grant_to_editors("newsletter", EDITOR_PERMISSIONS)]
