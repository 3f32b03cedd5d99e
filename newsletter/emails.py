"""The newsletter's emails: what they say and which headers they carry.

Every email has a plain-text and an HTML part, a From taken from DEFAULT_FROM_EMAIL, the
site's name in the subject, and the unsubscribe headers of RFC 2369 and RFC 8058. Stored
values (the site's name, an article's title) only reach headers through `header_text`,
which folds every run of whitespace, line breaks included, into one space: nothing
stored can start a header of its own.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import get_random_string

from blog.models import Article, SiteSettings
from newsletter import tokens
from newsletter.models import Subscriber

SUBJECT_MAX = 200


def header_text(value: str, limit: int = SUBJECT_MAX) -> str:
    return " ".join(str(value).split())[:limit]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber)
    return absolute(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def confirm_url(subscriber: Subscriber) -> str:
    token = tokens.confirm_token(subscriber)
    return absolute(reverse("newsletter:confirm", kwargs={"token": token}))


def _message_id() -> str:
    # The site's own host names the message (and no DNS lookup of this machine's name).
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def _headers(unsubscribe: str) -> dict[str, str]:
    targets = [f"<{unsubscribe}>"]
    if mailto := header_text(settings.NEWSLETTER_UNSUBSCRIBE_MAILTO, 254):
        targets.append(f"<mailto:{mailto}?subject=unsubscribe>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": _message_id(),
    }


def _message(*, subject: str, text: str, html: str, to: str, unsubscribe: str):
    message = EmailMultiAlternatives(
        subject=header_text(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
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
    )


@dataclass(frozen=True)
class ArticleEmail:
    """An article's newsletter, rendered once; each subscriber's copy only swaps in their
    own unsubscribe link (a random placeholder no article can contain by chance)."""

    subject: str
    text: str
    html: str
    placeholder: str

    @classmethod
    def for_article(cls, article: Article) -> "ArticleEmail":
        site = SiteSettings.load()
        placeholder = f"UNSUBSCRIBE-{get_random_string(24)}"
        context = {
            "site_name": site.display_name,
            "site_url": settings.SITE_URL,
            "article": article,
            "article_url": absolute(article.get_absolute_url()),
            "unsubscribe_url": placeholder,
        }
        return cls(
            subject=f"{site.display_name}: {article.title}",
            text=render_to_string("emails/newsletter_article.txt", context),
            html=render_to_string("emails/newsletter_article.html", context),
            placeholder=placeholder,
        )

    def to(self, subscriber: Subscriber) -> EmailMultiAlternatives:
        url = unsubscribe_url(subscriber)
        return _message(
            subject=self.subject,
            text=self.text.replace(self.placeholder, url),
            html=self.html.replace(self.placeholder, url),
            to=subscriber.email,
            unsubscribe=url,
        )
