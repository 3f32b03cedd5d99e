"""The "Editors" group: what an editor needs to write, schedule and curate articles.

Other apps add their own permissions to this group in their own migrations.
"""

from django.db import migrations

from core.editors import grant_to_editors

EDITOR_PERMISSIONS = {
    "article": ("add", "change", "delete", "view"),
    "relatedlink": ("add", "change", "delete", "view"),
    "sitesettings": ("change", "view"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_to_editors("blog", EDITOR_PERMISSIONS)]
