import pytest
from django.test import Client


@pytest.fixture
def reader():
    """A second, fresh browser: no cookies at all."""
    return Client()
