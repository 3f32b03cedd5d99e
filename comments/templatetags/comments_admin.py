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
# Under an article only the two decisions an editor makes while reading it.
ARTICLE_VERBS = ("approve", "spam")


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
def article_pending_comments(context, article) -> list:
    """The comments held under `article`, oldest first, with their Approve and Spam
    buttons, for a signed-in editor who may moderate them; an empty list for anyone
    else, decided without reading the session of a request that has no session cookie
    (which would make every reader's page vary by cookie: core/http.py)."""
    request = getattr(context, "request", None)
    if request is None or not has_session(request):
        return []
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("comments.change_comment")):
        return []
    held = Comment.objects.pending().filter(article=article).order_by("created_at", "pk")
    return [(comment, _article_verbs(comment)) for comment in held]


def _article_verbs(comment) -> list[tuple[str, str]]:
    return [
        (verb, label) for verb, label in CommentAdmin.verbs_for(comment) if verb in ARTICLE_VERBS
    ]
