"""The newsletter's emails: what they say and which headers they carry.

Every email has a plain-text and an HTML part, a From taken from DEFAULT_FROM_EMAIL (under
the site's name unless the operator set it: NEWSLETTER_FROM_NAME_FROM_SITE), the
site's name in the subject, and the unsubscribe headers of RFC 2369 and RFC 8058. Stored
values (the site's name, an article's title) only reach headers through `header_text`,
which folds every run of whitespace, line breaks included, into one space: nothing
stored can start a header of its own.
"""

import email
import email.policy
import re
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from functools import cached_property
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.html import escape

from blog.models import Article, SiteSettings
from core.mail import WholeLinesEmail
from newsletter import tokens
from newsletter.models import Subscriber

SUBJECT_MAX = 200
FROM_NAME_MAX = 100
SIGNED_ID_SLOT = "0:slot"  # stands for a signed id in a URL resolved once
SMTP_LINE_MAX = 998  # RFC 5322 2.1.1, without the CRLF
# An address that may be written into a prepared message's bytes as it is: ASCII
# dot-atoms only (RFC 5322 3.4.1). Anything else (a quoted local part, an international
# domain, a stored value with a line break) takes the ordinary path, whose email
# package encodes or refuses it.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def header_text(value: str, limit: int = SUBJECT_MAX) -> str:
    return " ".join(str(value).split())[:limit]


def from_email(site: SiteSettings) -> str:
    """DEFAULT_FROM_EMAIL, or, with NEWSLETTER_FROM_NAME_FROM_SITE, its address under the
    site's name (folded like any stored value, and quoted or encoded by the email package
    as the name needs)."""
    if not settings.NEWSLETTER_FROM_NAME_FROM_SITE:
        return settings.DEFAULT_FROM_EMAIL
    _, addr_spec = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = header_text(site.display_name, FROM_NAME_MAX)
    if not addr_spec or not name:
        return settings.DEFAULT_FROM_EMAIL
    try:
        return str(Address(display_name=name, addr_spec=addr_spec))
    except (ValueError, HeaderParseError):
        return settings.DEFAULT_FROM_EMAIL


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url_for(token: str) -> str:
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return unsubscribe_url_for(tokens.unsubscribe_token(subscriber))


def confirm_url(subscriber: Subscriber) -> str:
    token = tokens.confirm_token(subscriber)
    return absolute(reverse("newsletter:confirm", kwargs={"token": token}))


def _message_id() -> str:
    # The site's own host names the message (and no DNS lookup of this machine's name).
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


class ListUnsubscribe(str):
    """The List-Unsubscribe value, written to the message's bytes as it is.

    The email package folds an unstructured header at 78 characters; a URL longer than
    that has nowhere to fold, so it would turn it into RFC 2047 encoded-words, which
    RFC 2369 and RFC 8058 clients do not decode. A value with `name` and `fold()` is
    kept and written by the policy as it says (`email.headerregistry`'s protocol), so
    this one puts each `<target>` on its own line, folded only after the commas, where
    RFC 5322 allows it. Django passes str subclasses through to the email package.
    """

    name = "List-Unsubscribe"

    def fold(self, *, policy) -> str:
        # The targets hold no spaces (see _headers), so ", " separates them.
        return f"{self.name}: " + f",{policy.linesep} ".join(self.split(", ")) + policy.linesep


def _is_plain_target(target: str) -> bool:
    return target.isascii() and target.isprintable() and " " not in target


def _headers(unsubscribe: str) -> dict[str, str]:
    targets = [f"<{unsubscribe}>"]
    if mailto := header_text(settings.NEWSLETTER_UNSUBSCRIBE_MAILTO, 254):
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    # Anything but printable ASCII without spaces goes to the email package, which encodes
    # or refuses it (the URLs made here never have any).
    raw = all(_is_plain_target(target) for target in targets)
    return {
        "List-Unsubscribe": ListUnsubscribe(", ".join(targets)) if raw else ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": _message_id(),
    }


