"""Every kind of page carries the security headers, and the production checklist passes."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from comments.forms import CONSENT_FIELD
from tests.factories.blog import ArticleFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _pages():
    """(name, url) for every kind of page a reader or an editor can reach."""
    category = CategoryFactory()
    article = ArticleFactory(categories=[category])
    return [
        ("home", reverse("blog:article-list")),
        ("home, page 2 (missing)", reverse("blog:article-list") + "?page=2"),
        ("article", article.get_absolute_url()),
        ("not found", "/no-such-page/"),
        ("admin login", reverse("admin:login")),
        ("search", reverse("blog:search") + "?s=drones"),
        ("category archive", reverse("blog:category", args=[category.slug])),
        ("feed", reverse("blog:feed")),
        ("sitemap", reverse("blog:sitemap")),
        ("robots.txt", reverse("blog:robots")),
        ("newsletter sign-up", reverse("newsletter:subscribe")),
        ("newsletter check inbox", reverse("newsletter:check-inbox")),
        ("newsletter bad link", reverse("newsletter:confirm", kwargs={"token": "1:x"})),
        ("newsletter unsubscribe bad link", reverse("newsletter:unsubscribe", args=["1:x"])),
        ("privacy request", reverse("privacy:request")),
        ("privacy check inbox", reverse("privacy:check-inbox")),
        ("privacy bad link", reverse("privacy:confirm", kwargs={"token": "1:x:y"})),
    ]


def _assert_security_headers(response, name):
    for header, value in EXPECTED_HEADERS.items():
        assert response.headers.get(header) == value, (name, header)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy, name
    assert "frame-ancestors 'none'" in policy, name
    assert "object-src 'none'" in policy, name
    assert "unsafe-inline" not in policy, name
    assert "unsafe-eval" not in policy, name
    assert "sessionid" not in response.cookies or response.cookies["sessionid"]["httponly"]


def test_every_kind_of_page_carries_the_security_headers(client):
    for name, url in _pages():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        _assert_security_headers(response, name)


def test_a_page_seen_again_still_carries_the_security_headers(client):
    # The second view of a page may be served from a cache (Production serving).
    article = ArticleFactory()
    for url in (reverse("blog:article-list"), article.get_absolute_url()):
        for visit in ("first", "again"):
            response = client.get(url)
            assert response.status_code == 200
            _assert_security_headers(response, f"{url} {visit}")


def test_form_answers_carry_the_security_headers(client):
    article = ArticleFactory()
    strict = Client(enforce_csrf_checks=True)

    answers = {
        "comment refused (400)": client.post(reverse("comments:post", args=[article.pk]), {}),
        "comment stored (303)": client.post(
            reverse("comments:post", args=[article.pk]),
            {"comment": "Fine words", "author": "Ann", "email": "ann@example.net"},
        ),
        "sent from another site (403)": strict.post(
            reverse("comments:post", args=[article.pk]),
            {},
            headers={"Sec-Fetch-Site": "cross-site"},
        ),
        "admin without its token (403)": strict.post(reverse("admin:login"), {}),
        "form address opened (302)": client.get(reverse("comments:post", args=[article.pk])),
        "wrong method (405)": client.put(reverse("comments:post", args=[article.pk])),
    }

    for name, response in answers.items():
        assert response.status_code in (302, 303, 400, 403, 405), name
        _assert_security_headers(response, name)


def test_admin_pages_carry_the_security_headers(editor_client):
    response = editor_client.get(reverse("admin:index"))

    assert response.status_code == 200
    _assert_security_headers(response, "admin index")


def test_admin_scripts_and_styles_carry_the_nonce_the_header_allows(editor_client):
    # Django's admin templates mark each <script>/<style>/<link> with the request's
    # nonce; the nonce rendered must be the one the header lets through.
    for url in (reverse("admin:blog_article_add"), reverse("admin:blog_article_changelist")):
        response = editor_client.get(url)
        header = response.headers["Content-Security-Policy"]

        (header_nonce,) = set(re.findall(r"'nonce-([^']+)'", header))
        page_nonces = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
        assert page_nonces == {header_nonce}, url


# Script types a browser runs; other types (JSON-LD) are data blocks, never run, so the
# CSP does not apply to them.
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>")
_RUNNABLE_TYPES = {"", "text/javascript", "module", "application/javascript"}


def _type_of(attributes):
    match = re.search(r'\btype="([^"]*)"', attributes)
    return match[1].lower() if match else ""


def test_public_pages_have_no_inline_script_or_style_attribute(client):
    for name, url in _pages():
        html = client.get(url).content.decode()
        assert " style=" not in html, name
        for attributes in _SCRIPT_TAG.findall(html):
            if _type_of(attributes) in _RUNNABLE_TYPES:
                assert re.search(r"\b(src|nonce)=", attributes), (name, attributes)
        assert re.search(r"\son[a-z]+=", html) is None, name


def _run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "SITE_URL", "EMAIL_URL", "ALLOWED_HOSTS"}
    }
    environment.update(READ_DOT_ENV="false", **env)
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "vK3q9-Zt_7wLp2Rx8mN4bYc6Hd1Jf0Gs5Qa-Ue9Wi3Oo7Tl2Kv8Xr4Mz6Ny1Pb5",
    "SITE_URL": "https://www.defencetalks.example",
    "EMAIL_URL": "smtp://mailer:secret@mail.defencetalks.example:587/?tls=True",
}


def test_deploy_checklist_passes_with_production_settings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def _settings_value(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


HTTPS_ONLY = (
    "(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS > 0, "
    "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.SECURE_PROXY_SSL_HEADER)"
)


def test_https_site_gets_hsts_redirect_secure_cookies_and_the_named_proxy_header():
    value = _settings_value(HTTPS_ONLY, **PRODUCTION_ENV, TLS_PROXY_HEADER="HTTP_X_FORWARDED_PROTO")

    assert value == "(True, True, True, True, ('HTTP_X_FORWARDED_PROTO', 'https'))"


def test_plain_http_site_gets_none_of_the_https_only_settings():
    value = _settings_value(
        HTTPS_ONLY,
        **{**PRODUCTION_ENV, "SITE_URL": "http://127.0.0.1:8000"},
        TLS_PROXY_HEADER="HTTP_X_FORWARDED_PROTO",
    )

    assert value == "(False, False, False, False, None)"


def test_https_redirect_honours_the_proxy_header(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    home = reverse("blog:article-list")

    plain = client.get(home)
    behind_proxy = client.get(home, headers={"X-Forwarded-Proto": "https"})

    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")
    assert behind_proxy.status_code == 200


def test_session_and_csrf_cookies_are_http_only(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    UserFactory(username="chief", is_staff=True)
    form = client.get(reverse("admin:login"))
    signed_in = client.post(
        reverse("admin:login"),
        {"username": "chief", "password": "correct horse battery staple"},
    )

    assert form.cookies["csrftoken"]["httponly"] is True
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["httponly"] is True
    assert not signed_in.cookies["sessionid"]["secure"]  # plain-http SITE_URL in tests


def test_every_cookie_the_site_sets_is_http_only(client, editor):
    article = ArticleFactory()
    page = client.get(article.get_absolute_url())
    login_page = client.get(reverse("admin:login"))
    client.post(
        reverse("admin:login"),
        {
            "username": editor.username,
            "password": "wrong",
            "csrfmiddlewaretoken": login_page.cookies["csrftoken"].value,
        },
    )
    posted = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "comment": "Keep my details",
            "author": "Ann",
            "email": "ann@example.net",
            CONSENT_FIELD: "on",
        },
    )
    signed_up = client.post(reverse("newsletter:subscribe"), {"email": "ann@example.org"})

    cookies = {
        name: morsel
        for response in (page, login_page, posted, signed_up)
        for name, morsel in response.cookies.items()
        if morsel.value  # a deletion carries no value
    }
    assert not page.cookies  # a reader's page sets none
    assert len(cookies) >= 3  # the admin's csrftoken and the comment form's two cookies
    for name, morsel in cookies.items():
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] in ("Lax", "Strict"), name
