"""Editors curate the taxonomy: they add, change and remove categories and tags."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TAXONOMY_PERMISSIONS = {
    "category": ("add", "change", "delete", "view"),
    "tag": ("add", "change", "delete", "view"),
}


def _codenames():
    return [f"{action}_{model}" for model, actions in TAXONOMY_PERMISSIONS.items() for action in actions]


def grant_taxonomy_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran; make them now.
    blog_config = apps.get_app_config("blog")
    blog_config.models_module = True
    create_permissions(blog_config, apps=apps, verbosity=0)
    blog_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(content_type__app_label="blog", codename__in=_codenames())
    )


def revoke_taxonomy_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(content_type__app_label="blog", codename__in=_codenames())
        )


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_taxonomy")]

    operations = [migrations.RunPython(grant_taxonomy_permissions, revoke_taxonomy_permissions)]
