"""Faults: Redis down (serve from the database, logged) and PostgreSQL down (a 503 page)."""

import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse

from core import cache as resilient
from core.pagecache import HEADER
from core.ratelimit import Limit, hit
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/4"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket closes


def _redis_cache(settings, location):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "broadsheet-tests",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_breakers():
    resilient._breakers.clear()
    resilient._watchers.clear()
    yield
    resilient._breakers.clear()
    for watcher in resilient._watchers.values():
        watcher._close()
    resilient._watchers.clear()


@pytest.fixture
def redis_down(page_cache):
    _redis_cache(page_cache, f"redis://127.0.0.1:{_closed_port()}/4")
    return page_cache


@pytest.fixture
def redis_up(page_cache):
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            pass
    except OSError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    _redis_cache(page_cache, REDIS_URL)
    cache.clear()
    yield page_cache
    cache.clear()


def test_pages_are_served_from_the_database_while_redis_is_down(redis_down, client, caplog):
    article = ArticleFactory(title="Still readable")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        first = client.get(article.get_absolute_url())
        second = client.get(article.get_absolute_url())
        home = client.get(reverse("blog:article-list"))

    assert first.status_code == second.status_code == home.status_code == 200
    assert "Still readable" in second.text
    assert second[HEADER] != "hit"
    outage_logs = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_logs) == 1  # logged once per outage, not once per call


def test_rate_limits_fail_open_while_redis_is_down(redis_down):
    assert hit("comment", "127.0.0.1", Limit(count=1, seconds=60)) is None
    assert hit("comment", "127.0.0.1", Limit(count=1, seconds=60)) is None


def test_cache_is_used_again_when_redis_comes_back(redis_up, client, monkeypatch, caplog):
    article = ArticleFactory(title="Back in cache")
    real_get_client = type(cache._cache).get_client

    def refused(*args, **kwargs):
        raise resilient.RedisConnectionError("Connection refused")

    monkeypatch.setattr(type(cache._cache), "get_client", refused)
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert client.get(article.get_absolute_url()).status_code == 200

        monkeypatch.setattr(type(cache._cache), "get_client", real_get_client)
        for breaker in resilient._breakers.values():
            breaker.down_until = 1.0  # the retry window has passed
        client.get(article.get_absolute_url())
        response = client.get(article.get_absolute_url())

    assert response[HEADER] == "hit"
    assert "Back in cache" in response.text
    assert any("reachable again" in r.getMessage() for r in caplog.records)


def test_page_cache_on_redis_serves_a_hit_without_any_query(
    redis_up, client, django_assert_num_queries
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(article.get_absolute_url())[HEADER] == "hit"


@pytest.fixture
def database_down(monkeypatch):
    def refuse():
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def test_database_down_gives_a_clear_503_page(client, database_down):
    response = client.get("/2024/01/01/any-article/")

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text
    assert response["Retry-After"]


def test_database_down_home_page_is_a_503_too(client, database_down):
    assert client.get(reverse("blog:article-list")).status_code == 503


def test_cached_pages_are_still_served_while_the_database_is_down(page_cache, client, monkeypatch):
    article = ArticleFactory(title="Served from cache")
    client.get(article.get_absolute_url())

    monkeypatch.setattr(
        connection, "ensure_connection", lambda: (_ for _ in ()).throw(OperationalError("down"))
    )
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Served from cache" in response.text


def test_unreachable_postgresql_gives_the_503_page_in_a_real_process():
    """The whole stack, in its own process, pointed at a PostgreSQL port nobody listens on."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/')\n"
        "print(response.status_code, response['Retry-After'])\n"
        "print(response.content.decode())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/broadsheet",
        "ALLOWED_HOSTS": "testserver",
        "PAGE_CACHE": "false",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    status_line, page = result.stdout.split("\n", 1)
    assert status_line == "503 30"
    assert "Temporarily unavailable" in page
    assert "Traceback" not in result.stdout + result.stderr


def test_rate_limit_on_redis_counts_in_one_round_trip_and_gives_the_time_left(
    redis_up, monkeypatch
):
    from redis.client import Pipeline

    executed = []
    real_execute = Pipeline.execute
    monkeypatch.setattr(
        Pipeline, "execute", lambda self, *a, **k: executed.append(1) or real_execute(self, *a, **k)
    )
    limit = Limit(count=2, seconds=60)

    answers = [hit("test-redis", "198.51.100.7", limit) for _ in range(3)]

    assert answers[:2] == [None, None]
    assert 55 <= answers[2] <= 60
    assert len(executed) == 3  # one pipelined round trip per hit


# -- the site version kept in each process, on Redis ------------------------------------


def _other_server_changes_version():
    """What another app server's write does: a new version in Redis, announced."""
    import redis as redis_lib

    from core.caching import VERSION_CHANNEL, VERSION_KEY, _new_version

    version = _new_version()
    cache.set(VERSION_KEY, version)  # the same key and serializer as any server
    channel = cache.make_key(VERSION_CHANNEL)
    redis_lib.Redis.from_url(REDIS_URL).publish(channel, version["token"])


def _wait_for_announcement():
    """Until the announcement has reached this process's subscription (a fraction of a
    millisecond on one machine; the test must not race it)."""
    from core.caching import VERSION_CHANNEL

    watcher = cache.watcher(VERSION_CHANNEL)
    assert watcher._pubsub.connection.can_read(timeout=2)


def test_cached_page_on_redis_costs_no_round_trip_once_the_process_knows_it(
    redis_up, client, cache_reads, monkeypatch
):
    from core import caching

    monkeypatch.setattr(caching, "KEEP_VERSION_SECONDS", 60)  # however slow the machine
    article = ArticleFactory()
    client.get(article.get_absolute_url())  # stored, under a version it announced
    time.sleep(0.05)  # the announcement's way back through Redis, if still on it
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())  # served; the version is kept by now
    cache_reads.clear()

    response = client.get(article.get_absolute_url())

    assert response[HEADER] == "hit"
    assert cache_reads == []


