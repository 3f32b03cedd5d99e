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
