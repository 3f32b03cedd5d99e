"""The subscription box on a cached article page: its form passes CSRF for every reader."""

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from core.pagecache import HEADER
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db

TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def subscribe_url():
    try:
        return reverse("newsletter:subscribe")
    except NoReverseMatch:
        pytest.skip("the newsletter app has no subscription form yet")


def test_subscription_form_on_a_cached_page_passes_csrf(
    page_cache, subscribe_url, mailoutbox, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    Client().get(article.get_absolute_url())  # someone else's visit fills the cache
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(article.get_absolute_url())
    assert page[HEADER] == "hit"
    assert f'action="{subscribe_url}"' in page.text
    form = page.text[page.text.index(f'action="{subscribe_url}"') :]
    token = TOKEN_FIELD.search(form).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        posted = reader.post(
            subscribe_url, {"csrfmiddlewaretoken": token, "email": "new@example.org"}
        )

    assert posted.status_code == 303
    assert [message.to for message in mailoutbox] == [["new@example.org"]]
