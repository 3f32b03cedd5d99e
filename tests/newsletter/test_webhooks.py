"""Bounces and complaints from the mail provider: Mailgun's signed tracking webhooks (the
provider the README sets up end to end) through django-anymail, and sending through
anymail's backends."""

import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.urls import reverse

from newsletter import services
from newsletter.models import Delivery, MailEvent, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-webhook-signing-key"
WEBHOOK_PATH = "a-long-random-path-segment"
EVENT_TOKEN = "5c9d3c1a8d6f0e2b4a7c9e1f3b5d7a9c"  # Mailgun's id of one event


@pytest.fixture(autouse=True)
def mailgun(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.MAIL_WEBHOOK_PATH = WEBHOOK_PATH


def webhook_url(secret=WEBHOOK_PATH, provider="mailgun"):
    return reverse("newsletter:mail-events", kwargs={"secret": secret, "provider": provider})


def mailgun_event(event, recipient, *, token=EVENT_TOKEN, key=SIGNING_KEY, **data):
    timestamp = "1767225600"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {
                "event": event,
                "recipient": recipient,
                "timestamp": 1767225599.5,
                "id": "event-id",
                "message": {"headers": {"message-id": "abc@news.example"}},
                **data,
            },
        }
    )


def hard_bounce(recipient, **kwargs):
    return mailgun_event(
        "failed",
        recipient,
        severity="permanent",
        reason="bounce",
        **{"delivery-status": {"message": "550 5.1.1 No such mailbox", "code": 550}},
        **kwargs,
    )


def post(client, payload, url=None, **headers):
    return client.post(
        url or webhook_url(), payload, content_type="application/json", headers=headers
    )


def test_hard_bounce_stops_mail_to_the_address_and_editors_see_it(client, editor_client, publish):
    bounced = SubscriberFactory(confirmed=True, email="gone@example.org")
    SubscriberFactory(confirmed=True, email="fine@example.org")

    response = post(client, hard_bounce("gone@example.org"))

    assert response.status_code == 200
    bounced.refresh_from_db()
    assert bounced.delivery_problem == Subscriber.Problem.BOUNCED
    assert "No such mailbox" in MailEvent.objects.get().description

    publish(ArticleFactory(draft=True))
    assert [m.to for m in mail.outbox] == [["fine@example.org"]]

    changelist = editor_client.get(reverse("admin:newsletter_subscriber_changelist"))
    assert "Bounced: no email is sent" in changelist.text


def test_complaint_drops_queued_emails_to_the_address(client):
    SubscriberFactory(confirmed=True, email="angry@example.org")
    SubscriberFactory(confirmed=True, email="fine@example.org")
    mailing = services.mailing_prepare(article=ArticleFactory())

    response = post(client, mailgun_event("complained", "angry@example.org"))

    assert response.status_code == 200
    assert Subscriber.objects.get(email="angry@example.org").delivery_problem == "complained"
    services.mailing_send(mailing=mailing)
    assert [m.to for m in mail.outbox] == [["fine@example.org"]]
    assert Delivery.objects.filter(subscriber__email="angry@example.org").count() == 0


def test_pending_address_that_bounced_gets_no_confirmation_again(client):
    SubscriberFactory(email="gone@example.org", confirmation_error="timed out")
    post(client, hard_bounce("gone@example.org"))

    assert services.confirmation_send(subscriber_id=Subscriber.objects.get().pk) is False
    assert mail.outbox == []


def test_bad_signature_is_refused_and_changes_nothing(client):
    subscriber = SubscriberFactory(confirmed=True, email="gone@example.org")

    response = post(client, hard_bounce("gone@example.org", key="someone-elses-key"))

    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.delivery_problem == ""
    assert MailEvent.objects.count() == 0


def test_unknown_secret_path_or_provider_is_not_found(client, settings):
    SubscriberFactory(confirmed=True, email="gone@example.org")

    assert (
        post(client, hard_bounce("gone@example.org"), url=webhook_url("guess")).status_code == 404
    )
    url = webhook_url(provider="pigeon")
    assert post(client, hard_bounce("gone@example.org"), url=url).status_code == 404
    settings.MAIL_WEBHOOK_PATH = ""
    assert post(client, hard_bounce("gone@example.org")).status_code == 404
    assert Subscriber.objects.get().delivery_problem == ""


def test_replayed_webhook_is_counted_once(client):
    SubscriberFactory(confirmed=True, email="gone@example.org")
    payload = hard_bounce("gone@example.org")

    assert post(client, payload).status_code == 200
    assert post(client, payload).status_code == 200

    assert MailEvent.objects.count() == 1


def test_temporary_failure_changes_nothing(client):
    SubscriberFactory(confirmed=True, email="full@example.org")

    payload = mailgun_event("failed", "full@example.org", severity="temporary")
    assert post(client, payload).status_code == 200

    assert Subscriber.objects.get().delivery_problem == ""
    assert MailEvent.objects.count() == 0


def test_webhook_is_accepted_whatever_fetch_metadata_says(client):
    # Server to server: exempt from the cross-origin check, which refuses cross-site posts.
    SubscriberFactory(confirmed=True, email="gone@example.org")

    response = post(client, hard_bounce("gone@example.org"), **{"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 200
    assert Subscriber.objects.get().delivery_problem == "bounced"


def test_editor_clears_a_bounce_and_the_address_gets_mail_again(client, editor_client, publish):
    subscriber = SubscriberFactory(confirmed=True, email="back@example.org")
    post(client, hard_bounce("back@example.org"))

    response = editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "clear_delivery_problem", "_selected_action": [subscriber.pk]},
    )

    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.delivery_problem == ""
    publish(ArticleFactory(draft=True))
    assert [m.to for m in mail.outbox] == [["back@example.org"]]


def test_newsletter_goes_through_anymails_backend(settings, publish):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.test.EmailBackend"}}
    SubscriberFactory.create_batch(2, confirmed=True)
    article = ArticleFactory(draft=True, title="Through the provider")

    publish(article)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.anymail_test_params["subject"].endswith("Through the provider")
        assert "List-Unsubscribe" in message.anymail_test_params["extra_headers"]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def test_event_about_an_address_that_is_not_a_subscriber_stores_nothing(client):
    # Mailgun's "test webhook" button reports on alice@example.com, say.
    response = post(client, hard_bounce("alice@example.com"))

    assert response.status_code == 200
    assert MailEvent.objects.count() == 0
