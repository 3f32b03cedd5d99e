"""A reader asks for an export or erasure; the link mailed to the address confirms it."""

import json
import re

import pytest
from django.core import signing
from django.urls import reverse

from comments.models import Comment
from newsletter.models import Subscriber
from privacy import tokens, views
from privacy.forms import EMAIL_INVALID, KIND_REQUIRED
from privacy.models import PrivacyRequest
from tests.factories.privacy import PrivacyRequestFactory
from tests.privacy.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def _ask(client, kind="export", email=ADDRESS, **extra):
    return client.post(reverse("privacy:request"), {"email": email, "kind": kind}, **extra)


def _link(message):
    (url,) = re.findall(r"https?://\S+/privacy/confirm/\S+/", message.body)
    return url.removeprefix("http://127.0.0.1:8000")


def test_request_form_is_shown(client):
    response = client.get(reverse("privacy:request"))

    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_request_mails_a_confirmation_link_and_does_nothing_yet(
    client, held_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, kind="erase")

    assert response.status_code == 303
    assert response["Location"] == reverse("privacy:check-inbox")
    (message,) = mailoutbox
    assert message.to == ["Person@example.net"]  # the stored form: the domain lower-cased
    assert "erase personal data" in message.subject
    assert ADDRESS not in _link(message)
    request = PrivacyRequest.objects.get()
    assert (request.status, request.source) == ("awaiting", "reader")
    assert Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()


def test_link_get_shows_a_button_and_acts_only_on_post(
    client, held_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, kind="erase")
    link = _link(mailoutbox[0])

    shown = client.get(link)
    assert shown.status_code == 200
    assert "Erase my data" in shown.content.decode()
    assert Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()

    done = client.post(link)

    assert done.status_code == 200
    assert (
        not Subscriber.objects.exists()
        or not Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()
    )
    assert Comment.objects.get(pk=held_data["comments"][0].pk).author_name == "Anonymous"
    assert PrivacyRequest.objects.get().status == PrivacyRequest.Status.DONE


def test_confirmed_export_downloads_the_json(
    client, held_data, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, kind="export")

    response = client.post(_link(mailoutbox[0]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert len(data["comments"]) == 2


def test_used_link_is_refused(client, held_data, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, kind="export")
    link = _link(mailoutbox[0])
    client.post(link)

    again = client.post(link)

    assert again.status_code == 410
    assert views.LINK_USED in again.content.decode()


def test_tampered_unknown_and_expired_links_are_refused(client, settings):
    request = PrivacyRequestFactory(reader=True)
    token = tokens.confirm_token(request)
    pk, rest = token.split(":", 1)

    tampered = client.get(reverse("privacy:confirm", kwargs={"token": token[:-2] + "xx"}))
    other_row = client.get(reverse("privacy:confirm", kwargs={"token": f"{pk}9:{rest}"}))
    settings.PRIVACY_CONFIRM_MAX_AGE = -1
    expired = client.get(reverse("privacy:confirm", kwargs={"token": token}))

    assert tampered.status_code == 400
    assert views.LINK_TAMPERED in tampered.content.decode()
    assert other_row.status_code == 404
    assert expired.status_code == 410
    assert views.LINK_EXPIRED in expired.content.decode()


def test_editors_requests_have_no_reader_link(client):
    request = PrivacyRequestFactory()  # made in the admin

    response = client.get(
        reverse("privacy:confirm", kwargs={"token": tokens.confirm_token(request)})
    )

    assert response.status_code == 404


def test_token_signed_for_another_address_does_not_work(client):
    request = PrivacyRequestFactory(reader=True)
    forged = signing.TimestampSigner(salt="privacy.confirm:" + "0" * 64).sign(str(request.pk))

    response = client.get(reverse("privacy:confirm", kwargs={"token": forged}))

    assert response.status_code == 400


def test_invalid_form_keeps_what_was_typed(client, mailoutbox):
    response = client.post(reverse("privacy:request"), {"email": "not an address"})

    assert response.status_code == 400
    html = response.content.decode()
    assert EMAIL_INVALID in html
    assert KIND_REQUIRED in html
    assert 'value="not an address"' in html
    assert not mailoutbox
    assert not PrivacyRequest.objects.exists()


def test_requests_are_rate_limited_per_address_with_retry_after(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PRIVACY_REQUEST_RATE = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            _ask(client, REMOTE_ADDR=f"198.51.100.{n}")
        refused = _ask(client, REMOTE_ADDR="198.51.100.99")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert views.RATE_LIMITED in refused.content.decode()
    assert ADDRESS in refused.content.decode()  # the typed address is kept
    assert len(mailoutbox) == 2


def test_requests_are_rate_limited_per_client(client, settings):
    settings.PRIVACY_REQUEST_RATE = 2
    for n in range(2):
        _ask(client, email=f"someone{n}@example.net")

    refused = _ask(client, email="someone-else@example.net")

    assert refused.status_code == 429
