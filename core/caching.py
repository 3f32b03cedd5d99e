"""The site version: one value in the shared cache that every cached page is checked against.

A cached page records the site version it was rendered under; a page whose version is
not the current one is never served. Any change readers could see (an article saved,
published or deleted, a "See also" link, the site settings, a comment approved or
removed, an article's discussion switch) replaces the version after the transaction
commits, so every page on every app server is stale at once, with no key to hunt down.
One site-wide version rather than one per article: an article page also shows other
articles' titles (links, related posts) and the home page shows every article, so
narrower keys would need a dependency graph to stay correct; writes are rare next to
reads, and a miss only costs one render.

Scheduled articles go live without any write: the version remembers the next scheduled
publication time and expires then, so the pages change when the article goes live.

Apps that change what readers see without a model signal (a queryset `update()`, a
bulk action) call `bump_site_version_on_commit()` themselves.

Reading the version is a round trip to the shared cache, the only one a cached page
costs. On Redis each process keeps the version it last read and subscribes to a
channel on which every change of version is published (core/cache.py): while nothing
is published the kept version holds, and each request only looks, without waiting, at
what arrived on that connection. A new subscription (after a reconnect too) and every
KEEP_VERSION_SECONDS read the version again, should a message ever be lost.

Each process also keeps copies of the pages and parts it has read or stored, for the
current version only (`read_current`): under an unchanged version they are neither
fetched nor unpickled again. At most LOCAL_COPIES entries are kept (a count, not bytes:
an article page with 200 comments is about 130 KB of parts), the least recently used
going first, none longer than PAGE_CACHE_SECONDS; a new version drops them.
"""

import logging
import secrets
import threading
import time
from collections import OrderedDict

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger("core.caching")

VERSION_KEY = "pagecache:version"
VERSION_CHANNEL = "pagecache:version-changed"
KEEP_VERSION_SECONDS = 2.0
LOCAL_COPIES = 128
# Models whose every change readers may see; apps that are not installed are skipped.
WATCHED_APPS = ("blog",)
WATCHED_MODELS = ("comments.DiscussionSettings", "comments.ArticleDiscussion", "auth.User")
# How soon to look again for scheduled articles when the database cannot say.
FALLBACK_VERSION_SECONDS = 60


