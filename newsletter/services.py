"""The newsletter's rules: subscribing with double opt-in, and each article's emails
sent exactly once to the subscribers it is for."""

import logging
import os
import smtplib
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from anymail.signals import EventType, RejectReason
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string, salted_hmac

from blog.models import Article
from core.addresses import normalize_email
from newsletter import emails, tasks
from newsletter.emails import ArticleEmail
from newsletter.models import Delivery, MailEvent, Mailing, Subscriber

logger = logging.getLogger(__name__)

# Retries after the mail server could not be reached: the first after a minute, each
# next one twice as late, at most an hour apart; a confirmation email is given up
# (editors see its error) after this many attempts.
RETRY_FIRST_SECONDS = 60
RETRY_MAX_SECONDS = 3600
CONFIRMATION_ATTEMPTS = 6
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
# Anything else smtplib or the socket raises is about the connection: the server is
# down, refuses us, or dropped the line.
CONNECTION_ERRORS = (smtplib.SMTPException, OSError)


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


# --- Confirmation emails -------------------------------------------------------------


def confirmation_send(*, subscriber_id: int) -> bool:
    """Send the confirmation email of a pending subscriber; True if it went out.

    A failure is recorded on the subscriber (editors see "confirmation failed, will
    retry") and raised, after queueing another attempt with a growing delay when the
    task backend can defer (the sweep retries otherwise).
    """
    subscriber = Subscriber.objects.pending().deliverable().filter(pk=subscriber_id).first()
    if subscriber is None:  # confirmed, gone or undeliverable meanwhile: nothing to send
        return False
    try:
        emails.confirmation_email(subscriber).send()
    except (smtplib.SMTPException, OSError, ValueError) as error:
        attempts = subscriber.confirmation_attempts + 1
        Subscriber.objects.filter(pk=subscriber.pk).update(
            confirmation_error=str(error)[:500] or type(error).__name__,
            confirmation_attempts=attempts,
        )
        if attempts < CONFIRMATION_ATTEMPTS:
            _enqueue_later(tasks.send_confirmation, subscriber.pk, delay=retry_delay(attempts))
        raise
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_error="", confirmation_attempts=0
    )
    return True


def confirmations_retry_due() -> int:
    """The sweep's part for confirmations: send those that failed, once their delay has
    passed (for task backends that cannot defer); how many went out."""
    sent = 0
    for subscriber in Subscriber.objects.pending().exclude(confirmation_error="").order_by("pk"):
        if subscriber.confirmation_attempts >= CONFIRMATION_ATTEMPTS:
            continue
        try:
            sent += confirmation_send(subscriber_id=subscriber.pk)
        except (smtplib.SMTPException, OSError, ValueError):
            continue
    return sent


# --- Bounces and complaints ----------------------------------------------------------


def _problem_of(event_type: str, reject_reason: str | None) -> str | None:
    """The subscriber state a provider event means, or None for events that change nothing
    (a temporary deferral, a delivery, an open)."""
    if event_type == EventType.COMPLAINED:
        return Subscriber.Problem.COMPLAINED
    if event_type == EventType.BOUNCED:  # anymail calls a temporary failure DEFERRED
        return Subscriber.Problem.BOUNCED
    if event_type == EventType.REJECTED and reject_reason in (
        RejectReason.BOUNCED,
        RejectReason.SPAM,
    ):  # the provider refused to send: the address bounced or complained before
        return (
            Subscriber.Problem.COMPLAINED
            if reject_reason == RejectReason.SPAM
            else Subscriber.Problem.BOUNCED
        )
    return None


@transaction.atomic
def mail_event_record(
    *,
    esp_name: str,
    event_id: str | None,
    event_type: str,
    reject_reason: str | None,
    recipient: str | None,
    description: str = "",
    occurred_at: datetime | None = None,
) -> bool:
    """Record a provider's report of a hard bounce or a complaint about `recipient`; True
    if it was new.

    The address gets no further email (its queued deliveries are dropped; the audience
    and the confirmation task leave it out) until an editor clears it. Each provider
    event is kept once: a replayed webhook finds its event id and changes nothing.
    """
    problem = _problem_of(event_type, reject_reason)
    if problem is None or not recipient:
        return False
    subscriber = Subscriber.objects.select_for_update().with_address(recipient).first()
    if subscriber is None:  # not ours (an editor's address, a test event): nothing to stop
        return False
    if not event_id:  # a provider without event ids: the event's own facts identify it
        event_id = salted_hmac(
            "newsletter.mail_event", f"{event_type}|{recipient}|{occurred_at}"
        ).hexdigest()
    try:
        with transaction.atomic():
            MailEvent.objects.create(
                esp_name=esp_name[:40],
                event_id=event_id[:200],
                event_type=event_type[:20],
                subscriber=subscriber,
                description=description[:500],
                occurred_at=occurred_at,
            )
    except IntegrityError:
        return False  # seen before
    # A complaint outranks a bounce; a bounce never turns a complaint back.
    if subscriber.delivery_problem != Subscriber.Problem.COMPLAINED:
        subscriber.delivery_problem = problem
        subscriber.delivery_problem_at = timezone.now()
        subscriber.save(update_fields=["delivery_problem", "delivery_problem_at"])
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED).delete()
    return True


