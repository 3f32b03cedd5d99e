"""Faults: Redis down (serve from the database, logged) and PostgreSQL down (a 503 page)."""

import logging
import shutil
import signal
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.urls import reverse

from blog.services import article_save
from core import cache as failsoft
from core.ratelimit import Limit, hit
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket closes


def _redis_cache(settings, port, *, timeout=0.3):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "broadsheet-tests",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


@pytest.fixture(autouse=True)
def _fresh_breakers():
    failsoft._breakers.clear()
    yield
    failsoft._breakers.clear()


@pytest.fixture
def redis_down(page_cache):
    _redis_cache(page_cache, _free_port())
    return page_cache


@pytest.fixture
def own_redis(page_cache):
    """A Redis server of the test's own, which the test can pause (an unreachable server
    that keeps its data) and resume."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own arguments)
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the test's Redis server did not start")
            time.sleep(0.02)
    # Generous timeouts: on a busy machine a server just started may be slow to answer,
    # and that must not count as an outage.
    _redis_cache(page_cache, port, timeout=2.0)
    yield server
    server.send_signal(signal.SIGCONT)
    server.kill()
    server.wait()


def test_pages_are_served_from_the_database_while_redis_is_down(redis_down, client, caplog):
    article = ArticleFactory(title="Still readable")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        first = client.get(article.get_absolute_url())
        second = client.get(article.get_absolute_url())
        home = client.get(reverse("blog:article-list"))

    assert first.status_code == second.status_code == home.status_code == 200
    assert "Still readable" in second.text
    outage_logs = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_logs) == 1  # logged once per outage, not once per call


def test_rate_limits_fail_open_while_redis_is_down(redis_down):
    assert hit("comment", "127.0.0.1", Limit(count=1, seconds=60)) is None
    assert hit("comment", "127.0.0.1", Limit(count=1, seconds=60)) is None


def test_page_cache_on_redis_serves_a_hit_without_any_query(
    own_redis, client, django_assert_num_queries
):
    article = ArticleFactory(title="Kept in Redis")
    client.get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url())

    assert "Kept in Redis" in response.text


def test_a_change_made_while_redis_was_unreachable_shows_when_it_is_back(
    own_redis, client, caplog, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = ArticleFactory(title="Before the outage")
    client.get(article.get_absolute_url())  # kept in Redis, which keeps it while paused

    own_redis.send_signal(signal.SIGSTOP)
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        article.title = "Changed during the outage"
        with django_capture_on_commit_callbacks(execute=True):
            article_save(article=article)  # the new version cannot be written
        during = client.get(article.get_absolute_url())

        own_redis.send_signal(signal.SIGCONT)
        cache.breaker.down_until = 1.0  # the retry window has passed
        after = client.get(article.get_absolute_url())

    assert during.status_code == 200
    assert "Changed during the outage" in during.text
    assert "Changed during the outage" in after.text
    assert any("reachable again" in r.getMessage() for r in caplog.records)
    client.get(article.get_absolute_url())  # kept again, under the renewed version
    with django_assert_num_queries(0):
        assert "Changed during the outage" in client.get(article.get_absolute_url()).text


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


@pytest.mark.parametrize("path", ["/no.such.thing", "/a/b.c/"])
def test_database_down_address_nothing_answers_is_a_503_not_a_500(client, database_down, path):
    response = client.get(path)

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text


def test_unknown_address_still_gets_the_sites_404_page(client):
    response = client.get("/no.such.thing")

    assert response.status_code == 404
    assert "Nothing lives at this address." in response.text


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
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/broadsheet",
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
