"""The three cookies of the comment form, all signed (so none can be forged) and HttpOnly.

- the author cookie: name, email and website, set only when the poster ticks the
  "Save my name, email, and website…" box, and removed when they post without it;
- the token cookie: a random token identifying the browser that posted; once an editor
  approves a comment posted with it, it is the proof of a previously approved comment;
- the pending cookie: the ids of this browser's comments still awaiting moderation, so it
  alone sees them.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

AUTHOR_COOKIE = "comment_author"
TOKEN_COOKIE = "comment_author_token"  # noqa: S105 (a cookie name)
PENDING_COOKIE = "comment_pending"
YEAR = 365 * 24 * 3600
PENDING_MAX_AGE = 30 * 24 * 3600
PENDING_KEEP = 20  # the newest ids are enough: older comments have long been moderated

_SALT = "comments.cookies"


def _read(request: HttpRequest, name: str, max_age: int):
    value = request.COOKIES.get(name)
    if not value:
        return None
    try:
        return signing.loads(value, salt=f"{_SALT}.{name}", max_age=max_age)
    except signing.BadSignature:
        return None


def _write(response: HttpResponse, name: str, value, max_age: int) -> None:
    response.set_cookie(
        name,
        signing.dumps(value, salt=f"{_SALT}.{name}", compress=True),
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def saved_author(request: HttpRequest) -> dict:
    """The name, email and website the poster asked this browser to remember."""
    value = _read(request, AUTHOR_COOKIE, YEAR)
    if not isinstance(value, dict):
        return {}
    return {key: str(value.get(key, ""))[:300] for key in ("author", "email", "url")}


def remember_author(response: HttpResponse, *, author: str, email: str, url: str) -> None:
    _write(response, AUTHOR_COOKIE, {"author": author, "email": email, "url": url}, YEAR)


def forget_author(response: HttpResponse) -> None:
    response.delete_cookie(AUTHOR_COOKIE, samesite="Lax")


def author_token(request: HttpRequest) -> str:
    value = _read(request, TOKEN_COOKIE, YEAR)
    return value if isinstance(value, str) else ""


def new_author_token() -> str:
    return secrets.token_urlsafe(32)


def keep_author_token(response: HttpResponse, token: str) -> None:
    _write(response, TOKEN_COOKIE, token, YEAR)


def pending_ids(request: HttpRequest) -> list[int]:
    value = _read(request, PENDING_COOKIE, PENDING_MAX_AGE)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, int)][-PENDING_KEEP:]


def add_pending(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    ids = [*pending_ids(request), comment_id][-PENDING_KEEP:]
    _write(response, PENDING_COOKIE, ids, PENDING_MAX_AGE)
