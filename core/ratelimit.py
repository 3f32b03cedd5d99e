"""Fixed-window rate limits counted in the shared cache (so they hold across servers)."""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache

# One cache value holds both the window's start and its count, so that every hit is a
# single round trip (an atomic `incr`, or an `add` opening the window): the count in
# the low six digits, the start (whole seconds since the epoch) above them.
_COUNT_SLOTS = 1_000_000


@dataclass(frozen=True)
class Limit:
    count: int  # how many hits a window allows; 0 turns the limit off
    seconds: int  # the window's length

    def __post_init__(self):
        if self.count >= _COUNT_SLOTS:
            raise ValueError(f"a limit counts fewer than {_COUNT_SLOTS} hits a window")


def hit(scope: str, key: str, limit: Limit) -> int | None:
    """Count one hit of `key` in `scope`; return seconds to wait if over the limit, else None.

    A window opens at a key's first hit and lasts `limit.seconds`; the wait given back is
    what is left of it. One `incr`, and an `add` when it opens a window.
    """
    if limit.count <= 0 or limit.seconds <= 0:
        return None
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        value = cache.incr(cache_key)
    except ValueError:  # no window yet: open one
        opened = int(time.time()) * _COUNT_SLOTS + 1
        if cache.add(cache_key, opened, timeout=limit.seconds):
            return None  # the first hit of a window is always within the limit
        value = cache.incr(cache_key)  # another request opened it in between
    started, count = divmod(value, _COUNT_SLOTS)
    if count <= limit.count:
        return None
    return max(1, math.ceil(started + limit.seconds - time.time()))
