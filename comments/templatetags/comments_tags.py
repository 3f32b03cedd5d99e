"""The article page's comment section: `{% load comments_tags %}{% comment_section article %}`.

The same for every reader at the same address: nothing in it comes from a cookie or a
session, so the page can be held by any HTTP cache. What only one reader sees travels
in an address only they have: their held comment (moderation_hash), the comment they
reply to (?replytocom), their refused post (the page rendered again by the view). Their
saved name and email are filled in by static/js/comment-form.js.

One query when the thread comes from its {% cache %} fragment (the discussion settings,
with the article's switch and comment version), two when it is rendered.
"""

import re

from django import template
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import DiscussionSettings
from comments.moderation_hash import Claim
from comments.threads import CACHE_SECONDS, Thread

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    request = context["request"]
    discussion = DiscussionSettings.load(article=article)
    is_open = discussion.comments_open(article)
    form = context.get("comment_form")  # bound: the page again after a refused post
    if form is not None:
        reply_to_id = _comment_id(form.data.get("comment_parent"))
    elif discussion.is_threaded:  # a link's ?replytocom counts only where replies are allowed
        reply_to_id = _comment_id(request.GET.get("replytocom"))
    else:
        reply_to_id = None
    held = Claim.from_query(request.GET)
    thread = Thread(article, max_depth=discussion.effective_depth(), held=held)
    reply_to = thread.approved(reply_to_id) if reply_to_id and is_open else None
    if form is None:
        form = CommentForm(initial={"comment_parent": reply_to.pk} if reply_to else None)
    return {
        "article": article,
        "article_url": article.get_absolute_url(),
        "thread": thread,
        # The thread as every reader sees it: from the cache, under a key that changes
        # with everything its markup shows.
        "is_shared": held is None and not reply_to_id,
        "cache_seconds": CACHE_SECONDS,
        "comment_version": discussion.comment_version(article),
        "max_depth": discussion.effective_depth(),
        "can_reply": is_open and discussion.is_threaded,
        "is_open": is_open,
        "form": form,
        "reply_to": reply_to,
        "post_url": reverse("comments:post", args=[article.pk]),
    }


_ID = re.compile(r"[0-9]{1,18}")


def _comment_id(raw) -> int | None:
    """A comment id from the query string or a posted form, or None for anything else
    (`str.isdigit` would accept "²", which `int` refuses)."""
    raw = str(raw or "")
    return int(raw) if _ID.fullmatch(raw) else None
