from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from slugify import slugify

from blog import html, search
from media import body as media_body
from media.models import Image

SLUG_MAX_LENGTH = 200
EXCERPT_WORDS = 55  # WordPress's default excerpt length
RELATED_LIMIT = 3


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


class CategoryQuerySet(models.QuerySet):
    def in_navigation(self):
        """The site's sections, as editors ordered them for the header."""
        return self.filter(nav_order__isnull=False).order_by("nav_order", "name", "pk")


class Category(models.Model):
    """A section of the site ("Europe", "Europe › Balkans"): categories nest."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The last part of the category's address."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="Leave empty for a top-level category.",
    )
    description = models.TextField(blank=True, help_text="Shown at the top of its archive.")
    # One field says both whether a category is a section in the header and where.
    nav_order = models.PositiveSmallIntegerField(
        "place in the navigation",
        null=True,
        blank=True,
        help_text="A number puts the category in the site's navigation, lowest first. "
        "Leave empty to keep it out.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"slug": self.slug})

    def clean(self):
        seen, parent = {self.pk}, self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": CATEGORY_CYCLE_MESSAGE})
            seen.add(parent.pk)
            parent = parent.parent

    def family(self) -> tuple[list["Category"], list[int]]:
        """This category's ancestors (root first), and its own and its descendants' ids.

        One query whatever the depth: a site has tens of categories, not thousands, so
        reading them all beats a recursive query that SQLite and PostgreSQL spell apart.
        """
        everyone = {c.pk: c for c in Category.objects.only("name", "slug", "parent_id")}
        ancestors, parent_id = [], self.parent_id
        while parent_id is not None and parent_id in everyone and parent_id != self.pk:
            if any(a.pk == parent_id for a in ancestors):
                break
            ancestors.append(everyone[parent_id])
            parent_id = everyone[parent_id].parent_id
        children: dict[int | None, list[int]] = {}
        for category in everyone.values():
            children.setdefault(category.parent_id, []).append(category.pk)
        family_ids, stack = [], [self.pk]
        while stack:
            pk = stack.pop()
            if pk not in family_ids:
                family_ids.append(pk)
                stack.extend(children.get(pk, []))
        return ancestors[::-1], family_ids


CATEGORY_CYCLE_MESSAGE = "A category cannot sit inside itself or one of its subcategories."


class Tag(models.Model):
    """A free keyword ("drones", "NATO") that cuts across categories."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="Shown at the top of its archive.")

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:tag", kwargs={"slug": self.slug})


# English stemming after unaccent (migration 0009): "Türkiye" and "turkiye" are one word.
SEARCH_CONFIG = "english_unaccent"


