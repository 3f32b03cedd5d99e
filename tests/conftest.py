from pathlib import Path

import pytest

from tests.factories.blog import UserFactory

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache, whatever the last one stored, and so does
    what the process keeps of it (the version, copies of pages and parts)."""
    from django.core.cache import cache

    from core import caching

    cache.clear()
    caching.forget_local_state()
    yield
    cache.clear()
    caching.forget_local_state()


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
