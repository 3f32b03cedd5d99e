"""Writes with rules: a picture enters the library checked and stripped, or not at all."""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from media import processing, tasks
from media.models import Image

logger = logging.getLogger("media")

STORAGE_UNAVAILABLE_MESSAGE = (
    "The picture could not be stored: the file storage is not available. "
    "Nothing was saved; try again in a moment."
)
DUPLICATE_MESSAGE = "This picture is already in the library as “{title}”."


class StorageUnavailable(ValidationError):
    """The storage refused a write; nothing of the upload was kept."""


def image_file_store(*, prepared: processing.Prepared, title: str) -> str:
    """Store the prepared original under a name carrying its hash; return the name.

    Any storage error (a full or read-only disk, an unreachable bucket) becomes
    StorageUnavailable, after removing whatever part of the file was written.
    """
    digest = hashlib.sha256(prepared.content).hexdigest()
    stem = slugify(title)[:60] or "image"
    name = f"images/{prepared.content_hash[:16]}/{stem}.{digest[:12]}.{prepared.extension}"
    try:
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(prepared.content))
    except Exception as error:  # whatever the backend raises: OSError, botocore's errors
        logger.warning("Could not store %s: %r", name, error)
        _delete_quietly([name])
        raise StorageUnavailable(STORAGE_UNAVAILABLE_MESSAGE) from error
    return name


def image_create(
    *,
    file,
    title: str,
    alt_text: str,
    caption: str = "",
    credit: str = "",
    uploaded_by=None,
) -> Image:
    """Check, strip and store `file` as a new library picture; its renditions follow
    after commit. Raises ImageRefused (not a picture we take, or one already in the
    library) or StorageUnavailable; either way nothing is stored."""
    prepared = processing.prepare(file)
    if existing := Image.objects.filter(content_hash=prepared.content_hash).first():
        raise processing.ImageRefused(DUPLICATE_MESSAGE.format(title=existing.title))
    image = Image(title=title, alt_text=alt_text, caption=caption, credit=credit)
    return image_save_new(image=image, prepared=prepared, uploaded_by=uploaded_by)


def image_save_new(*, image: Image, prepared: processing.Prepared, uploaded_by=None,
                   stored_name: str | None = None) -> Image:  # fmt: skip
    """Save a new `image` row for `prepared` (storing the file unless `stored_name` says
    where it already is), then make its renditions after commit. If the row cannot be
    saved, the stored file goes too."""
    name = stored_name or image_file_store(prepared=prepared, title=image.title)
    image.file = name
    image.width, image.height = prepared.width, prepared.height
    image.content_hash = prepared.content_hash
    image.uploaded_by = uploaded_by
    try:
        with transaction.atomic():
            image.full_clean()
            image.save()
    except BaseException:
        # Same bytes, same name: never delete a file another row (a race) stands on.
        if not Image.objects.filter(file=name).exists():
            _delete_quietly([name])
        raise
    image_renditions_schedule(image)
    return image


def image_renditions_schedule(image: Image) -> None:
    """Make (or remake) `image`'s renditions once the transaction commits."""
    transaction.on_commit(lambda: tasks.make_image_renditions.enqueue(image.pk))


def image_files(image: Image) -> list[str]:
    """Every stored name of `image`: the original and its renditions."""
    return [image.file.name, *(r["name"] for r in image.renditions)]


def files_delete(names: list[str]) -> None:
    _delete_quietly(names)


def _delete_quietly(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # a file left behind is logged, never a failed request
            logger.exception("Could not delete %s from the media storage.", name)


def image_get_or_create(
    *, file, title: str, alt_text: str, caption: str = "", credit: str = "", uploaded_by=None
) -> tuple[Image, bool]:
    """The library picture holding `file`'s picture, its description brought up to date;
    a new one (checked, stripped, stored) if the library has none. For importers, which
    name the same picture again on every run. Returns (image, whether anything changed).
    """
    prepared = processing.prepare(file)
    described = {"alt_text": alt_text, "caption": caption, "credit": credit}
    image = Image.objects.filter(content_hash=prepared.content_hash).first()
    if image is None:
        image = Image(title=title, **described)
        return image_save_new(image=image, prepared=prepared, uploaded_by=uploaded_by), True
    changed = [field for field, value in described.items() if getattr(image, field) != value]
    for field in changed:
        setattr(image, field, described[field])
    if changed:
        image.full_clean()
        image.save(update_fields=changed)
    return image, bool(changed)
