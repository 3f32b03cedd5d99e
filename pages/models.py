"""Pages: the site's standing texts (About, Contact, a privacy policy), outside the news
flow. They nest, and a page's address is its ancestors' slugs and its own: /about/team/.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from blog import html

PATH_MAX_LENGTH = 500


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)


class Page(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        # For the newsroom only: signed-in editors see it, readers never.
        PRIVATE = "private", "Private"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, help_text="The last part of the page's address.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="A page inside another has an address inside it: /about/team/.",
    )
    # The whole address below the site's root ("about/team"), derived on save from the
    # slugs, so that a request is answered with one indexed lookup.
    path = models.CharField(max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    body = models.TextField(
        blank=True, help_text="Anything outside the allowed tags is removed on save."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    menu_order = models.IntegerField(
        default=0, help_text="Pages in the same place are listed lowest first."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    published_at = models.DateTimeField("publication time", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Where an imported page came from, so that importing again updates it.
    import_source = models.CharField(max_length=255, blank=True, editable=False)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_source"],
                condition=~Q(import_source=""),
                name="page_unique_import_source",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = html.remove_control_characters(self.title)
        self.body = html.clean_article_html(self.body)
        self.path = self.address_path()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:page", kwargs={"path": self.path})

    def address_path(self) -> str:
        """The slugs from the top-level page down to this one, joined by slashes."""
        slugs, page, seen = [self.slug], self.parent, {self.pk}
        while page is not None and page.pk not in seen:
            seen.add(page.pk)
            slugs.append(page.slug)
            page = page.parent
        return "/".join(reversed(slugs))
