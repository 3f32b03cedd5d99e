import email.policy
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.utils import timezone

from blog import importers
from blog.models import Article, SiteSettings
from blog.services import article_save, article_unpublish
from newsletter import services
from newsletter.emails import ArticleEmail, PreparedEmail
from newsletter.models import Delivery, Mailing, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory
from tests.newsletter.helpers import html_part, link_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_name():
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "Defence Talks"})


def recipients(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def test_publishing_sends_each_confirmed_subscriber_one_email(publish, mailoutbox):
    confirmed = SubscriberFactory.create_batch(3, confirmed=True)
    SubscriberFactory(email="pending@example.org")
    SubscriberFactory(email="left@example.org", unsubscribed=True)
    article = ArticleFactory(draft=True, title="Drones over the Black Sea")

    publish(article)

    assert recipients(mailoutbox) == sorted(s.email for s in confirmed)
    message = mailoutbox[0]
    assert message.subject == "Defence Talks: Drones over the Black Sea"
    assert article.title in message.body
    assert article.excerpt[:40] in message.body
    assert f"{article.get_absolute_url()}" in message.body
    assert article.get_absolute_url() in html_part(message)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 3
    assert Mailing.objects.get().finished_at is not None


def test_every_email_carries_unsubscribe_headers_and_from(publish, mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "Defence Talks <news@defencetalks.example>"
    settings.SITE_URL = "https://defencetalks.example"
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@defencetalks.example"
    SubscriberFactory(confirmed=True)

    publish(ArticleFactory(draft=True))

    (message,) = mailoutbox
    built = message.message()
    assert built["From"] == "Defence Talks <news@defencetalks.example>"
    unsubscribe = built["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://defencetalks.example/newsletter/unsubscribe/")
    assert "<mailto:unsubscribe@defencetalks.example?subject=unsubscribe>" in unsubscribe
    assert built["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert built["Message-ID"].endswith("@defencetalks.example>")
    assert [part.get_content_type() for part in built.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


def test_no_header_can_be_injected_through_stored_values(publish, mailoutbox):
    SiteSettings.objects.update(name="Evil\r\nBcc: victim@example.org")
    SubscriberFactory(confirmed=True)

    publish(ArticleFactory(draft=True, title="Title\nX-Injected: yes"))

    built = mailoutbox[0].message()
    assert built["Subject"] == "Evil Bcc: victim@example.org: Title X-Injected: yes"
    assert built["X-Injected"] is None
    assert built["Bcc"] is None
    assert mailoutbox[0].recipients() == [Subscriber.objects.get().email]


def test_saving_again_reimporting_and_republishing_never_send_twice(
    publish, mailoutbox, seed_path, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(
        2, confirmed=True, confirmed_at=timezone.now() - timedelta(days=9999)
    )
    with django_capture_on_commit_callbacks(execute=True):
        article = importers.import_path(seed_path).article
    assert len(mailoutbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        importers.import_path(seed_path)
        article.refresh_from_db()
        article.title = "Edited"
        article_save(article=article)
        article_unpublish(article=article)
    publish(article)
    call_command("send_due_newsletters", stdout=StringIO())

    assert len(mailoutbox) == 2
    assert Delivery.objects.count() == 2


def test_subscribers_confirming_later_do_not_get_older_articles(publish, mailoutbox):
    article = ArticleFactory(draft=True)
    publish(article, at=timezone.now() - timedelta(hours=2))
    SubscriberFactory(confirmed=True, confirmed_at=timezone.now() - timedelta(hours=1))

    article_unpublish(article=article)
    publish(article)

    assert mailoutbox == []


def test_scheduled_article_is_sent_when_due_by_the_sweep(publish, mailoutbox):
    SubscriberFactory(confirmed=True)
    article = ArticleFactory(draft=True)

    publish(article, at=timezone.now() + timedelta(hours=1))
    call_command("send_due_newsletters", stdout=StringIO())
    assert mailoutbox == []  # not yet: readers cannot see it either

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    call_command("send_due_newsletters", stdout=StringIO())
    call_command("send_due_newsletters", stdout=StringIO())

    assert len(mailoutbox) == 1


def test_scheduled_article_task_is_deferred_to_its_time_when_the_backend_can(
    publish, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    at = timezone.now() + timedelta(hours=1)
    publish(ArticleFactory(draft=True), at=at)

    (result,) = default_task_backend.results
    assert result.task.name == "send_article_newsletter"
    assert result.task.run_after == at


def test_unsubscribing_while_queued_drops_the_email(mailoutbox):
    stays, leaves = SubscriberFactory.create_batch(2, confirmed=True)
    article = ArticleFactory()
    mailing = services.mailing_prepare(article=article)
    services.subscription_cancel(subscriber=leaves)

    services.mailing_send(mailing=mailing)

    assert recipients(mailoutbox) == [stays.email]


def test_connection_lost_mid_batch_is_resumed_in_the_same_run_without_duplicates(
    mailoutbox, monkeypatch
):
    SubscriberFactory.create_batch(7, confirmed=True)
    mailing = services.mailing_prepare(article=ArticleFactory())
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    dropped = []

    def drop_once_after_four(self, messages):
        if len(mailoutbox) == 4 and not dropped:
            dropped.append(messages[0].to)
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", drop_once_after_four)
    result = services.mailing_send(mailing=mailing, batch_size=3)

    assert (result.sent, result.failed) == (7, 0)
    assert len(mailoutbox) == 7
    assert len(set(recipients(mailoutbox))) == 7
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 7


def test_refused_recipient_is_recorded_as_failed_and_the_rest_go_out(mailoutbox, monkeypatch):
    bad = SubscriberFactory(confirmed=True, email="bad@example.org")
    SubscriberFactory.create_batch(2, confirmed=True)
    mailing = services.mailing_prepare(article=ArticleFactory())
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages

    def refuse_bad(self, messages):
        if messages[0].to == [bad.email]:
            raise smtplib.SMTPRecipientsRefused({bad.email: (550, b"No such user")})
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_bad)
    services.mailing_send(mailing=mailing)

    counts = Mailing.objects.with_counts().get()
    assert (counts.queued_count, counts.sent_count, counts.failed_count) == (0, 2, 1)
    assert "No such user" in Delivery.objects.get(subscriber=bad).error


def test_unsubscribe_link_in_newsletter_works_with_one_click(publish, mailoutbox, client):
    subscriber = SubscriberFactory(confirmed=True)
    publish(ArticleFactory(draft=True))
    path = link_to(mailoutbox[0].body, "/unsubscribe/")
    assert mailoutbox[0].extra_headers["List-Unsubscribe"] == f"<{settings.SITE_URL}{path}>"

    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_prepared_copies_say_what_an_ordinary_email_would(settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "leave@example.org"
    subscriber = SubscriberFactory(confirmed=True)
    article = ArticleFactory(title="Türkiye and “dual-use” trade", body="Ankara exports. " * 40)
    composed = ArticleEmail.for_article(article)

    prepared = composed.to(subscriber)
    ordinary = EmailMultiAlternatives(
        subject=prepared.subject,
        body=prepared.body,
        from_email=prepared.from_email,
        to=prepared.to,
        headers=prepared.extra_headers,
    )
    ordinary.attach_alternative(html_part(prepared), "text/html")

    assert isinstance(prepared, PreparedEmail)
    ours, theirs = prepared.message(), ordinary.message(policy=email.policy.SMTP)
    for header in ("Subject", "From", "To", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert str(ours[header]) == str(theirs[header])
    assert [p.get_content().replace("\r\n", "\n") for p in ours.iter_parts()] == [
        p.get_content() for p in theirs.iter_parts()
    ]
    assert ours["Message-ID"] != composed.to(subscriber).message()["Message-ID"]


def test_address_with_non_ascii_characters_gets_an_ordinary_email(publish, mailoutbox):
    SubscriberFactory(confirmed=True, email="jürgen@bücher.example")

    publish(ArticleFactory(draft=True))

    (message,) = mailoutbox
    assert not isinstance(message, PreparedEmail)
    assert message.to == ["jürgen@bücher.example"]
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_stored_address_with_a_line_break_cannot_add_a_recipient(mailoutbox):
    # Not possible through the form; a row written some other way must not matter.
    SubscriberFactory(confirmed=True, email="reader@example.org\r\nBcc: victim@example.org")
    SubscriberFactory(confirmed=True, email="fine@example.org")
    mailing = services.mailing_prepare(article=ArticleFactory())

    services.mailing_send(mailing=mailing)

    assert recipients(mailoutbox) == ["fine@example.org"]
    assert "victim@example.org" not in mailoutbox[0].message().as_string()
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 1


def test_sweep_leaves_old_articles_without_a_mailing_alone(mailoutbox, settings):
    settings.NEWSLETTER_CATCH_UP_DAYS = 7
    SubscriberFactory(confirmed=True, confirmed_at=timezone.now() - timedelta(days=60))
    ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    recent = ArticleFactory(published_at=timezone.now() - timedelta(days=2))

    call_command("send_due_newsletters", stdout=StringIO())

    assert [m.subject.split(": ", 1)[1] for m in mailoutbox] == [recent.title]
    assert Mailing.objects.get().article == recent
