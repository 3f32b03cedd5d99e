import pytest
from django.test import Client
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Subscriber
from newsletter.views import LINK_TAMPERED, LINK_UNKNOWN
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db


def unsubscribe_path(subscriber):
    return reverse("newsletter:unsubscribe", kwargs={"token": tokens.unsubscribe_token(subscriber)})


def test_one_click_post_unsubscribes_without_cookie_or_csrf_token():
    subscriber = SubscriberFactory(confirmed=True)
    other = SubscriberFactory(confirmed=True)
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    other.refresh_from_db()
    assert other.status == Subscriber.Status.CONFIRMED


def test_get_of_unsubscribe_link_shows_a_button_and_changes_nothing(client):
    subscriber = SubscriberFactory(confirmed=True)

    response = client.get(unsubscribe_path(subscriber))

    assert response.status_code == 200
    assert ">Unsubscribe</button>" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_repeated_unsubscribe_keeps_the_first_time(client):
    subscriber = SubscriberFactory(confirmed=True)
    path = unsubscribe_path(subscriber)
    client.post(path)
    subscriber.refresh_from_db()
    left_at = subscriber.unsubscribed_at

    response = client.post(path)

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at == left_at
    assert "You are unsubscribed" in client.get(path).text


def test_newsletter_forms_refuse_posts_from_other_sites_and_need_no_token():
    subscriber = SubscriberFactory()
    browser = Client(enforce_csrf_checks=True)
    confirm = reverse("newsletter:confirm", kwargs={"token": tokens.confirm_token(subscriber)})
    unsubscribe = unsubscribe_path(subscriber)
    elsewhere = {"headers": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}
    here = {"headers": {"Sec-Fetch-Site": "same-origin"}}

    assert browser.post(confirm, **elsewhere).status_code == 403
    assert browser.post(unsubscribe, **elsewhere).status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert browser.post(confirm, **here).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_one_click_unsubscribe_from_a_mail_provider_is_taken():
    # RFC 8058: the provider's server posts, with none of a browser's headers.
    subscriber = SubscriberFactory(confirmed=True)

    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(subscriber), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_tampered_unsubscribe_link_changes_nothing(client):
    subscriber = SubscriberFactory(confirmed=True)
    victim = SubscriberFactory(confirmed=True)
    # Someone's own token with another subscriber's number.
    _, signature = tokens.unsubscribe_token(subscriber).split(":")
    forged = reverse("newsletter:unsubscribe", kwargs={"token": f"{victim.pk}:{signature}"})

    response = client.post(forged)

    assert response.status_code == 400
    assert LINK_TAMPERED in response.text
    victim.refresh_from_db()
    assert victim.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_link_of_unknown_subscriber_is_not_found(client):
    subscriber = SubscriberFactory(confirmed=True)
    path = unsubscribe_path(subscriber)
    subscriber.delete()

    response = client.post(path)

    assert response.status_code == 404
    assert LINK_UNKNOWN in response.text


def test_head_of_unsubscribe_link_changes_nothing(client):
    subscriber = SubscriberFactory(confirmed=True)

    response = client.head(unsubscribe_path(subscriber))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_links_of_the_earlier_token_form_still_work(client):
    """Links in emails sent before tokens carried a digest ("<pk>:<signature>")."""
    subscriber = SubscriberFactory(confirmed=True)
    old = tokens._legacy_unsubscribe_signer(subscriber).sign(str(subscriber.pk))

    response = client.post(reverse("newsletter:unsubscribe", kwargs={"token": old}))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_earlier_form_link_of_a_missing_subscriber_is_refused_as_invalid(client):
    subscriber = SubscriberFactory(confirmed=True)
    old = tokens._legacy_unsubscribe_signer(subscriber).sign(str(subscriber.pk))
    subscriber.delete()

    response = client.post(reverse("newsletter:unsubscribe", kwargs={"token": old}))

    assert response.status_code == 400
    assert LINK_TAMPERED in response.text
