"""Library pictures, made the way editors make them: through the upload service, from
a picture drawn here with Pillow (each one different, as the library stores a picture
once)."""

import io
import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage
from PIL import ImageDraw

from media import renditions, services
from media.models import Image

_shades = itertools.count(1)


def picture_bytes(width=1600, height=1067, image_format="JPEG", *, exif=None, shade=None,
                  mode="RGB", grain=False, **save_options) -> bytes:  # fmt: skip
    """A picture with a sky, a ground and a marker, in `image_format`; with `grain`, as
    noisy as a photo at night (a large file)."""
    n = next(_shades) if shade is None else shade
    picture = PillowImage.new(mode, (width, height), (40 + n * 7 % 200, 90, 160))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(60, 110 + n % 100, 50))
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill=(230, 220, n % 256))
    if grain:
        noise = PillowImage.effect_noise((width, height), 90).convert(mode)
        picture = PillowImage.blend(picture, noise, 0.5)
    out = io.BytesIO()
    if exif is not None:
        save_options["exif"] = exif
    picture.save(out, image_format, **save_options)
    return out.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    title = factory.Sequence(lambda n: f"Picture {n}")
    alt_text = factory.LazyAttribute(lambda image: f"What {image.title} shows")
    caption = "Sailors on deck at dawn."
    credit = "Jane Roe / Agency"
    file = factory.LazyFunction(lambda: upload(picture_bytes(1000, 667)))

    @classmethod
    def _create(cls, model_class, *args, file, uploaded_by=None, **kwargs):
        focal = {key: kwargs.pop(key) for key in ("focal_x", "focal_y") if key in kwargs}
        image = services.image_create(file=file, uploaded_by=uploaded_by, **kwargs)
        if focal:
            for key, value in focal.items():
                setattr(image, key, value)
            image.save()
        # The service makes them after commit, which a test's transaction never reaches;
        # the immediate task backend would have made them by now.
        renditions.make_renditions(image)
        return image
