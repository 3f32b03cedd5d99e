"""A worker killed mid-send, and a mail server that is down: what the next run does.

With the database task backend the article's task keeps a successor queued while the
mailing is unfinished; the successor takes over the claims of a worker whose heartbeat
stopped. Time is controlled: a dead worker is one whose heartbeat the test dates back.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import services, tasks
from newsletter.models import Delivery, Mailing
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSLETTER_CLAIM_TIMEOUT = 30


def waiting():
    """Queued tasks, due or not."""
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def queued_runs(article):
    """The article's newsletter runs waiting in the task queue: their start times."""
    return sorted(
        result.run_after
        for result in waiting()
        if result.task_path.endswith("send_article_newsletter")
        and result.args_kwargs["args"] == [article.pk]
    )


def run_due_tasks():
    """What a worker does with every task that is due (the run_after of each is past),
    those the tasks it runs enqueue for now included."""
    while ready := list(DBTaskResult.objects.ready().order_by("run_after")):
        for result in ready:
            _run(result)


def _run(result):
    result.claim("test-worker")
    try:
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    except Exception as error:  # as the worker does: the task is marked failed
        result.set_failed(error)
    else:
        result.set_successful(None)


def left_by_a_killed_worker(mailing, *, sent: int, heartbeat_age: int):
    """The rows as a worker killed mid-batch leaves them: `sent` marked sent, the rest of
    its batch claimed, its last heartbeat `heartbeat_age` seconds ago."""
    rows = list(mailing.deliveries.order_by("pk"))
    for delivery in rows[:sent]:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=timezone.now()
        )
    Delivery.objects.filter(pk__in=[d.pk for d in rows[sent:]]).update(
        claimed_by="worker-1:4242:dead",
        heartbeat_at=timezone.now() - timedelta(seconds=heartbeat_age),
    )


def delivered_to(outbox):
    return [address for message in outbox for address in message.to]


def test_claim_of_a_dead_worker_is_taken_over_and_every_email_sent_once(database_tasks, mailoutbox):
    subscribers = SubscriberFactory.create_batch(7, confirmed=True)
    article = ArticleFactory()
    mailing = services.mailing_prepare(article=article)
    left_by_a_killed_worker(mailing, sent=3, heartbeat_age=31)

    tasks.send_article_newsletter.enqueue(article.pk)  # the successor the dead run queued
    run_due_tasks()

    expected = sorted(s.email for s in subscribers[3:])
    assert sorted(delivered_to(mailoutbox)) == expected
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 7
    assert Mailing.objects.get().finished_at is not None


def test_claim_of_a_live_worker_is_left_to_it_and_a_successor_waits(database_tasks, mailoutbox):
    SubscriberFactory.create_batch(4, confirmed=True)
    article = ArticleFactory()
    mailing = services.mailing_prepare(article=article)
    left_by_a_killed_worker(mailing, sent=1, heartbeat_age=5)

    tasks.send_article_newsletter.enqueue(article.pk)
    run_due_tasks()

    assert mailoutbox == []
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == 3
    (successor,) = queued_runs(article)
    assert successor > timezone.now() + timedelta(seconds=25)

    # The worker never beats again: when its successor comes, the rows are taken over.
    Delivery.objects.filter(status=Delivery.Status.QUEUED).update(
        heartbeat_at=timezone.now() - timedelta(seconds=31)
    )
    waiting().update(run_after=timezone.now())
    run_due_tasks()

    assert len(mailoutbox) == 3
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 4


def test_newsletter_task_queues_its_successor_until_the_mailing_is_finished(
    database_tasks, mailoutbox, publish
):
    SubscriberFactory.create_batch(2, confirmed=True)
    article = ArticleFactory(draft=True)

    publish(article)
    run_due_tasks()

    assert len(mailoutbox) == 2
    (successor,) = queued_runs(article)
    assert successor > timezone.now() + timedelta(seconds=25)

    waiting().update(run_after=timezone.now())
    run_due_tasks()

    assert len(mailoutbox) == 2
    assert queued_runs(article) == []  # finished: the chain stops


def test_rescheduled_article_is_sent_at_its_new_time(database_tasks, mailoutbox, publish):
    SubscriberFactory(confirmed=True)
    article = ArticleFactory(draft=True)
    publish(article, at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=3)
    type(article).objects.filter(pk=article.pk).update(published_at=later)

    waiting().update(run_after=timezone.now())
    run_due_tasks()

    assert mailoutbox == []
    assert queued_runs(article) == [later]


def test_mail_server_down_is_retried_with_growing_delays(database_tasks, settings, mailoutbox):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }
    SubscriberFactory.create_batch(2, confirmed=True)
    article = ArticleFactory()

    tasks.send_article_newsletter.enqueue(article.pk)
    run_due_tasks()

    mailing = Mailing.objects.get()
    assert mailing.failed_attempts == 1
    assert "refused" in mailing.last_error.lower()
    first_retry = mailing.retry_at
    assert first_retry > timezone.now() + timedelta(seconds=50)
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == 2

    # The successor comes before the retry time: it waits for it rather than trying.
    waiting().update(run_after=timezone.now())
    run_due_tasks()
    assert Mailing.objects.get().failed_attempts == 1
    assert queued_runs(article)[-1] >= first_retry - timedelta(seconds=1)

    Mailing.objects.update(retry_at=timezone.now())
    waiting().update(run_after=timezone.now())
    run_due_tasks()
    mailing = Mailing.objects.get()
    assert mailing.failed_attempts == 2
    assert mailing.retry_at - timezone.now() > timedelta(seconds=110)

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    Mailing.objects.update(retry_at=timezone.now())
    waiting().update(run_after=timezone.now())
    run_due_tasks()

    assert len(mail.outbox) == 2
    mailing = Mailing.objects.get()
    assert (mailing.failed_attempts, mailing.last_error, mailing.finished_at is not None) == (
        0,
        "",
        True,
    )


def test_confirmation_that_could_not_be_sent_is_shown_to_editors_and_retried(
    database_tasks, settings, client, editor_client, after_commit
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},  # nothing listens
        }
    }
    with after_commit():
        response = client.post(
            reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"}
        )
    assert response.status_code == 303
    with after_commit():
        run_due_tasks()  # the sign-up decided: a new subscriber, its confirmation queued
    run_due_tasks()  # the confirmation, which the server does not take

    changelist = editor_client.get(reverse("admin:newsletter_subscriber_changelist"))
    assert "Confirmation failed, will retry" in changelist.text
    retries = [r for r in waiting() if r.task_path.endswith("send_confirmation")]
    assert len(retries) == 1
    assert retries[0].run_after > timezone.now() + timedelta(seconds=50)

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    waiting().update(run_after=timezone.now())
    run_due_tasks()

    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    changelist = editor_client.get(reverse("admin:newsletter_subscriber_changelist"))
    assert "Confirmation failed" not in changelist.text


def test_editor_sees_why_a_mailing_waits_and_when_it_is_tried_again(
    database_tasks, settings, editor_client
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    SubscriberFactory(confirmed=True)
    article = ArticleFactory(title="Waiting article")
    tasks.send_article_newsletter.enqueue(article.pk)
    run_due_tasks()

    response = editor_client.get(reverse("admin:newsletter_mailing_changelist"))

    assert response.status_code == 200
    assert "Waiting article" in response.text
    assert "Connection refused" in response.text
    assert '<td class="field-queued">1</td>' in response.text
