"""Django's Redis cache, made to fail soft: while Redis is down the site serves from the
database instead of answering 500.

Each cache call that cannot reach Redis answers as an empty cache would (a miss for
reads, "not stored" for writes, a fresh count for `incr`), the outage is logged once,
and Redis is left alone for RETRY_SECONDS, so that a dead server costs one failed
connection every few seconds rather than one per call. When it answers again that is
logged, and `cache_reconnected` is sent: what was written while it was down (a new site
version) was lost, and receivers write it again.

Only the cache's public methods are wrapped; the connection handling is Django's.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("core.cache")

RETRY_SECONDS = 5.0
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
cache_reconnected = Signal()  # sender=the backend's class


class Breaker:
    """One Redis location's state in this process: up, or down until a given time."""

    def __init__(self, label: str):
        self.label = label
        self.down_until = 0.0
        self.lock = threading.Lock()

    def is_open(self) -> bool:
        return self.down_until > time.monotonic()

    def trip(self, error) -> None:
        with self.lock:
            was_up = self.down_until == 0.0
            self.down_until = time.monotonic() + RETRY_SECONDS
        if was_up:
            logger.warning(
                "Cache server %s unreachable (%s): serving without the cache, retrying every %ss.",
                self.label,
                error,
                RETRY_SECONDS,
            )

    def reset(self) -> bool:
        """Mark the server up; True if it was down until now."""
        if not self.down_until:
            return False
        with self.lock:
            was_down, self.down_until = bool(self.down_until), 0.0
        if was_down:
            logger.warning("Cache server %s reachable again: cache back in use.", self.label)
        return was_down


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def _guarded(fallback):
    """Run the Redis call, or return `fallback(*args, **kwargs)` while Redis is down."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.breaker.is_open():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except OUTAGE_ERRORS as error:
                self.breaker.trip(error)
                return fallback(*args, **kwargs)
            if self.breaker.reset():
                cache_reconnected.send(sender=type(self))
                # What this first call read may predate writes made during the outage
                # (a page under the old site version): answer as a miss, once.
                return fallback(*args, **kwargs)
            return result

        return wrapper

    return decorate


def _nothing(*args, **kwargs):
    return None


def _default(key, default=None, version=None):
    return default


class FailSoftRedisCache(RedisCache):
    """RedisCache that answers as an empty cache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(server, params)
        servers = server if isinstance(server, list | tuple) else server.split(",")
        # For the log: the servers without any password in their URL.
        label = ",".join(s.split("@")[-1] for s in servers)
        with _breakers_lock:  # shared by every thread's instance of this cache
            self.breaker = _breakers.setdefault(label, Breaker(label))

    @_guarded(lambda *a, **k: False)
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return super().add(key, value, timeout, version)

    @_guarded(_default)
    def get(self, key, default=None, version=None):
        return super().get(key, default, version)

    @_guarded(_nothing)
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

    # A count that cannot be read starts afresh: rate limits fail open while Redis is
    # down (counting in the database instead would load the other shared service).
    @_guarded(lambda key, delta=1, version=None: delta)
    def incr(self, key, delta=1, version=None):
        return super().incr(key, delta, version)

    @_guarded(lambda data, *a, **k: list(data))
    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return super().set_many(data, timeout, version)

    @_guarded(_nothing)
    def delete_many(self, keys, version=None):
        return super().delete_many(keys, version)

    @_guarded(_nothing)
    def clear(self):
        return super().clear()