def _message(*, subject: str, text: str, html: str, to: str, unsubscribe: str, sender: str):
    message = WholeLinesEmail(  # links whole, not cut by quoted-printable (core/mail.py)
        subject=header_text(subject),
        body=text,
        from_email=sender,
        to=[to],
        headers=_headers(unsubscribe),
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_email(subscriber: Subscriber) -> EmailMultiAlternatives:
    site = SiteSettings.load()
    context = {
        "site_name": site.display_name,
        "site_url": settings.SITE_URL,
        "confirm_url": confirm_url(subscriber),
        "unsubscribe_url": unsubscribe_url(subscriber),
        "max_age_days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
    }
    return _message(
        subject=f"Confirm your subscription to {site.display_name}",
        text=render_to_string("emails/newsletter_confirm.txt", context),
        html=render_to_string("emails/newsletter_confirm.html", context),
        to=subscriber.email,
        unsubscribe=context["unsubscribe_url"],
        sender=from_email(site),
    )


class _Serialized:
    """What `message()` returns for a prepared newsletter: its finished bytes (all an
    email backend sends), and the parsed message only if someone reads a header."""

    def __init__(self, data: bytes):
        self._data = data

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self._data

    def as_string(self, *args, **kwargs) -> str:
        return self._data.decode("utf-8", "surrogateescape")

    @cached_property
    def _parsed(self):
        return email.message_from_bytes(self._data, policy=email.policy.SMTP)

    def __getitem__(self, name):
        return self._parsed[name]

    def __getattr__(self, name):
        return getattr(self._parsed, name)


class PreparedEmail(EmailMultiAlternatives):
    """An email whose MIME bytes were made from the mailing's template (see ArticleEmail)."""

    def __init__(self, *args, data: bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self._data = data

    def message(self, *, policy=email.policy.default):
        return _Serialized(self._data)


class ArticleEmail:
    """An article's newsletter, composed once per sending run.

    Each subscriber's copy differs from the others only in its recipient, its
    unsubscribe link and its Message-ID. Building a MIME message with the email package
    costs milliseconds, far more than sending it, so the message is built once (by
    Django, as for any email) around random placeholders, with 8bit text parts so that
    the placeholders stay literal; each copy is then three byte replacements. The
    template is checked (each placeholder exactly where expected, no line too long for
    SMTP); if the check fails, or an address is not plain ASCII, that copy is built the
    ordinary way.
    """

    def __init__(self, article: Article):
        site = SiteSettings.load()
        self.placeholder = f"unsubscribe-{get_random_string(24)}"
        context = {
            "site_name": site.display_name,
            "site_url": settings.SITE_URL,
            "article": article,
            "article_url": absolute(article.get_absolute_url()),
            "unsubscribe_url": self.placeholder,
        }
        self.subject = f"{site.display_name}: {article.title}"
        self.sender = from_email(site)
        # Resolved once: the URL differs between subscribers only in its token.
        self._unsubscribe_url = unsubscribe_url_for(SIGNED_ID_SLOT)
        self.text = render_to_string("emails/newsletter_article.txt", context)
        self.html = render_to_string("emails/newsletter_article.html", context)
        self._template = self._make_template()

    @classmethod
    def for_article(cls, article: Article) -> "ArticleEmail":
        return cls(article)

    def _make_template(self) -> tuple[bytes, bytes, bytes] | None:
        to = f"{get_random_string(24).lower()}@recipient.invalid"
        message_id = f"<{get_random_string(32)}@message.invalid>"
        template = _message(
            subject=self.subject,
            text=self.text,
            html=self.html,
            to=to,
            unsubscribe=self.placeholder,
            sender=self.sender,
        )
        template.extra_headers["Message-ID"] = message_id
        mime = template.message(policy=email.policy.SMTP)
        for part in mime.iter_parts():
            content = part.get_content()
            part.set_content(content, subtype=part.get_content_subtype(), cte="8bit")
        data = mime.as_bytes()
        expected = 1 + self.text.count(self.placeholder) + self.html.count(self.placeholder)
        if (
            data.count(self.placeholder.encode()) != expected
            or data.count(to.encode()) != 1
            or data.count(message_id.encode()) != 1
            or max(len(line) for line in data.split(b"\r\n")) > SMTP_LINE_MAX
        ):
            return None
        return data, to.encode(), message_id.encode()

    def to(self, subscriber: Subscriber) -> EmailMultiAlternatives:
        url = self._unsubscribe_url.replace(SIGNED_ID_SLOT, tokens.unsubscribe_token(subscriber))
        text = self.text.replace(self.placeholder, url)
        html = self.html.replace(self.placeholder, url)
        if (
            self._template is None
            or not PLAIN_ADDRESS.fullmatch(subscriber.email)
            or escape(url) != url
        ):
            return _message(
                subject=self.subject,
                text=text,
                html=html,
                to=subscriber.email,
                unsubscribe=url,
                sender=self.sender,
            )
        data, to, message_id = self._template
        data = (
            data.replace(self.placeholder.encode(), url.encode())
            .replace(to, subscriber.email.encode())
            .replace(message_id, _message_id().encode())
        )
        message = PreparedEmail(
            subject=header_text(self.subject),
            body=text,
            from_email=self.sender,
            to=[subscriber.email],
            headers=_headers(url),
            data=data,
        )
        message.attach_alternative(html, "text/html")
        return message
