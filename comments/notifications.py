"""Emails about comments. They go to the editors only: the site never writes to a
commenter's address, so the comment form cannot be used to send text to a stranger."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from blog.models import SiteSettings
from comments.models import Comment
from core.editors import EDITORS_GROUP

logger = logging.getLogger(__name__)


def editor_addresses() -> list[str]:
    """Active editors (the Editors group, and superusers) who have an address; else
    settings.MANAGERS."""
    addresses = (
        get_user_model()
        .objects.filter(Q(groups__name=EDITORS_GROUP) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    return list(addresses) or [address for _name, address in settings.MANAGERS]


def send_comment_notification(comment: Comment) -> int:
    """Tell the editors of a held comment (with links to act) or of a published one."""
    recipients = editor_addresses()
    if not recipients:
        logger.warning(
            "Comment %s is %s but no editor has an email address and MANAGERS is empty: "
            "nobody was told.",
            comment.pk,
            comment.get_status_display().lower(),
        )
        return 0
    site = SiteSettings.load()
    held = comment.status != Comment.Status.APPROVED
    kind = "held" if held else "published"
    admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
    context = {
        "comment": comment,
        "article": comment.article,
        "site_name": site.display_name,
        "comment_url": settings.SITE_URL + comment.get_absolute_url(),
        "admin_url": admin_url,
        # A held comment's link: a page with the comment and one Approve button.
        "approve_url": settings.SITE_URL
        + reverse("admin:comments_comment_approve", args=[comment.pk]),
        "queue_url": settings.SITE_URL
        + reverse("admin:comments_comment_changelist")
        + "?status__exact=pending",
    }
    subject = render_to_string(f"emails/comment_{kind}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/comment_{kind}.txt", context),
        to=recipients,
    )
    html_body = render_to_string(f"emails/comment_{kind}.html", context)
    message.attach_alternative(html_body, "text/html")
    message.send()
    return len(recipients)
