import pytest
from django.test import Client
from django.urls import reverse

from comments.models import DiscussionSettings
from tests.factories.blog import ArticleFactory


@pytest.fixture
def article(db):
    return ArticleFactory(title="Drones over the Baltic")


@pytest.fixture
def discussion(db):
    """The discussion settings row (WordPress's defaults); tests change it visibly."""
    return DiscussionSettings.load()


@pytest.fixture
def post_url():
    return lambda article: reverse("comments:post", args=[article.pk])


@pytest.fixture
def valid_data():
    return {
        "comment": "A thoughtful remark about logistics.",
        "author": "Ada Reader",
        "email": "ada@example.net",
        "url": "",
        "comment_parent": "0",
    }


@pytest.fixture(autouse=True)
def _no_flood_limit(settings):
    """Flood control off unless a test turns it on: most tests post several comments."""
    settings.COMMENT_FLOOD_SECONDS = 0


@pytest.fixture
def other_client():
    """Another reader's browser."""
    return Client()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users made here never log in with a password: hashing it slowly buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
