"""The comments' part of the editors' desk: the pending-comments badge
(templates/admin/app_list.html, the editor toolbar), the dashboard's pending panel, and
the held comments a signed-in editor sees under an article (templates/comments/_pending.html).

The buttons are CommentAdmin's one-click row actions (`admin:comments_comment_moderate`),
submitted with `next` so that the editor comes back to where they clicked.
"""

from django import template

from comments.admin import CommentAdmin
from comments.models import Comment
from core.http import has_session

register = template.Library()

# The dashboard shows the newest few; the queue holds the rest.
DASHBOARD_PENDING = 5
# Under an article only the two decisions an editor makes while reading it, for at most
# this many comments (a spam run can hold hundreds; the queue is the place for those).
ARTICLE_VERBS = ("approve", "spam")
ARTICLE_PENDING = 20


@register.simple_tag
def comments_pending_count() -> int:
    """How many comments wait for an editor: one COUNT query."""
    return Comment.objects.pending().count()


@register.inclusion_tag("admin/comments/_dashboard.html", takes_context=True)
def dashboard_pending_comments(context):
    """The newest pending comments, each with its row actions: one query (and the
    badge's COUNT), none for an editor who may not moderate."""
    request = context.request
    if not request.user.has_perm("comments.change_comment"):
        return {"can_moderate": False}
    pending = Comment.objects.pending().select_related("article")[:DASHBOARD_PENDING]
    return {
        "can_moderate": True,
        "pending": [(comment, CommentAdmin.verbs_for(comment)) for comment in pending],
        "next": request.get_full_path(),
    }


@register.simple_tag(takes_context=True)
def article_pending_comments(context, article) -> dict | None:
    """The comments held under `article` (the oldest ARTICLE_PENDING), each with its
    Approve and Spam buttons, and whether more wait, for a signed-in editor who may
    moderate them; None for anyone else, decided without reading the session of a
    request that has no session cookie (which would make every reader's page vary by
    cookie: core/http.py). One query."""
    request = getattr(context, "request", None)
    if request is None or not has_session(request):
        return None
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("comments.change_comment")):
        return None
    held = list(
        Comment.objects.pending()
        .filter(article=article)
        .order_by("created_at", "pk")[: ARTICLE_PENDING + 1]
    )
    if not held:
        return None
    return {
        "comments": [(comment, _article_verbs(comment)) for comment in held[:ARTICLE_PENDING]],
        "has_more": len(held) > ARTICLE_PENDING,
    }


def _article_verbs(comment) -> list[tuple[str, str]]:
    return [
        (verb, label) for verb, label in CommentAdmin.verbs_for(comment) if verb in ARTICLE_VERBS
    ]
