"""Per-address limits: over the limit a reader gets 429, a clear message, their text back
and a Retry-After; limits hold per client address and come from the settings."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import FLOOD_COMMENT
from newsletter import views as newsletter_views
from newsletter.models import Subscriber
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flood_limit(settings):
    settings.COMMENT_FLOOD_SECONDS = 15


def _comment(client, article, n, address="198.51.100.7", **headers):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        {"comment": f"Remark number {n}", "author": f"Reader {n}", "email": f"r{n}@example.net"},
        REMOTE_ADDR=address,
        headers=headers,
    )


def test_second_comment_within_the_window_gets_429_with_retry_after_and_text_kept(
    client, flood_limit
):
    article = ArticleFactory()
    assert _comment(client, article, 1).status_code == 303

    refused = _comment(client, article, 2)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15
    html = refused.content.decode()
    assert FLOOD_COMMENT.split("{")[0] in html
    assert "Remark number 2</textarea>" in html
    assert Comment.objects.count() == 1


def test_comment_limit_is_per_client_address(client, flood_limit):
    article = ArticleFactory()
    _comment(client, article, 1, address="198.51.100.7")

    assert _comment(client, article, 2, address="198.51.100.8").status_code == 303


def test_forged_forwarded_for_does_not_dodge_the_comment_limit(client, flood_limit):
    article = ArticleFactory()
    _comment(client, article, 1, **{"X-Forwarded-For": "192.0.2.1"})

    refused = _comment(client, article, 2, **{"X-Forwarded-For": "192.0.2.2"})

    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_comment_limit_counts_the_forwarded_address(
    client, flood_limit, settings
):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    article = ArticleFactory()
    proxy = "10.0.0.2"
    _comment(client, article, 1, address=proxy, **{"X-Forwarded-For": "192.0.2.1"})

    other_reader = _comment(client, article, 2, address=proxy, **{"X-Forwarded-For": "192.0.2.2"})
    same_reader = _comment(client, article, 3, address=proxy, **{"X-Forwarded-For": "192.0.2.1"})

    assert other_reader.status_code == 303
    assert same_reader.status_code == 429


def test_comment_limit_can_be_turned_off(client, settings):
    settings.COMMENT_FLOOD_SECONDS = 0
    article = ArticleFactory()

    statuses = [_comment(client, article, n).status_code for n in range(3)]

    assert statuses == [303, 303, 303]


def _sign_up(client, email, address="203.0.113.5"):
    return client.post(reverse("newsletter:subscribe"), {"email": email}, REMOTE_ADDR=address)


def test_sign_ups_over_the_limit_get_429_with_retry_after_and_the_address_kept(client, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 2
    settings.NEWSLETTER_SIGNUP_RATE_SECONDS = 600
    for n in range(2):
        assert _sign_up(client, f"reader{n}@example.org").status_code == 303

    refused = _sign_up(client, "third@example.org")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    html = refused.content.decode()
    assert newsletter_views.RATE_LIMITED in html
    assert 'value="third@example.org"' in html
    assert Subscriber.objects.count() == 2


def test_sign_up_limit_is_per_client_address(client, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 1
    _sign_up(client, "one@example.org", address="203.0.113.5")

    assert _sign_up(client, "two@example.org", address="203.0.113.6").status_code == 303
