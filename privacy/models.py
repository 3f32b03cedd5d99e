"""Privacy requests: the log of every export and erasure, whoever asked for it."""

import hashlib

from django.conf import settings
from django.db import models

from core.addresses import email_key


def email_digest(address: str) -> str:
    """What identifies an address in the log once its data is erased: SHA-256 of its key
    (core.addresses.email_key; for an ASCII address that is the address lower-cased, as
    digests were before keys existed)."""
    return hashlib.sha256(email_key(address).encode()).hexdigest()


def mask_email(address: str) -> str:
    """j•••@example.org: enough for an editor to recognise a request, not to mail anyone."""
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return "•••"
    return f"{local[:1]}•••@{domain.lower()}"


class PrivacyRequestQuerySet(models.QuerySet):
    def for_address(self, address: str):
        return self.filter(email_digest=email_digest(address))

    def awaiting(self):
        return self.filter(status=PrivacyRequest.Status.AWAITING)


class PrivacyRequest(models.Model):
    """One request to export or erase an address's data, and what was done about it.

    Rows are never deleted: they are the record that the site answered. After an
    erasure the address itself is masked in every request about it; its digest stays, so
    a later request about the same address can still be matched to this one.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", "Export personal data"
        ERASE = "erase", "Erase personal data"

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting confirmation by email"
        DONE = "done", "Done"

    class Source(models.TextChoices):
        READER = "reader", "The reader, through the site's form"
        ADMIN = "admin", "An editor, in the admin"
        COMMAND = "command", "A management command"

    class Comments(models.TextChoices):
        ANONYMISE = "anonymise", "Keep the comments' text, under “Anonymous”"
        DELETE = "delete", "Delete the comments"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    email = models.EmailField("email address", max_length=254)
    email_digest = models.CharField(max_length=64, editable=False, db_index=True)
    comments = models.CharField(
        "comments on erasure",
        max_length=9,
        choices=Comments.choices,
        default=Comments.ANONYMISE,
        help_text="Only for an erasure.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.AWAITING)
    source = models.CharField(max_length=7, choices=Source.choices, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What was done: rows exported, anonymised or deleted, by kind.
    result = models.JSONField(default=dict, blank=True, editable=False)

    objects = PrivacyRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"

    def save(self, *args, **kwargs):
        if not self.email_digest:
            self.email_digest = email_digest(self.email)
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE
