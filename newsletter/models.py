"""Subscribers, and the record of what each article's newsletter sent to whom."""

from django.db import models
from django.db.models import Count, Q

from blog.models import Article
from core.addresses import EMAIL_KEY_MAX_LENGTH, email_key


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def pending(self):
        return self.filter(status=Subscriber.Status.PENDING)

    def with_address(self, address: str):
        # Equal keys, never the database's case functions (core/addresses.py).
        return self.filter(email_key=email_key(address))

    def deliverable(self):
        """Addresses no provider has reported as bounced or complaining."""
        return self.filter(delivery_problem="")

    def audience_for(self, mailing: "Mailing"):
        """Who an article's newsletter goes to: confirmed before it was published, and not
        reported as bounced or complaining."""
        return self.confirmed().deliverable().filter(confirmed_at__lte=mailing.audience_cutoff)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    class Problem(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained (spam report)"

    email = models.EmailField(max_length=254)
    # What the address is matched by (core.addresses.email_key), derived on save.
    email_key = models.CharField(max_length=EMAIL_KEY_MAX_LENGTH, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # Consent: when the person asked, and on which page of the site.
    consent_at = models.DateTimeField("consent given at")
    consent_source = models.CharField("consent given on", max_length=500, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # The last confirmation email that could not be sent (cleared once one is sent), and
    # how many attempts failed in a row: the task tries again with a growing delay.
    confirmation_error = models.CharField(max_length=500, blank=True)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)
    # What the mail provider reported (a hard bounce, a spam complaint): the address gets
    # no further email until an editor clears it.
    delivery_problem = models.CharField(max_length=10, choices=Problem.choices, blank=True)
    delivery_problem_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-consent_at", "-pk"]
        indexes = [models.Index(fields=["status", "confirmed_at"], name="subscriber_audience_idx")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)


class MailingQuerySet(models.QuerySet):
    def newest_first(self):
        # Spelled out: Meta.ordering is dropped from GROUP BY queries such as with_counts().
        return self.order_by("-created_at", "-pk")

    def with_counts(self):
        """Per mailing, its deliveries by state, counted from the delivery rows."""
        statuses = Delivery.Status
        return self.annotate(
            queued_count=Count("deliveries", filter=Q(deliveries__status=statuses.QUEUED)),
            sent_count=Count("deliveries", filter=Q(deliveries__status=statuses.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=statuses.FAILED)),
        )


class Mailing(models.Model):
    """One article's newsletter: made once, when the article is live, never again.

    The audience is fixed by `audience_cutoff` (the article's publication time when the
    mailing was made), so a republish or a later confirmation adds nobody to it.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="mailing")
    audience_cutoff = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once every delivery row exists (a fan-out killed before that resumes it).
    prepared_at = models.DateTimeField(null=True, blank=True)
    # Set when no delivery was left queued after a send run.
    finished_at = models.DateTimeField(null=True, blank=True)
    # While the mail server cannot be reached: runs failed in a row, the last error, and
    # when sending is tried again (the delay doubles with each failure).
    failed_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Newsletter: {self.article}"


class Delivery(models.Model):
    """One email of one mailing to one subscriber; the unique pair is the "exactly once"."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    # The sending run working on this queued row, and when it last said it was alive: a
    # claim whose heartbeat is older than NEWSLETTER_CLAIM_TIMEOUT belongs to a dead
    # worker, and any sender may take the row over.
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "subscriber"], name="delivery_once_per_subscriber"
            ),
        ]
        # In primary-key order within a state, so a claim reads only the rows it takes.
        indexes = [models.Index(fields=["mailing", "status", "id"], name="delivery_state_idx")]

    def __str__(self):
        return f"{self.mailing.article} → {self.subscriber}"


class MailEvent(models.Model):
    """A bounce or complaint a mail provider reported through its webhook about a
    subscriber, kept once per provider event id (a replayed webhook changes nothing).

    It points at the subscriber rather than holding the address, so that erasing the
    subscriber (privacy/) erases it too.
    """

    esp_name = models.CharField("provider", max_length=40)
    event_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=20)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="mail_events")
    description = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["esp_name", "event_id"], name="mail_event_once"),
        ]

    def __str__(self):
        return f"{self.event_type}: {self.subscriber}"
