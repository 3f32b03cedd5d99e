"""Pages: the site's standing texts (About, Contact, a privacy policy), outside the news
flow. They nest, and a page's address is its ancestors' slugs and its own: /about/team/.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blog import html
from blog.models import MISSING_PICTURE_MESSAGE, PublicationState
from media import body as media_body
from media.models import Image
from pages import addresses

PATH_MAX_LENGTH = 500

PAGE_CYCLE_MESSAGE = "A page cannot sit inside itself or one of its own subpages."
PATH_IN_USE_MESSAGE = (
    "Another page already has the address {url}. Choose another slug or another parent."
)
PATH_RESERVED_MESSAGE = (
    "The address {url} belongs to another part of the site (the admin, articles, "
    "archives, feeds…). Choose another slug or another parent."
)
PATH_TOO_LONG_MESSAGE = (
    "The address {url} would be longer than {limit} characters. Choose a shorter slug."
)
# When the clash is a subpage's, whose address moves with this page.
SUBPAGE_CLASH_MESSAGE = "Its subpage “{title}” would move to {url}: {reason}"


class PageQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, and the publication time has come."""
        return self.filter(status=Page.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Page.Status.PUBLISHED, published_at__gt=timezone.now())

    def readable_by(self, user):
        """What `user` may open: editors every page (private ones, and drafts to
        preview them), everyone else the published ones."""
        if user.is_active and user.has_perm("pages.change_page"):
            return self.all()
        return self.published()

    def in_menu(self):
        """The top-level published pages, in the order editors gave them."""
        return self.published().filter(parent=None).order_by("menu_order", "title", "pk")

    def in_order(self):
        return self.order_by("menu_order", "title", "pk")


class Page(PublicationState, models.Model):
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
        """Save, and move the subpages' addresses along when this page's address changes
        (a new slug or parent), in one transaction: no reader ever finds half a tree."""
        self.title = html.remove_control_characters(self.title)
        self.body = html.clean_article_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.path = self.address_path()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"slug", "parent"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "path"}
        with transaction.atomic(using=kwargs.get("using")):
            old_path = None
            if self.pk is not None:
                stored = Page.objects.select_for_update().filter(pk=self.pk)
                old_path = stored.values_list("path", flat=True).first()
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                self.move_subpages(old_path)

    def get_absolute_url(self):
        return reverse("pages:page", kwargs={"path": self.path})

    def move_subpages(self, old_path: str) -> None:
        """Give the pages below this one the addresses under its new path."""
        subpages = [
            page
            for page in Page.objects.select_for_update()
            .filter(path__startswith=f"{old_path}/")
            .exclude(pk=self.pk)
            .only("path")
            # SQLite's LIKE ignores case: keep only the exact prefix.
            if page.path.startswith(f"{old_path}/")
        ]
        for page in subpages:
            page.path = self.path + page.path.removeprefix(old_path)
        Page.objects.bulk_update(subpages, ["path"])

    def clean(self):
        # Publishing without a time means "now" (the admin validates before save fills it).
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.is_inside_itself():
            raise ValidationError({"parent": PAGE_CYCLE_MESSAGE})
        if self.slug:
            self.check_address()
        wanted = media_body.ids_in(html.clean_article_html(self.body or ""))
        stored = Image.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        if missing := sorted(wanted - set(stored)):
            ids = ", ".join(map(str, missing))
            raise ValidationError({"body": MISSING_PICTURE_MESSAGE.format(ids=ids)})

    def is_inside_itself(self) -> bool:
        """Whether the chosen parent is this page or one of its subpages."""
        if self.pk is None:
            return False  # nothing can sit inside a page that does not exist yet
        page, seen = self.parent, set()
        while page is not None and page.pk not in seen:
            if page.pk == self.pk:
                return True
            seen.add(page.pk)
            page = page.parent
        return False

    def check_address(self) -> None:
        """Refuse an address (this page's, or a subpage's after a move) that another
        page has, that the rest of the site answers, or that is too long."""
        path = self.address_path()
        if reason := self.address_problem(path, moving=frozenset()):
            raise ValidationError({"slug": reason})
        old_path = (
            Page.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            if self.pk is not None
            else None
        )
        if not old_path or old_path == path:
            return
        subpages = [
            page
            for page in Page.objects.filter(path__startswith=f"{old_path}/").only("title", "path")
            if page.path.startswith(f"{old_path}/")
        ]
        moving = frozenset(page.pk for page in subpages) | {self.pk}
        for page in subpages:
            new_path = path + page.path.removeprefix(old_path)
            if reason := self.address_problem(new_path, moving=moving):
                url = f"/{new_path}/"
                message = SUBPAGE_CLASH_MESSAGE.format(title=page.title, url=url, reason=reason)
                raise ValidationError({"slug": message})

    def address_problem(self, path: str, *, moving: frozenset) -> str | None:
        url = f"/{path}/"
        if len(path) > PATH_MAX_LENGTH:
            return PATH_TOO_LONG_MESSAGE.format(url=url, limit=PATH_MAX_LENGTH)
        if addresses.is_taken(path):
            return PATH_RESERVED_MESSAGE.format(url=url)
        others = Page.objects.filter(path=path).exclude(pk__in=moving | {self.pk})
        if others.exists():
            return PATH_IN_USE_MESSAGE.format(url=url)
        return None

    def ancestor_paths(self) -> list[str]:
        """The paths of the pages above this one, top first: "about", "about/team"."""
        slugs = self.path.split("/")
        return ["/".join(slugs[:depth]) for depth in range(1, len(slugs))]

    def address_path(self) -> str:
        """The slugs from the top-level page down to this one, joined by slashes: the
        parent's stored path (kept right by save) and this page's slug."""
        return f"{self.parent.path}/{self.slug}" if self.parent is not None else self.slug
