"""The email that asks a reader to confirm a privacy request."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from blog.models import SiteSettings
from core.mail import WholeLinesEmail
from privacy import tokens
from privacy.models import PrivacyRequest


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def confirm_url(request: PrivacyRequest) -> str:
    return absolute(reverse("privacy:confirm", kwargs={"token": tokens.confirm_token(request)}))


def confirmation_email(request: PrivacyRequest) -> WholeLinesEmail:
    site_name = " ".join(str(SiteSettings.load().display_name).split())[:100]
    context = {
        "site_name": site_name,
        "site_url": settings.SITE_URL,
        "action": request.get_kind_display().lower(),
        "is_erasure": request.kind == PrivacyRequest.Kind.ERASE,
        "confirm_url": confirm_url(request),
        "max_age_hours": max(1, settings.PRIVACY_CONFIRM_MAX_AGE // 3600),
    }
    message = WholeLinesEmail(  # links whole, not cut by quoted-printable (core/mail.py)
        subject=f"[{site_name}] Confirm your request: {context['action']}",
        body=render_to_string("emails/privacy_confirm.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.email],
    )
    html = render_to_string("emails/privacy_confirm.html", context)
    message.attach_alternative(html, "text/html")
    return message