def search_document():
    """The stored search document (title weight A, body weight B): PostgreSQL only.

    A tsvector column that migration 0005 adds and a trigger fills; the model does not
    declare it, as no field type exists on both databases. The body is HTML: PostgreSQL's
    parser reads tags as tag tokens, which the English configuration does not index, so
    markup never matches a search.
    """
    # Fixed identifiers only, never input: the search words go through SearchQuery.
    column = f'"{Article._meta.db_table}"."search_document"'
    return RawSQL(column, (), output_field=SearchVectorField())  # noqa: S611


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

    def for_listing(self):
        """What an article list needs: no body, but the author and the categories."""
        return (
            self.defer("body", "body_blocks", "body_text", "search_text")
            .select_related("author", "featured_image")
            .prefetch_related(
                models.Prefetch("categories", queryset=Category.objects.only("name", "slug"))
            )
        )

    def lead(self) -> "Article | None":
        """The front page's lead story: the newest sticky article in this queryset, else
        the newest, shown with its picture large when it has one. A news desk leads with
        its latest story, not with the latest that happens to have a picture."""
        return self.order_by("-is_sticky", "-published_at", "-pk").for_listing().first()

    def in_month(self, year: int, month: int):
        """Published in that calendar month of the site's time zone."""
        tz = timezone.get_current_timezone()
        start = datetime(year, month, 1, tzinfo=tz)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        return self.filter(published_at__gte=start, published_at__lt=end)

    def search(self, words: str):
        """Articles matching `words` in the title or the body, best first.

        PostgreSQL: full-text search (stemmed, title weighted above body, ranked) over the
        stored document of migration 0005, through its GIN index; accents do not count
        (migration 0009's configuration unaccents both the document and the query).
        Other databases: every word, folded (`search.fold`: no accents, no case), must
        appear in `search_text`, the folded title and body text; newest first.
        """
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(words, search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.alias(document=search_document())
                .filter(document=query)
                .annotate(rank=SearchRank(models.F("document"), query))
                .order_by("-rank", "-published_at", "-pk")
            )
        matches = self
        for word in search.fold(words).split():
            matches = matches.filter(search_text__contains=word)
        return matches.annotate(rank=Value(0.0)).order_by("-published_at", "-pk")

    def related_to(self, article: "Article", *, limit: int = RELATED_LIMIT):
        """Up to `limit` others sharing the most tags and categories with `article`.

        One query: the two scores are correlated subqueries, so no join multiplies rows.
        Ties go to the newer article. The article itself and its "See also" targets are
        left out: the reader has them already. The article's own terms are read from
        it (prefetched by the article page) and written into the query as ids: the
        subqueries that looked them up made the query cost more to build than to run.
        An article with no terms has no related articles, and costs no query.
        """
        terms = {
            "tag_id": [tag.pk for tag in article.tags.all()],
            "category_id": [category.pk for category in article.categories.all()],
        }
        if not any(terms.values()):
            return self.none()
        through = {"tag_id": Article.tags.through, "category_id": Article.categories.through}

        def sharing(column):
            """Rows of the `column` through table whose term `article` has too."""
            return through[column].objects.filter(**{f"{column}__in": terms[column]})

        def shared_count(column):
            return Coalesce(
                Subquery(
                    sharing(column)
                    .filter(article_id=OuterRef("pk"))
                    .order_by()
                    .values("article_id")
                    .annotate(n=Count("*"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            )

        columns = [column for column, ids in terms.items() if ids]
        candidates = Q()
        for column in columns:
            # Only candidates sharing a term get scored, not every published article.
            candidates |= Q(pk__in=sharing(column).values("article_id"))
        see_also = RelatedLink.objects.filter(article_id=article.pk, target__isnull=False)
        return (
            self.filter(candidates)
            .exclude(pk=article.pk)
            .exclude(pk__in=see_also.values("target_id"))
            .annotate(shared_terms=sum((shared_count(column) for column in columns), Value(0)))
            .only("title", "slug", "published_at")
            .order_by("-shared_terms", "-published_at", "-pk")[:limit]
        )


class PublicationState:
    """`is_live` and `is_scheduled` for a model with a `status` whose `Status` has
    PUBLISHED, and a `published_at`: articles, and the pages app's pages."""

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


class Article(PublicationState, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        # Written by an author, waiting for an editor to publish it (WordPress's
        # "Pending review").
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        # Published for the newsroom only: signed-in editors see it, readers never.
        PRIVATE = "private", "Private"

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
    is_sticky = models.BooleanField(
        "sticky",
        default=False,
        help_text="Keep it at the top of the front page as the lead story.",
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="A time in the future schedules the article: readers see it from then on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    featured_image = models.ForeignKey(
        "media.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Shown large above the article and beside it wherever it is listed.",
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    # Derived on save so that no reader's request has to parse the body.
    body_blocks = models.JSONField(default=list, editable=False)
    # The body's text without markup, derived on save: what search reads on databases
    # without full-text search, so that "strong" does not find every <strong>.
    body_text = models.TextField(blank=True, editable=False)
    # The title and body text folded (no accents, no case: `search.fold`), derived on
    # save: what that search compares with the folded words, so "turkiye" finds
    # "Türkiye" and "über" finds "Über" on SQLite too.
    search_text = models.TextField(blank=True, editable=False)
    # Where an imported article came from (the seed's file name), so that importing
    # the same file again updates the article instead of creating another.
    import_source = models.CharField(max_length=255, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        # Authors write and submit; only those with this permission (the Editors group)
        # make an article public.
        permissions = [("publish_article", "Can publish articles")]
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
        self.title = html.remove_control_characters(self.title)
        self.excerpt = html.remove_control_characters(self.excerpt)
        if not self.slug:
            self.slug = unique_slug(self.title, exclude_pk=self.pk)
        self.body = html.clean_article_html(self.body)
        self.body_blocks = html.split_blocks(self.body)
        self.body_text = html.strip_tags(self.body)
        self.search_text = search.fold(f"{self.title}\n{self.body_text}")
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
        wanted = media_body.ids_in(html.clean_article_html(self.body or ""))
        stored = Image.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        if missing := sorted(wanted - set(stored)):
            ids = ", ".join(map(str, missing))
            raise ValidationError({"body": MISSING_PICTURE_MESSAGE.format(ids=ids)})

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # Remember the stored slug, so a rename can leave a redirect behind (signals.py).
        instance._loaded_slug = instance.__dict__.get("slug")
        return instance

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
        # Library pictures placed in the text become their <figure>s here (one query).
        blocks = media_body.render_pictures(self.body_blocks)
        pairs = [(block, after.get(index, [])) for index, block in enumerate(blocks, 1)]
        return leading, pairs


MISSING_PICTURE_MESSAGE = (
    "The text shows picture {ids}, which is not in the media library: "
    "copy the line from the picture's page in the library."
)

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
