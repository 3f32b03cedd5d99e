"""Fixed-window rate limits counted in the shared cache (so they hold across servers)."""

from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int  # how many hits a window allows; 0 turns the limit off
    seconds: int  # the window's length


def hit(scope: str, key: str, limit: Limit) -> int | None:
    """Count one hit of `key` in `scope`; return seconds to wait if over the limit, else None.

    One cache round trip in the common case (`incr` on an existing counter).
    """
    if limit.count <= 0 or limit.seconds <= 0:
        return None
    cache_key = f"ratelimit:{scope}:{key}"
    try:
        count = cache.incr(cache_key)
    except ValueError:  # no counter yet: start the window
        count = 1 if cache.add(cache_key, 1, timeout=limit.seconds) else cache.incr(cache_key)
    return limit.seconds if count > limit.count else None
