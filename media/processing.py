"""Checking an upload by decoding it, and the bytes we store for it.

Every picture the site keeps — an editor's upload, a seed's picture — passes `prepare`:
its size is checked, then its header, then it is decoded whole by Pillow (never judged
by its name or the type the browser claims). What is stored is re-encoded from the
decoded pixels, upright (the EXIF orientation applied), with no EXIF, XMP, IPTC or
comment left: only the colour profile (ICC) is kept, as it changes how the colours look
and says nothing about a place, a device or a person.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# HEIC (phones' photos) through pillow-heif; AVIF is Pillow's own since 11.3.
register_heif_opener()

# Pillow's name for each format we take; no other decoder is ever tried (no EPS, whose
# decoder runs Ghostscript, no PSD, no TIFF).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "HEIF")

EMPTY_MESSAGE = "The file is empty."
TOO_LARGE_MESSAGE = "The file is larger than {limit} MB; pictures may be at most {limit} MB."
NOT_AN_IMAGE_MESSAGE = (
    "The file is not a picture we can take: upload a JPEG, PNG, WebP, AVIF or HEIC image."
)
SVG_MESSAGE = (
    "SVG drawings are not accepted: they can carry scripts. "
    "Upload the picture as PNG or JPEG instead."
)
TOO_MANY_PIXELS_MESSAGE = (
    "The picture has more pixels than a picture may have: at most {limit} megapixels. "
    "Make it smaller first."
)
DAMAGED_MESSAGE = "The picture is damaged or incomplete and cannot be read. Upload it again."


class ImageRefused(ValidationError):
    """An upload that is not a picture we store; the message says why, for the editor."""


@dataclass(frozen=True)
class Prepared:
    """An accepted picture, ready to store."""

    content: bytes
    extension: str  # of the stored file: "jpg", "png" or "webp"
    width: int
    height: int
    content_hash: str  # SHA-256 of the bytes uploaded


def prepare(file) -> Prepared:
    """Check `file` (a Django File or anything with `read`) and return what to store, or
    raise ImageRefused."""
    limit_mb = settings.MEDIA_MAX_UPLOAD_MB
    size = getattr(file, "size", None)
    if size is not None and size > limit_mb * 1024 * 1024:
        raise ImageRefused(TOO_LARGE_MESSAGE.format(limit=limit_mb))
    if hasattr(file, "seek"):
        file.seek(0)
    source = file.read(limit_mb * 1024 * 1024 + 1)
    if not source:
        raise ImageRefused(EMPTY_MESSAGE)
    if len(source) > limit_mb * 1024 * 1024:
        raise ImageRefused(TOO_LARGE_MESSAGE.format(limit=limit_mb))

    picture, source_format = _decode(source)
    content, extension = _encode_original(picture, source_format)
    return Prepared(
        content=content,
        extension=extension,
        width=picture.width,
        height=picture.height,
        content_hash=hashlib.sha256(source).hexdigest(),
    )


def _decode(source: bytes) -> tuple[Image.Image, str]:
    limit = settings.MEDIA_MAX_MEGAPIXELS
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past its own bomb limit; ours is lower anyway.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(source), formats=ACCEPTED_FORMATS)
            megapixels = picture.width * picture.height / 1_000_000
            if megapixels > limit:
                raise ImageRefused(TOO_MANY_PIXELS_MESSAGE.format(limit=limit))
            picture.load()  # the whole decode: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(TOO_MANY_PIXELS_MESSAGE.format(limit=limit)) from None
    except UnidentifiedImageError:
        if b"<svg" in source[:4096].lower():
            raise ImageRefused(SVG_MESSAGE) from None
        raise ImageRefused(NOT_AN_IMAGE_MESSAGE) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Truncated data, corrupt chunks, a PNG text chunk that inflates past Pillow's
        # limit (ValueError), a broken header (SyntaxError in some decoders).
        raise ImageRefused(DAMAGED_MESSAGE) from None
    return _clean(picture), picture.format


def _clean(picture: Image.Image) -> Image.Image:
    """`picture` upright, its pixels only, with the colour profile: nothing that names a
    place, a device or a person survives, whichever encoder writes it later."""
    icc_profile = picture.info.get("icc_profile")
    ImageOps.exif_transpose(picture, in_place=True)
    upright = picture
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P" and upright.palette is not None:
        clean.putpalette(upright.getpalette())
        if "transparency" in upright.info:
            clean.info["transparency"] = upright.info["transparency"]
    if icc_profile:
        clean.info["icc_profile"] = icc_profile
    return clean


def _encode_original(picture: Image.Image, source_format: str) -> tuple[bytes, str]:
    """The stored original: a PNG stays PNG (lossless: drawings, charts, screenshots);
    anything else becomes a JPEG at a quality that keeps the photo as it was sent, or a
    PNG if it has transparency. (Browsers show JPEG and PNG everywhere; HEIC they do not.)
    """
    out = io.BytesIO()
    icc = {"icc_profile": picture.info["icc_profile"]} if "icc_profile" in picture.info else {}
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if source_format == "PNG" or has_alpha:
        picture.save(out, "PNG", optimize=False, **icc)
        return out.getvalue(), "png"
    if picture.mode not in ("RGB", "L", "CMYK"):
        picture = picture.convert("RGB")
    picture.save(out, "JPEG", quality=90, subsampling="4:2:0", **icc)
    return out.getvalue(), "jpg"
