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

A page asks for its fragments one at a time (the view, the site's name in a context
processor, the comment section in a template tag), but each read is a round trip to the
shared cache. So each app process remembers which fragments a page read the last time
it was rendered, and the page's first fragment reads all of them, with the version, in
one `get_many`: one round trip per page, however many parts it keeps.

Each process also keeps copies of the fragments it has read or rendered, for the
current site version only (core/caching.py, `read_current`): under an unchanged version
a page does not fetch its 100 KB comment thread again, nor unpickle anything.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.caching import ensure_site_version, is_current, local_copies, read_current, read_many

FRAGMENT_KEY_PREFIX = "pagecache:fragment:"
# Pages whose fragment keys a process remembers (oldest forgotten first), and how long
# an address may be to be remembered: enough for every real page, bounded for any URL.
REMEMBERED_PAGES = 4096
_MAX_REMEMBERED_ADDRESS = 200
_keys_by_page: dict[str, tuple[str, ...]] = {}
_keys_by_page_lock = threading.Lock()  # gthread workers share it


class _Reads:
    """One request's reads of the shared cache for fragments."""

    def __init__(self, address: str | None):
        self.address = address
        self.version = None
        self.found: dict = {}
        self.prefetched: set[str] = set()
        self.asked: list[str] = []

    def read(self, cache_key: str):
        """The stored entry for `cache_key` (None if none), the version read with the
        first one: the first read also fetches the keys this page asked for last time."""
        if not self.asked:
            wanted = [cache_key]
            wanted += [key for key in _keys_by_page.get(self.address, ()) if key != cache_key]
            self.version, self.found = read_current(wanted)
            self.prefetched = set(wanted)
        elif cache_key not in self.prefetched:
            # Not remembered for this page (its first render, or a page not remembered at
            # all): this process's copy if it holds one, else one more read.
            token = self.version["token"] if is_current(self.version) else None
            copy = local_copies.get(cache_key, token)
            self.found.update({cache_key: copy} if copy is not None else read_many([cache_key]))
            self.prefetched.add(cache_key)
        if cache_key not in self.asked:
            self.asked.append(cache_key)
            self._remember()
        stored = self.found.get(cache_key)
        if stored is not None and is_current(self.version) and stored[0] == self.version["token"]:
            local_copies.put(cache_key, stored[0], stored)
        return stored

    def _remember(self):
        if self.address is None:
            return
        with _keys_by_page_lock:
            if self.address not in _keys_by_page and len(_keys_by_page) >= REMEMBERED_PAGES:
                del _keys_by_page[next(iter(_keys_by_page))]
            _keys_by_page[self.address] = tuple(self.asked)


def _reads(request) -> _Reads:
    reads = getattr(request, "_fragment_reads", None)
    if reads is None:
        reads = request._fragment_reads = _Reads(_address(request))
    return reads


def _address(request) -> str | None:
    """The page's address, to remember its fragments by: only reader pages (the page
    cache's namespaces) and short addresses; not 404s, nor pages whose address holds a
    secret (a newsletter or privacy confirmation link)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in settings.PAGE_CACHE_NAMESPACES:
        return None
    address = request.get_full_path()
    return address if len(address) <= _MAX_REMEMBERED_ADDRESS else None


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
    reads = _reads(request)
    stored = reads.read(cache_key)
    version = reads.version
    if (
        stored is not None
        and is_current(version)
        and stored[0] == version["token"]
        and (is_fresh is None or is_fresh(stored[1]))
    ):
        return stored[1]
    # The version is settled before rendering: a write committed meanwhile bumps it, so
    # what is rendered now from older rows is stored under a version already stale.
    version = reads.version = ensure_site_version(version)
    value = render()
    stored = (version["token"], value)
    cache.set(cache_key, stored, timeout=settings.PAGE_CACHE_SECONDS)
    local_copies.put(cache_key, stored[0], stored)
    return value
