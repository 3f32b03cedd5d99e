"""Cookies: remembered details only with consent, read by no page, given only to the
comment form's script on our own pages; nothing a reader can forge."""

import json

import pytest
from django.urls import reverse

from comments import cookies, forms

pytestmark = pytest.mark.django_db

DETAILS_URL = reverse("comments:author-details")


@pytest.fixture
def remembered(client, article, post_url, valid_data):
    """A browser whose poster ticked "Save my name, email, and website…"."""
    data = {**valid_data, "url": "https://ada.example/", forms.CONSENT_FIELD: "yes"}
    response = client.post(post_url(article), data)
    assert response.status_code == 303
    return response


def details(client, **headers):
    response = client.get(DETAILS_URL, headers=headers)
    assert response.status_code == 200
    return json.loads(response.content)


def test_ticked_box_keeps_the_details_in_a_signed_httponly_cookie(remembered):
    cookie = remembered.cookies[cookies.AUTHOR_COOKIE]

    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert "ada@example.net" not in cookie.value  # signed and compressed, not plain text


def test_the_form_script_gets_the_remembered_details(client, remembered):
    assert details(client, sec_fetch_site="same-origin") == {
        "author": "Ada Reader",
        "email": "ada@example.net",
        "url": "https://ada.example/",
    }


def test_no_page_shows_the_remembered_details(client, article, remembered):
    page = client.get(article.get_absolute_url()).content.decode()

    assert "Ada Reader" not in page
    assert "ada@example.net" not in page
    assert f'id="{forms.CONSENT_FIELD}" checked' not in page


def test_details_answer_is_private_and_for_our_own_pages_only(client, remembered):
    response = client.get(DETAILS_URL)

    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_another_sites_page_cannot_ask_for_the_details(client, remembered, site):
    response = client.get(DETAILS_URL, headers={"sec-fetch-site": site})

    assert response.status_code == 403
    assert b"ada@example.net" not in response.content


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_our_pages_and_the_address_bar_may_ask(client, remembered, site):
    assert details(client, sec_fetch_site=site)["author"] == "Ada Reader"


def test_details_endpoint_answers_only_reads(client):
    assert client.post(DETAILS_URL).status_code == 405


def test_a_browser_with_nothing_remembered_gets_an_empty_answer(client):
    assert details(client) == {}


def test_untouched_box_remembers_nothing(client, article, post_url, valid_data):
    response = client.post(post_url(article), valid_data)

    assert not response.cookies.get(cookies.AUTHOR_COOKIE) or not (
        response.cookies[cookies.AUTHOR_COOKIE].value
    )
    assert details(client) == {}


def test_posting_without_the_box_forgets_remembered_details(
    client, article, post_url, valid_data, remembered
):
    client.post(post_url(article), {**valid_data, "comment": "Now forget me."})

    assert details(client) == {}


def test_tampered_author_cookie_is_ignored(client, article):
    client.cookies[cookies.AUTHOR_COOKIE] = "not-a-signed-value"

    assert client.get(article.get_absolute_url()).status_code == 200
    assert details(client) == {}


def test_comment_section_is_the_same_whatever_cookies_a_reader_brings(
    client, other_client, article, post_url, valid_data, remembered
):
    """The page can be shared by every HTTP cache: nothing in it is the reader's."""

    def section(browser):
        page = browser.get(article.get_absolute_url()).content.decode()
        start = page.index('<section id="comments"')
        return page[start : page.index("</section>", start)]

    assert cookies.TOKEN_COOKIE in client.cookies
    assert section(client) == section(other_client)
