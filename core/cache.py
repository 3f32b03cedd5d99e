"""A Redis cache backend that lets the site keep serving when Redis is down.

Django's RedisCache raises on a refused or timed-out connection, which would turn every
cached page into a 500. This subclass answers as an empty cache instead (a miss for
reads, "not stored" for writes, a fresh counter for `incr`), logs the outage once, and
stops trying for `RETRY_SECONDS` so that a dead server costs one failed connection
every few seconds rather than one per call. The first call after that window tries
Redis again; when it answers, the cache is back (and that is logged too).

It can also tell a process, without a round trip, whether something was published on a
channel since it last looked (`watcher`, `publish`): core/caching.py keeps the site
version in each process that way, so a page served from the cache costs no round trip.
"""

import functools
import logging
import os
import re
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("core.cache")

RETRY_SECONDS = 5.0
# Sent (sender=the backend) when Redis answers again after an outage, so that whatever
# was written while it was down (a new site version) can be written again.
cache_reconnected = Signal()
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    """Per-process state of one Redis location: up, or down until a given time."""

    def __init__(self):
        self.down_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return self.down_until > time.monotonic()

    def trip(self, location, error):
        with self.lock:
            was_up = self.down_until == 0.0
            self.down_until = time.monotonic() + RETRY_SECONDS
        if was_up:
            logger.warning(
                "Cache server %s unreachable (%s): serving without the cache, retrying every %ss.",
                location,
                error,
                RETRY_SECONDS,
            )

    def reset(self, location) -> bool:
        """Mark the server up; True if it was down until now."""
        if not self.down_until:
            return False
        with self.lock:
            was_down, self.down_until = bool(self.down_until), 0.0
        if was_down:
            logger.warning("Cache server %s reachable again: cache back in use.", location)
        return was_down


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