def test_a_version_announced_by_another_server_is_heard_at_once(redis_up, client):
    from blog.models import Article

    article = ArticleFactory(title="Before")
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())[HEADER] == "hit"

    Article.objects.filter(pk=article.pk).update(title="After")  # no signal: elsewhere
    _other_server_changes_version()
    _wait_for_announcement()

    response = client.get(article.get_absolute_url())
    assert response[HEADER] == "miss"
    assert "After" in response.text


def test_a_lost_announcement_is_made_up_for_by_reading_the_version_again(
    redis_up, client, monkeypatch
):
    from blog.models import Article
    from core import caching
    from core.caching import VERSION_KEY, _new_version

    article = ArticleFactory(title="Before")
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="After")
    cache.set(VERSION_KEY, _new_version())  # changed, never announced

    monkeypatch.setattr(caching, "KEEP_VERSION_SECONDS", 0)
    response = client.get(article.get_absolute_url())

    assert "After" in response.text


def test_a_cut_subscription_is_made_again_without_turning_the_cache_off(redis_up, client, caplog):
    import redis as redis_lib

    from blog.models import Article
    from core.caching import VERSION_KEY, _new_version

    article = ArticleFactory(title="Before")
    client.get(article.get_absolute_url())
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="After")
    cache.set(VERSION_KEY, _new_version())  # announced while the subscription was cut
    redis_lib.Redis.from_url(REDIS_URL).client_kill_filter(_type="pubsub")

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        first = client.get(article.get_absolute_url())
        again = client.get(article.get_absolute_url())

    assert "After" in first.text
    assert first[HEADER] == "miss"  # from the database, and stored: the cache is on
    assert again[HEADER] == "hit"
    assert not any("unreachable" in r.getMessage() for r in caplog.records)


ACL_USER = "broadsheet-tests-no-channels"


@pytest.fixture
def redis_without_channels(redis_up):
    """A Redis user allowed keys and commands but no pub/sub channel (Redis 7's default
    for a new ACL user)."""
    import redis as redis_lib

    admin = redis_lib.Redis.from_url(REDIS_URL)
    try:
        admin.execute_command(
            "ACL", "SETUSER", ACL_USER, "on", ">pw", "~*", "+@all", "resetchannels"
        )
    except redis_lib.ResponseError:
        pytest.skip("this Redis has no ACLs")
    _redis_cache(redis_up, f"redis://{ACL_USER}:pw@127.0.0.1:6379/4")
    yield redis_up
    admin.execute_command("ACL", "DELUSER", ACL_USER)


def test_redis_refusing_pub_sub_still_serves_and_keeps_pages(
    redis_without_channels, client, caplog, django_capture_on_commit_callbacks
):
    from blog.services import article_save

    article = ArticleFactory(title="Before")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        first = client.get(article.get_absolute_url())
        second = client.get(article.get_absolute_url())
        article.title = "After"
        with django_capture_on_commit_callbacks(execute=True):
            article_save(article=article)
        third = client.get(article.get_absolute_url())

    assert first.status_code == second.status_code == third.status_code == 200
    assert second[HEADER] == "hit"
    assert "After" in third.text  # the version is read on every request instead
    refusals = [r for r in caplog.records if "refused to subscribe" in r.getMessage()]
    assert len(refusals) == 1


def test_a_version_read_before_an_announcement_is_not_kept(redis_up):
    """Two threads of one process: A reads the version, another server announces a new
    one, thread C hears it, reads and keeps the new one; A's older read must not win."""
    from core.caching import VERSION_KEY, _known_version, ensure_site_version, read_many

    ensure_site_version(None)
    _known_version.get()
    _known_version.get()
    _, generation_a = _known_version.get()
    read_by_a = read_many([VERSION_KEY])[VERSION_KEY]
    _other_server_changes_version()
    _wait_for_announcement()
    _, generation_c = _known_version.get()  # thread C drains the announcement
    read_by_c = read_many([VERSION_KEY])[VERSION_KEY]
    _known_version.keep(read_by_c, generation_c)

    _known_version.keep(read_by_a, generation_a)

    kept, _ = _known_version.get()
    assert kept is not None and kept["token"] == read_by_c["token"] != read_by_a["token"]


def test_a_process_copy_lives_no_longer_than_the_cache_keeps_a_page(redis_up, client, settings):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())[HEADER] == "hit"
    cache.delete_many([key.split(":", 2)[2] for key in _page_keys()])  # expired in Redis
    settings.PAGE_CACHE_SECONDS = 0
    time.sleep(0.01)

    assert client.get(article.get_absolute_url())[HEADER] == "miss"


def _page_keys():
    import redis as redis_lib

    return [
        key.decode()
        for key in redis_lib.Redis.from_url(REDIS_URL).keys("broadsheet-tests:*pagecache:page:*")
    ]
