"""Delivery through a real SMTP server on loopback (aiosmtpd): what actually arrives."""

import pytest
from django.conf import settings
from django.urls import reverse

from blog.models import SiteSettings
from newsletter import services
from newsletter.models import Delivery, Mailing, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory
from tests.newsletter.conftest import _Collector, serving_smtp
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
    settings.DEFAULT_FROM_EMAIL = "Broadsheet <noreply@localhost>"
    settings.NEWSLETTER_FROM_NAME_FROM_SITE = True
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
        assert message["From"] == "Defence Talks <noreply@localhost>"
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


LONG_SITE_URL = "https://newsroom.defence-talks-with-a-rather-long-host-name.example"


def raw_header(data: bytes, name: str) -> str:
    """A header exactly as its bytes came over the wire, folding undone (RFC 5322 2.2.3):
    no decoding, so RFC 2047 encoded-words would show as they are."""
    head = data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t")
    prefix = f"{name}: ".encode()
    (line,) = [line for line in head.split(b"\r\n") if line.startswith(prefix)]
    return line.removeprefix(prefix).decode("ascii")


def expected_targets(path: str) -> str:
    return f"<{LONG_SITE_URL}{path}>, <mailto:unsubscribe@defencetalks.example?subject=unsubscribe>"


@pytest.fixture
def long_site_url(settings):
    settings.SITE_URL = LONG_SITE_URL
    settings.ALLOWED_HOSTS = ["*"]
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@defencetalks.example"


def test_confirmation_list_unsubscribe_is_raw_urls_on_the_wire(
    smtp_server, client, after_commit, long_site_url
):
    with after_commit():
        client.post(reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"})

    (data,) = smtp_server.raw
    path = link_to_long_site(parts(smtp_server.received[0][1])["text/plain"], "/unsubscribe/")
    assert raw_header(data, "List-Unsubscribe") == expected_targets(path)
    assert b"=?" not in data.split(b"\r\n\r\n", 1)[0]


@pytest.mark.parametrize(
    "address",
    ["reader@example.org", "x@[127.0.0.1]"],
    ids=["prepared-template", "built-one-by-one"],
)
def test_newsletter_list_unsubscribe_is_raw_urls_on_the_wire(
    smtp_server, publish, long_site_url, address
):
    SubscriberFactory(email=address, confirmed=True)

    publish(ArticleFactory(draft=True, title="Naval drills"))

    (data,) = smtp_server.raw
    path = link_to_long_site(parts(smtp_server.received[0][1])["text/plain"], "/unsubscribe/")
    assert raw_header(data, "List-Unsubscribe") == expected_targets(path)
    assert raw_header(data, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def link_to_long_site(text: str, fragment: str) -> str:
    (path,) = {
        match.removeprefix(LONG_SITE_URL)
        for match in text.split()
        if match.startswith(LONG_SITE_URL) and fragment in match
    }
    return path


def test_emails_come_from_the_site_name_when_the_from_address_is_the_default(
    smtp_server, client, after_commit, publish, settings
):
    settings.DEFAULT_FROM_EMAIL = "Broadsheet <noreply@localhost>"
    settings.NEWSLETTER_FROM_NAME_FROM_SITE = True
    SubscriberFactory(email="reader@example.org", confirmed=True)
    with after_commit():
        client.post(reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"})
    publish(ArticleFactory(draft=True))

    assert len(smtp_server.raw) == 2
    for data in smtp_server.raw:
        assert raw_header(data, "From") == "Defence Talks <noreply@localhost>"


def test_an_explicit_from_address_is_kept(smtp_server, client, after_commit, settings):
    settings.DEFAULT_FROM_EMAIL = "Newsroom <news@defencetalks.example>"
    settings.NEWSLETTER_FROM_NAME_FROM_SITE = False
    with after_commit():
        client.post(reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"})

    (data,) = smtp_server.raw
    assert raw_header(data, "From") == "Newsroom <news@defencetalks.example>"


def test_site_name_in_from_cannot_add_a_header(smtp_server, publish, settings):
    settings.DEFAULT_FROM_EMAIL = "Broadsheet <noreply@localhost>"
    settings.NEWSLETTER_FROM_NAME_FROM_SITE = True
    SiteSettings.objects.filter(pk=1).update(name='Défence "Talks"\r\nBcc: victim@example.org')
    SubscriberFactory(email="reader@example.org", confirmed=True)

    publish(ArticleFactory(draft=True))

    ((rcpts, message),) = smtp_server.received
    assert rcpts == ["reader@example.org"]
    assert message["Bcc"] is None
    assert message["From"].addresses[0].display_name == ('Défence "Talks" Bcc: victim@example.org')
    assert message["From"].addresses[0].addr_spec == "noreply@localhost"


class _Picky(_Collector):
    """Refuses one address for good, asks to try another later, and hangs up on the
    third message it is given (once), as real servers do."""

    def __init__(self):
        super().__init__()
        self.data_calls = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "gone@example.org":
            return "550 5.1.1 No such user here"
        if address == "greylisted@example.org":
            return "450 4.2.0 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_calls += 1
        if self.data_calls == 3:
            server.transport.close()  # the line drops: no answer for this message
            return "421 4.4.2 Connection dropped"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def picky_server(settings):
    with serving_smtp(settings, _Picky()) as collector:
        yield collector


def test_refused_address_fails_deferred_one_waits_dropped_line_resumes(picky_server):
    fine = [SubscriberFactory(confirmed=True, email=f"fine{n}@example.org") for n in range(5)]
    SubscriberFactory(confirmed=True, email="gone@example.org")
    SubscriberFactory(confirmed=True, email="greylisted@example.org")
    mailing = services.mailing_prepare(article=ArticleFactory())

    services.mailing_send(mailing=mailing, batch_size=4)

    arrived = sorted(rcpt for rcpts, _ in picky_server.received for rcpt in rcpts)
    assert arrived == sorted(s.email for s in fine)  # each once, the dropped one resent
    gone = Delivery.objects.get(subscriber__email="gone@example.org")
    assert gone.status == Delivery.Status.FAILED
    assert "No such user here" in gone.error
    waiting = Delivery.objects.get(subscriber__email="greylisted@example.org")
    assert waiting.status == Delivery.Status.QUEUED
    assert Mailing.objects.get().finished_at is None

    picky_server.received.clear()
    Subscriber.objects.filter(email="greylisted@example.org").update(email="later@example.org")
    services.mailing_send(mailing=mailing)

    assert [rcpts for rcpts, _ in picky_server.received] == [["later@example.org"]]
    assert Mailing.objects.get().finished_at is not None
