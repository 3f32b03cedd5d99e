"""The admin cannot be brute-forced: failed logins lock the client address out."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from security.views import LOCKED_OUT_MESSAGE
from tests.factories.blog import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    # Each login hashes the password; the production hasher would make this file slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff():
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


def _login(client, password, address="203.0.113.7", **headers):
    return client.post(
        reverse("admin:login"),
        {"username": "chief", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        headers=headers,
    )


def _fail(client, times, **kwargs):
    for _ in range(times):
        response = _login(client, "wrong guess", **kwargs)
        assert response.status_code in (200, 429)


def test_a_few_failed_logins_do_not_stop_the_right_password(client, staff):
    _fail(client, 2)

    response = _login(client, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_too_many_failed_logins_lock_out_the_address_even_with_the_right_password(client, staff):
    _fail(client, 3)

    response = _login(client, PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT_MESSAGE in response.content.decode()
    assert int(response["Retry-After"]) == 3600
    assert response["X-Frame-Options"] == "DENY"
    assert SESSION_KEY not in client.session


def test_lock_out_holds_one_address_not_everyone(client, staff):
    _fail(client, 3, address="203.0.113.7")

    response = _login(client, PASSWORD, address="198.51.100.20")

    assert response.status_code == 302


def test_axes_reset_releases_the_lock(client, staff):
    _fail(client, 3)
    assert _login(client, PASSWORD).status_code == 429

    call_command("axes_reset", verbosity=0)

    assert not AccessAttempt.objects.exists()
    assert _login(client, PASSWORD).status_code == 302


def test_axes_reset_ip_releases_one_address(client, staff):
    _fail(client, 3, address="203.0.113.7")
    _fail(client, 3, address="198.51.100.20")

    call_command("axes_reset_ip", "203.0.113.7", verbosity=0)

    assert _login(client, PASSWORD, address="203.0.113.7").status_code == 302
    assert _login(client, PASSWORD, address="198.51.100.20").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked_out(client, staff, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.0.0.2"
    _fail(client, 3, address=proxy, **{"X-Forwarded-For": "203.0.113.7"})

    locked = _login(client, PASSWORD, address=proxy, **{"X-Forwarded-For": "203.0.113.7"})
    other_reader = _login(client, PASSWORD, address=proxy, **{"X-Forwarded-For": "198.51.100.20"})

    assert locked.status_code == 429
    assert other_reader.status_code == 302


def test_forged_forwarded_header_is_ignored_without_a_trusted_proxy(client, staff):
    for n in range(3):
        _login(client, "wrong guess", **{"X-Forwarded-For": f"192.0.2.{n}"})

    assert _login(client, PASSWORD, **{"X-Forwarded-For": "192.0.2.99"}).status_code == 429


def test_test_client_login_without_a_request_still_works(client, staff):
    assert client.login(username="chief", password=PASSWORD)


# --- Over-long input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        {"username": "chief" * 20_000, "password": PASSWORD},
        {"username": "c" * 151, "password": PASSWORD},
        {"username": "chief", "password": "p" * 100_000},
    ],
    ids=["huge-username", "username-one-too-long", "huge-password"],
)
def test_over_long_username_or_password_gets_the_login_forms_error(client, staff, typed):
    response = client.post(
        reverse("admin:login"),
        {**typed, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter the correct username and password for a staff account." in page
    assert SESSION_KEY not in client.session


def test_over_long_attempts_do_not_stop_the_right_password(client, staff):
    for _ in range(3):
        client.post(
            reverse("admin:login"),
            {"username": "x" * 100_000, "password": "y"},
            REMOTE_ADDR="203.0.113.7",
        )

    response = _login(client, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)
