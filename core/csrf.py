"""CSRF tokens as Django makes them, drawn with one `os.urandom` call.

Django draws each of a token's 64 characters with its own `secrets.choice` call. On a
page served from the cache that was most of the CPU time, and on a page rendered for
one reader it is still a twentieth of it. The tokens here are the same: the same
alphabet, uniformly drawn, and the same cipher (a mask, then the secret shifted by it),
so Django's middleware checks them as its own.
"""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.functional import SimpleLazyObject

_CHARS = CSRF_ALLOWED_CHARS
_CHARS_INDEX = {char: index for index, char in enumerate(_CHARS)}
_UNBIASED = 256 - 256 % len(_CHARS)  # bytes below this map evenly onto the alphabet
# bytes.translate tables: each unbiased byte becomes its letter, the others are dropped.
_BYTE_TO_CHAR = bytes(ord(_CHARS[b % len(_CHARS)]) if b < _UNBIASED else 0 for b in range(256))
_BIASED_BYTES = bytes(range(_UNBIASED, 256))


def _random_chars() -> str:
    """CSRF_SECRET_LENGTH characters of the CSRF alphabet, uniformly and unpredictably
    drawn, as Django's `get_random_string` gives."""
    chars = b""
    while len(chars) < CSRF_SECRET_LENGTH:
        chars += os.urandom(48).translate(_BYTE_TO_CHAR, _BIASED_BYTES)
    return chars[:CSRF_SECRET_LENGTH].decode("ascii")


def new_csrf_secret() -> str:
    """A new CSRF secret, as django.middleware.csrf makes for a reader who has none."""
    return _random_chars()


def mask_token(secret: str) -> str:
    """A freshly masked form token for `secret`, as Django's `get_token` makes."""
    mask = _random_chars()
    cipher = (
        _CHARS[(_CHARS_INDEX[s] + _CHARS_INDEX[m]) % len(_CHARS)]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + "".join(cipher)


def use_secret(request) -> str:
    """This reader's CSRF secret, marked as used, as `get_token` marks it: a new one if
    they have none, and either way the middleware sends it as a cookie with the
    response (renewing its expiry). Call it after CsrfViewMiddleware.process_request."""
    if "CSRF_COOKIE" not in request.META:
        request.META["CSRF_COOKIE"] = new_csrf_secret()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return request.META["CSRF_COOKIE"]


def get_token(request) -> str:
    """What `django.middleware.csrf.get_token` gives: the reader's secret, freshly masked.

    The tokens given are noted on the request (`tokens_given`): a page's ETag is taken
    with them left out, and finding them by their text is faster than by a pattern."""
    token = mask_token(use_secret(request))
    request.__dict__.setdefault("_csrf_tokens_given", []).append(token)
    return token


def tokens_given(request) -> list[str]:
    """The tokens `get_token` gave for this request (none if only Django's was used)."""
    return request.__dict__.get("_csrf_tokens_given", [])


def csrf(request) -> dict:
    """Context processor: `csrf_token` for `{% csrf_token %}`, replacing Django's
    built-in one (which runs first), lazily, as Django's is."""
    return {"csrf_token": SimpleLazyObject(lambda: get_token(request))}
