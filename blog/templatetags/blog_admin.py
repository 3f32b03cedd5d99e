"""The editors' desk, blog's part: who counts as a signed-in editor on a public page, and
the dashboard's article panels (scheduled, drafts) on the admin index.

`{% signed_in_editor %}` never reads the session of a request without the session
cookie: reading it would make every anonymous page vary by cookie, and no shared cache
could keep it (core/http.py, core/pagecache.py). With the cookie, the page cache already
answers `private` and nginx neither serves nor stores the page, so what an editor sees
here never reaches another reader.
"""

from django import template

from blog.services import articles_for, may_edit
from core.http import has_session

register = template.Library()

# How many rows each dashboard panel shows: the panel is a glance, the list is a click away.
DASHBOARD_ROWS = 5


@register.simple_tag(takes_context=True)
def signed_in_editor(context):
    """The signed-in staff user of this page's request, or None (anonymous readers,
    signed-in readers without staff status, pages rendered without a request)."""
    request = getattr(context, "request", None)
    if request is None or not has_session(request):
        return None
    user = request.user
    return user if user.is_active and user.is_staff else None


@register.filter
def may_edit_article(user, article) -> bool:
    """`{% if user|may_edit_article:article %}`: whether the article admin would let
    `user` change `article` (an author: only their own draft or pending article), so a
    link to its change form never leads to a refusal."""
    return may_edit(user, article)


@register.inclusion_tag("admin/blog/_dashboard.html", takes_context=True)
def dashboard_articles(context):
    """Scheduled articles, soonest first, with their times, and the latest drafts: two
    queries (none for an editor who may not see articles).

    Each panel lists only what the article admin would list for this user
    (`articles_for`): an author's drafts are their own, as WordPress's dashboard shows
    you your own drafts, while editors see the whole desk."""
    user = context.request.user
    if not user.has_perm("blog.view_article"):
        return {"can_view": False}
    articles = articles_for(user).select_related("author").only(
        "title", "status", "published_at", "updated_at", "author__username",
        "author__first_name", "author__last_name",
    )  # fmt: skip
    return {
        "can_view": True,
        "can_add": user.has_perm("blog.add_article"),
        "scheduled": list(articles.scheduled().order_by("published_at", "pk")[:DASHBOARD_ROWS]),
        "drafts": list(articles.drafts().order_by("-updated_at", "-pk")[:DASHBOARD_ROWS]),
    }