def delivery_problem_clear(*, subscribers) -> int:
    """An editor's word that these addresses may be written to again; how many changed."""
    return subscribers.exclude(delivery_problem="").update(
        delivery_problem="", delivery_problem_at=None
    )


# --- New-post emails -----------------------------------------------------------------


def retry_delay(failures: int) -> timedelta:
    """How long to wait after `failures` failed attempts in a row: 1, 2, 4 … minutes,
    at most an hour."""
    seconds = RETRY_FIRST_SECONDS * 2 ** max(failures - 1, 0)
    return timedelta(seconds=min(seconds, RETRY_MAX_SECONDS))


def claim_timeout() -> timedelta:
    return timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)


def _enqueue_later(task, *args, delay: timedelta) -> bool:
    """Queue `task` to run after `delay` if the backend can defer (the database one can;
    the immediate one would run it at once, so nothing is queued there)."""
    if not task.get_backend().supports_defer:
        return False
    task.using(run_after=timezone.now() + delay).enqueue(*args)
    return True


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
    # Deliveries the server asked to try again later: left queued, not claimed again in
    # this run.
    deferred: set[int] = field(default_factory=set)

    @property
    def done(self) -> int:
        """Messages the server answered in this run."""
        return self.sent + self.failed + len(self.deferred)


