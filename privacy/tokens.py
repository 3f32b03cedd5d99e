"""The signed link that confirms a reader's privacy request.

A token is "<request pk>:<timestamp>:<signature>"; the salt carries the request's
address, so a token works only for the row it was made for. No address is in the URL.
"""

from django.conf import settings
from django.core import signing

from privacy.models import PrivacyRequest

TOKEN_MAX_LENGTH = 200


class TokenInvalid(Exception):
    """Tampered or malformed (400)."""


class TokenUnknown(Exception):
    """Well-formed, but for no request we have (404)."""


class TokenExpired(Exception):
    """Genuine but too old (410)."""


def _signer(request: PrivacyRequest) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"privacy.confirm:{request.email_digest}")


def confirm_token(request: PrivacyRequest) -> str:
    return _signer(request).sign(str(request.pk))


def request_to_confirm(token: str) -> PrivacyRequest:
    pk, sep, _ = token.partition(":")
    if len(token) > TOKEN_MAX_LENGTH or not sep or not pk.isascii() or not pk.isdigit():
        raise TokenInvalid
    if len(pk) > 18:
        raise TokenInvalid
    try:
        request = PrivacyRequest.objects.get(pk=int(pk), source=PrivacyRequest.Source.READER)
    except PrivacyRequest.DoesNotExist:
        raise TokenUnknown from None
    try:
        _signer(request).unsign(token, max_age=settings.PRIVACY_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    return request
