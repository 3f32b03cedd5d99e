"""security.crossorigin: forms without a CSRF token, kept from other sites by Fetch Metadata;
and the 403 page (security.refused) that shows a refused form's text back."""

import logging

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from security.crossorigin import cross_origin_exempt
from security.refused import EXPIRED_FORM, SENT_FROM_ANOTHER_SITE
from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.crossorigin_urls")]

MIDDLEWARE = "security.crossorigin.CrossOriginProtectionMiddleware"
EDITOR_PASSWORD = "correct horse battery staple"  # tests/factories/blog.py
TRUSTED = ["https://partner.example.org", "https://*.example.net", "https://*example.com"]


@pytest.fixture(autouse=True)
def cross_origin_protection(settings):
    """The middleware where the site has it: right after Django's CsrfViewMiddleware."""
    middleware = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    middleware.insert(middleware.index("django.middleware.csrf.CsrfViewMiddleware") + 1, MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    settings.CSRF_TRUSTED_ORIGINS = TRUSTED


@pytest.fixture
def browser():
    """A browser that sends no CSRF token unless a test gives one."""
    return Client(enforce_csrf_checks=True)


def send(browser, *, site=None, origin=None, host=None, method="post", name="Sent", url=None):
    """A request to the token-free test form, with the Fetch Metadata headers given."""
    headers = {"Sec-Fetch-Site": site, "Origin": origin, "Host": host}
    headers = {header: value for header, value in headers.items() if value is not None}
    url = url or reverse("crossorigin-test:form")
    return getattr(browser, method)(url, {"name": name}, headers=headers)


def stored(name="Sent") -> bool:
    return Group.objects.filter(name=name).exists()


# -- 1. Safe methods ------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_safe_methods_pass_even_from_another_site(browser, method):
    response = send(browser, method=method, site="cross-site", origin="https://evil.example")

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
def test_every_other_method_from_another_site_is_refused(browser, method):
    response = send(browser, method=method, site="cross-site", origin="https://evil.example")

    assert response.status_code == 403
    assert Group.objects.filter(name__in=["Sent", method.upper()]).count() == 0


# -- 2. With Sec-Fetch-Site -----------------------------------------------------------


@pytest.mark.parametrize("site", ["same-origin", "none"])
@pytest.mark.parametrize("origin", [None, "http://testserver", "https://evil.example"])
def test_same_origin_or_user_typed_request_passes_whatever_its_origin(browser, site, origin):
    response = send(browser, site=site, origin=origin)

    assert response.status_code == 200
    assert stored()


@pytest.mark.parametrize(
    "site",
    [
        "cross-site",
        "same-site",
        "Same-Origin",  # Fetch Metadata values are lower-case tokens
        "SAME-ORIGIN",
        "None",
        "same-origin, cross-site",
        "something-new",
    ],
)
@pytest.mark.parametrize("origin", [None, "https://evil.example", "http://testserver", "null"])
def test_any_other_sec_fetch_site_is_refused_unless_the_origin_is_trusted(browser, site, origin):
    response = send(browser, site=site, origin=origin)

    assert response.status_code == 403
    assert SENT_FROM_ANOTHER_SITE in response.text
    assert not stored()


@pytest.mark.parametrize("site", ["cross-site", "same-site", "something-new"])
@pytest.mark.parametrize(
    "origin",
    [
        "https://partner.example.org",
        "https://shop.example.net",  # under https://*.example.net
        "https://a.b.example.net",
        "https://example.net",  # the domain itself, as Django reads the wildcard
    ],
)
def test_other_site_passes_when_its_origin_is_trusted(browser, site, origin):
    response = send(browser, site=site, origin=origin)

    assert response.status_code == 200
    assert stored()


@pytest.mark.parametrize("site", ["cross-site", None])
@pytest.mark.parametrize(
    "origin",
    [
        "https://partner.example.org:8443",  # another port
        "http://partner.example.org",  # another scheme
        "https://partner.example.org.evil.example",
        "https://evilexample.net",  # not under .example.net
        "https://evilexample.com",  # "*example.com" is no wildcard without its dot
        "http://shop.example.net",  # the wildcard is for https only
        "https://partner.example.org/path",  # not an origin
        "https://user@partner.example.org",
    ],
)
def test_near_misses_of_a_trusted_origin_are_refused(browser, site, origin):
    response = send(browser, site=site, origin=origin)

    assert response.status_code == 403
    assert not stored()


def test_trusted_origins_come_from_the_setting_as_it_is_now(browser, settings):
    settings.CSRF_TRUSTED_ORIGINS = []

    response = send(browser, site="cross-site", origin="https://partner.example.org")

    assert response.status_code == 403


# -- 3. Without Sec-Fetch-Site --------------------------------------------------------


def test_request_with_neither_header_passes(browser):
    """A same-origin post from an old browser, or curl: nothing to tell it by."""
    response = send(browser)

    assert response.status_code == 200
    assert stored()


def test_empty_headers_count_as_absent(browser):
    response = send(browser, site="", origin="")

    assert response.status_code == 200
    assert stored()


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://testserver", None),
        # Another scheme on the same host passes, as in Go: see _is_same_host (HSTS).
        ("https://testserver", None),
        ("http://testserver:8000", "testserver:8000"),
        ("http://TestServer", None),  # host names are case-insensitive
    ],
)
def test_old_browser_origin_of_the_requests_own_host_passes(browser, origin, host):
    response = send(browser, origin=origin, host=host)

    assert response.status_code == 200
    assert stored()


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("null", None),  # a sandboxed frame, a data: URL, a redirect across sites
        ("https://evil.example", None),
        ("http://testserver:8000", None),  # another port
        ("http://testserver", "testserver:8000"),
        ("http://testserver.evil.example", None),
        ("http://evil.example@testserver", None),
        ("testserver", None),  # no scheme: not an origin
        ("http://testserver/", None),
        ("http://[::1", None),  # unparsable
    ],
)
def test_old_browser_origin_of_another_host_is_refused(browser, origin, host):
    response = send(browser, origin=origin, host=host)

    assert response.status_code == 403
    assert SENT_FROM_ANOTHER_SITE in response.text
    assert not stored()


