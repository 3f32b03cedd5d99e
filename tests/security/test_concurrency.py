"""Bursts from many clients at once land exactly once (PostgreSQL, against a live server).

SQLite takes one writer at a time, so these races cannot happen there; they run only
when DATABASE_URL names PostgreSQL (`make test-postgres`).
"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections
from django.test.testcases import LiveServerThread
from django.urls import reverse

from comments.models import Comment
from newsletter import services as newsletter_services
from newsletter.models import Delivery, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency needs PostgreSQL (SQLite serialises writers); run make test-postgres",
    ),
    pytest.mark.django_db(transaction=True),
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One reader's browser: its own cookies, its own address (through the proxy header)."""

    def __init__(self, base_url: str, address: str):
        self.base_url = base_url
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect
        )

    def _open(self, path, data=None):
        request = urllib.request.Request(  # noqa: S310 (the test's own http:// server)
            self.base_url + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={"X-Forwarded-For": self.address},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def visit(self, path) -> None:
        """Open the page with the form first, as a reader does (public forms carry no
        token: the cross-origin check protects them, README "Forms without tokens")."""
        status, _ = self._open(path)
        assert status == 200, (path, status)

    def post(self, path, data):
        return self._open(path, data)[0]


class _WideServer(ThreadedWSGIServer):
    # Django's test server queues 10 connections; a burst of 50 would be reset.
    request_queue_size = 128


class _WideServerThread(LiveServerThread):
    server_class = _WideServer


@pytest.fixture
def burst_server(transactional_db):
    """A live server on its own thread (one thread per request) that takes a burst."""
    thread = _WideServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield type("LiveServer", (), {"url": f"http://127.0.0.1:{thread.port}"})
    thread.terminate()


@pytest.fixture
def proxied(settings):
    # Every browser comes from 127.0.0.1; the header tells them apart, as a proxy would.
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"


def _at_once(count, prepare, fire):
    """Prepare `count` browsers one by one, then fire all of them at the same moment."""
    prepared = [prepare(n) for n in range(count)]
    start = threading.Barrier(count)

    def go(item):
        start.wait()
        try:
            return fire(item)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, prepared))


def test_fifty_parallel_comments_are_all_stored_exactly_once(burst_server, proxied):
    article = ArticleFactory()
    page = article.get_absolute_url()
    post_path = reverse("comments:post", args=[article.pk])

    def prepare(n):
        browser = Browser(burst_server.url, f"198.51.100.{n + 1}")
        browser.visit(page)
        return browser, {
            "comment": f"Parallel comment number {n}",
            "author": f"Reader {n}",
            "email": f"reader{n}@example.net",
            "url": "",
            "comment_parent": "0",
        }

    statuses = _at_once(50, prepare, lambda item: item[0].post(post_path, item[1]))

    assert statuses == [303] * 50
    bodies = list(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert sorted(bodies) == sorted(f"Parallel comment number {n}" for n in range(50))


def test_twenty_parallel_signups_of_one_address_make_one_subscriber_and_one_email(
    burst_server, proxied, mailoutbox
):
    subscribe = reverse("newsletter:subscribe")

    def prepare(n):
        browser = Browser(burst_server.url, f"203.0.113.{n + 1}")
        browser.visit(subscribe)
        return browser, {"email": "Same.Person@Example.org"}

    statuses = _at_once(20, prepare, lambda item: item[0].post(subscribe, item[1]))

    assert statuses == [303] * 20
    assert Subscriber.objects.count() == 1
    assert [message.to for message in mailoutbox] == [["Same.Person@example.org"]]


def test_two_workers_sending_one_newsletter_at_once_send_each_email_once(mailoutbox, settings):
    settings.NEWSLETTER_BATCH_SIZE = 7  # many small claims, so the workers interleave
    subscribers = SubscriberFactory.create_batch(60, confirmed=True)
    article = ArticleFactory()
    mailoutbox.clear()

    results = _at_once(
        2, lambda n: n, lambda _: newsletter_services.newsletter_send(article=article)
    )

    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted(subscriber.email for subscriber in subscribers)
    assert sum(result.sent for result in results if result) == 60
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 60


def test_one_comment_sent_ten_times_at_once_is_stored_once(burst_server, proxied):
    # A double (or tenfold) click, or a client retrying: the flood limit, counted with an
    # atomic cache increment, lets exactly one through whatever the timing; the others
    # are told to wait (429) or, once the first is stored, that it is a duplicate (400).
    article = ArticleFactory()
    page = article.get_absolute_url()
    post_path = reverse("comments:post", args=[article.pk])

    def prepare(n):
        browser = Browser(burst_server.url, f"192.0.2.{n + 1}")
        browser.visit(page)
        return browser, {
            "comment": "The same words, sent again and again",
            "author": "Impatient Reader",
            "email": "impatient@example.net",
        }

    statuses = _at_once(10, prepare, lambda item: item[0].post(post_path, item[1]))

    assert statuses.count(303) == 1
    assert set(statuses) <= {303, 400, 429}
    assert Comment.objects.filter(article=article).count() == 1
