from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

FOCAL_VALIDATORS = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class ImageQuerySet(models.QuerySet):
    def matching(self, words: str):
        """Images whose title, caption, credit or alt text holds every word."""
        matches = self
        for word in words.split():
            matches = matches.filter(
                Q(title__icontains=word)
                | Q(caption__icontains=word)
                | Q(credit__icontains=word)
                | Q(alt_text__icontains=word)
            )
        return matches


class Image(models.Model):
    """A picture in the media library: the stored original (orientation applied, place
    and camera data removed) and what readers are told about it.

    Renditions (smaller widths, modern formats) are derived from `file` by
    `media.renditions.make_renditions` and listed in `renditions`, so that a page showing
    the picture needs no query beyond the one that loaded this row.
    """

    file = models.FileField(
        upload_to="images/",
        max_length=255,
        help_text="JPEG, PNG, WebP, AVIF or HEIC. Location and camera data are removed.",
    )
    title = models.CharField(
        max_length=200, help_text="For the library only; readers see the caption."
    )
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the picture shows, for readers who cannot see it.",
    )
    caption = models.TextField(blank=True, help_text="Plain text, shown under the picture.")
    credit = models.CharField(
        max_length=200, blank=True, help_text="Photographer / agency, e.g. “Jane Roe / Reuters”."
    )
    focal_x = models.FloatField(
        "focal point, across",
        default=0.5,
        validators=FOCAL_VALIDATORS,
        help_text="0 is the left edge, 1 the right: what a cropped rendition keeps in view.",
    )
    focal_y = models.FloatField(
        "focal point, down",
        default=0.5,
        validators=FOCAL_VALIDATORS,
        help_text="0 is the top edge, 1 the bottom.",
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    # SHA-256 of the bytes uploaded: the same picture is stored once.
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    # [{"format": "avif", "width": 800, "height": 533, "name": "images/…"}, …]
    renditions = models.JSONField(default=list, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="image_focal_point_inside",
                violation_error_message="The focal point lies between 0 and 1 on each axis.",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.width}×{self.height})"

    @property
    def body_marker(self) -> str:
        """What an editor writes in an article's body to show this picture there."""
        from media.body import marker

        return marker(self.pk)
