"""Reader pages as plain cacheable documents: one page for every anonymous reader.

A reader page (a URL namespace in SHARED_PAGE_NAMESPACES) asked for without the session
cookie, at its canonical address, is the same bytes for everyone: it holds no CSRF token,
no nonce and nothing of the reader (per-reader bits travel in URLs only that reader has,
or are filled in by a script from a private endpoint). So it is marked
`Cache-Control: public, max-age=0, s-maxage=SHARED_CACHE_SECONDS`, and nginx or a CDN in
front may hold it for that long; browsers revalidate it with its ETag
(ConditionalGetMiddleware answers 304).

Django keeps the same pages too, in its cache framework, with the site version they were
rendered under (core/invalidation.py): a hit is one cache read (the version and the page
together) and no database; a change readers can see replaces the version, so it shows
through Django at once and through the proxy within SHARED_CACHE_SECONDS. The middleware
sits outside GZipMiddleware, so what it keeps is already compressed, one entry per
encoding.

Everything else (a signed-in editor's page, a POST, a page with a query string other
than `?page=N` on a paginated list) is `private` and never kept: such a URL may carry
one reader's business (`?unapproved=…&moderation-hash=…`) or be any of a million
variants of one page. `?page=` on a page that is not paginated redirects to the page.
"""

import hashlib
import pickle
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponsePermanentRedirect
from django.utils.cache import has_vary_header, patch_cache_control

from core import invalidation
from core.http import has_session

_PAGE_QUERY = re.compile(r"page=[1-9][0-9]{0,5}")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as GZipMiddleware reads Accept-Encoding
SHAREABLE_STATUSES = {200, 301}
# What loading a pickle made by other code can raise.
UNREADABLE = (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError)


def _paginates(view_func) -> bool:
    """Whether the view has pages (a class-based list with `paginate_by`)."""
    return bool(getattr(getattr(view_func, "view_class", None), "paginate_by", None))


def _page_key(request) -> str:
    encoding = "gzip" if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")) else ""
    address = f"{request.build_absolute_uri()} {encoding}"
    return "pages:page:" + hashlib.sha256(address.encode()).hexdigest()


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._may_be_shared(request):
            return self._finish(request, self.get_response(request), shared=False)
        if not settings.PAGE_CACHE:
            return self._finish(request, self.get_response(request), shared=True)
        key = _page_key(request)
        try:
            found = cache.get_many([invalidation.VERSION_KEY, key])
        except UNREADABLE:
            # Kept by an older deploy, in a shape this code cannot load: a miss, and
            # rendering stores the page anew.
            found = {}
        version, entry = found.get(invalidation.VERSION_KEY), found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            return entry[1]
        # Settled before rendering: a write committed meanwhile replaces it, so a page
        # rendered from older rows is stored under a version already stale.
        version = version or invalidation.current()
        response = self._finish(request, self.get_response(request), shared=True)
        if (
            request.method == "GET"
            and response.status_code == 200
            and "public" in response.get("Cache-Control", "")
            and not response.streaming
        ):
            cache.set(key, (version, response), settings.PAGE_CACHE_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A page number only where there are pages: elsewhere every number would be one
        # more copy of the same page in every cache.
        if (
            "page" in request.GET
            and request.method in ("GET", "HEAD")
            and not _paginates(view_func)
        ):
            return HttpResponsePermanentRedirect(request.path)
        return None

    @staticmethod
    def _may_be_shared(request) -> bool:
        if request.method not in ("GET", "HEAD") or has_session(request):
            return False
        query = request.META.get("QUERY_STRING", "")
        return not query or bool(_PAGE_QUERY.fullmatch(query))

    def _finish(self, request, response, *, shared: bool):
        """Say who may keep `response`, unless its view already said."""
        if response.has_header("Cache-Control"):
            return response
        match = request.resolver_match
        shared = (
            shared
            and match is not None
            and match.namespace in settings.SHARED_PAGE_NAMESPACES
            and response.status_code in SHAREABLE_STATUSES
            and not response.cookies
            # The page looked at the session: what it shows may depend on a cookie.
            and not has_vary_header(response, "Cookie")
            and (not request.META.get("QUERY_STRING") or _paginates(match.func))
        )
        if shared:
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_SECONDS
            )
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response