def _guarded(fallback):
    """Run the Redis call, or return `fallback(*args, **kwargs)` while Redis is down."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            breaker = self._breaker
            if breaker.is_open():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except OUTAGE_ERRORS as error:
                breaker.trip(self._location_label, error)
                return fallback(*args, **kwargs)
            if breaker.reset(self._location_label):
                cache_reconnected.send(sender=type(self), backend=self)
            return result

        return wrapper

    return decorate


class ChangeWatcher:
    """Whether anything was published on a channel since the last look, asked without a
    round trip: the process subscribes once, on a connection of its own, and each look
    reads what has arrived on that socket without waiting.

    `changes()` answers True (something was published, or the subscription is new, so
    what happened before it is unknown), False (nothing since the last look) or None
    (not listening; ask Redis). A subscription that drops (a Redis restart, an idle
    connection cut) is simply made again at the next look; only failing to connect
    counts as an outage (the backend's breaker). A Redis that refuses pub/sub (an ACL
    without channel rights, a proxy without it) is logged once and not asked again for
    REFUSED_RETRY_SECONDS: the version is then read on every request, as without Redis.
    """

    REFUSED_RETRY_SECONDS = 300.0

    def __init__(self, backend, channel: str):
        self.backend = backend
        self._channel = channel
        self._pubsub = None
        self._pid = None
        self._refused_until = 0.0
        self._lock = threading.Lock()  # gthread workers share the subscription

    def changes(self) -> bool | None:
        with self._lock:
            if self.backend._breaker.is_open() or self._refused_until > time.monotonic():
                self._close()
                return None
            if self._pubsub is None or self._pid != os.getpid():
                return self._subscribe()
            try:
                changed = False
                while self._pubsub.get_message(timeout=0) is not None:
                    changed = True
                return changed
            except RedisError:
                # The subscription dropped: what was published since is unknown. Not an
                # outage of the cache itself; subscribe again at the next look.
                self._close()
                return None

    def _subscribe(self) -> bool | None:
        self._close()
        try:
            self._pubsub = self.backend._cache.get_client(write=True).pubsub()
            self._pid = os.getpid()
            self._pubsub.subscribe(self._channel)
            # Subscribed before the caller reads what the channel announces changes of
            # (on another connection): wait for Redis to confirm.
            if self._pubsub.get_message(timeout=1.0) is None:
                raise RedisTimeoutError(f"no confirmation of the subscription to {self._channel}")
        except OUTAGE_ERRORS as error:
            self._close()
            self.backend._breaker.trip(self.backend._location_label, error)
            return None
        except RedisError as error:
            self._close()
            self._refused_until = time.monotonic() + self.REFUSED_RETRY_SECONDS
            logger.warning(
                "Redis refused to subscribe to %s (%s): the site version is read on every "
                "request instead.",
                self._channel,
                error,
            )
            return None
        return True

    def _close(self):
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            try:
                pubsub.close()
            except Exception:  # a broken connection has nothing left to close
                logger.debug("Closing a broken subscription failed.", exc_info=True)


_watchers: dict[tuple[str, str], ChangeWatcher] = {}


def _default(key, default=None, version=None):
    return default


class _ReusingClient(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every call, and building one costs
    more than the round trip itself (it fills a table of 165 response callbacks). A
    client is only a handle on its connection pool, safe to share between threads: keep
    one per pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache that degrades to "no cache" while Redis is unreachable (see module)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
        # For the log: the servers without any password in their URL.
        self._location_label = ",".join(re.sub(r"//[^@/]*@", "//", s) for s in self._servers)
        # Shared by every thread's instance of this cache in the process.
        self._breaker = _breaker_for(self._location_label)

    @_guarded(lambda *a, **k: False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_guarded(_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_guarded(lambda *a, **k: None)
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set(key, value, timeout, version)

    @_guarded(lambda *a, **k: False)
    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return super().touch(key, timeout, version)

    @_guarded(lambda *a, **k: False)
    def delete(self, key, version=None):
        return super().delete(key, version)

    @_guarded(lambda *a, **k: {})
    def get_many(self, keys, version=None):
        return super().get_many(keys, version)

    @_guarded(lambda *a, **k: False)
    def has_key(self, key, version=None):
        return super().has_key(key, version)

    # A counter that cannot be read starts afresh: rate limits fail open while Redis
    # is down (counting in the database instead would put the load on the other
    # shared service).
    @_guarded(lambda key, delta=1, version=None: delta)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    # Rate limits (core.ratelimit) count through this when the cache has it: one round
    # trip per hit instead of Django's incr (EXISTS, then INCRBY) plus an add.
    @_guarded(lambda key, seconds, version=None: (1, seconds))
    def incr_window(self, key, seconds, version=None):
        """Count a hit on `key`, whose window opens at its first hit and lasts `seconds`:
        return (hits so far, seconds left). INCR, EXPIRE NX (Redis 7) and TTL go in one
        MULTI/EXEC pipeline, so concurrent hits are counted exactly."""
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipe:
            count, _, left = pipe.incr(key).expire(key, seconds, nx=True).ttl(key).execute()
        return count, max(left, 1)

    @_guarded(lambda data, *a, **k: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_guarded(lambda *a, **k: None)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_guarded(lambda *a, **k: None)
    def clear(self):
        return super().clear()

    @_guarded(lambda *a, **k: None)
    def publish(self, channel: str, message: str) -> None:
        """Tell every process watching `channel` (see `watcher`) that something changed.
        Refused (an ACL without channel rights): logged; the watchers re-read anyway."""
        try:
            self._cache.get_client(write=True).publish(self.make_key(channel), message)
        except OUTAGE_ERRORS:
            raise
        except RedisError as error:
            logger.warning("Redis refused to publish on %s (%s).", channel, error)

    def watcher(self, channel: str) -> ChangeWatcher:
        """This process's watcher of `channel` on this Redis (one per location)."""
        with _breakers_lock:
            key = (self._location_label, self.make_key(channel))
            if key not in _watchers:
                _watchers[key] = ChangeWatcher(self, key[1])
            _watchers[key].backend = self  # the current settings' instance, breaker included
            return _watchers[key]
