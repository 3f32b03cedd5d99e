import pytest

from core import ratelimit
from core.ratelimit import Limit


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, moved by the test instead of waited for."""

    class Clock:
        now = 1_000_000.0

    monkeypatch.setattr(ratelimit.time, "time", lambda: Clock.now)
    return Clock


def test_hits_within_the_limit_pass_and_the_next_waits_for_the_rest_of_the_window(clock):
    limit = Limit(count=2, seconds=60)

    assert ratelimit.hit("test", "1.2.3.4", limit) is None
    clock.now += 20
    assert ratelimit.hit("test", "1.2.3.4", limit) is None
    clock.now += 15
    assert ratelimit.hit("test", "1.2.3.4", limit) == 25


def test_keys_and_scopes_are_counted_apart(clock):
    limit = Limit(count=1, seconds=60)

    assert ratelimit.hit("a", "x", limit) is None
    assert ratelimit.hit("a", "y", limit) is None
    assert ratelimit.hit("b", "x", limit) is None
    assert ratelimit.hit("a", "x", limit) == 60


def test_a_zero_limit_is_off(clock):
    for _ in range(5):
        assert ratelimit.hit("test", "x", Limit(count=0, seconds=60)) is None


def test_every_hit_is_one_cache_round_trip(clock, monkeypatch):
    from django.core.cache import cache

    calls = []

    class CountingCache:
        def __getattr__(self, name):
            method = getattr(cache, name)

            def counted(*args, **kwargs):
                calls.append(name)
                return method(*args, **kwargs)

            return counted

    monkeypatch.setattr(ratelimit, "cache", CountingCache())
    limit = Limit(count=1, seconds=60)

    for expected_wait in (None, 60, 60):
        calls.clear()
        assert ratelimit.hit("test", "x", limit) == expected_wait
        # Opening the window tries incr first (a miss answers at once on Redis, too).
        assert calls in (["incr", "add"], ["incr"])
    assert calls == ["incr"]
