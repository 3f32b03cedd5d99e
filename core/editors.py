"""The "Editors" group: each app's migrations grant it what editors need of that app.

Migrations call `grant_to_editors` through RunPython, so the rule for making
permissions early (they are normally created only after every migration has run) lives
in one place.
"""

from functools import partial

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS_GROUP = "Editors"


def grant_to_editors(app_label: str, permissions: dict[str, tuple[str, ...]]):
    """A RunPython operation giving the Editors group `permissions` of `app_label`'s
    models ({model name: ("add", "change", …)}); reversed, it takes them back."""
    return migrations.RunPython(
        partial(_grant, app_label, permissions), partial(_revoke, app_label, permissions)
    )


def _codenames(permissions):
    return [f"{action}_{model}" for model, actions in permissions.items() for action in actions]


def _permissions(apps, app_label, permissions):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label=app_label, codename__in=_codenames(permissions)
    )


def _grant(app_label, permissions, apps, schema_editor):
    config = apps.get_app_config(app_label)
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    editors, _ = apps.get_model("auth", "Group").objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(*_permissions(apps, app_label, permissions))


def _revoke(app_label, permissions, apps, schema_editor):
    for editors in apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP):
        editors.permissions.remove(*_permissions(apps, app_label, permissions))
