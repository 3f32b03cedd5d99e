"""Signed tokens for the links in newsletter emails (django.core.signing).

A token is "<subscriber pk>.<digest>:<signature>" (a confirmation's has a timestamp
before the signature). The signature's salt is fixed, so any token can be checked
before a row is read: a tampered or made-up token is refused (400) the same way whether
or not its subscriber exists, and a link reveals nothing about which ids exist. The
digest (a keyed HMAC, truncated; it does not reveal the address) binds the token to the
row it was made for: to its address, and for a confirmation also to the time consent
was given. So a confirmation link is replaced when the person subscribes afresh (410),
a reused primary key cannot be unsubscribed with someone else's old link (404), and no
address appears in a URL.

Links sent before this form existed ("<pk>:<signature>", with the address in the salt)
still work; such a token can be checked only against its row, so when the row is
missing it is refused as invalid too (400), never "unknown".
"""

import re

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from newsletter.models import Subscriber

CONFIRM_SALT = "newsletter.confirm.v2"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe.v2"
PAYLOAD = re.compile(r"([0-9]{1,18})\.([0-9a-f]{16})")
LEGACY_PAYLOAD = re.compile(r"[0-9]{1,18}")


class TokenInvalid(Exception):
    """Tampered or malformed (400)."""


class TokenUnknown(Exception):
    """Genuine, but for no subscriber we have (404)."""


class TokenExpired(Exception):
    """Genuine but too old (410)."""


class TokenReplaced(Exception):
    """A genuine confirmation link of an earlier subscription of this address (410)."""


def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"newsletter.{purpose}.digest", value, algorithm="sha256").hexdigest()[:16]


def _confirm_digest(subscriber: Subscriber) -> str:
    return _digest("confirm", f"{subscriber.email}:{subscriber.consent_at.isoformat()}")


def _unsubscribe_digest(subscriber: Subscriber) -> str:
    return _digest("unsubscribe", subscriber.email.lower())


def confirm_token(subscriber: Subscriber) -> str:
    payload = f"{subscriber.pk}.{_confirm_digest(subscriber)}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(payload)


def unsubscribe_token(subscriber: Subscriber) -> str:
    payload = f"{subscriber.pk}.{_unsubscribe_digest(subscriber)}"
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(payload)


def _unsigned(token: str, signer: signing.Signer, **kwargs) -> tuple[Subscriber | None, str]:
    """The row a token of the current form names (None if it is gone) and its digest."""
    try:
        value = signer.unsign(token, **kwargs)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    match = PAYLOAD.fullmatch(value)
    if match is None:  # signed by us, so never; but a token is input
        raise TokenInvalid
    pk, digest = match.groups()
    return Subscriber.objects.filter(pk=int(pk)).first(), digest


# --- Links sent before the current form ------------------------------------------------


def _legacy_confirm_signer(subscriber: Subscriber) -> signing.TimestampSigner:
    consent = subscriber.consent_at.isoformat()
    return signing.TimestampSigner(salt=f"newsletter.confirm:{subscriber.email}:{consent}")


def _legacy_unsubscribe_signer(subscriber: Subscriber) -> signing.Signer:
    return signing.Signer(salt=f"newsletter.unsubscribe:{subscriber.email.lower()}")


def _legacy(token: str, signer_for, **kwargs) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=int(token.partition(":")[0])).first()
    if subscriber is None:  # nothing to check the signature against: as if tampered
        raise TokenInvalid
    try:
        signer_for(subscriber).unsign(token, **kwargs)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    return subscriber


def _form(token: str) -> str:
    head = token.partition(":")[0]
    if PAYLOAD.fullmatch(head):
        return "current"
    if LEGACY_PAYLOAD.fullmatch(head) and ":" in token:
        return "legacy"
    raise TokenInvalid


def subscriber_to_confirm(token: str) -> Subscriber:
    max_age = settings.NEWSLETTER_CONFIRM_MAX_AGE
    if _form(token) == "legacy":
        return _legacy(token, _legacy_confirm_signer, max_age=max_age)
    signer = signing.TimestampSigner(salt=CONFIRM_SALT)
    subscriber, digest = _unsigned(token, signer, max_age=max_age)
    if subscriber is None:
        raise TokenUnknown
    if not constant_time_compare(digest, _confirm_digest(subscriber)):
        raise TokenReplaced
    return subscriber


def subscriber_to_unsubscribe(token: str) -> Subscriber:
    if _form(token) == "legacy":
        return _legacy(token, _legacy_unsubscribe_signer)
    subscriber, digest = _unsigned(token, signing.Signer(salt=UNSUBSCRIBE_SALT))
    if subscriber is None or not constant_time_compare(digest, _unsubscribe_digest(subscriber)):
        raise TokenUnknown
    return subscriber
