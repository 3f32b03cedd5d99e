"""The newsletter's rules: subscribing with double opt-in, and each article's emails
sent exactly once to the subscribers it is for."""

import logging
import smtplib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from blog.models import Article
from core.addresses import normalize_email
from newsletter import tasks
from newsletter.emails import ArticleEmail
from newsletter.models import Delivery, Mailing, Subscriber

logger = logging.getLogger(__name__)

# How long a sender holds the deliveries it claimed; a sender killed mid-batch leaves
# its unsent rows to whoever runs after this has passed.
CLAIM_SECONDS = 15 * 60
# Subscribers read per query when recording deliveries (memory stays flat).
AUDIENCE_CHUNK = 2000

# SMTP answers about one message (its recipient or content), not about the connection:
# that delivery fails, the batch goes on.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPSenderRefused,
    ValueError,  # an address Python's email package cannot write
)


# --- Subscribing ---------------------------------------------------------------------


@transaction.atomic
def subscription_start(
    *, email: str, source: str = "", consent_at: datetime | None = None
) -> Subscriber:
    """Record a request to subscribe `email`, given on page `source` at `consent_at`
    (now, unless the request was made earlier: the sign-up page hands it to the
    `start_subscription` task, so that its own work is the same for every address).

    Whatever the address's state, the caller gives the same answer. A new or
    unsubscribed address becomes pending with fresh consent; a pending one gets its
    confirmation email again, at most once per NEWSLETTER_RESEND_SECONDS; a confirmed
    one is left alone.
    """
    now = timezone.now()
    consent_at = consent_at or now
    address = normalize_email(email)
    subscriber = Subscriber.objects.select_for_update().with_address(address).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=address, consent_at=consent_at, consent_source=source[:500]
                )
        except IntegrityError:  # the same address, at the same moment, in another request
            return Subscriber.objects.with_address(address).get()
    elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.consent_at = consent_at
        subscriber.consent_source = source[:500]
        subscriber.confirmation_sent_at = None
        subscriber.confirmed_at = None
        subscriber.unsubscribed_at = None  # pending again: no leaving date beside it
        subscriber.save()
    elif subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber

    resend_after = timedelta(seconds=settings.NEWSLETTER_RESEND_SECONDS)
    sent_at = subscriber.confirmation_sent_at
    if sent_at is None or now - sent_at >= resend_after:
        subscriber.confirmation_sent_at = now
        subscriber.save(update_fields=["confirmation_sent_at"])
        subscriber_id = subscriber.pk
        transaction.on_commit(lambda: tasks.send_confirmation.enqueue(subscriber_id))
    return subscriber


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already-confirmed"
    REFUSED = "refused"  # unsubscribed since the link was sent: only a new sign-up helps


@transaction.atomic
def subscription_confirm(*, subscriber: Subscriber) -> Confirmation:
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return Confirmation.ALREADY_CONFIRMED
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return Confirmation.REFUSED
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.save(update_fields=["status", "confirmed_at"])
    return Confirmation.CONFIRMED


