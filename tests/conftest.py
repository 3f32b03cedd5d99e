from pathlib import Path

import pytest

from tests.factories.blog import UserFactory

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache, whatever the last one stored."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Pictures stored by a test land in a folder of its own, never in the checkout."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def page_cache(settings):
    """Django's page cache on, as in production (the suite runs with it off)."""
    settings.PAGE_CACHE = True
    return settings


@pytest.fixture
def versions_made(monkeypatch):
    """How many site versions are made: each one looks once at when pages next change."""
    from core import invalidation

    made = []

    def counted():
        made.append(1)
        return None

    monkeypatch.setattr(
        invalidation, "_next_change_sources", [*invalidation._next_change_sources, counted]
    )
    return made


@pytest.fixture
def editor(db):
    return UserFactory(editor=True)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def seed_path():
    (path,) = sorted(SEEDS_DIR.glob("*.txt"))
    return path
