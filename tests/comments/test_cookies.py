"""Cookies: remembered details only with consent; nothing a reader can forge."""

import pytest

from comments import cookies, forms
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_details_are_remembered_only_when_the_box_is_ticked(client, article, post_url, valid_data):
    client.post(post_url(article), {**valid_data, "url": "https://ada.example/"})

    assert (
        cookies.AUTHOR_COOKIE not in client.cookies
        or not client.cookies[cookies.AUTHOR_COOKIE].value
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada Reader"' not in page
    assert 'value="ada@example.net"' not in page


def test_ticked_box_prefills_name_email_and_website_next_time(
    client, article, post_url, valid_data
):
    data = {**valid_data, "url": "https://ada.example/", forms.CONSENT_FIELD: "yes"}

    response = client.post(post_url(article), data)

    cookie = response.cookies[cookies.AUTHOR_COOKIE]
    assert cookie["httponly"]
    assert "ada@example.net" not in cookie.value  # signed and compressed, not plain text
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada Reader"' in page
    assert 'value="ada@example.net"' in page
    assert 'value="https://ada.example/"' in page
    assert f'name="{forms.CONSENT_FIELD}" id="{forms.CONSENT_FIELD}" checked' in page


def test_posting_without_the_box_forgets_remembered_details(client, article, post_url, valid_data):
    client.post(post_url(article), {**valid_data, forms.CONSENT_FIELD: "yes"})

    client.post(post_url(article), {**valid_data, "comment": "Now forget me."})

    page = client.get(article.get_absolute_url()).content.decode()
    assert 'value="Ada Reader"' not in page


def test_tampered_author_cookie_is_ignored(client, article):
    client.cookies[cookies.AUTHOR_COOKIE] = "not-a-signed-value"

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200


def test_pending_cookie_lists_only_this_browsers_comments(client, article, post_url, valid_data):
    client.post(post_url(article), valid_data)
    comment = Comment.objects.get()

    assert cookies.PENDING_COOKIE in client.cookies
    assert f'id="comment-{comment.pk}"' in client.get(article.get_absolute_url()).content.decode()
