"""deploy/nginx/broadsheet.conf in front of the site: what a reader gets through it.

Each test starts Debian's nginx (`/usr/sbin/nginx`, skipped where it is absent) with the
shipped files filled in as deploy/serve-behind-nginx.sh fills them — standalone.conf
around broadsheet.conf, under a directory of the test's own, on a free loopback port —
in front of pytest-django's live server (the site in this process, on the test
database). nginx's `X-Cache-Status` header says where an answer came from: MISS (asked
the site), HIT (the cache), BYPASS (asked the site because the request carries the
session cookie), STALE (an expired copy, while nginx refreshes it in the background).
"""

import gzip
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.factories.blog import ArticleFactory, UserFactory
from tests.factories.comments import CommentFactory
from tests.factories.media import ImageFactory

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
SITE_CONF = ROOT / "deploy" / "nginx" / "broadsheet.conf"
STANDALONE_CONF = ROOT / "deploy" / "nginx" / "standalone.conf"

pytestmark = [
    pytest.mark.nginx,
    pytest.mark.skipif(
        not NGINX.exists(),
        reason=f"{NGINX} is absent: apt-get install nginx (.ci/run does)",
    ),
]


@dataclass
class Answer:
    status: int
    headers: HTTPMessage
    body: bytes

    @property
    def cache_status(self) -> str | None:
        return self.headers["X-Cache-Status"]

    @property
    def text(self) -> str:
        if self.headers["Content-Encoding"] == "gzip":
            return gzip.decompress(self.body).decode()
        return self.body.decode()


class Proxy:
    """The nginx in front of the live server, as a client sees it."""

    def __init__(self, port: int):
        self.port = port

    def request(
        self,
        method: str,
        path: str,
        *,
        gzip: bool = False,
        cookie: str | None = None,
        headers: dict | None = None,
        body: bytes = b"",
    ) -> Answer:
        sent = dict(headers or {})
        if gzip:
            sent["Accept-Encoding"] = "gzip"
        if cookie:
            sent["Cookie"] = cookie
        connection = HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            # http.client sends `Accept-Encoding: identity` unless told otherwise.
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders(body or None)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fill(template: str, **values: str) -> str:
    for name, value in values.items():
        placeholder = f"@{name.upper()}@"
        assert placeholder in template, f"{placeholder} is not in {SITE_CONF.name}"
        template = template.replace(placeholder, value)
    assert not re.search(r"@[A-Z_]+@", template), "a placeholder was left unfilled"
    return template


@pytest.fixture
def static_root(tmp_path) -> Path:
    """STATIC_ROOT as nginx sees it: files the site itself does not have."""
    root = tmp_path / "static"
    root.mkdir()
    return root


@pytest.fixture
def proxy(live_server, static_root, tmp_path, settings):
    """nginx with the shipped configuration, in front of the live server."""
    # Production's settings for what nginx sees: pages cached by Django too, and a
    # short shared lifetime so that tests of expiry stay short.
    settings.PAGE_CACHE = True
    settings.SHARED_CACHE_SECONDS = 1
    upstream = urlsplit(live_server.url)
    yield from _nginx(tmp_path, upstream.port, static_root, settings.MEDIA_ROOT)


@pytest.fixture
def proxy_without_app(static_root, tmp_path, settings):
    """nginx with the shipped configuration, in front of an app that is not running."""
    yield from _nginx(tmp_path, _free_port(), static_root, settings.MEDIA_ROOT)


