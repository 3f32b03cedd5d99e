"""No byte the site serves of a picture holds where it was taken, or with what."""

import io
from pathlib import Path

import pillow_heif
from PIL import Image as PillowImage
from PIL import ImageCms

from media.models import Image
from tests.factories.media import ImageFactory, picture_bytes, upload

# Kyiv's coordinates, as a phone writes them (degrees, minutes, seconds).
LATITUDE = (50.0, 27.0, 1.25)
LONGITUDE = (30.0, 31.0, 24.5)


def _phone_exif(orientation: int = 1) -> PillowImage.Exif:
    exif = PillowImage.Exif()
    exif[0x010F] = "SnoopCam"  # Make
    exif[0x0110] = "SnoopCam Pro 9"  # Model
    exif[0x0131] = "SnoopOS 4.2"  # Software
    exif[0x013B] = "Ivan Photographer"  # Artist
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: LATITUDE, 3: "E", 4: LONGITUDE, 0x1D: "2026:03:01"})
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="50,27.02N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)

TELL_TALES = [b"Exif", b"SnoopCam", b"SnoopOS", b"Ivan Photographer", b"GPS", b"50,27",
              b"2026:03:01", b"xmpmeta", b"http://ns.adobe.com"]  # fmt: skip


def _served_files(image: Image, media_root) -> list[Path]:
    names = [image.file.name, *(r["name"] for r in image.renditions)]
    return [Path(media_root) / name for name in names]


def _assert_clean(path: Path):
    data = path.read_bytes()
    for tell_tale in TELL_TALES:
        assert tell_tale not in data, f"{tell_tale!r} in {path.name}"
    with PillowImage.open(path) as reopened:
        exif = reopened.getexif()
    assert 0x8825 not in exif and not exif.get_ifd(0x8825), path.name
    assert 0x010F not in exif and 0x0110 not in exif, path.name


def test_no_stored_file_of_a_phone_photo_holds_its_gps_or_camera(db, settings):
    photo = picture_bytes(2000, 1500, exif=_phone_exif(), xmp=XMP)
    assert b"SnoopCam" in photo and b"GPS" in photo and b"xmpmeta" in photo  # the test's premise

    image = ImageFactory(file=upload(photo))

    files = _served_files(image, settings.MEDIA_ROOT)
    assert len(files) > 10  # the original and every rendition, in every format
    for path in files:
        _assert_clean(path)


def test_a_sideways_photo_is_stored_upright(db, settings):
    # Orientation 6: the camera was turned; the pixels lie on their side.
    photo = picture_bytes(1200, 800, exif=_phone_exif(orientation=6))

    image = ImageFactory(file=upload(photo))

    assert (image.width, image.height) == (800, 1200)
    uncropped = [r for r in image.renditions if not r["crop"]]
    for name in [image.file.name, *(r["name"] for r in uncropped)]:
        with PillowImage.open(Path(settings.MEDIA_ROOT) / name) as stored:
            assert stored.height > stored.width, name
            assert stored.getexif().get(0x0112) in (None, 1)


def test_the_colour_profile_is_kept(db, settings):
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = ImageFactory(file=upload(picture_bytes(1000, 700, icc_profile=profile)))

    for path in _served_files(image, settings.MEDIA_ROOT):
        with PillowImage.open(path) as stored:
            assert stored.info.get("icc_profile") == profile, path.name


def test_a_heic_from_a_phone_is_taken_and_stored_as_jpeg(db, settings):
    out = io.BytesIO()
    heif = pillow_heif.from_pillow(PillowImage.open(io.BytesIO(picture_bytes(900, 600))))
    heif.save(out, quality=80, exif=_phone_exif().tobytes())
    assert b"SnoopCam" in out.getvalue()

    image = ImageFactory(file=upload(out.getvalue(), name="IMG_0001.HEIC"))

    assert image.file.name.endswith(".jpg")
    assert (image.width, image.height) == (900, 600)
    for path in _served_files(image, settings.MEDIA_ROOT):
        _assert_clean(path)


def test_png_webp_and_avif_uploads_are_taken(db):
    transparent = picture_bytes(600, 400, "PNG", mode="RGBA")
    png = ImageFactory(file=upload(transparent, name="chart.png"))
    webp = ImageFactory(file=upload(picture_bytes(600, 400, "WEBP"), name="a.webp"))
    avif = ImageFactory(file=upload(picture_bytes(600, 400, "AVIF"), name="a.avif"))

    assert png.file.name.endswith(".png")  # lossless stays lossless
    assert webp.file.name.endswith(".jpg")
    assert avif.file.name.endswith(".jpg")
    assert all(image.renditions for image in (png, webp, avif))
