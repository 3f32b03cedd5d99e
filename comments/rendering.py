"""A comment's markup: its parts are rendered when it is saved, not on every page view.

The article page lists every approved comment; with hundreds of them, formatting each
one's dates and links in a template loop was most of the page's cost. The author link
and the date only change when the comment does, so they are rendered once into
`Comment.author_html` and `Comment.date_html` (beside `body_html`), and the thread is
assembled from them with string joins. What varies per page view — the reply link
(comments open? threading on?) and the "awaiting moderation" note shown to a comment's
own author — is added here.
"""

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from blog import html

AWAITING_MODERATION = "Your comment is awaiting moderation."
DATE_FORMAT = r"F j, Y \a\t H:i"


def render_author(comment) -> str:
    if comment.author_url:
        return format_html(
            '<a href="{}" rel="external nofollow ugc" class="url">{}</a>',
            comment.author_url,
            comment.author_name,
        )
    return escape(comment.author_name)


def render_date(comment) -> str:
    when = timezone.localtime(comment.created_at)
    return format_html(
        '<time datetime="{}">{}</time>',
        html.machine_datetime(when),
        format_date(when, DATE_FORMAT),
    )


def render_thread(thread, *, can_reply: bool, article_url: str) -> SafeString:
    """The `<li>` items of a built thread (see threads.build_thread), in order.

    Reply links carry the article's path: the page may be shown at the comment form's
    own URL (a refused post), where a bare "?replytocom=" would lead elsewhere.
    """
    reply_base = escape(article_url)
    parts = []
    for comment in thread:
        parts.append(
            f'<li id="comment-{comment.pk}" class="comment depth-{comment.thread_depth}">'
            '<article class="comment-body"><footer class="comment-meta">'
            f'<b class="comment-author">{comment.author_html}</b> '
            f'<a class="comment-date" href="#comment-{comment.pk}">{comment.date_html}</a>'
        )
        if not comment.is_approved:
            parts.append(f'<p class="comment-awaiting-moderation">{AWAITING_MODERATION}</p>')
        parts.append(f'</footer><div class="comment-content">{comment.body_html}</div>')
        if can_reply and comment.is_approved:
            name = escape(comment.author_name)
            parts.append(
                f'<p class="reply"><a rel="nofollow" class="comment-reply-link" '
                f'href="{reply_base}?replytocom={comment.pk}#respond" '
                f'data-commentid="{comment.pk}" data-replyto="{name}" '
                f'aria-label="Reply to {name}">Reply</a></p>'
            )
        parts.append("</article></li>\n")
    # Every piece was escaped here or when the comment was saved (html.py, format_html).
    return mark_safe("".join(parts))  # noqa: S308


# The comment form's visible fields, in order, with the input type each is written as.
FORM_FIELDS = (("comment", None), ("author", "text"), ("email", "email"), ("url", "url"))


def render_form_fields(form) -> SafeString:
    """The comment form's visible fields: each label, input and error list, as WordPress
    marks them up, with `aria-invalid`/`aria-describedby` on a refused field.

    Written here, as the thread is, rather than as a template included once per field:
    those includes were a quarter of the cost of an article page rendered for one reader.
    """
    return mark_safe("\n    ".join(_render_field(form[name], kind) for name, kind in FORM_FIELDS))  # noqa: S308


def _render_field(field, kind: str | None) -> str:
    # Every value from the form or the reader is escaped here; the rest is our own markup.
    name, errors, value = field.name, field.errors, field.value()
    attrs, required = field.field.widget.attrs, field.field.required
    invalid = f' aria-invalid="true" aria-describedby="{name}_error"' if errors else ""
    maxlength = field.field.max_length
    if kind is None:  # the comment itself
        text = "" if value is None else escape(value)
        control = (
            f'<textarea name="{name}" cols="{attrs["cols"]}" rows="{attrs["rows"]}" '
            f'maxlength="{maxlength}" required{invalid} id="{name}">\n{text}</textarea>'
        )
    else:
        shown = f' value="{escape(value)}"' if value else ""
        control = (
            f'<input type="{kind}" name="{name}"{shown} autocomplete="{attrs["autocomplete"]}" '
            f'size="{attrs["size"]}" maxlength="{maxlength}"{" required" if required else ""}'
            f'{invalid} id="{name}">'
        )
    error_list = ""
    if errors:
        items = "".join(f"<li>{escape(error)}</li>" for error in errors)
        error_list = f'\n  <ul class="errorlist" id="{name}_error">{items}</ul>'
    star = ' <span class="required">*</span>' if required else ""
    return (
        f'<div class="field comment-form-{name}{" field-error" if errors else ""}">\n'
        f'  <label for="{name}">{escape(field.label)}{star}</label>\n'
        f"  {control}{error_list}\n</div>"
    )