@pytest.mark.parametrize("origin", ["https://partner.example.org", "https://shop.example.net"])
def test_old_browser_origin_that_is_trusted_passes(browser, origin):
    response = send(browser, origin=origin)

    assert response.status_code == 200
    assert stored()


# -- Opting in and out ----------------------------------------------------------------


def test_token_free_form_needs_no_csrf_token_from_its_own_site(browser):
    response = send(browser, site="same-origin")

    assert response.status_code == 200
    assert stored()


def test_exempt_view_takes_posts_from_anywhere(browser):
    response = send(
        browser,
        url=reverse("crossorigin-test:webhook"),
        site="cross-site",
        origin="https://payments.example.com",
    )

    assert response.status_code == 200
    assert stored()


def test_exempting_keeps_the_view_as_it_was():
    def receive(request):
        """Takes a webhook."""

    exempt = cross_origin_exempt(receive)

    assert exempt.cross_origin_exempt is True
    assert exempt.__name__ == "receive"
    assert exempt.__doc__ == "Takes a webhook."
    assert not hasattr(receive, "cross_origin_exempt")


def test_token_free_form_is_still_protected_without_the_middleware(browser, settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]

    refused = send(browser, site="cross-site", origin="https://evil.example", name="Forged")
    accepted = send(browser, site="same-origin")

    assert refused.status_code == 403
    assert not stored("Forged")
    assert accepted.status_code == 200
    assert stored()


