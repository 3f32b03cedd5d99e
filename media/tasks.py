"""Background work, through Django's Tasks framework: run at once by the immediate
backend (the default), by `db_worker` in production."""

from django.tasks import task

from media import renditions
from media.models import Image


@task
def make_image_renditions(image_id: int) -> int:
    """Make an image's renditions; the number made (0 if the image is gone)."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return 0
    return len(renditions.make_renditions(image))
