"""What an import made of each WordPress object, and the addresses it used to have.

Keyed by the export's site address and WordPress's own ids, so that importing the same
site again updates what it made before instead of making it twice, and so that the old
site's `/?p=123` and permalinks can be answered with a redirect to what the object is now.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ImportedItemQuerySet(models.QuerySet):
    def for_site(self, site_url: str):
        return self.filter(site_url=site_url)


class ImportedItem(models.Model):
    """One WordPress object (post, page, attachment, term, author, comment) and the row
    the import made of it."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        ATTACHMENT = "attachment", "Attachment"
        CATEGORY = "category", "Category"
        TAG = "post_tag", "Tag"
        AUTHOR = "author", "Author"
        COMMENT = "comment", "Comment"

    # The export's <wp:base_site_url>: two WordPress sites can both have a post 12.
    site_url = models.CharField(max_length=500)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    wp_id = models.PositiveBigIntegerField("WordPress id")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    imported_at = models.DateTimeField(auto_now=True)

    objects = ImportedItemQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site_url", "kind", "wp_id"], name="importeditem_unique_wp_id"
            ),
        ]
        indexes = [models.Index(fields=["kind", "wp_id"], name="importeditem_wp_id_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wp_id} of {self.site_url}"


class LegacyPath(models.Model):
    """An address the old site answered (a post's permalink, a slug in `_wp_old_slug`,
    an archive) and the object now standing there. The redirect reads the object's
    current address, so a later rename here does not break the old link."""

    path = models.CharField(max_length=1000, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    def __str__(self):
        return self.path
