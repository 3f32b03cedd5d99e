"""Give the "Editors" group (made by blog's migrations) what moderating comments needs."""

from django.db import migrations

from core.editors import grant_to_editors

EDITOR_PERMISSIONS = {
    "comment": ("change", "delete", "view"),
    "discussionsettings": ("change", "view"),
    "articlediscussion": ("add", "change", "delete", "view"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("blog", "0002_editors_group"),
    ]

    operations = [grant_to_editors("comments", EDITOR_PERMISSIONS)]
