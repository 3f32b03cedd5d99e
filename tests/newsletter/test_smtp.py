"""Delivery through a real SMTP server on loopback (aiosmtpd): what actually arrives."""

import pytest
from django.conf import settings
from django.urls import reverse

from blog.models import SiteSettings
from newsletter.models import Delivery, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory
from tests.newsletter.helpers import link_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_name():
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "Defence Talks"})


def parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_newsletter_arrives_over_smtp_once_per_subscriber_with_working_links(
    smtp_server, publish, client, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 2  # three batches, three connections
    subscribers = SubscriberFactory.create_batch(5, confirmed=True)
    SubscriberFactory(email="pending@example.org")
    article = ArticleFactory(draft=True, title="Naval drills")

    publish(article)

    assert len(smtp_server.received) == 5
    assert sorted(rcpt for rcpts, _ in smtp_server.received for rcpt in rcpts) == sorted(
        s.email for s in subscribers
    )
    for rcpts, message in smtp_server.received:
        assert message["To"] == rcpts[0]
        assert message["Subject"] == "Defence Talks: Naval drills"
        assert message["From"] == settings.DEFAULT_FROM_EMAIL
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        body = parts(message)
        assert set(body) == {"text/plain", "text/html"}
        assert article.get_absolute_url() in body["text/plain"]
        assert article.get_absolute_url() in body["text/html"]
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 5

    rcpts, message = smtp_server.received[0]
    text = parts(message)["text/plain"]
    assert client.get(link_to(text, article.get_absolute_url())).status_code == 200
    header_url = message["List-Unsubscribe"].strip("<>")
    assert header_url.startswith(settings.SITE_URL)
    response = client.post(
        header_url.removeprefix(settings.SITE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(email=rcpts[0]).status == Subscriber.Status.UNSUBSCRIBED
    assert Subscriber.objects.confirmed().count() == 4


def test_confirmation_arrives_over_smtp_and_its_link_confirms(smtp_server, client, after_commit):
    with after_commit():
        client.post(reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"})

    ((rcpts, message),) = smtp_server.received
    assert rcpts == ["new@example.org"]
    assert message["Subject"] == "Confirm your subscription to Defence Talks"
    assert message["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/newsletter/unsubscribe/")
    confirm_path = link_to(parts(message)["text/html"], "/confirm/")

    assert client.post(confirm_path).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
