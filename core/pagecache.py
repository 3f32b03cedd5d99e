"""Whole-page cache for anonymous readers, with the per-reader bits filled in per request.

A page is cached once, for everyone, as a template: the rendered bytes split around the
only per-request values such a page holds, the CSRF token of its forms and the CSP nonce
of its scripts. Serving it joins the pieces with a fresh token for *this* reader (from
their own `csrftoken` cookie, set if they have none) and this response's nonce: no
database, no template, one cache round trip (the page and the site version are read
together with `get_many`). The forms on a cached page therefore pass CSRF with or
without JavaScript. The page is kept gzipped, compressed once when stored, and the
per-response values are spliced into the gzip stream uncompressed (core/gzipparts.py).

What only one reader may see (their comment awaiting moderation, the name and email
they asked the site to remember, a message, an editor's session) lives in cookies: a
request carrying any cookie but the CSRF one (and those named in
PAGE_CACHE_IGNORED_COOKIES) is rendered afresh and never stored. So is a request with a
query string other than `?page=N`, and any response that sets a cookie of its own or
says `private`/`no-store`/`no-cache`.

Every GET answer, cached or not, carries an ETag (a digest of the page with the
per-request values taken out, plus the reader's CSRF secret) and 304s a matching
`If-None-Match`; cached pages also carry a Last-Modified (when the site version
began). Responses whose body depends on a CSP nonce get no validators, since a 304
would pair an old body with a new nonce.
"""

import functools
import hashlib
import hmac
import logging
import re
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import CsrfViewMiddleware, _unmask_cipher_token
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from core import gzipparts
from core.caching import ensure_site_version, is_current, local_copies, read_current
from core.csrf import mask_token, tokens_given, use_secret

logger = logging.getLogger("core.pagecache")

HEADER = "X-Page-Cache"  # hit, miss (rendered and stored) or bypass (rendered only)
PAGE_KEY_PREFIX = "pagecache:page:"
_TOKEN = re.compile(rb'="([A-Za-z0-9]{64})"')
_ANY_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_PAGE_QUERY = re.compile(r"page=[0-9]{1,6}")
_CSRF, _NONCE = 1, 2
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads the header
_UNSTORED_HEADERS = {"content-length", "etag", "last-modified", HEADER.lower()}


class PageEntry(NamedTuple):
    version: str  # the site version's token
    modified_at: float  # when that version began: the page's Last-Modified
    status: int
    headers: list[tuple[str, str]]
    # The page, gzipped at store time in stretches (core/gzipparts.py), with _CSRF and
    # _NONCE markers where the per-response values go.
    stretches: list
    digest: str  # of the page with the markers in place: the ETag's basis

    @property
    def has_csrf(self) -> bool:
        return _CSRF in self.stretches

    @property
    def has_nonce(self) -> bool:
        return _NONCE in self.stretches


def split_page(content: bytes, csrf_secret: str | None, nonce: str | None) -> list:
    """`content` cut around each CSRF token of `csrf_secret` and each `nonce`.

    Tokens are found where templates put them, in double-quoted attribute values
    (`{% csrf_token %}`'s `value="…"`, a `<meta content="…">`): a pattern that starts
    with a literal is scanned for fast, which matters on a page with 200 comments.
    """
    parts: list = []
    start = 0
    if csrf_secret:
        for match in _TOKEN.finditer(content):
            if _unmask_cipher_token(match.group(1).decode()) != csrf_secret:
                continue  # 64 letters and digits that are not this request's token
            parts.extend((content[start : match.start(1)], _CSRF))
            start = match.end(1)
    parts.append(content[start:])
    return _split_on(parts, nonce, _NONCE) if nonce else parts


def split_on_tokens(content: bytes, tokens: list[str]) -> list:
    """`content` cut around each of `tokens`, the CSRF tokens its rendering was given
    (core.csrf.tokens_given): found by their text, a tenth of the time the pattern
    takes over a page with 200 comments. For pages that are not stored, whose ETag only
    needs the tokens left out; a stored page is scanned thoroughly (`holds_token_of`)."""
    parts: list = [content]
    for token in tokens:
        parts = _split_on(parts, token, _CSRF)
    return parts


def _split_on(parts: list, value: str, marker: int) -> list:
    """`parts` with each bytes part cut around `value`, `marker` in its place."""
    split: list = []
    for part in parts:
        if isinstance(part, bytes):
            for piece in part.split(value.encode()):
                split.extend((piece, marker))
            split.pop()
        else:
            split.append(part)
    return split


def holds_token_of(parts: list, csrf_secret: str | None) -> bool:
    """Whether a token of `csrf_secret` is left anywhere in the page's bytes.

    The slow, thorough scan, run only before storing: a token written where `split_page`
    does not look (a single-quoted attribute, a JSON string) would otherwise be served
    to every reader, handing out the secret of the reader whose visit filled the cache.
    """
    if not csrf_secret:
        return False
    return any(
        _unmask_cipher_token(match.group().decode()) == csrf_secret
        for part in parts
        if isinstance(part, bytes)
        for match in _ANY_TOKEN.finditer(part)
    )


def _digest(parts: list) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else b"\0%d\0" % part)
    return hasher.hexdigest()[:20]


def _etag(digest: str, has_csrf: bool, csrf_secret: str | None) -> str:
    # A page with a form embeds the reader's CSRF secret (masked): a reader whose secret
    # changed must not be told that their copy, with the old one, is still good.
    if has_csrf:
        salt = hmac.new(settings.SECRET_KEY.encode(), (csrf_secret or "").encode(), "sha256")
        digest = f"{digest}-{salt.hexdigest()[:8]}"
    return f'W/"{digest}"'


