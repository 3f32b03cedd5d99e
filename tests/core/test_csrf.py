"""Pages rendered for one reader carry CSRF tokens drawn by core/csrf.py, which Django's
middleware must accept as its own."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def comment_data(token):
    return {
        "csrfmiddlewaretoken": token,
        "comment": "Fair point about the frigates.",
        "author": "Ada",
        "email": "ada@example.org",
    }


def test_new_reader_gets_a_cookie_and_tokens_that_pass():
    article = ArticleFactory()
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(article.get_absolute_url())

    tokens = TOKEN.findall(page.text)
    assert len(tokens) == 2, "the comment form and the subscription box"
    secret = page.cookies[settings.CSRF_COOKIE_NAME].value
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    response = browser.post(reverse("comments:post", args=[article.pk]), comment_data(tokens[0]))
    assert response.status_code == 303
    assert Comment.objects.get().author_name == "Ada"


def test_returning_reader_keeps_their_secret():
    article = ArticleFactory()
    browser = Client(enforce_csrf_checks=True)
    secret = browser.get(article.get_absolute_url()).cookies[settings.CSRF_COOKIE_NAME].value

    page = browser.get(article.get_absolute_url())

    tokens = TOKEN.findall(page.text)
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
    assert browser.cookies[settings.CSRF_COOKIE_NAME].value == secret


def test_post_with_a_token_for_another_secret_is_refused():
    article = ArticleFactory()
    browser, other = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    browser.get(article.get_absolute_url())
    foreign = TOKEN.search(other.get(article.get_absolute_url()).text).group(1)

    response = browser.post(reverse("comments:post", args=[article.pk]), comment_data(foreign))

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_page_rendered_for_a_reader_keeps_its_etag_though_its_tokens_change():
    article = ArticleFactory()
    browser = Client()
    browser.cookies["preferences"] = "dark"  # a cookie of their own: rendered for them
    first = browser.get(article.get_absolute_url())
    second = browser.get(article.get_absolute_url())
    assert TOKEN.findall(first.text) != TOKEN.findall(second.text)  # masked afresh

    again = browser.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert first["ETag"] == second["ETag"]
    assert again.status_code == 304
