"""The site version: one value in the shared cache that says when cached pages went stale.

Django's page cache (core/pagecache.py) stores each page with the site version it was
rendered under, and serves it only while that version is current. Any write readers
could see replaces the version after its transaction commits, so every cached page on
every app server is stale at once, with no key to hunt down. One version for the whole
site rather than one per article: an article page also shows other articles' titles
(links, "Related") and the home page shows every article, so narrower keys would need a
dependency graph to stay right; writes are rare next to reads, and a miss is one render.

core/ knows no app of ours. Apps say, in their AppConfig.ready, which of their models
change what readers see (`watch`) and when pages change with no write at all
(`next_change_at`, e.g. blog's scheduled articles): the version then expires at that
moment. Code that writes without model signals (a queryset `update()`) calls
`bump_on_commit()` itself. A batch of writes (an import) runs in `bumps_collapsed()`,
so that it makes one version, at its end, rather than one per save.
"""

import logging
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger("core.invalidation")

VERSION_KEY = "pages:version"
# How soon to look again for scheduled changes when the database cannot say.
RETRY_SECONDS = 60

_next_change_sources: list[Callable[[], datetime | None]] = []


class _Owed:
    """The bumps a `bumps_collapsed()` block holds back: the databases written to."""

    def __init__(self):
        self.is_open = True
        self.aliases: set[str] = set()


# A ContextVar, not a global: another thread's (or task's) writes are not held back.
_owed: ContextVar[_Owed | None] = ContextVar("core.invalidation.owed", default=None)


def watch(
    model,
    *,
    changes_pages: Callable[..., bool] | None = None,
    unseen_fields: frozenset[str] = frozenset(),
) -> None:
    """Make every save or delete of `model` (and every change of its many-to-many
    relations) stale the cached pages, after commit. `changes_pages(instance, created)`
    may say that a given write changes nothing readers see (a comment still held); a
    save that writes only `unseen_fields` (`update_fields`) changes nothing either."""

    def changed(sender, instance, created=False, raw=False, using=None, **kwargs):
        if raw:  # loaddata: nothing has been read from these rows yet
            return
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= unseen_fields:
            return
        if changes_pages is None or changes_pages(instance, created):
            bump_on_commit(using)

    def relation_changed(sender, action, using=None, **kwargs):
        if action.startswith("post_"):
            bump_on_commit(using)

    uid = f"core.invalidation:{model._meta.label}"
    # weak=False: the receivers are closures that nothing else holds on to.
    post_save.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(changed, sender=model, weak=False, dispatch_uid=uid)
    for field in model._meta.local_many_to_many:
        through = field.remote_field.through
        m2m_changed.connect(
            relation_changed, sender=through, weak=False, dispatch_uid=f"{uid}:{field.name}"
        )


def next_change_at(source: Callable[[], datetime | None]) -> None:
    """Register `source`: it tells when pages next change with no write (or None)."""
    if source not in _next_change_sources:
        _next_change_sources.append(source)


def current() -> str:
    """The current site version, made (once, whichever request gets there first) when
    the cache holds none: at start, after a change, or when it expired."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = _start(add=True)
    return version


def bump() -> str:
    """A new site version at once: every cached page is stale from now on."""
    return _start(add=False)


def bump_on_commit(using=None) -> None:
    """A new version once the current transaction commits (at once outside one).

    After the commit, not before: a request rendering between the write and the commit
    would otherwise store the old content under the new version. Inside
    `bumps_collapsed()` it only notes that a bump is owed.
    """
    owed = _owed.get()
    if owed is not None and owed.is_open:
        owed.aliases.add(using or DEFAULT_DB_ALIAS)
        return
    transaction.on_commit(bump, using=using, robust=True)


@contextmanager
def bumps_collapsed() -> Iterator[None]:
    """Hold back the bumps the writes in the block owe, and owe one at its end.

    For a batch of writes (an import): one version, and one look at the next scheduled
    change, rather than one per save. Pages cached before the block are served until it
    ends, even for what the block committed meanwhile. The bump is owed on the way out
    whatever happens, exceptions too (what committed before one must show), and goes
    through `bump_on_commit`: after the commit of a transaction still open around the
    block, at once otherwise. Nested blocks leave it to the outermost one.
    """
    outer = _owed.get()
    if outer is not None and outer.is_open:
        yield
        return
    owed = _Owed()
    token = _owed.set(owed)
    try:
        yield
    finally:
        # Closed first: a task the block started and that outlives it bumps for itself.
        owed.is_open = False
        _owed.reset(token)
        for using in owed.aliases:
            bump_on_commit(using)


def _start(*, add: bool) -> str:
    version = secrets.token_hex(8)
    timeout = _seconds_to_next_change()
    if add and not cache.add(VERSION_KEY, version, timeout=timeout):
        # Another request made one between our read and our write: use theirs.
        return cache.get(VERSION_KEY) or version
    if not add:
        cache.set(VERSION_KEY, version, timeout=timeout)
    return version


def _seconds_to_next_change() -> int:
    """The version's lifetime: until the next change no write announces, at most
    PAGE_CACHE_SECONDS (a version that never expires is the cache's to evict)."""
    seconds = settings.PAGE_CACHE_SECONDS
    now = time.time()
    for source in _next_change_sources:
        try:
            when = source()
        except DatabaseError:
            logger.warning("Could not read the next scheduled change; looking again soon.")
            when = None
            seconds = min(seconds, RETRY_SECONDS)
        if when is not None:
            seconds = min(seconds, max(1, int(when.timestamp() - now) + 1))
    return seconds


def renew(sender, **kwargs) -> None:
    """Receiver (after `migrate`, after a cache outage): a new version, or a logged
    failure; the cache must not fail a deploy's migrate, nor the request that noticed."""
    try:
        bump()
    except Exception:
        logger.exception("Could not renew the site version.")