def _nginx(tmp_path, upstream_port, static_root, media_root):
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    port = _free_port()
    (run_dir / "nginx.conf").write_text(STANDALONE_CONF.read_text())
    (run_dir / "broadsheet.conf").write_text(
        _fill(
            SITE_CONF.read_text(),
            listen=f"127.0.0.1:{port}",
            server_name="_",
            upstream=f"127.0.0.1:{upstream_port}",
            static_root=str(static_root),
            cache_dir=str(run_dir / "cache"),
            media_root=str(media_root).rstrip("/"),
        )
    )
    # As root, workers would otherwise run as nobody, who cannot enter tmp_path.
    globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        [
            str(NGINX),
            "-p",
            f"{run_dir}/",
            "-c",
            str(run_dir / "nginx.conf"),
            "-e",
            str(run_dir / "error.log"),
            "-g",
            globals_,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, run_dir / "error.log")
        yield Proxy(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    shutil.rmtree(run_dir, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen, error_log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = error_log.read_text() if error_log.exists() else ""
            pytest.fail(f"nginx exited with {process.returncode}:\n{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail("nginx did not listen within 10 s")


def _reader_pages() -> list[str]:
    article = ArticleFactory(title="Procurement, explained")
    return [
        reverse("blog:article-list"),
        article.get_absolute_url(),
        reverse("blog:feed"),
        reverse("blog:sitemap"),
        reverse("blog:robots"),
    ]


def test_second_anonymous_request_of_a_reader_page_is_a_cache_hit(proxy):
    for path in _reader_pages():
        first = proxy.get(path, gzip=True)
        second = proxy.get(path, gzip=True)

        assert first.status == 200, path
        assert first.cache_status == "MISS", path
        assert second.cache_status == "HIT", path
        assert second.body == first.body, path
        assert "public" in second.headers["Cache-Control"], path
        assert "s-maxage=1" in second.headers["Cache-Control"], path
        assert second.headers["Set-Cookie"] is None, path


@pytest.fixture
def session_cookie(client):
    """The cookie of a staff member signed in to /admin/. (Not the `editor` fixture: its
    group comes from a migration, and the live server's tests flush the database.)"""
    client.force_login(UserFactory(is_staff=True))
    return f"sessionid={client.cookies['sessionid'].value}"


def test_a_signed_in_editor_is_never_served_the_cached_copy(proxy, session_cookie):
    path = ArticleFactory().get_absolute_url()
    proxy.get(path, gzip=True)
    assert proxy.get(path, gzip=True).cache_status == "HIT"

    as_editor = proxy.get(path, gzip=True, cookie=session_cookie)

    assert as_editor.status == 200
    assert as_editor.cache_status == "BYPASS"
    assert "private" in as_editor.headers["Cache-Control"]


def test_what_an_editor_was_served_is_not_stored_for_readers(proxy, session_cookie):
    path = ArticleFactory().get_absolute_url()

    assert proxy.get(path, gzip=True, cookie=session_cookie).cache_status == "BYPASS"
    reader = proxy.get(path, gzip=True)

    assert reader.cache_status == "MISS"
    assert "private" not in reader.headers["Cache-Control"]


def test_any_session_cookie_bypasses_the_cache_even_a_stale_one(proxy):
    # nginx cannot tell a live session from an expired one: the app decides, uncached.
    path = ArticleFactory().get_absolute_url()
    proxy.get(path, gzip=True)

    answer = proxy.get(path, gzip=True, cookie="sessionid=no-such-session")

    assert answer.cache_status == "BYPASS"


def test_other_cookies_still_get_the_shared_copy(proxy):
    path = ArticleFactory().get_absolute_url()
    proxy.get(path, gzip=True)

    answer = proxy.get(path, gzip=True, cookie="csrftoken=abc; _ga=GA1.1.1")

    assert answer.cache_status == "HIT"


def test_a_private_answer_is_never_cached(proxy):
    article = ArticleFactory(title="Procurement, explained")
    comment = CommentFactory(article=article, approved=True)
    paths = [
        reverse("blog:article-list") + "?s=procurement",
        f"{article.get_absolute_url()}?replytocom={comment.pk}",
    ]
    for path in paths:
        first = proxy.get(path, gzip=True)
        second = proxy.get(path, gzip=True)

        assert "private" in first.headers["Cache-Control"], path
        assert first.cache_status == "MISS", path
        assert second.cache_status == "MISS", path


def test_gzip_for_clients_that_accept_it_plain_bytes_for_the_others(proxy):
    title = "Procurement, explained"
    path = ArticleFactory(title=title).get_absolute_url()

    plain = proxy.get(path)
    zipped = proxy.get(path, gzip=True)
    plain_again = proxy.get(path)
    zipped_again = proxy.get(path, gzip=True)

    for answer in (plain, plain_again):
        assert answer.headers["Content-Encoding"] is None
        assert answer.body.lstrip().lower().startswith(b"<!doctype html")
        assert title in answer.text
    for answer in (zipped, zipped_again):
        assert answer.headers["Content-Encoding"] == "gzip"
        assert title in answer.text
    assert plain_again.cache_status == zipped_again.cache_status == "HIT"
    assert "Accept-Encoding" in ", ".join(zipped.headers.get_all("Vary"))


def test_a_cached_page_answers_a_matching_etag_with_304(proxy):
    path = ArticleFactory().get_absolute_url()
    etag = proxy.get(path, gzip=True).headers["ETag"]

    answer = proxy.get(path, gzip=True, headers={"If-None-Match": etag})

    assert etag
    assert answer.status == 304
    assert answer.body == b""


def test_static_files_come_from_disk_gzipped_beside_them(proxy, static_root):
    css = b"body { color: #111; }\n" * 40
    (static_root / "css").mkdir()
    (static_root / "css" / "probe.0123456789ab.css").write_bytes(css)
    (static_root / "css" / "probe.0123456789ab.css.gz").write_bytes(gzip.compress(css))
    (static_root / "css" / "probe.css").write_bytes(css)

    zipped = proxy.get("/static/css/probe.0123456789ab.css", gzip=True)
    plain = proxy.get("/static/css/probe.0123456789ab.css")
    unhashed = proxy.get("/static/css/probe.css", gzip=True)
    missing = proxy.get("/static/css/absent.0123456789ab.css")

    # The site has no such files: only nginx, reading static_root, can answer them.
    assert zipped.status == plain.status == unhashed.status == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == css
    assert plain.headers["Content-Encoding"] is None
    assert plain.body == css
    assert zipped.headers["Content-Type"] == "text/css"
    assert zipped.headers["Cache-Control"] == "public, max-age=315360000, immutable"
    assert unhashed.headers["Cache-Control"] == "public, max-age=60"
    assert zipped.cache_status is None  # never proxied
    assert missing.status == 404
    assert missing.cache_status is None


def test_a_new_article_shows_through_nginx_within_the_shared_lifetime(proxy, settings):
    home = reverse("blog:article-list")
    ArticleFactory(title="Earlier news")
    proxy.get(home, gzip=True)
    assert proxy.get(home, gzip=True).cache_status == "HIT"

    ArticleFactory(title="The proxy caught up")
    published = time.monotonic()
    # nginx counts a lifetime in whole seconds from the second it stored the copy, so a
    # copy lives up to one second longer; the first request after that is answered from
    # the expired copy (STALE) while nginx refreshes it.
    deadline = published + settings.SHARED_CACHE_SECONDS + 2
    seen = []
    while time.monotonic() < deadline:
        answer = proxy.get(home, gzip=True)
        seen.append(answer.cache_status)
        if "The proxy caught up" in answer.text:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the new article did not show within the deadline; nginx said {seen}")

    assert "Earlier news" in answer.text


def test_a_body_over_one_mebibyte_is_refused_before_the_site_sees_it(proxy):
    answer = proxy.request(
        "POST",
        reverse("blog:article-list"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(1024 * 1024 + 1),
        },
    )

    assert answer.status == 413
    assert answer.headers["Server"] == "nginx"  # no version (server_tokens off)


@pytest.mark.django_db
def test_a_rendition_is_a_file_nginx_serves_with_the_app_stopped(proxy_without_app, settings):
    image = ImageFactory()
    (avif,) = [
        r for r in image.renditions if (r["format"], r["width"], r["crop"]) == ("avif", 480, "")
    ]
    url = default_storage.url(avif["name"])

    answer = proxy_without_app.get(url)
    page = proxy_without_app.get(reverse("blog:article-list"))

    # Nothing listens where the app should be: only nginx, reading MEDIA_ROOT, answers.
    assert page.status == 502
    assert answer.status == 200
    assert answer.body == (Path(settings.MEDIA_ROOT) / avif["name"]).read_bytes()
    assert answer.headers["Content-Type"] == "image/avif"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert proxy_without_app.get(url.replace("480w", "481w")).status == 404


def test_an_upload_to_the_media_library_may_be_larger_than_other_bodies(proxy):
    # A 2 MiB file part, as the upload form sends it.
    body = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="upload"; filename="photo.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + b"x" * (2 * 1024 * 1024) + b"\r\n--b--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(len(body))}

    library = proxy.request("POST", reverse("admin:media_image_add"), headers=headers, body=body)
    elsewhere = proxy.request("POST", reverse("blog:article-list"), headers=headers, body=body)

    # Past nginx and the app's body cap; then refused as any form post without a signed-in
    # editor's token is (403).
    assert library.status == 403
    assert elsewhere.status == 413
