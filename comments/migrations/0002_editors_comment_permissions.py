"""Give the "Editors" group (made by blog's migrations) what moderating comments needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = {
    "comment": ("change", "delete", "view"),
    "discussionsettings": ("change", "view"),
    "articlediscussion": ("add", "change", "delete", "view"),
}


def add_comment_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    comments_config = apps.get_app_config("comments")
    comments_config.models_module = True
    create_permissions(comments_config, apps=apps, verbosity=0)
    comments_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for model, actions in EDITOR_PERMISSIONS.items():
        codenames = [f"{action}_{model}" for action in actions]
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="comments", codename__in=codenames)
        )


def remove_comment_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors:
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="comments")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("blog", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(add_comment_permissions, remove_comment_permissions)]
