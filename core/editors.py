"""The "Editors" group: each app's migrations grant it what editors need of that app.

Migrations call `grant_to_editors` (or `grant_to_group`, for another group such as
blog's "Authors") through RunPython, so the rule for making permissions early (Django
makes them only after every migration has run) lives in one place.
"""

from functools import partial

from django.db import migrations

EDITORS_GROUP = "Editors"
# Writers who submit drafts for review but neither publish nor moderate (blog 0012).
AUTHORS_GROUP = "Authors"


def grant_to_editors(app_label: str, permissions: dict[str, tuple[str, ...]]):
    """A RunPython operation giving the Editors group `permissions` of `app_label`'s
    models ({model name: ("add", "change", …)}); reversed, it takes them back."""
    return grant_to_group(EDITORS_GROUP, app_label, permissions)


def grant_to_group(group: str, app_label: str, permissions: dict[str, tuple[str, ...]]):
    """As `grant_to_editors`, for the group named `group` (made if missing)."""
    return migrations.RunPython(
        partial(_grant, group, app_label, permissions),
        partial(_revoke, group, app_label, permissions),
    )


def _codenames(permissions):
    return [f"{action}_{model}" for model, actions in permissions.items() for action in actions]


def _permissions(apps, app_label, permissions):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label=app_label, codename__in=_codenames(permissions)
    )


def _grant(group, app_label, permissions, apps, schema_editor):
    # Django makes permissions after the last migration has run (post_migrate); these
    # are made here, as it would name them, so that the group can have them now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model, actions in permissions.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        verbose_name = apps.get_model(app_label, model)._meta.verbose_name
        for action in actions:
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {verbose_name}"},
            )
    members, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group)
    members.permissions.add(*_permissions(apps, app_label, permissions))


def _revoke(group, app_label, permissions, apps, schema_editor):
    for members in apps.get_model("auth", "Group").objects.filter(name=group):
        members.permissions.remove(*_permissions(apps, app_label, permissions))
