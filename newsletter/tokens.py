"""Signed tokens for the links in newsletter emails (django.core.signing).

A token is "<subscriber pk>:<signature>" (plus a timestamp for confirmations). The
signature's salt carries the subscriber's address, and for a confirmation also the
time consent was given, so a token works only for the row it was made for: a
confirmation link dies when the person subscribes afresh, and a reused primary key
cannot be unsubscribed with someone else's old link. No address appears in a URL.
"""

from django.conf import settings
from django.core import signing

from newsletter.models import Subscriber


class TokenInvalid(Exception):
    """Tampered or malformed (400)."""


class TokenUnknown(Exception):
    """Well-formed, but for no subscriber we have (404)."""


class TokenExpired(Exception):
    """Genuine but too old, or made for a subscription that has since changed (410)."""


def _confirm_signer(subscriber: Subscriber) -> signing.TimestampSigner:
    consent = subscriber.consent_at.isoformat()
    return signing.TimestampSigner(salt=f"newsletter.confirm:{subscriber.email}:{consent}")


def _unsubscribe_signer(subscriber: Subscriber) -> signing.Signer:
    return signing.Signer(salt=f"newsletter.unsubscribe:{subscriber.email.lower()}")


def confirm_token(subscriber: Subscriber) -> str:
    return _confirm_signer(subscriber).sign(str(subscriber.pk))


def unsubscribe_token(subscriber: Subscriber) -> str:
    return _unsubscribe_signer(subscriber).sign(str(subscriber.pk))


def _subscriber_for(token: str) -> Subscriber:
    pk, sep, _ = token.partition(":")
    if not sep or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        raise TokenInvalid
    try:
        return Subscriber.objects.get(pk=int(pk))
    except Subscriber.DoesNotExist:
        raise TokenUnknown from None


def subscriber_to_confirm(token: str) -> Subscriber:
    subscriber = _subscriber_for(token)
    try:
        _confirm_signer(subscriber).unsign(token, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        # Genuine links of an earlier subscription of this address fail here too; they
        # cannot be told from forgeries, and either way they must do nothing.
        raise TokenInvalid from None
    return subscriber


def subscriber_to_unsubscribe(token: str) -> Subscriber:
    subscriber = _subscriber_for(token)
    try:
        _unsubscribe_signer(subscriber).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
    return subscriber
