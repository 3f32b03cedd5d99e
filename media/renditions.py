"""Renditions: each picture in a few widths and formats, made once, named by their bytes.

Made from the stored original (already stripped of metadata) by `make_renditions`, which
the `make_image_renditions` task runs after an upload (at once with the immediate task
backend; by a worker in production). Image operations go through Willow, Wagtail's
image library (see docs/media-design.md for why); names, storage and timing are ours.

Each rendition is stored through STORAGES["default"] as
`images/<hash>/<title>-<width>w[-<crop>].<digest>.<ext>`, where `<digest>` is the start
of the SHA-256 of its own bytes: a name never gets other bytes, so browsers, nginx and
CDNs may keep it forever. The list of them is kept on the Image row (`renditions`), so
showing a picture costs no query of its own.

Widths come from MEDIA_RENDITION_WIDTHS, never wider than the original (a narrow original
gets one rendition at its own width). Formats: JPEG always (the fallback every browser
and mail client shows) and MEDIA_RENDITION_FORMATS (AVIF and WebP by default). Teaser
renditions are cropped to 3:2 around the editor's focal point, in TEASER_WIDTHS.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import slugify
from PIL import Image as PillowImage
from willow.plugins.pillow import PillowImage as WillowImage

# Crops editors' pictures may be asked in: "" is the whole picture.
CROPS = {"": None, "3:2": (3, 2)}
TEASER_WIDTHS = (480, 800)

MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
# AVIF's encoder speed (0 slowest … 10): Pillow's default, 6, takes about five times as
# long as 8 for files a few per cent smaller; an upload's renditions would take seconds.
AVIF_SPEED = 8


def _save_as_avif(picture: WillowImage, out) -> None:
    # Willow's save_as_avif passes no speed, so Pillow is called directly here, with
    # what Willow would pass (the colour profile).
    options = {"quality": 60, "speed": AVIF_SPEED}
    if icc_profile := picture.get_icc_profile():
        options["icc_profile"] = icc_profile
    picture.get_pillow_image().save(out, "AVIF", **options)


# Encoder settings: qualities where the eye stops seeing a difference at these sizes.
ENCODERS = {
    "jpeg": lambda picture, out: picture.save_as_jpeg(out, quality=82, progressive=True),
    "webp": lambda picture, out: picture.save_as_webp(out, quality=78),
    "avif": _save_as_avif,
}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    format: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(self.format, "image/jpeg")


def formats() -> list[str]:
    """The formats made, best first; JPEG last, always."""
    modern = [f for f in settings.MEDIA_RENDITION_FORMATS if f != "jpeg"]
    return [*modern, "jpeg"]


def widths_for(original_width: int, crop: str = "") -> list[int]:
    """The widths made of a picture `original_width` wide: those narrower than it, and
    then the largest allowed one it can fill (its own width if that is smaller)."""
    allowed = TEASER_WIDTHS if crop else settings.MEDIA_RENDITION_WIDTHS
    widths = [w for w in allowed if w < original_width]
    top = min(original_width, max(allowed))
    if top not in widths:
        widths.append(top)
    return sorted(widths)


def crop_box(width: int, height: int, ratio: tuple[int, int], focal: tuple[float, float]):
    """The largest box of `ratio` inside width×height, centred on the focal point as far
    as the edges allow."""
    across, down = ratio
    box_width, box_height = width, round(width * down / across)
    if box_height > height:
        box_width, box_height = round(height * across / down), height
    left = round(focal[0] * width - box_width / 2)
    top = round(focal[1] * height - box_height / 2)
    left = min(max(left, 0), width - box_width)
    top = min(max(top, 0), height - box_height)
    return left, top, left + box_width, top + box_height


def make_renditions(image) -> list[dict]:
    """Make every rendition of `image` that is not made yet, store them, and record them
    on the row. Safe to run again: names follow the bytes, a stored name is kept."""
    with image.file.open("rb") as stored:
        source = PillowImage.open(stored)
        # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that is still large enough:
        # most of the work of making smaller pictures is saved here.
        largest = max(settings.MEDIA_RENDITION_WIDTHS)
        source.draft("RGB", (largest, round(largest * source.height / source.width)))
        source.load()
        picture = WillowImage(_flatten(source))
    stem = slugify(image.title)[:60] or "image"
    folder = image.file.name.rsplit("/", 1)[0]
    made = []
    decoded_width, decoded_height = picture.get_size()
    # Widths count in the original's pixels (a draft decode may have fewer).
    scale = decoded_width / image.width
    for crop, ratio in CROPS.items():
        base = picture
        if ratio is not None:
            focal = (image.focal_x, image.focal_y)
            base = picture.crop(crop_box(decoded_width, decoded_height, ratio, focal))
        base_width, base_height = base.get_size()
        previous = base
        for width in reversed(widths_for(round(base_width / scale), crop)):
            if ratio is not None:
                height = round(width * ratio[1] / ratio[0])
            else:
                height = max(1, round(width * base_height / base_width))
            # Each width from the next larger one: as sharp to the eye, and several
            # times faster than from the original each time.
            resized = previous.resize((width, height))
            previous = resized
            for image_format in formats():
                out = io.BytesIO()
                ENCODERS[image_format](resized, out)
                content = out.getvalue()
                digest = hashlib.sha256(content).hexdigest()[:12]
                suffix = f"-{crop.replace(':', 'x')}" if crop else ""
                name = f"{folder}/{stem}-{width}w{suffix}.{digest}.{EXTENSIONS[image_format]}"
                if not default_storage.exists(name):
                    name = default_storage.save(name, ContentFile(content))
                made.append(
                    {
                        "format": image_format,
                        "width": width,
                        "height": height,
                        "crop": crop,
                        "name": name,
                    }
                )
    made.sort(key=lambda r: (r["crop"], r["format"], r["width"]))
    old_names = {r["name"] for r in image.renditions} - {r["name"] for r in made}
    image.renditions = made
    image.save(update_fields=["renditions"])
    for name in old_names:
        default_storage.delete(name)
    return made


def _flatten(picture: PillowImage.Image) -> PillowImage.Image:
    """RGB pixels, the colour profile kept: transparency is laid on white (pages are
    white under pictures), as JPEG has none."""
    icc_profile = picture.info.get("icc_profile")
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        flat = PillowImage.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    elif picture.mode == "CMYK" and icc_profile:
        # Print pictures: converted through their own profile, which then no longer
        # describes the pixels.
        flat = WillowImage(picture).transform_colorspace_to_srgb().image
        icc_profile = flat.info.get("icc_profile")
    elif picture.mode != "RGB":
        flat = picture.convert("RGB")
    else:
        flat = picture
    # Only the profile: nothing else of the stored file's info goes into a rendition.
    flat.info = {"icc_profile": icc_profile} if icc_profile else {}
    return flat


def renditions_of(image, image_format: str = "jpeg", crop: str = "") -> list[Rendition]:
    """`image`'s renditions in one format and crop, narrowest first."""
    return [
        Rendition(default_storage.url(r["name"]), r["width"], r["height"], r["format"])
        for r in image.renditions
        if r["format"] == image_format and r.get("crop", "") == crop
    ]


def rendition(image, width: int = 1200, image_format: str = "jpeg", crop: str = "") -> Rendition:
    """The widest rendition of `image` at most `width` wide (or the narrowest there is),
    in `image_format`. Until the renditions are made, the stored original: already
    stripped, and shown by every browser."""
    candidates = renditions_of(image, image_format, crop)
    if not candidates:
        return original(image)
    fitting = [r for r in candidates if r.width <= width]
    return fitting[-1] if fitting else candidates[0]


def original(image) -> Rendition:
    extension = image.file.name.rsplit(".", 1)[-1].lower()
    image_format = "png" if extension == "png" else "jpeg"
    return Rendition(default_storage.url(image.file.name), image.width, image.height, image_format)
