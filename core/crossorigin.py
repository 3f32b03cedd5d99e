"""Cross-site request forgery protection from the browser's Fetch Metadata, without tokens.

Our public forms (comments, newsletter sign-up, confirm and unsubscribe, privacy request
and confirm) carry no CSRF token, so their pages are the same bytes for every anonymous
reader and a proxy or CDN can hold them. What keeps another site from submitting them in
a reader's name is the browser itself: it says on each request where the request comes
from (`Sec-Fetch-Site`; every major browser since Safari 16.4, the last to add it, in
2023), and older browsers send `Origin` on a cross-origin POST. The check is the
algorithm of Go 1.25's `net/http.CrossOriginProtection` (Filippo Valsorda, "CSRF", 2025):

1. GET, HEAD and OPTIONS pass: they must not change anything (and nothing here does).
2. With `Sec-Fetch-Site`, `same-origin` and `none` (the reader typed the address or used
   a bookmark) pass; any other value (`cross-site`, `same-site`, or one we do not know)
   passes only if `Origin` is in CSRF_TRUSTED_ORIGINS.
3. Without it: no `Origin` either passes (a same-origin request from an old browser, or a
   client that is not a browser, such as curl: nobody's cookies are at stake there, and
   such posts still meet the flood, duplicate and rate rules of each form); an `Origin`
   whose host[:port] is the request's host, or a trusted one, passes; any other,
   `Origin: null` included, is refused.

A refused request gets `core.views.cross_origin_failure`, a 403 that shows back what the
person typed. The middleware checks every unsafe request on the site, the admin's too,
on top of the admin's own tokens. `protected_by_fetch_metadata` turns off Django's token
check for one view and makes the cross-origin check in the view too (so the form is
never left with neither); `cross_origin_exempt` turns off this middleware's check, for a
future webhook that receives posts from another server. Django's CsrfViewMiddleware
stays installed, and nothing here reads or sets its state, so every view without
`protected_by_fetch_metadata` keeps Django's token check as it was.

What this protects against: a page on another site, or on another subdomain of ours
(`same-site`), that makes a reader's browser post one of our forms. What it does not:
- a browser that sends neither `Sec-Fetch-Site` nor `Origin` on a cross-site POST. No
  maintained browser is one (Firefox, the last to send Origin on every POST, has since
  2019), and someone running a browser that old has worse problems than ours;
- a page at http://<our host> posting to https://<our host> from a browser without
  `Sec-Fetch-Site`: the check then compares hosts, not schemes, as Go does (see
  `_is_same_host`). Only an attacker on the reader's network can serve that page, and
  HSTS (sent by every https site, config/settings.py) means a browser that has been here
  before (or, once the domain is on the preload list, any browser) never loads it;
- a script running on our own pages (cross-site scripting): it is same-origin, and no
  CSRF defence, tokens included, stops it; the Content Security Policy is the defence;
- a request a client makes for itself (curl, a robot): forgery needs a victim's browser,
  and such requests meet the same rules as anyone's.
"""

import logging
from functools import wraps
from inspect import iscoroutinefunction
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.views.decorators.csrf import csrf_exempt

from core.views import cross_origin_failure

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Header values are compared as they are: browsers send them in lower case, and Fetch
# Metadata values are case-sensitive tokens, so "Same-Origin" is not one of ours.
OWN_SITE_VALUES = frozenset({"same-origin", "none"})


