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
