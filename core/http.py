"""Facts about the request that several apps need, decided in one place."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent `request`.

    REMOTE_ADDR, unless TRUSTED_PROXY_HEADER names the header a trusted reverse proxy
    sets: then that header's right-most address, the one the proxy itself saw (anything
    to its left was written by the client and proves nothing).
    """
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        forwarded = request.META.get(header, "")
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-1][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def has_session(request: HttpRequest) -> bool:
    """Whether the request may come from someone signed in. Without the session cookie
    it cannot, and a page should not ask then: asking reads the session, which makes the
    page one that varies by cookie, and no shared cache may keep it (core/pagecache.py).
    """
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]