def _new_version() -> dict:
    from blog.models import Article

    now = time.time()
    try:
        next_at = (
            Article.objects.scheduled()
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        until = next_at.timestamp() if next_at else None
    except DatabaseError:
        until = now + FALLBACK_VERSION_SECONDS
    return {"token": secrets.token_hex(8), "at": now, "until": until}


def _timeout(version: dict) -> int | None:
    if version["until"] is None:
        return None
    return max(1, int(version["until"] - time.time()) + 1)


def is_current(version) -> bool:
    return bool(version) and (version["until"] is None or version["until"] > time.time())


def read_many(keys: list[str]) -> dict:
    """`cache.get_many(keys)`, with entries that cannot be read taken as missing.

    Cached pages and parts are pickles of our own classes: after a deploy that changes
    one's shape, an old entry fails to load. That must be a miss (re-rendered, and the
    entry overwritten), not a 500 on the page until the entry times out.
    """
    try:
        return cache.get_many(keys)
    except Exception:  # whatever unpickling an older class raises
        logger.warning("Unreadable cache entry among %s: treated as missing.", keys)
        return {}


def bump_site_version() -> dict:
    """Make every cached page stale, now, on every app server. Returns the new version."""
    version = _new_version()
    cache.set(VERSION_KEY, version, timeout=_timeout(version))
    _announce(version)
    return version


def _announce(version: dict) -> None:
    """Tell every process the version changed (this one at once, not when the message
    comes back to it)."""
    _known_version.forget()
    publish = getattr(cache, "publish", None)  # caches other than Redis have no channel
    if publish is not None:
        publish(VERSION_CHANNEL, version["token"])


class _KnownVersion:
    """The site version as this process last read it, kept while the cache's channel
    says nothing changed (caches without channels: never kept).

    A generation counts what made the kept version unreliable (a message, a renewed
    subscription, this process's own change): a version read before one of those is
    not kept, whichever thread read it and whichever drained the message.
    """

    def __init__(self):
        self._version = None
        self._read_at = 0.0
        self._listening = False
        self._generation = 0
        self._lock = threading.Lock()

    def get(self) -> tuple[dict | None, int]:
        """The version if it is known here without asking the cache (else None), and
        the generation to hand back to `keep` with a version read from the cache."""
        watcher = getattr(cache, "watcher", None)
        with self._lock:
            changes = watcher(VERSION_CHANNEL).changes() if watcher is not None else None
            self._listening = changes is not None
            if changes is not False:
                self._generation += 1
                self._version = None
            elif time.monotonic() - self._read_at > KEEP_VERSION_SECONDS:
                self._version = None
            version = self._version if is_current(self._version) else None
            return version, self._generation

    def keep(self, version, generation: int) -> None:
        """Keep `version`, read from the cache since the `get()` that gave `generation`,
        if nothing has made it unreliable since and changes to it will be heard of."""
        with self._lock:
            if self._listening and version is not None and generation == self._generation:
                self._version, self._read_at = version, time.monotonic()

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._version = None


class _LocalCopies:
    """This process's copies of stored pages and parts, all of one site version, each
    for no longer than the shared cache keeps an entry (PAGE_CACHE_SECONDS)."""

    def __init__(self):
        self.token: str | None = None
        self.entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share the copies

    def get(self, key: str, token: str | None):
        with self._lock:
            if token is None or token != self.token or key not in self.entries:
                return None
            stored_at, entry = self.entries[key]
            if time.monotonic() - stored_at > settings.PAGE_CACHE_SECONDS:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry

    def keys(self) -> set[str]:
        with self._lock:
            return set(self.entries)

    def put(self, key: str, token: str, entry) -> None:
        """Keep `entry`, stored under version `token`; a copy of another version than
        the others replaces them all."""
        with self._lock:
            if token != self.token:
                self.token = token
                self.entries.clear()
            held = self.entries.get(key)
            # The copy served again keeps its age: it lives as long as it would in the
            # cache. A new entry (rendered again) starts afresh.
            if held is None or held[1] is not entry:
                self.entries[key] = (time.monotonic(), entry)
            self.entries.move_to_end(key)
            while len(self.entries) > LOCAL_COPIES:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.token = None
            self.entries.clear()


_known_version = _KnownVersion()
local_copies = _LocalCopies()


def forget_local_state() -> None:
    """Drop what this process keeps (tests that start with an empty cache call it)."""
    _known_version.forget()
    local_copies.clear()


def read_current(keys: list[str]) -> tuple[dict | None, dict]:
    """The site version (None if there is none) and the entries stored under `keys`.

    Entries this process holds a copy of are taken from it when the version is as the
    copies' (so, once warm, a page costs the version alone, or nothing when this
    process knows it). Which entries are current is for the caller to check, and to
    keep with `local_copies.put`.
    """
    version, generation = _known_version.get()
    if version is not None:
        token = version["token"]
        found = {key: copy for key in keys if (copy := local_copies.get(key, token)) is not None}
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(read_many(missing))
        return version, found
    # The version is read with whatever this process holds no copy of; if it is not
    # the copies' one, they are fetched in a second read (once per version and process).
    held = local_copies.keys()
    found = read_many([VERSION_KEY, *(key for key in keys if key not in held)])
    version = found.pop(VERSION_KEY, None)
    _known_version.keep(version, generation)
    token = version["token"] if is_current(version) else None
    for key in keys:
        if key not in found and (copy := local_copies.get(key, token)) is not None:
            found[key] = copy
    missing = [key for key in keys if key in held and key not in found]
    if missing:
        found.update(read_many(missing))
    return version, found


def ensure_site_version(stored) -> dict:
    """The current version: `stored` if it still holds, else a new one (created once)."""
    if is_current(stored):
        return stored
    version = _new_version()
    if stored is None:
        if cache.add(VERSION_KEY, version, timeout=_timeout(version)):
            _announce(version)
            return version
        # Another request created it between our read and our write: use theirs.
        again = cache.get(VERSION_KEY)
        if is_current(again):
            return again
    cache.set(VERSION_KEY, version, timeout=_timeout(version))
    _announce(version)
    return version


def bump_site_version_on_commit(using=None) -> None:
    """Bump the version once the current transaction commits (at once outside one).

    After the commit, not before: a request rendering between the write and the commit
    would otherwise store the old content under the new version.
    """
    transaction.on_commit(bump_site_version, using=using, robust=True)


def _changed(sender, raw=False, using=None, update_fields=None, **kwargs):
    if raw:  # loaddata: nothing has been read from these rows yet
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login, not a visible change
    bump_site_version_on_commit(using)


def _m2m_changed(sender, instance, action, using=None, **kwargs):
    if action.startswith("post_") and instance._meta.app_label in WATCHED_APPS:
        bump_site_version_on_commit(using)


def _comment_changed(sender, instance, created=False, raw=False, using=None, **kwargs):
    """A comment changes pages when it is (or was) approved, never while it waits.

    So a stream of new comments awaiting moderation leaves the cache alone; approving,
    marking as spam or trashing one bumps (the last two even when it was pending: rare,
    editor-made, and cheaper than a read to learn the old status).
    """
    if raw:
        return
    status = sender.Status
    if instance.status == status.APPROVED or (not created and instance.status != status.PENDING):
        bump_site_version_on_commit(using)


def connect_receivers() -> None:
    """Connect the invalidation receivers (from CoreConfig.ready)."""
    watched = []
    for label in WATCHED_APPS:
        if apps.is_installed(label):
            watched.extend(apps.get_app_config(label).get_models())
    for dotted in WATCHED_MODELS:
        try:
            watched.append(apps.get_model(dotted))
        except LookupError:
            continue
    for model in watched:
        uid = f"core.caching:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(_m2m_changed, dispatch_uid="core.caching:m2m")
    try:
        comment = apps.get_model("comments", "Comment")
    except LookupError:
        return
    if hasattr(comment, "Status"):
        post_save.connect(_comment_changed, sender=comment, dispatch_uid="core.caching:comment")
        post_delete.connect(_comment_changed, sender=comment, dispatch_uid="core.caching:comment")


def on_migrated(sender, **kwargs) -> None:
    """After `migrate` (sent once per run for this app): a new site version."""
    try:
        bump_site_version()
    except Exception:  # the cache must not fail a deploy's migrate
        logger.exception("Could not bump the site version after migrating.")


def on_cache_reconnected(sender, **kwargs) -> None:
    """Versions bumped while Redis was down were lost: start a new one now."""
    try:
        bump_site_version()
    except Exception:  # a failure here must not fail the request that noticed Redis
        logger.exception("Could not bump the site version after the cache came back.")
