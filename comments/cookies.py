"""The two cookies of the comment form, both signed (so neither can be forged), HttpOnly
and SameSite=Lax. No page reads them: pages are the same for every reader.

- the author cookie: name, email and website, set only when the poster ticks the
  "Save my name, email, and website…" box, and removed when they post without it; read
  only by the author-details endpoint (views.author_details), which the form's script
  asks;
- the token cookie: a random token identifying the browser that posted, read only when
  it posts; once an editor approves a comment posted with it, it is the proof of a
  previously approved comment.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

AUTHOR_COOKIE = "comment_author"
TOKEN_COOKIE = "comment_author_token"  # noqa: S105 (a cookie name)
YEAR = 365 * 24 * 3600

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
