import pytest
from django.test import Client


@pytest.fixture
def page_cache(settings):
    """The page cache on, as in production."""
    settings.PAGE_CACHE = True
    return settings


@pytest.fixture
def reader():
    """A second, fresh browser: no cookies at all."""
    return Client()


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys of each read of the shared cache, one list per round trip."""
    from django.core.cache import caches

    cache = caches["default"]  # the backend itself: the `cache` proxy may change under us

    reads: list[list[str]] = []
    get, get_many = cache.get, cache.get_many
    inside_get_many = False  # a backend's get_many may be a loop of its own get

    def counted_get(key, *args, **kwargs):
        if not inside_get_many:
            reads.append([key])
        return get(key, *args, **kwargs)

    def counted_get_many(keys, *args, **kwargs):
        nonlocal inside_get_many
        reads.append(list(keys))
        inside_get_many = True
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside_get_many = False

    monkeypatch.setattr(cache, "get", counted_get)
    monkeypatch.setattr(cache, "get_many", counted_get_many)
    return reads
