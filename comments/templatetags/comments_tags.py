"""The article page's comment section: `{% load comments_tags %}{% comment_section article %}`.

Two queries whatever the number of comments: the discussion settings with the article's
open/closed switch, and the thread itself (built in Python; each comment's HTML was
cleaned when it was saved).
"""

import re

from django import template

from comments import cookies
from comments.forms import CONSENT_FIELD, CommentForm
from comments.models import Comment, DiscussionSettings
from comments.threads import build_thread

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    request = context["request"]
    discussion = DiscussionSettings.load(article=article)
    own_ids = cookies.pending_ids(request)
    comments = list(Comment.objects.for_thread(article, own_ids=own_ids))
    thread = build_thread(comments, max_depth=discussion.effective_depth())
    approved = {comment.pk: comment for comment in comments if comment.is_approved}
    is_open = discussion.comments_open(article)

    form = context.get("comment_form")
    if form is None:
        saved = cookies.saved_author(request)
        initial = {**saved, CONSENT_FIELD: bool(saved)}
        reply_to_id = _comment_id(request.GET.get("replytocom"))
        if discussion.is_threaded and reply_to_id in approved:
            initial["comment_parent"] = reply_to_id
        form = CommentForm(initial=initial)
        parent_id = initial.get("comment_parent")
    else:
        parent_id = _comment_id(form.data.get("comment_parent"))

    return {
        "article": article,
        "article_url": article.get_absolute_url(),
        "thread": thread,
        "approved_count": len(approved),
        "is_open": is_open,
        "can_reply": is_open and discussion.is_threaded,
        "form": form,
        "reply_to": approved.get(parent_id) if parent_id else None,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


_ID = re.compile(r"[0-9]{1,18}")


def _comment_id(raw) -> int | None:
    """A comment id from the query string or a posted form, or None for anything else
    (`str.isdigit` would accept "²", which `int` refuses)."""
    raw = str(raw or "")
    return int(raw) if _ID.fullmatch(raw) else None
