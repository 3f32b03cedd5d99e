"""The article page's comment section: `{% load comments_tags %}{% comment_section article %}`.

Rendered from the database, two queries whatever the number of comments: the discussion
settings with the article's open/closed switch, and the thread itself (built in Python;
each comment's HTML was cleaned when it was saved). What every reader sees alike (the
settings and the approved thread) is kept per site version by core/fragments.py, so a
reader whose page is rendered for them costs no query here unless they have a comment
awaiting moderation or are replying through a ?replytocom link.
"""

import re
from typing import NamedTuple

from django import template
from django.urls import reverse

from comments import cookies
from comments.forms import CONSENT_FIELD, CommentForm
from comments.models import DiscussionSettings
from comments.rendering import render_form, render_thread
from comments.threads import build_thread, thread_comments

register = template.Library()


class SharedSection(NamedTuple):
    """What the comment section shows every reader alike (kept by core/fragments.py)."""

    discussion: DiscussionSettings  # with the article's own switch (no query to ask it)
    can_reply: bool  # when the thread was rendered
    thread_html: str
    approved_count: int


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    request = context["request"]
    own_ids = cookies.pending_ids(request)
    form = context.get("comment_form")
    if form is not None:
        reply_to_id = _comment_id(form.data.get("comment_parent"))
    else:
        reply_to_id = _comment_id(request.GET.get("replytocom"))
    article_url = article.get_absolute_url()

    def render(discussion, *, own_ids=()):
        can_reply = _can_reply(discussion, article)
        comments = thread_comments(article, own_ids=own_ids)
        thread = build_thread(comments, max_depth=discussion.effective_depth())
        html = render_thread(thread, can_reply=can_reply, article_url=article_url)
        approved = {comment.pk: comment for comment in comments if comment.is_approved}
        return SharedSection(discussion, can_reply, html, len(approved)), approved

    reply_to = None
    if own_ids or reply_to_id is not None:
        # What only this reader sees (their comment awaiting moderation, the comment
        # they reply to) needs the comments themselves.
        section, approved = render(DiscussionSettings.load(article=article), own_ids=own_ids)
        # A link's ?replytocom counts only where replies are allowed; a sent form's
        # parent is shown back as it was sent.
        if form is not None or section.discussion.is_threaded:
            reply_to = approved.get(reply_to_id)
    else:
        section = render(DiscussionSettings.load(article=article))[0]
    discussion = section.discussion
    is_open = discussion.comments_open(article)

    if form is None:
        saved = cookies.saved_author(request)
        initial = {**saved, CONSENT_FIELD: bool(saved)}
        if reply_to is not None:
            initial["comment_parent"] = reply_to.pk
        form = CommentForm(initial=initial)

    form_html = ""
    if is_open:
        form_html = render_form(
            form,
            post_url=reverse("comments:post", args=[article.pk]),
            article_url=article_url,
            reply_to=reply_to,
            csrf_token=None,
        )
    return {
        "article": article,
        "thread_html": section.thread_html,
        "approved_count": section.approved_count,
        "is_open": is_open,
        "form": form,
        "form_html": form_html,
    }


def _can_reply(discussion: DiscussionSettings, article) -> bool:
    return discussion.comments_open(article) and discussion.is_threaded


_ID = re.compile(r"[0-9]{1,18}")


def _comment_id(raw) -> int | None:
    """A comment id from the query string or a posted form, or None for anything else
    (`str.isdigit` would accept "²", which `int` refuses)."""
    raw = str(raw or "")
    return int(raw) if _ID.fullmatch(raw) else None
