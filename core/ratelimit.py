"""Fixed-window rate limits counted in the shared cache (so they hold across servers)."""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int  # how many hits a window allows; 0 turns the limit off
    seconds: int  # the window's length


def hit(scope: str, key: str, limit: Limit) -> int | None:
    """Count one hit of `key` in `scope`; return seconds to wait if over the limit, else None.

    A window opens at a key's first hit and lasts `limit.seconds`. The common case is one
    cache round trip (`incr` on an existing counter); opening a window, or refusing a hit,
    costs one more (the window's start is kept beside the counter, so the wait given back
    is what is left of the window, not its whole length).
    """
    if limit.count <= 0 or limit.seconds <= 0:
        return None
    counter_key = f"ratelimit:{scope}:{key}"
    started_key = f"{counter_key}:started"
    try:
        count = cache.incr(counter_key)
    except ValueError:  # no counter yet: open the window
        now = time.time()
        if cache.add(counter_key, 1, timeout=limit.seconds):
            cache.set(started_key, now, timeout=limit.seconds)
            count = 1
        else:  # another request opened it in between
            count = cache.incr(counter_key)
    if count <= limit.count:
        return None
    started = cache.get(started_key)
    if started is None:
        return limit.seconds
    return max(1, math.ceil(started + limit.seconds - time.time()))