def _answer_codes(error: Exception) -> list[int]:
    """The SMTP reply codes of a refused message (550 for one Python could not write)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in error.recipients.values()]
    return [getattr(error, "smtp_code", 550)]


@dataclass(frozen=True)
class Claim:
    token: str
    ids: list[int]

    def rows(self):
        """The claimed rows still queued and still ours, found by primary key (no scan of
        the mailing)."""
        return Delivery.objects.filter(
            pk__in=self.ids, claimed_by=self.token, status=Delivery.Status.QUEUED
        )

    def beat(self) -> set[int]:
        """Refresh the heartbeat of the rows still held; their ids (a row another sender
        took over after this one stalled past the timeout is no longer among them)."""
        self.rows().update(heartbeat_at=timezone.now())
        return set(self.rows().values_list("pk", flat=True))


def _sender_token() -> str:
    # Host and process first, so that an operator looking at a held row sees whose it is.
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{get_random_string(12)}"


def _claim(mailing: Mailing, batch_size: int, skip: set[int]) -> Claim | None:
    """Claim up to `batch_size` queued deliveries for this sender.

    A row is free when nobody claimed it, or when its claimer's heartbeat is older than
    NEWSLETTER_CLAIM_TIMEOUT (that worker died). The claim is an UPDATE conditioned on
    the rows being free, so two senders never hold the same row; on PostgreSQL the
    candidates are picked with SKIP LOCKED so that parallel senders take different rows
    instead of waiting on each other.
    """
    token = _sender_token()
    while True:
        now = timezone.now()
        free = (
            Q(claimed_by="")
            | Q(heartbeat_at__isnull=True)
            | Q(heartbeat_at__lt=now - claim_timeout())
        )
        candidates = Delivery.objects.filter(
            free, mailing=mailing, status=Delivery.Status.QUEUED
        ).exclude(pk__in=skip)
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            ids = list(candidates.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                return None
            claimed = Delivery.objects.filter(
                free, pk__in=ids, status=Delivery.Status.QUEUED
            ).update(claimed_by=token, heartbeat_at=now)
        if claimed:
            return Claim(token=token, ids=ids)
        # Another sender took exactly these rows between our read and our write: look again.


def _release(claim: Claim) -> None:
    claim.rows().update(claimed_by="", heartbeat_at=None)


def _send_batch(article_email: ArticleEmail, claim: Claim, result: SendResult) -> None:
    batch = list(claim.rows().select_related("subscriber").order_by("pk"))
    beat_every = settings.NEWSLETTER_CLAIM_TIMEOUT / 3
    next_beat = time.monotonic() + beat_every
    held = set(claim.ids)
    try:
        with mail.mailers.default as mailer:  # one SMTP connection for the batch
            for delivery in batch:
                if time.monotonic() >= next_beat:
                    held = claim.beat()
                    next_beat = time.monotonic() + beat_every
                if delivery.pk not in held:
                    continue  # taken over while this sender was stalled: not ours to send
                subscriber = delivery.subscriber
                if subscriber.status != Subscriber.Status.CONFIRMED or subscriber.delivery_problem:
                    Delivery.objects.filter(pk=delivery.pk).delete()
                    continue
                try:
                    mailer.send_messages([article_email.to(subscriber)])
                except MESSAGE_ERRORS as error:
                    codes = _answer_codes(error)
                    if 421 in codes:  # the server is closing the connection
                        raise smtplib.SMTPServerDisconnected(str(error)) from error
                    if all(400 <= code < 500 for code in codes):
                        # "Try again later" about this message (greylisting, a full
                        # mailbox): it stays queued for the next run, the batch goes on.
                        logger.info("Newsletter to %s deferred: %s", subscriber.pk, error)
                        result.deferred.add(delivery.pk)
                        continue
                    logger.warning("Newsletter to subscriber %s failed: %s", subscriber.pk, error)
                    Delivery.objects.filter(pk=delivery.pk).update(
                        status=Delivery.Status.FAILED, error=str(error)[:500], claimed_by=""
                    )
                    result.failed += 1
                    continue
                # Marked at once, each on its own: a sender killed after this line never
                # sends this email again.
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_by=""
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


def _mailing_failed(mailing: Mailing, error: Exception) -> None:
    """Record a run that could not reach the mail server: editors see the error and when
    sending is tried again."""
    failures = mailing.failed_attempts + 1
    Mailing.objects.filter(pk=mailing.pk).update(
        failed_attempts=failures,
        last_error=(str(error) or type(error).__name__)[:500],
        retry_at=timezone.now() + retry_delay(failures),
    )


def mailing_send(*, mailing: Mailing, batch_size: int | None = None) -> SendResult:
    """Send the mailing's queued deliveries in batches, one SMTP connection per batch.

    A connection that breaks after the server took part of a batch is opened again and
    the run goes on. One that gives nothing (the server is down or refuses us) ends the
    run with the error, recorded on the mailing with the time of the next attempt; what
    was sent is marked sent, the rest stays queued.
    """
    batch_size = batch_size or settings.NEWSLETTER_BATCH_SIZE
    article_email = ArticleEmail.for_article(mailing.article)
    result = SendResult()
    with _commits_without_waiting_for_disk():
        while claim := _claim(mailing, batch_size, result.deferred):
            done_before = result.done
            try:
                _send_batch(article_email, claim, result)
            except CONNECTION_ERRORS as error:
                if result.done > done_before:
                    logger.warning("Newsletter connection lost mid-batch (%s): resuming", error)
                    continue
                logger.warning("Newsletter %s: mail server unavailable: %s", mailing.pk, error)
                _mailing_failed(mailing, error)
                raise
    Mailing.objects.filter(pk=mailing.pk).exclude(failed_attempts=0, retry_at=None).update(
        failed_attempts=0, last_error="", retry_at=None
    )
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


def newsletter_run(*, article: Article) -> SendResult | None:
    """One run of the article's newsletter task, which keeps itself going until the
    mailing is finished.

    Before any work, the run queues its successor for NEWSLETTER_CLAIM_TIMEOUT later: if
    this worker is killed, the successor (run by whichever worker is alive, the
    restarted one included) finds the dead worker's claims stale and sends what they
    held. A successor that finds the mailing finished stops the chain; one that finds the
    mail server in its back-off waits for it; one whose article was rescheduled to a
    later time waits for that.
    """
    if article.is_scheduled:  # its time was moved since this run was queued
        tasks.send_article_newsletter.using(run_after=article.published_at).enqueue(article.pk)
        return None
    if not article.is_live:
        return None
    mailing = Mailing.objects.filter(article=article).first()
    if mailing is not None and mailing.finished_at is not None:
        return None
    if mailing is not None and mailing.retry_at is not None and mailing.retry_at > timezone.now():
        _enqueue_later(
            tasks.send_article_newsletter, article.pk, delay=mailing.retry_at - timezone.now()
        )
        return None
    # A second past the timeout: a worker killed early in this run has gone stale by then.
    successor_delay = claim_timeout() + timedelta(seconds=1)
    _enqueue_later(tasks.send_article_newsletter, article.pk, delay=successor_delay)
    return newsletter_send(article=article)


def newsletters_send_due() -> dict[Article, SendResult]:
    """The sweep: every live article whose newsletter has not gone out completely.

    Articles published within NEWSLETTER_CATCH_UP_DAYS that have no mailing yet (a
    scheduled article whose deferred task did not run), and any unfinished mailing whose
    mail-server back-off has passed; and confirmation emails that failed.
    """
    now = timezone.now()
    since = now - timedelta(days=settings.NEWSLETTER_CATCH_UP_DAYS)
    due = (
        Article.objects.published()
        .filter(
            Q(mailing__isnull=True, published_at__gte=since)
            | Q(
                Q(mailing__retry_at__isnull=True) | Q(mailing__retry_at__lte=now),
                mailing__isnull=False,
                mailing__finished_at__isnull=True,
            )
        )
        .order_by("published_at", "pk")
    )
    results = {}
    for article in due:
        try:
            result = newsletter_send(article=article)
        except CONNECTION_ERRORS:
            continue  # recorded on the mailing; the next sweep or successor tries again
        if result is not None:
            results[article] = result
    confirmations_retry_due()
    return results
