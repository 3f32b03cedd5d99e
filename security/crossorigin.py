"""Cross-site request forgery protection from the browser's Fetch Metadata, without tokens.

Our public forms carry no CSRF token, so their pages are the same bytes for every reader
and a proxy or CDN can hold them. What keeps another site from submitting them in a
reader's name is the browser, which says where each request comes from: the algorithm of
Go 1.25's `net/http.CrossOriginProtection` (Filippo Valsorda, "CSRF", 2025):

1. GET, HEAD and OPTIONS pass: they must not change anything (and nothing here does).
2. With `Sec-Fetch-Site`, `same-origin` and `none` (a typed address, a bookmark) pass;
   any other value passes only if `Origin` is in CSRF_TRUSTED_ORIGINS.
3. Without it: no `Origin` either passes (an old browser's same-origin post, or a client
   that is not a browser: no victim's cookies are at stake, and each form's flood,
   duplicate and rate rules still apply); an `Origin` whose host[:port] is the request's
   host, or a trusted one, passes; any other, `Origin: null` included, is refused.

The middleware checks every unsafe request, the admin's too, on top of the admin's own
tokens: Django's CsrfViewMiddleware stays installed and nothing here touches its state,
so every view not marked `protected_by_fetch_metadata` keeps Django's token check. What
this does not stop, and why that is acceptable: README, "Forms without tokens".
"""

import logging
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.views.decorators.csrf import csrf_exempt

from security.refused import cross_origin_failure

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
    authenticate the sender themselves; such a view takes `csrf_exempt` too."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        return view_func(request, *args, **kwargs)

    wrapper.cross_origin_exempt = True
    return wrapper


def protected_by_fetch_metadata(view_func):
    """For a public form's view: no CSRF token is asked for (Django's `csrf_exempt`), so
    the page with the form can be the same for every reader; the cross-origin check
    guards it instead, made here too, so that the form is never left with neither should
    the middleware be missing from MIDDLEWARE."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not is_allowed(request):
            return refuse(request)
        return view_func(request, *args, **kwargs)

    return csrf_exempt(wrapper)