@transaction.atomic
def subscription_cancel(*, subscriber: Subscriber) -> bool:
    """Unsubscribe at once; True if this call did it. Queued emails to them are dropped."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return False
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED).delete()
    return True


# --- New-post emails -----------------------------------------------------------------


def newsletter_schedule(*, article: Article) -> None:
    """Arrange for `article`'s newsletter: now if it is live, else at its publication time
    when the task backend can defer (otherwise the sweep sends it when it is due)."""
    task = tasks.send_article_newsletter
    if article.is_live:
        task.enqueue(article.pk)
    elif article.is_scheduled and task.get_backend().supports_defer:
        task.using(run_after=article.published_at).enqueue(article.pk)


def mailing_prepare(*, article: Article) -> Mailing | None:
    """The article's mailing with one delivery row per subscriber it is for.

    None while the article is not live. Rows are written in chunks of subscribers read
    by primary key, so memory does not grow with the list; rerunning after a crash adds
    the missing rows and nothing else (the pair is unique).
    """
    if not article.is_live:
        return None
    mailing, _ = Mailing.objects.get_or_create(
        article=article, defaults={"audience_cutoff": article.published_at}
    )
    if mailing.prepared_at is not None:
        return mailing
    audience = Subscriber.objects.audience_for(mailing).order_by("pk")
    last_pk = 0
    while ids := list(
        audience.filter(pk__gt=last_pk).values_list("pk", flat=True)[:AUDIENCE_CHUNK]
    ):
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, subscriber_id=pk) for pk in ids], ignore_conflicts=True
        )
        last_pk = ids[-1]
    Mailing.objects.filter(pk=mailing.pk).update(prepared_at=timezone.now())
    mailing.refresh_from_db()
    return mailing


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Claim:
    token: str
    ids: list[int]

    def rows(self):
        """The claimed rows still queued, found by primary key (no scan of the mailing)."""
        return Delivery.objects.filter(
            pk__in=self.ids, claimed_by=self.token, status=Delivery.Status.QUEUED
        )


def _claim(mailing: Mailing, batch_size: int) -> Claim | None:
    """Claim up to `batch_size` queued deliveries for this sender.

    The claim is an UPDATE conditioned on the rows being free, so two senders never hold
    the same row; on PostgreSQL the candidates are picked with SKIP LOCKED so that
    parallel senders take different rows instead of waiting on each other.
    """
    token = get_random_string(32)
    while True:
        now = timezone.now()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        candidates = Delivery.objects.filter(free, mailing=mailing, status=Delivery.Status.QUEUED)
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return None
            claimed = Delivery.objects.filter(
                free, pk__in=ids, status=Delivery.Status.QUEUED
            ).update(claimed_by=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        if claimed:
            return Claim(token=token, ids=ids)
        # Another sender took exactly these rows between our read and our write: look again.


def _release(claim: Claim) -> None:
    claim.rows().update(claimed_by="", claimed_until=None)


def _send_batch(article_email: ArticleEmail, claim: Claim, result: SendResult) -> None:
    batch = claim.rows().select_related("subscriber").order_by("pk")
    try:
        with mail.mailers.default as mailer:  # one SMTP connection for the batch
            for delivery in batch:
                subscriber = delivery.subscriber
                if subscriber.status != Subscriber.Status.CONFIRMED:
                    Delivery.objects.filter(pk=delivery.pk).delete()
                    continue
                try:
                    mailer.send_messages([article_email.to(subscriber)])
                except MESSAGE_ERRORS as error:
                    logger.warning("Newsletter to subscriber %s failed: %s", subscriber.pk, error)
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.FAILED, error=str(error)[:500], claimed_until=None
                    )
                    result.failed += 1
                    continue
                # Marked at once, each on its own: a sender killed after this line never
                # sends this email again.
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_until=None
                )
                result.sent += 1
    finally:
        _release(claim)  # what this sender could not send is free for the next run


@contextmanager
def _commits_without_waiting_for_disk():
    """On PostgreSQL, let this session's commits return before the WAL reaches disk.

    Each "sent" mark is its own commit; waiting for a disk flush on every one would make
    the disk, not SMTP, set the pace. A committed mark is still in the server at once,
    so a sender killed at any point sends nothing twice; only a crash of the database
    server itself could lose the last fraction of a second of marks (those few emails
    would go out again). Outside a transaction the setting lasts for the session, so it
    is reset afterwards.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def mailing_send(*, mailing: Mailing, batch_size: int | None = None) -> SendResult:
    """Send the mailing's queued deliveries in batches, one SMTP connection per batch.

    A connection that breaks ends the run with the error (the task fails, the sweep
    tries again later); what was sent is marked sent, the rest stays queued.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    article_email = ArticleEmail.for_article(mailing.article)
    result = SendResult()
    with _commits_without_waiting_for_disk():
        while claim := _claim(mailing, batch_size):
            _send_batch(article_email, claim, result)
    if not mailing.deliveries.filter(status=Delivery.Status.QUEUED).exists():
        Mailing.objects.filter(pk=mailing.pk, finished_at=None).update(finished_at=timezone.now())
    return result


def newsletter_send(*, article: Article) -> SendResult | None:
    """Prepare and send `article`'s newsletter if it is due; safe to call any number of
    times, from any number of workers."""
    mailing = mailing_prepare(article=article)
    if mailing is None:
        return None
    return mailing_send(mailing=mailing)


def newsletters_send_due() -> dict[Article, SendResult]:
    """The sweep: every live article whose newsletter has not gone out completely.

    Articles published within NEWSLETTER_CATCH_UP_DAYS that have no mailing yet (a
    scheduled article whose deferred task did not run), and any unfinished mailing.
    """
    since = timezone.now() - timedelta(days=settings.NEWSLETTER_CATCH_UP_DAYS)
    due = (
        Article.objects.published()
        .filter(
            Q(mailing__isnull=True, published_at__gte=since)
            | Q(mailing__isnull=False, mailing__finished_at__isnull=True)
        )
        .order_by("published_at", "pk")
    )
    results = {}
    for article in due:
        if (result := newsletter_send(article=article)) is not None:
            results[article] = result
    return results
