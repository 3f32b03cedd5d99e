"""Uploading to the media library in the admin: what is accepted, and what is refused
with a message at the field, nothing stored."""

import io
import struct
import zlib

import pytest
from django.urls import reverse
from PIL import Image as PillowImage

from media import processing, services
from media.models import Image
from tests.factories.media import ImageFactory, picture_bytes, upload

ADD_URL = "admin:media_image_add"


def _post(client, file, **fields):
    data = {
        "upload": file,
        "title": "Frigate at dawn",
        "alt_text": "A grey frigate at sea",
        "caption": "",
        "credit": "Jane Roe / Agency",
        "focal_x": "0.5",
        "focal_y": "0.5",
        **fields,
    }
    return client.post(reverse(ADD_URL), data)


def test_an_uploaded_jpeg_is_stored_with_its_renditions(chief_client, run_on_commit, stored_files):
    response = run_on_commit(lambda: _post(chief_client, upload(picture_bytes(2000, 1333))))

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.title, image.width, image.height) == ("Frigate at dawn", 2000, 1333)
    assert image.uploaded_by is not None
    assert image.file.name in stored_files()
    made = {(r["format"], r["width"], r["crop"]) for r in image.renditions}
    assert {("jpeg", w, "") for w in (480, 800, 1200, 1600)} <= made
    assert {("avif", w, "") for w in (480, 800, 1200, 1600)} <= made
    assert {r["name"] for r in image.renditions} <= stored_files()


def _png(width: int, height: int, data: bytes) -> bytes:
    """A grey PNG of `width`×`height` pixels whose image data is `data` (compressed)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width`×`height` pixels and holds one row of them."""
    return _png(width, height, zlib.compress(b"\x00" * (width + 1)))


def _png_bomb() -> bytes:
    """A 100-megapixel black PNG of a few hundred kilobytes."""
    width = height = 10_000
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    return _png(width, height, data)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.jpg", lambda: b"", processing.EMPTY_MESSAGE),
        ("page.jpg", lambda: HTML, processing.NOT_AN_IMAGE_MESSAGE),
        (
            "notes.jpg",
            lambda: b"just some text, not a picture\n" * 20,
            processing.NOT_AN_IMAGE_MESSAGE,
        ),
        ("drawing.svg", lambda: SVG, processing.SVG_MESSAGE),
        ("cut.jpg", lambda: picture_bytes(800, 600)[:4000], processing.DAMAGED_MESSAGE),
        ("huge.png", lambda: _png_header(20_000, 10_000), "at most 40 megapixels"),
        ("bomb.png", _png_bomb, "at most 40 megapixels"),
        ("old.bmp", lambda: _bmp(), processing.NOT_AN_IMAGE_MESSAGE),
    ],
)
def test_a_file_that_is_not_a_picture_we_take_is_refused_at_the_field(
    chief_client, stored_files, name, content, message
):
    response = _post(chief_client, upload(content(), name=name))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["upload"])
    assert message in response.text
    assert not Image.objects.exists()
    assert stored_files() == set()


def _bmp() -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (20, 20)).save(out, "BMP")
    return out.getvalue()


def test_a_file_over_the_size_limit_is_refused(chief_client, settings, stored_files):
    settings.MEDIA_MAX_UPLOAD_MB = 1
    big = picture_bytes(1500, 1000, grain=True, quality=95)
    assert len(big) > 1024 * 1024

    response = _post(chief_client, upload(big))

    assert "larger than 1 MB" in " ".join(response.context["adminform"].form.errors["upload"])
    assert not Image.objects.exists()
    assert stored_files() == set()


def test_a_picture_over_the_megapixel_limit_is_refused(chief_client, settings, stored_files):
    settings.MEDIA_MAX_MEGAPIXELS = 1

    response = _post(chief_client, upload(picture_bytes(1500, 1000)))

    assert processing.TOO_MANY_PIXELS_MESSAGE.format(limit=1) in response.text
    assert not Image.objects.exists()
    assert stored_files() == set()


def test_a_refusal_elsewhere_in_the_form_stores_nothing(chief_client, stored_files):
    response = _post(chief_client, upload(picture_bytes()), alt_text="")

    assert response.status_code == 200
    assert "alt_text" in response.context["adminform"].form.errors
    assert not Image.objects.exists()
    assert stored_files() == set()


def test_the_same_picture_twice_is_refused_naming_the_first(chief_client, stored_files):
    content = picture_bytes()
    ImageFactory(title="Harbour", file=upload(content))
    before = stored_files()

    response = _post(chief_client, upload(content))

    assert services.DUPLICATE_MESSAGE.format(title="Harbour") in response.text
    assert Image.objects.count() == 1
    assert stored_files() == before


class BrokenStorage:
    """A storage backend whose every write fails, as a full disk or a lost bucket does."""

    def __init__(self, **options):
        pass

    def exists(self, name):
        return False

    def save(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    def delete(self, name):
        pass


def test_storage_unavailable_during_upload_is_an_error_at_the_field(chief_client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.media.test_upload.BrokenStorage"},
    }

    response = _post(chief_client, upload(picture_bytes()))

    assert response.status_code == 200
    assert services.STORAGE_UNAVAILABLE_MESSAGE in " ".join(
        response.context["adminform"].form.errors["upload"]
    )
    assert not Image.objects.exists()


def test_an_upload_body_larger_than_the_site_limit_reaches_the_library(chief_client):
    # The request-body cap (1 MiB) is raised for the library's pages only.
    content = picture_bytes(1500, 1000, grain=True, quality=95)
    assert len(content) > 1024 * 1024

    response = _post(chief_client, upload(content))

    assert response.status_code == 302
    assert Image.objects.count() == 1
