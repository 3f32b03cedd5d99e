"""Rendered fragments of a page, kept in the shared cache under the site version.

The whole-page cache (core/pagecache.py) serves anonymous readers. A reader who carries
a cookie of their own (a comment awaiting moderation, a saved name) gets the page
rendered for them, but most of that page is the same for everyone: the article, its
"See also" links and "Related", the approved comments. Those parts are rendered once
and kept here, so the per-reader render only does what is really theirs (the forms,
their pending comment) plus a cache read per fragment.

A fragment is valid for the site version it was rendered under, the same version that
guards whole pages (core/caching.py): whatever makes a page stale makes its fragments
stale, on every app server at once, and a scheduled article going live expires both.
Fragments follow the `PAGE_CACHE` switch: with it off, every page is rendered from the
database. With the cache unreachable, `get_many` finds nothing and the page renders.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.caching import VERSION_KEY, ensure_site_version, is_current, read_many

FRAGMENT_KEY_PREFIX = "pagecache:fragment:"
_NO_VERSION = object()


def fragment(
    request,
    name: str,
    key: Any,
    render: Callable[[], Any],
    *,
    is_fresh: Callable[[Any], bool] | None = None,
) -> Any:
    """The value `render()` gives, from the cache when it holds one for this version.

    `name` and `key` say what it is ("article", its pk and anything else the rendering
    depends on); the value must be picklable, and must not hold anything that is one
    reader's own (a CSRF token, a nonce, a pending comment): every reader is served it.
    `is_fresh(value)` may turn down a stored value for what the version cannot know
    (the clock: comments closing N days after publication); it is rendered again.
    """
    if not settings.PAGE_CACHE:
        return render()
    cache_key = f"{FRAGMENT_KEY_PREFIX}{name}:{key}"
    version = getattr(request, "_fragment_site_version", _NO_VERSION)
    if version is _NO_VERSION:
        # The first fragment of a request reads the version with it: one round trip.
        found = read_many([VERSION_KEY, cache_key])
        version = found.get(VERSION_KEY)
        request._fragment_site_version = version
    else:
        found = read_many([cache_key])
    stored = found.get(cache_key)
    if (
        stored is not None
        and is_current(version)
        and stored[0] == version["token"]
        and (is_fresh is None or is_fresh(stored[1]))
    ):
        return stored[1]
    # The version is settled before rendering: a write committed meanwhile bumps it, so
    # what is rendered now from older rows is stored under a version already stale.
    version = ensure_site_version(version)
    request._fragment_site_version = version
    value = render()
    cache.set(cache_key, (version["token"], value), timeout=settings.PAGE_CACHE_SECONDS)
    return value
