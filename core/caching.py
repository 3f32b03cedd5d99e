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
"""

import logging
import secrets
import time

from django.apps import apps
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger("core.caching")

VERSION_KEY = "pagecache:version"
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
    return version


def ensure_site_version(stored) -> dict:
    """The current version: `stored` if it still holds, else a new one (created once)."""
    if is_current(stored):
        return stored
    version = _new_version()
    if stored is None:
        if cache.add(VERSION_KEY, version, timeout=_timeout(version)):
            return version
        # Another request created it between our read and our write: use theirs.
        again = cache.get(VERSION_KEY)
        if is_current(again):
            return again
    cache.set(VERSION_KEY, version, timeout=_timeout(version))
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
