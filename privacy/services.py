"""Export and erasure of everything the site holds about an email address.

What is held about an address: the comments posted with it (with the name, website, IP
address and browser recorded alongside), the newsletter subscription (consent records
included) and the newsletter deliveries to it, and earlier privacy requests. Accounts of
staff users are not readers' data and are left alone.
"""

import logging

from django.db import transaction
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_threads_changed
from core.addresses import email_key
from newsletter.models import Subscriber
from privacy import emails, tasks
from privacy.models import PrivacyRequest, email_digest, mask_email

logger = logging.getLogger(__name__)

ANONYMOUS = "Anonymous"


def _comments_of(address: str):
    return Comment.objects.filter(author_email_key=email_key(address))


def personal_data(address: str) -> dict:
    """Everything stored about `address`, as JSON-ready data."""
    comments = _comments_of(address).select_related("article").order_by("created_at", "pk")
    subscribers = Subscriber.objects.with_address(address).prefetch_related(
        "deliveries__mailing__article"
    )
    requests = PrivacyRequest.objects.for_address(address).order_by("created_at", "pk")
    return {
        "email": address,
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "article": comment.article.title,
                "article_url": emails.absolute(comment.article.get_absolute_url()),
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_url,
                "comment": comment.body,
                "status": comment.status,
                "posted_at": comment.created_at.isoformat(),
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
                "in_reply_to_comment": comment.parent_id,
            }
            for comment in comments
        ],
        "newsletter_subscriptions": [
            {
                "email": subscriber.email,
                "status": subscriber.status,
                "created_at": _iso(subscriber.created_at),
                "consent_given_at": _iso(subscriber.consent_at),
                "consent_given_on": subscriber.consent_source,
                "confirmation_sent_at": _iso(subscriber.confirmation_sent_at),
                "confirmed_at": _iso(subscriber.confirmed_at),
                "unsubscribed_at": _iso(subscriber.unsubscribed_at),
                "deliveries": [
                    {
                        "article": delivery.mailing.article.title,
                        "article_url": emails.absolute(delivery.mailing.article.get_absolute_url()),
                        "status": delivery.status,
                        "sent_at": _iso(delivery.sent_at),
                        "error": delivery.error,
                    }
                    for delivery in sorted(subscriber.deliveries.all(), key=lambda d: d.pk)
                ],
            }
            for subscriber in subscribers
        ],
        "privacy_requests": [
            {
                "kind": request.kind,
                "status": request.status,
                "requested_at": _iso(request.created_at),
                "completed_at": _iso(request.completed_at),
                "source": request.source,
            }
            for request in requests
        ],
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def privacy_request_start(*, email: str, kind: str, **details) -> PrivacyRequest:
    """A reader's request: recorded, then confirmed by a link mailed to the address.

    Nothing is exported or erased until the link is followed, so nobody can act on an
    address they cannot read mail for.
    """
    request = PrivacyRequest.objects.create(
        email=email.strip(), kind=kind, source=PrivacyRequest.Source.READER, **details
    )
    # Sent by a task: the page's own work is then the same for every address.
    transaction.on_commit(lambda: tasks.send_confirmation.enqueue(request.pk))
    logger.info(
        "privacy request %s (%s) for %s awaits confirmation", request.pk, kind, mask_email(email)
    )
    return request


def privacy_request_record(
    *, email: str, kind: str, source: str, requested_by=None, comments: str = ""
) -> PrivacyRequest:
    """An editor's or a command's request, which needs no confirmation by email."""
    return PrivacyRequest.objects.create(
        email=email.strip(),
        kind=kind,
        source=source,
        requested_by=requested_by,
        comments=comments or PrivacyRequest.Comments.ANONYMISE,
    )


@transaction.atomic
def privacy_export(*, request: PrivacyRequest) -> dict:
    """The data of the request's address; the request is marked done and logged."""
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if request.kind != PrivacyRequest.Kind.EXPORT:
        raise ValueError(f"privacy request {request.pk} is not an export")
    data = personal_data(request.email)
    request.status = PrivacyRequest.Status.DONE
    request.completed_at = timezone.now()
    request.result = {
        "comments": len(data["comments"]),
        "newsletter_subscriptions": len(data["newsletter_subscriptions"]),
        "deliveries": sum(len(s["deliveries"]) for s in data["newsletter_subscriptions"]),
    }
    request.save(update_fields=["status", "completed_at", "result"])
    logger.info(
        "privacy export %s of %s: %s", request.pk, mask_email(request.email), request.result
    )
    return data


@transaction.atomic
def privacy_erase(*, request: PrivacyRequest) -> dict:
    """Erase the request's address: comments anonymised or deleted, subscription gone.

    Anonymised comments keep their text and place in the thread under "Anonymous", with
    the address, website, IP address, browser and author token cleared. The subscription
    goes with its consent record and deliveries. Every request about the address has the
    address masked; the erasure's own row, with counts, is the record that it was done.
    Erasing an address that has nothing left is allowed and changes nothing.
    """
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if request.kind != PrivacyRequest.Kind.ERASE:
        raise ValueError(f"privacy request {request.pk} is not an erasure")
    if request.is_done:  # carried out before (a second click, a repeated command)
        return request.result
    address = request.email
    comments = _comments_of(address)
    if request.comments == PrivacyRequest.Comments.DELETE:
        comments_done = {"comments_deleted": comments.delete()[1].get(Comment._meta.label, 0)}
    else:
        article_ids = set(comments.values_list("article_id", flat=True))
        comments_done = {
            "comments_anonymised": comments.update(
                author_name=ANONYMOUS,
                author_email="",
                author_email_key="",
                author_url="",
                ip_address="",
                user_agent="",
                author_token_digest="",
                user=None,
            )
        }
        # update() sends no signal: threads and pages showing the old name go stale.
        comment_threads_changed(article_ids=article_ids)
    subscribers = Subscriber.objects.with_address(address)
    deleted = subscribers.delete()[1]
    request.result = {
        **comments_done,
        "newsletter_subscriptions_deleted": deleted.get(Subscriber._meta.label, 0),
        "deliveries_deleted": sum(
            count for label, count in deleted.items() if label.endswith(".Delivery")
        ),
    }
    request.status = PrivacyRequest.Status.DONE
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "completed_at", "result"])
    PrivacyRequest.objects.filter(email_digest=email_digest(address)).update(
        email=mask_email(address)
    )
    logger.info("privacy erasure %s of %s: %s", request.pk, mask_email(address), request.result)
    return request.result