class CrossOriginProtectionMiddleware:
    """Refuses (403) an unsafe request that a browser says came from another site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cross_origin_exempt", False) or is_allowed(request):
            return None
        return refuse(request)


def refuse(request):
    """The 403 for a request from another site, logged."""
    # %r: the path and headers are the sender's words, logged quoted (so a newline in
    # them stays "\n" and cannot forge a log line).
    logger.warning(
        "Cross-origin request refused: %s %r (Sec-Fetch-Site: %r, Origin: %r)",
        request.method,
        request.path,
        request.headers.get("Sec-Fetch-Site"),
        request.headers.get("Origin"),
    )
    return cross_origin_failure(request)


def is_allowed(request) -> bool:
    """Whether `request` may go on to its view (the algorithm of the module docstring)."""
    if request.method in SAFE_METHODS:
        return True
    # An empty header counts as none, as Go's Header.Get has it.
    site = request.headers.get("Sec-Fetch-Site", "")
    origin = request.headers.get("Origin", "")
    if site:
        return site in OWN_SITE_VALUES or is_trusted_origin(origin)
    if not origin:
        return True
    return _is_same_host(origin, request) or is_trusted_origin(origin)


def _is_same_host(origin: str, request) -> bool:
    """Whether the Origin names the host (and port) the request was sent to.

    The scheme is not compared, as Go does not: behind a proxy that ends TLS, the scheme
    we see is only as good as TLS_PROXY_HEADER, and a wrong answer there would refuse
    every post from an old browser. What it lets through is http://<host> posting to
    https://<host> from a browser without Sec-Fetch-Site, which HSTS rules out."""
    host = _origin_host(origin)
    # get_host() raises DisallowedHost for a host we do not serve: Django answers 400.
    return host is not None and host == request.get_host().lower()


def is_trusted_origin(origin: str) -> bool:
    """Whether `origin` is in CSRF_TRUSTED_ORIGINS: exactly, or under a wildcard entry
    such as https://*.example.com, read as Django reads it (the scheme must be the same;
    the domain itself and any subdomain match)."""
    host = _origin_host(origin)
    if host is None:
        return False
    origin = origin.lower()
    scheme = urlsplit(origin).scheme
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        trusted = trusted.lower()
        if "*" not in trusted:
            if origin == trusted:
                return True
            continue
        parts = urlsplit(trusted)
        domain = parts.netloc.lstrip("*")  # ".example.com"
        if parts.scheme != scheme:
            continue
        # Only a leading dot makes a wildcard, as in Django's own check: ".example.com"
        # is example.com and its subdomains, "*example.com" would be example.com alone.
        if domain.startswith("."):
            if host.endswith(domain) or host == domain[1:]:
                return True
        elif host == domain:
            return True
    return False


def _origin_host(origin: str) -> str | None:
    """The host[:port] of a serialized origin (scheme://host[:port]), in lower case, or
    None for anything else: "null", an empty value, a path, credentials."""
    try:
        parts = urlsplit(origin)
    except ValueError:  # an unclosed IPv6 bracket, say
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or "@" in parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
    ):
        return None
    return parts.netloc.lower()


def cross_origin_exempt(view_func):
    """Leaves a view out of the middleware's check, as Django's `csrf_exempt` does for
    tokens. Only for endpoints that other servers post to (a webhook) and that
    authenticate the sender themselves: a reader's browser is then not protected. Such a
    view takes `csrf_exempt` too, not `protected_by_fetch_metadata` (which checks)."""
    if iscoroutinefunction(view_func):

        async def wrapper(request, *args, **kwargs):
            return await view_func(request, *args, **kwargs)

    else:

        def wrapper(request, *args, **kwargs):
            return view_func(request, *args, **kwargs)

    wrapper.cross_origin_exempt = True
    return wraps(view_func)(wrapper)


def protected_by_fetch_metadata(view_func):
    """For a public form's view: no CSRF token is asked for (Django's documented
    `csrf_exempt`), so the page with the form can be the same for every reader, and the
    cross-origin check guards it instead.

    The view makes the check itself as well as the middleware: were the middleware ever
    left out of MIDDLEWARE, the form would otherwise have no protection at all. With the
    middleware in place a refused request never reaches the view, so this second check
    only ever refuses when the first is missing."""
    if iscoroutinefunction(view_func):

        async def wrapper(request, *args, **kwargs):
            if not is_allowed(request):
                return await sync_to_async(refuse)(request)
            return await view_func(request, *args, **kwargs)

    else:

        def wrapper(request, *args, **kwargs):
            if not is_allowed(request):
                return refuse(request)
            return view_func(request, *args, **kwargs)

    return csrf_exempt(wraps(view_func)(wrapper))
