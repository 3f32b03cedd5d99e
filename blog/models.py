from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from slugify import slugify

from blog import html

SLUG_MAX_LENGTH = 200
EXCERPT_WORDS = 55  # WordPress's default excerpt length


class SiteSettings(models.Model):
    """The site's identity, edited by editors in the admin. There is one row (pk=1)."""

    name = models.CharField(max_length=100, blank=True)
    tagline = models.CharField(max_length=200, blank=True)

    DEFAULT_NAME = "Broadsheet"

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.DEFAULT_NAME

    @classmethod
    def load(cls) -> "SiteSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and the publication time has come."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def drafts(self):
        return self.filter(status=Article.Status.DRAFT)

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        help_text="The last part of the permalink. Changing it keeps the old link working.",
    )
    body = models.TextField(
        help_text="HTML, or plain text with blank lines between paragraphs. "
        "Anything outside the allowed tags is removed on save."
    )
    excerpt = models.TextField(
        blank=True, help_text="Left empty, it is taken from the first paragraph."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="A time in the future schedules the article: readers see it from then on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived on save so that no reader's request has to parse the body.
    body_blocks = models.JSONField(default=list, editable=False)
    # Where an imported article came from (the seed's file name), so that importing
    # the same file again updates the article instead of creating another.
    import_source = models.CharField(max_length=255, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_listing_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["import_source"],
                condition=~Q(import_source=""),
                name="article_unique_import_source",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
                violation_error_message="A published article needs a publication time.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.title, exclude_pk=self.pk)
        self.body = html.clean_article_html(self.body)
        self.body_blocks = html.split_blocks(self.body)
        if not self.excerpt.strip() and self.body_blocks:
            first_paragraph = html.strip_tags(self.body_blocks[0])
            self.excerpt = Truncator(first_paragraph).words(EXCERPT_WORDS)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        day = self.permalink_date
        return reverse(
            "blog:article-detail",
            kwargs={
                "year": day.year,
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": self.slug,
            },
        )

    @property
    def permalink_date(self):
        return timezone.localdate(self.published_at or self.created_at or timezone.now())

    def clean(self):
        # Publishing without a time means "now" (the admin validates constraints before
        # the publish service could fill it in).
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember the stored slug, so a rename can leave a redirect behind (signals.py).
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

    @property
    def is_live(self) -> bool:
        """Whether readers can see it now."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_live

    def blocks_with_links(self, links):
        """Pair each body block with the "See also" links placed after it.

        `links` are this article's related links, already fetched in order; links placed
        after a paragraph the body does not have stand after the last block.
        """
        after: dict[int, list] = {}
        last = len(self.body_blocks)
        for link in links:
            after.setdefault(min(link.after_paragraph, last), []).append(link)
        leading = after.pop(0, [])
        pairs = [(block, after.get(index, [])) for index, block in enumerate(self.body_blocks, 1)]
        return leading, pairs


_SLUG_REPLACEMENTS = [["'", ""], ["’", ""]]


def unique_slug(title: str, *, exclude_pk=None) -> str:
    """A slug for `title` that no other article uses: "Türkiye" gives "turkiye"."""
    # Transliterated, not dropped: "Łódź" gives "lodz", "Straße" "strasse", Cyrillic
    # is romanized; apostrophes vanish inside words ("Trump's" gives "trumps").
    base = slugify(title, max_length=SLUG_MAX_LENGTH, replacements=_SLUG_REPLACEMENTS)
    base = base or "article"
    taken = Article.objects.exclude(pk=exclude_pk)
    candidate, n = base, 2
    while (
        taken.filter(slug=candidate).exists()
        or OldSlug.objects.filter(slug=candidate).exclude(article_id=exclude_pk).exists()
    ):
        suffix = f"-{n}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)] + suffix
        n += 1
    return candidate


class OldSlug(models.Model):
    """A slug an article used to have, so its old permalink still leads to it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.slug


class RelatedLinkQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(target__isnull=True)

    def titled(self, title: str):
        return self.filter(target_title__iexact=title.strip())


class RelatedLink(models.Model):
    """A "See also" link from one article to another, placed after a paragraph.

    The target may not exist yet: the link is then kept by title, shown as plain text,
    and resolved when an article with that title is saved.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_from",
        help_text="Leave empty to link by title to an article that does not exist yet.",
    )
    target_title = models.CharField(
        "title",
        max_length=300,
        blank=True,
        help_text="Shown as the link text; filled from the target when left empty.",
    )
    after_paragraph = models.PositiveSmallIntegerField(
        default=0, help_text="The paragraph it follows (0: before the first)."
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = RelatedLinkQuerySet.as_manager()

    class Meta:
        ordering = ["after_paragraph", "order", "pk"]
        indexes = [models.Index(Lower("target_title"), name="relatedlink_title_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(target_title=""),
                name="relatedlink_has_target_or_title",
                violation_error_message="Choose the article to link to, or give its title.",
            ),
        ]

    def __str__(self):
        return f"See also: {self.label}"

    @property
    def label(self) -> str:
        return self.target_title or (self.target.title if self.target else "")

    @property
    def is_linkable(self) -> bool:
        """A link is shown only to an article readers can open: never a dead link."""
        return self.target is not None and self.target.is_live