def _page_key(request) -> str:
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return PAGE_KEY_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def _nonce_used(request) -> str | None:
    nonce = get_nonce(request)
    return str(nonce) if nonce else None  # a LazyNonce is falsy until something used it


@functools.lru_cache(maxsize=4096)
def _namespace(path: str, urlconf: str) -> str | None:
    """The URL namespace of `path`; the most requested paths' answers are remembered,
    as the URL patterns do not change while the process runs."""
    try:
        return resolve(path, urlconf).namespace
    except Resolver404:
        return None


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not self._is_cacheable_request(request):
            return self._finish_uncached(request, self.get_response(request))
        key = _page_key(request)
        # At most one round trip: none when this process knows the version and holds
        # a copy of the page (core/caching.py).
        stored_version, found = read_current([key])
        entry = found.get(key)
        if (
            entry is not None
            and is_current(stored_version)
            and entry.version == stored_version["token"]
        ):
            local_copies.put(key, entry.version, entry)
            return self._serve(request, entry)
        # The version is settled before rendering: a write committed meanwhile bumps it,
        # so a page rendered from older rows is stored under a version already stale.
        version = ensure_site_version(stored_version)
        response = self.get_response(request)
        if not self._is_storable(request, response):
            return self._finish_uncached(request, response)
        entry, parts = self._make_entry(request, response, version)
        if holds_token_of(parts, request.META.get("CSRF_COOKIE")):
            logger.warning("Not caching %s: it holds a CSRF token outside an attribute.", key)
            return self._finish_uncached(request, response)
        cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        local_copies.put(key, entry.version, entry)
        response[HEADER] = "miss"
        patch_vary_headers(response, ("Accept-Encoding",))
        return self._with_validators(request, response, entry)

    # -- deciding --------------------------------------------------------------------

    def _is_cacheable_request(self, request) -> bool:
        if not settings.PAGE_CACHE or settings.CSRF_USE_SESSIONS:
            return False
        if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
            return False
        query = request.META.get("QUERY_STRING", "")
        if query and not _PAGE_QUERY.fullmatch(query):
            return False
        ignored = {settings.CSRF_COOKIE_NAME, *settings.PAGE_CACHE_IGNORED_COOKIES}
        # An emptied cookie (what a deleted one can linger as) says nothing either.
        if not all(name in ignored or not value for name, value in request.COOKIES.items()):
            return False
        # Only pages that may be stored are looked up (not the admin, not a POST target):
        # matching the URL costs microseconds, a cache lookup a round trip.
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        path = request.path_info
        # Paths are the client's to choose: only short ones are remembered.
        resolve_namespace = _namespace if len(path) <= 200 else _namespace.__wrapped__
        return resolve_namespace(path, urlconf) in settings.PAGE_CACHE_NAMESPACES

    def _is_storable(self, request, response) -> bool:
        match = getattr(request, "resolver_match", None)
        cache_control = response.get("Cache-Control", "")
        return (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("Content-Encoding")  # stored gzipped by us only
            and match is not None
            and match.namespace in settings.PAGE_CACHE_NAMESPACES
            and all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)
            and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        )

    # -- storing and serving ---------------------------------------------------------

    def _make_entry(self, request, response, version) -> tuple[PageEntry, list]:
        parts = split_page(response.content, request.META.get("CSRF_COOKIE"), _nonce_used(request))
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in _UNSTORED_HEADERS
        ]
        return PageEntry(
            version=version["token"],
            modified_at=version["at"],
            status=response.status_code,
            headers=headers,
            stretches=gzipparts.compress(parts),
            digest=_digest(parts),
        ), parts

    def _serve(self, request, entry: PageEntry):
        if entry.has_csrf:
            self.csrf.process_request(request)  # the reader's secret, from their cookie
            use_secret(request)  # as get_token does, without masking a token unused
        response = HttpResponse(status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        patch_vary_headers(response, ("Accept-Encoding",))
        gzipped = bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
        if gzipped:
            response["Content-Encoding"] = "gzip"
        if request.method == "GET":
            values = self._values(request, entry.stretches)
            join = gzipparts.gzip_join if gzipped else gzipparts.plain_join
            response.content = join(entry.stretches, values)
            response["Content-Length"] = str(len(response.content))
        response[HEADER] = "hit"
        response = self._with_validators(request, response, entry)
        if entry.has_csrf:
            self.csrf.process_response(request, response)
        return response

    def _values(self, request, stretches):
        for item in stretches:
            if item == _CSRF:
                yield mask_token(request.META["CSRF_COOKIE"]).encode()
            elif item == _NONCE:
                yield str(get_nonce(request)).encode()

    # -- conditional GET -------------------------------------------------------------

    def _with_validators(self, request, response, entry: PageEntry):
        patch_cache_control(response, no_cache=True)
        if entry.has_csrf:
            patch_cache_control(response, private=True)
        if entry.has_nonce:
            return response
        response["ETag"] = _etag(entry.digest, entry.has_csrf, request.META.get("CSRF_COOKIE"))
        response["Last-Modified"] = http_date(entry.modified_at)
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=int(entry.modified_at),
            response=response,
        )

    def _finish_uncached(self, request, response):
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or response.has_header("ETag")
            or _nonce_used(request)
        ):
            return response
        if settings.PAGE_CACHE:
            response[HEADER] = "bypass"
        secret = request.META.get("CSRF_COOKIE")
        given = tokens_given(request)
        if given:
            parts = split_on_tokens(response.content, given)
        else:
            parts = split_page(response.content, secret, None)
        has_csrf = _CSRF in parts
        if "Cache-Control" not in response:
            patch_cache_control(response, no_cache=True)
            if has_csrf or request.COOKIES:
                patch_cache_control(response, private=True)
        response["ETag"] = _etag(_digest(parts), has_csrf, secret)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )
