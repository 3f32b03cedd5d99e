from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "media"
    label = "media"
    verbose_name = "Pictures"

    def ready(self):
        from core import invalidation
        from media import signals  # noqa: F401  (connects the receivers)
        from media.models import Image

        # Captions, credits and alt texts are on pages; so are the renditions' names.
        invalidation.watch(Image)
