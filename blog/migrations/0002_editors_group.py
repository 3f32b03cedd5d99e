"""The "Editors" group: what an editor needs to write, schedule and curate articles.

Other apps add their own permissions to this group in their own migrations.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "article": ("add", "change", "delete", "view"),
    "relatedlink": ("add", "change", "delete", "view"),
    "sitesettings": ("change", "view"),
}


def create_editors_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    blog_config = apps.get_app_config("blog")
    blog_config.models_module = True
    create_permissions(blog_config, apps=apps, verbosity=0)
    blog_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for model, actions in EDITOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for action in actions]
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="blog", codename__in=codenames)
        )


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