def test_refusal_is_logged_with_what_the_browser_said(browser, caplog):
    with caplog.at_level(logging.WARNING, logger="security.crossorigin"):
        send(browser, site="cross-site", origin="https://evil.example")

    (record,) = [record for record in caplog.records if record.name == "security.crossorigin"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert reverse("crossorigin-test:form") in message
    assert "'cross-site'" in message
    assert "'https://evil.example'" in message


# -- The admin keeps Django's tokens ----------------------------------------------------


def test_admin_post_without_token_is_refused_even_from_same_origin(browser):
    editor = UserFactory(editor=True, username="rita")

    response = browser.post(
        reverse("admin:login"),
        {"username": editor.username, "password": EDITOR_PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 403
    assert EXPIRED_FORM in response.text
    assert SENT_FROM_ANOTHER_SITE not in response.text
    assert 'value="rita"' in response.text
    assert EDITOR_PASSWORD not in response.text
    assert response["Cache-Control"] == "private, no-store"
    assert browser.get(reverse("admin:index")).status_code == 302  # not signed in


def test_admin_post_with_token_from_another_site_is_refused(browser):
    editor = UserFactory(editor=True)
    browser.get(reverse("admin:login"))
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        reverse("admin:login"),
        {"username": editor.username, "password": EDITOR_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 403
    assert SENT_FROM_ANOTHER_SITE in response.text
    assert token not in response.text
    assert browser.get(reverse("admin:index")).status_code == 302


def test_admin_post_with_token_from_same_origin_signs_in(browser):
    editor = UserFactory(editor=True)
    browser.get(reverse("admin:login"))
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        reverse("admin:login"),
        {"username": editor.username, "password": EDITOR_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    )

    assert response.status_code == 302
    assert browser.get(reverse("admin:index")).status_code == 200


# -- The 403 page -----------------------------------------------------------------------


def comment_url(article_id):
    return reverse("crossorigin-test:comment", args=[article_id])


def test_comment_from_another_site_is_shown_back_and_not_stored(browser):
    article = ArticleFactory()

    response = browser.post(
        comment_url(article.pk),
        {
            "comment": "My careful <b>reply</b>\non two lines",
            "author": "Ada Reader",
            "email": "ada@example.net",
            "url": "https://ada.example.net",
            "comment_parent": "4242",
            "url_confirm": "robot words",
            "wp-comment-cookies-consent": "yes",
            "submit": "Post Comment",
        },
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )

    html = response.text
    assert response.status_code == 403
    assert "Your form could not be sent" in html
    assert SENT_FROM_ANOTHER_SITE in html
    assert EXPIRED_FORM not in html
    assert "My careful &lt;b&gt;reply&lt;/b&gt;\non two lines</textarea>" in html
    for label, value in [
        ("Name", "Ada Reader"),
        ("Email address", "ada@example.net"),
        ("Website", "https://ada.example.net"),
    ]:
        assert f">{label}</label>" in html
        assert f'value="{value}" readonly>' in html
    for not_typed in ("4242", "robot words", "Post Comment", 'value="yes"'):
        assert not_typed not in html
    assert not Comment.objects.exists()


def test_comment_from_the_site_itself_is_stored_without_a_token(browser):
    article = ArticleFactory()

    response = browser.post(
        comment_url(article.pk),
        {"comment": "Fine words", "author": "Ann", "email": "ann@example.net"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
    )

    assert response.status_code == 303
    assert Comment.objects.filter(body="Fine words").exists()


def test_refusal_comes_before_the_view(browser):
    """No view code runs: an unknown article still gets the 403, not a 404."""
    response = browser.post(
        comment_url(999_999),
        {"comment": "Words"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert response.status_code == 403
    assert "Words</textarea>" in response.text


def test_every_typed_field_is_shown_back_but_no_password_or_token(browser):
    response = browser.post(
        reverse("crossorigin-test:form"),
        {
            "email": "reader@example.org",
            "kind": "erase",
            "first_name": "Grace",
            "password": "hunter2-secret",
            "new_password1": "another-secret",
            "Password_Confirm": "third-secret",
            "csrfmiddlewaretoken": "not-a-real-token-abc",
            "source": "/2026/05/the-article/",
            "blank": "   ",
        },
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    html = response.text
    assert response.status_code == 403
    for label, value in [
        ("Email address", "reader@example.org"),
        ("What you asked us to do", "erase"),
        ("First name", "Grace"),
    ]:
        assert f">{label}</label>" in html
        assert f'value="{value}" readonly>' in html
    for not_typed in ("secret", "not-a-real-token-abc", "/2026/05/the-article/", ">Blank<"):
        assert not_typed not in html


def test_long_text_is_shown_in_a_textarea_short_text_in_an_input(browser):
    long_text = "word " * 30

    response = browser.post(
        reverse("crossorigin-test:form"),
        {"summary": long_text, "title": "Short"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )

    assert f"{long_text}</textarea>" in response.text
    assert 'value="Short" readonly>' in response.text


def test_refused_form_with_nothing_typed_says_what_happened_only(browser):
    response = browser.post(
        reverse("crossorigin-test:form"), headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert SENT_FROM_ANOTHER_SITE in response.text
    assert "What you typed" not in response.text


def test_403_page_is_kept_by_no_cache_and_has_no_inline_code(browser):
    response = send(browser, site="cross-site", name="Private words")

    html = response.text
    assert response["Cache-Control"] == "private, no-store"
    assert "Private words" in html
    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
