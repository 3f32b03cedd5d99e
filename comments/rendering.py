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


def render_form(form, *, post_url: str, article_url: str, reply_to, csrf_token) -> SafeString:
    """The "Leave a Reply" box: WordPress's markup for the comment form, around
    `render_form_fields`, with the reader's token, the comment they reply to, and the
    errors of a refused post (their own escaping: Django's error lists)."""
    # The honeypot is never sent back filled: a person whose browser autofilled it can
    # simply resend.
    honeypot, consent = form["url_confirm"], form.consent_field
    errors = ""
    if form.non_field_errors() or form["comment_parent"].errors:
        errors = (
            f'<div class="form-errors" role="alert">{form.non_field_errors()}'
            f"{form['comment_parent'].errors}</div>"
        )
    reply_name = f" to {escape(reply_to.author_name)}" if reply_to is not None else ""
    parent = form["comment_parent"].value()
    token = ""
    # As {% csrf_token %} renders it ("NOTPROVIDED" is Django's marker, not a secret).
    if csrf_token and csrf_token != "NOTPROVIDED":  # noqa: S105
        token = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
    return mark_safe(  # noqa: S308 (escaped here, or Django's own error list markup)
        '<div id="respond" class="comment-respond">\n'
        '  <h2 id="reply-title" class="comment-reply-title">Leave a Reply'
        f'<span id="reply-to-name">{reply_name}</span>\n'
        '    <small><a rel="nofollow" id="cancel-comment-reply-link" '
        f'href="{escape(article_url)}#respond"{"" if reply_to is not None else " hidden"}>'
        "Cancel reply</a></small>\n"
        "  </h2>\n"
        f'  <form action="{escape(post_url)}" method="post" id="commentform" '
        'class="comment-form" novalidate>\n'
        f"    {token}\n"
        '    <p class="comment-notes"><span id="email-notes">Your email address will not be '
        'published.</span> <span class="required-field-message">Required fields are marked '
        '<span class="required">*</span></span></p>\n'
        f"    {errors}\n"
        f"    {render_form_fields(form)}\n"
        '    <div class="comment-form-hp" aria-hidden="true">\n'
        f'      <label for="{honeypot.id_for_label}">{escape(honeypot.label)}</label>\n'
        f'      <input type="text" name="{honeypot.html_name}" id="{honeypot.id_for_label}" '
        'value="" tabindex="-1" autocomplete="off">\n'
        "    </div>\n"
        '    <p class="field comment-form-cookies-consent field-checkbox"><input type="checkbox" '
        f'name="{consent.name}" id="{consent.name}"{" checked" if consent.value() else ""}> '
        f'<label for="{consent.name}">{escape(consent.label)}</label></p>\n'
        '    <p class="form-submit">\n'
        '      <input name="submit" type="submit" id="submit" class="submit" '
        'value="Post Comment">\n'
        '      <input type="hidden" name="comment_parent" '
        f'value="{"" if parent is None else escape(parent)}" id="comment_parent">\n'
        "    </p>\n"
        "  </form>\n"
        "</div>\n"
    )
