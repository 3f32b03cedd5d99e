"""Attachments: fetched only from where they may come, stored through the media library,
and the bodies pointing at them rewritten to the library's pictures."""

import io
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from PIL import Image as PillowImage

from media import body as media_body
from media.models import Image
from tests.factories.blog import ArticleFactory
from tests.factories.media import ImageFactory, picture_bytes
from tests.media.test_stripping import TELL_TALES, _phone_exif
from wordpress.attachments import (
    AttachmentSource,
    AttachmentUnavailable,
    import_picture,
    rewrite_pictures,
)
from wordpress.content import convert_body

UPLOAD = "https://old.example/wp-content/uploads/2020/01/boat.jpg"


# --- A web server of our own, on 127.0.0.1 ----------------------------------------------


class _Site:
    def __init__(self, server: ThreadingHTTPServer):
        self.server = server
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hosts: list[str] = []
        self.release = threading.Event()  # what a slow route waits for

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def site():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.hosts.append(self.headers["Host"])
            if self.path == "/slow.jpg":
                served.release.wait(10)
                return
            status, headers, content = served.routes.get(self.path, (404, {}, b"gone"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a handshake the client refuses is what the TLS test expects

    server = Server(("127.0.0.1", 0), Handler)
    served = _Site(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    served.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def _source(**options) -> AttachmentSource:
    options.setdefault("media_dir", None)
    options.setdefault("download", True)
    return AttachmentSource(**options)


# --- From the uploads folder ------------------------------------------------------------


def test_fetch_reads_the_copy_of_the_uploads_folder_first(tmp_path):
    (tmp_path / "2020" / "01").mkdir(parents=True)
    (tmp_path / "2020" / "01" / "boat.jpg").write_bytes(b"the boat")

    source = AttachmentSource(media_dir=tmp_path, download=False)

    assert source.fetch(UPLOAD) == b"the boat"


def test_fetch_without_the_file_and_without_download_says_so(tmp_path):
    source = AttachmentSource(media_dir=tmp_path, download=False)

    with pytest.raises(AttachmentUnavailable, match="downloading is off"):
        source.fetch(UPLOAD)


@pytest.mark.parametrize(
    "url",
    [
        "https://old.example/wp-content/uploads/../../secret.txt",
        "https://old.example/wp-content/uploads/2020/%2e%2e/%2e%2e/../secret.txt",
        "https://old.example/wp-content/uploads/2020/..%2f..%2f..%2fsecret.txt",
        "https://old.example/wp-content/uploads/outside/secret.txt",  # a link out
    ],
)
def test_fetch_refuses_a_path_out_of_the_uploads_folder(tmp_path, url):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (tmp_path / "secret.txt").write_bytes(b"secret")
    (uploads / "outside").symlink_to(tmp_path)

    source = AttachmentSource(media_dir=uploads, download=True)

    with pytest.raises(AttachmentUnavailable, match="leaves the media folder"):
        source.fetch(url)


def test_fetch_reads_an_absolute_looking_path_inside_the_uploads_folder(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_bytes(b"inside")

    source = AttachmentSource(media_dir=tmp_path, download=False)

    assert source.fetch("https://old.example/wp-content/uploads/%2Fetc%2Fpasswd") == b"inside"


def test_fetch_refuses_other_schemes(tmp_path):
    with pytest.raises(AttachmentUnavailable, match="only http and https"):
        AttachmentSource(media_dir=tmp_path, download=True).fetch("file:///etc/passwd")


# --- From the web -----------------------------------------------------------------------


def test_fetch_downloads_from_an_allowed_local_host(site):
    site.routes["/pic.jpg"] = (200, {"Content-Type": "image/jpeg"}, b"picture bytes")

    source = _source(allowed_hosts=frozenset({"127.0.0.1"}))

    assert source.fetch(site.url("/pic.jpg")) == b"picture bytes"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/pic.jpg",
        "http://localhost:{port}/pic.jpg",
        "http://[::1]:{port}/pic.jpg",
        "http://10.1.2.3/pic.jpg",
        "http://192.168.1.10/pic.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/pic.jpg",
        "http://2130706433:{port}/pic.jpg",  # 127.0.0.1 written as one number
        "http://0.0.0.0:{port}/pic.jpg",
    ],
)
def test_fetch_refuses_private_and_local_addresses_unless_allowed(site, url):
    site.routes["/pic.jpg"] = (200, {}, b"internal")

    with pytest.raises(AttachmentUnavailable, match="private or local address"):
        _source().fetch(url.format(port=site.port))
    assert site.hosts == []  # never even asked


def test_fetch_connects_to_the_address_it_checked(site, monkeypatch):
    real = socket.getaddrinfo
    lookups = []

    def resolve(host, port, *args, **kwargs):
        if host == "media.example":
            lookups.append(host)
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    site.routes["/pic.jpg"] = (200, {}, b"picture bytes")

    source = _source(allowed_hosts=frozenset({"media.example"}))

    assert source.fetch(site.url("/pic.jpg", host="media.example")) == b"picture bytes"
    assert lookups == ["media.example"]  # resolved once, by the check
    assert site.hosts == [f"media.example:{site.port}"]


@pytest.fixture
def tls_site(site, monkeypatch, tmp_path):
    """`site` over TLS, with a certificate for media.example, which resolves to 127.0.0.1;
    the certificate's authority is trusted as a public one would be."""
    ca = trustme.CA()
    ca.issue_cert("media.example").configure_cert(context := ssl.create_default_context(
        ssl.Purpose.CLIENT_AUTH))  # fmt: skip
    site.server.socket = context.wrap_socket(site.server.socket, server_side=True)
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        host = "127.0.0.1" if host.endswith(".example") else host
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return site


def test_fetch_over_https_checks_the_certificate_against_the_host_name(tls_site):
    tls_site.routes["/pic.jpg"] = (200, {}, b"picture bytes")
    source = _source(allowed_hosts=frozenset({"media.example", "other.example"}))

    fetched = source.fetch(f"https://media.example:{tls_site.port}/pic.jpg")

    assert fetched == b"picture bytes"
    with pytest.raises(AttachmentUnavailable, match="could not be downloaded"):
        source.fetch(f"https://other.example:{tls_site.port}/pic.jpg")
    assert tls_site.hosts == [f"media.example:{tls_site.port}"]


def test_fetch_refuses_a_name_that_resolves_to_a_private_address(monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        host = "10.0.0.7" if host == "innocent.example" else host
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    with pytest.raises(AttachmentUnavailable, match=r"private or local address \(10\.0\.0\.7\)"):
        _source().fetch("https://innocent.example/wp-content/uploads/a.jpg")


def test_fetch_follows_a_redirect_within_allowed_hosts(site):
    site.routes["/moved.jpg"] = (301, {"Location": "/pic.jpg"}, b"")
    site.routes["/pic.jpg"] = (200, {}, b"picture bytes")

    source = _source(allowed_hosts=frozenset({"127.0.0.1"}))

    assert source.fetch(site.url("/moved.jpg")) == b"picture bytes"


def test_fetch_refuses_a_redirect_to_a_host_not_allowed(site):
    site.routes["/moved.jpg"] = (302, {"Location": site.url("/pic.jpg", host="localhost")}, b"")
    site.routes["/pic.jpg"] = (200, {}, b"picture bytes")

    source = _source(allowed_hosts=frozenset({"127.0.0.1"}))

    with pytest.raises(AttachmentUnavailable, match="private or local address"):
        source.fetch(site.url("/moved.jpg"))
    assert site.hosts == [f"127.0.0.1:{site.port}"]


def test_fetch_gives_up_after_a_few_redirects(site):
    site.routes["/loop.jpg"] = (302, {"Location": "/loop.jpg"}, b"")

    with pytest.raises(AttachmentUnavailable, match="redirects"):
        _source(allowed_hosts=frozenset({"127.0.0.1"})).fetch(site.url("/loop.jpg"))


def test_fetch_reports_the_status_of_a_missing_file(site):
    with pytest.raises(AttachmentUnavailable, match="the server answered 404"):
        _source(allowed_hosts=frozenset({"127.0.0.1"})).fetch(site.url("/nothing.jpg"))


def test_fetch_stops_waiting_for_a_server_that_does_not_answer(site):
    source = _source(allowed_hosts=frozenset({"127.0.0.1"}), timeout=0.2)

    with pytest.raises(AttachmentUnavailable, match=r"no answer within 0\.2 seconds"):
        source.fetch(site.url("/slow.jpg"))


@pytest.mark.parametrize("declared", [True, False])
def test_fetch_refuses_a_file_larger_than_the_cap(site, declared):
    headers = {"Content-Length": "5000"} if declared else {}
    site.routes["/huge.jpg"] = (200, headers, b"x" * 5000)

    source = _source(allowed_hosts=frozenset({"127.0.0.1"}), max_bytes=1000)

    with pytest.raises(AttachmentUnavailable, match="larger than 1000 bytes"):
        source.fetch(site.url("/huge.jpg"))


def test_fetch_refuses_a_large_file_in_the_uploads_folder(tmp_path):
    (tmp_path / "2020" / "01").mkdir(parents=True)
    (tmp_path / "2020" / "01" / "boat.jpg").write_bytes(b"x" * 5000)

    source = AttachmentSource(media_dir=tmp_path, download=False, max_bytes=1000)

    with pytest.raises(AttachmentUnavailable, match="larger than 1000 bytes"):
        source.fetch(UPLOAD)


# --- Into the media library -------------------------------------------------------------


@pytest.mark.django_db
def test_import_picture_goes_through_the_media_pipeline(run_on_commit, editor):
    data = picture_bytes(1200, 800, exif=_phone_exif())

    described = {"title": "Boat", "alt": "A boat at dawn", "caption": "The <em>boat</em> at dawn"}

    image = run_on_commit(
        lambda: import_picture(data=data, filename="boat.jpg", uploaded_by=editor, **described)
    )

    image.refresh_from_db()
    assert (image.title, image.alt_text, image.caption) == (
        "Boat",
        "A boat at dawn",
        "The boat at dawn",
    )
    assert image.uploaded_by == editor
    assert (image.width, image.height) == (1200, 800)
    assert image.renditions  # made after commit, as for an upload
    with image.file.open("rb") as stored:
        content = stored.read()
    assert not any(tell_tale in content for tell_tale in TELL_TALES)
    with PillowImage.open(io.BytesIO(content)) as picture:
        assert picture.size == (1200, 800)


@pytest.mark.django_db
def test_import_picture_again_updates_the_same_picture():
    data = picture_bytes(800, 600)
    first = import_picture(data=data, filename="a.jpg", title="A", alt="", caption="")
    assert first.alt_text == "A"  # the title stands in for the missing alt text

    again = import_picture(
        data=data, filename="a.jpg", title="A", alt="Now described", caption="", existing=first
    )

    assert again.pk == first.pk
    assert Image.objects.get().alt_text == "Now described"


@pytest.mark.django_db
def test_import_picture_with_a_changed_file_makes_a_new_picture_and_keeps_the_old():
    first = import_picture(
        data=picture_bytes(800, 600), filename="a.jpg", title="A", alt="A", caption=""
    )

    changed = import_picture(
        data=picture_bytes(900, 600), filename="a.jpg", title="A", alt="A", caption="",
        existing=first,
    )  # fmt: skip

    assert changed.pk != first.pk
    assert Image.objects.count() == 2


@pytest.mark.django_db
def test_import_picture_refused_by_the_library_is_unavailable(stored_files):
    with pytest.raises(AttachmentUnavailable, match="not a picture we can take"):
        import_picture(data=b"%PDF-1.4 not a picture", filename="a.jpg", title="A", alt="",
                       caption="")  # fmt: skip
    assert not Image.objects.exists()
    assert stored_files() == set()


@pytest.fixture
def stored_files(settings):
    def files() -> set[str]:
        root = Path(settings.MEDIA_ROOT)
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    return files


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


# --- Bodies -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_rewrite_puts_the_library_picture_in_place_of_any_size_of_the_upload():
    image = ImageFactory()
    converted = convert_body(
        "Before.\n\n"
        '[caption id="attachment_5"]<a href="http://old.example/wp-content/uploads/2020/01/'
        'boat.jpg"><img src="http://old.example/wp-content/uploads/2020/01/boat-300x200.jpg"'
        ' alt="Boat" /></a> At <em>dawn</em>[/caption]\n\nAfter.'
    )

    html, missing = rewrite_pictures(converted.html, {UPLOAD: image})

    assert html == (
        "<p>Before.</p>\n"
        f'<figure data-media-id="{image.pk}"><figcaption>At <em>dawn</em></figcaption></figure>\n'
        "<p>After.</p>"
    )
    assert missing == []
    assert media_body.ids_in(html) == {image.pk}
    assert ArticleFactory(body=html).body == html  # saving keeps it as it is


@pytest.mark.django_db
def test_rewritten_picture_shows_on_the_article_page(client):
    image = ImageFactory(caption="")
    html, _ = rewrite_pictures(
        convert_body(f'<img src="{UPLOAD}" alt="Boat">').html, {UPLOAD: image}
    )
    article = ArticleFactory(body=html)

    page = client.get(article.get_absolute_url()).content.decode()

    assert f'alt="{image.alt_text}"' in page
    assert "old.example" not in page


def test_rewrite_removes_a_picture_that_is_not_in_the_library():
    converted = convert_body(
        "<p>Before.</p>"
        '[caption id="a"]<img src="https://old.example/wp-content/uploads/2020/01/gone.jpg" />'
        " Lost at sea[/caption]"
        '<p>Inline <img src="https://elsewhere.example/x.png"> picture.</p>'
    )

    html, missing = rewrite_pictures(converted.html, {})

    assert "<img" not in html and "<figure" not in html
    assert html == "<p>Before.</p>\n<p>Lost at sea</p>\n<p>Inline</p>\n<p>picture.</p>"
    assert missing == [
        "https://old.example/wp-content/uploads/2020/01/gone.jpg",
        "https://elsewhere.example/x.png",
    ]


@pytest.mark.django_db
def test_rewrite_keeps_markers_already_there():
    image = ImageFactory()
    html = f'<p>Text</p>\n<figure data-media-id="{image.pk}"></figure>'

    assert rewrite_pictures(html, {}) == (html, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "src",
    [
        "https://old.example/wp-content/uploads/2020/01/boat.jpg",
        "http://old.example/wp-content/uploads/2020/01/boat-1024x683.jpg",
        "https://old.example/wp-content/uploads/2020/01/boat-scaled.jpg?resize=640",
        "https://i0.wp.com/old.example/wp-content/uploads/2020/01/boat.jpg?w=640",
        "https://www.new-name.example/wp-content/uploads/2020/01/boat-300x200.jpg",
    ],
)
def test_rewrite_knows_the_addresses_of_an_upload(src):
    image = ImageFactory()

    html, missing = rewrite_pictures(
        convert_body(f'<img src="{src}" alt="">').html, {UPLOAD: image}
    )

    assert html == f'<figure data-media-id="{image.pk}"></figure>'
    assert missing == []


def test_rewrite_does_not_take_another_upload_for_the_picture():
    html, missing = rewrite_pictures(
        convert_body('<img src="https://old.example/wp-content/uploads/2020/01/boat2.jpg">').html,
        {UPLOAD: object()},
    )

    assert html == ""
    assert missing == ["https://old.example/wp-content/uploads/2020/01/boat2.jpg"]


@pytest.mark.django_db
def test_rewrite_tells_uploads_apart_whose_names_look_like_sizes():
    base = "https://old.example/wp-content/uploads/2013/03/image-alignment"
    wide, small = ImageFactory(), ImageFactory()
    pictures = {f"{base}-1200x4002.jpg": wide, f"{base}-150x150.jpg": small}
    converted = convert_body(
        f'<img src="{base}-1200x4002.jpg"><img src="{base}-150x150.jpg">'
        f'<img src="{base}-1200x4002-300x100.jpg">'
    )

    html, _ = rewrite_pictures(converted.html, pictures)

    assert media_body.ids_in(html) == {wide.pk, small.pk}
    assert [int(match["id"]) for match in media_body.MARKER.finditer(html)] == [
        wide.pk,
        small.pk,
        wide.pk,
    ]
