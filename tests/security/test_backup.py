"""The site's content survives a dumpdata/loaddata round trip without loss."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, RelatedLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

# What a content backup leaves out: rebuilt by `migrate` (content types, permissions),
# ephemeral (sessions, the task queue, login attempts) or tied to content-type ids.
# The same list is in the README's backup instructions.
BACKUP_EXCLUDES = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "axes",
    "django_tasks_database",
]
DUMP_OPTIONS = {
    "format": "xml",  # JSON would cut times to the millisecond; XML keeps microseconds
    "natural_foreign": True,
    "natural_primary": True,
    "exclude": BACKUP_EXCLUDES,
}


def _backed_up_models():
    excluded_apps = {label for label in BACKUP_EXCLUDES if "." not in label}
    excluded_models = {label for label in BACKUP_EXCLUDES if "." in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and not model._meta.proxy
    ]


def _identity(obj):
    return obj.natural_key() if hasattr(obj, "natural_key") else obj.pk


def _snapshot():
    """Every row of every backed-up model, with references by natural key where one exists."""
    snapshot = {}
    for model in _backed_up_models():
        rows = []
        for obj in model._base_manager.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key and hasattr(obj, "natural_key"):
                    continue  # restored by natural key, under whatever id the database picks
                if isinstance(field, models.ForeignKey):
                    target = getattr(obj, field.name)
                    row[field.name] = _identity(target) if target is not None else None
                else:
                    row[field.name] = field.value_from_object(obj)
            for field in model._meta.many_to_many:
                row[field.name] = sorted(map(_identity, getattr(obj, field.name).all()))
            rows.append(row)
        snapshot[model._meta.label] = sorted(rows, key=repr)
    return snapshot


def _wipe():
    """Empty the database as far as a fresh `migrate` would leave it."""
    for model in reversed(_backed_up_models()):
        rows = model._base_manager.all()
        if model is Group:
            rows = rows.exclude(name="Editors")  # created by a migration
        rows.delete()


def test_content_round_trips_through_dumpdata_and_loaddata(tmp_path):
    editor = UserFactory(editor=True, first_name="Zoë")
    article = ArticleFactory(author=editor, title="Ünïcode & <b>markup</b>")
    ArticleFactory(draft=True, body="<p>A draft with a “quote”</p>")
    ArticleFactory(scheduled=True)
    RelatedLinkFactory(article=article)
    RelatedLinkFactory(article=article, dangling=True)
    site = SiteSettings.load()
    site.name, site.tagline = "Defence Talks", "News and views"
    site.save()
    before = _snapshot()
    backup = tmp_path / "backup.xml"

    call_command("dumpdata", output=str(backup), verbosity=0, **DUMP_OPTIONS)
    _wipe()
    assert _snapshot() != before
    call_command("loaddata", str(backup), verbosity=0)

    assert _snapshot() == before
    assert len(before["blog.Article"]) == 4
    assert len(before["blog.RelatedLink"]) == 2
