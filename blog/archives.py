"""The reader's ways into the articles besides the home page: a category, a tag, an
author, a month. Each is an `Archive`: a title, a description and the published
articles it holds, built in one place for the archive pages and their feeds alike.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.dateformat import format as format_date

from blog.models import Article, Category, Tag


@dataclass(frozen=True)
class Archive:
    kind: str  # "Category", "Tag", "Author", "Month": shown above the heading
    name: str
    url: str
    articles: QuerySet  # published only, not yet ordered
    description: str = ""
    feed_url: str = ""  # empty: the archive has no feed of its own
    ancestors: list = field(default_factory=list)  # a category's parents, root first

    @property
    def title(self) -> str:
        return f"{self.kind}: {self.name}"


def author_name(user) -> str:
    return user.get_full_name() or user.get_username()


def category_archive(slug: str) -> Archive:
    category = get_object_or_404(Category, slug=slug)
    ancestors, family_ids = category.family()
    # A category holds its subcategories' articles too, as in WordPress.
    in_family = Article.categories.through.objects.filter(category_id__in=family_ids)
    return Archive(
        kind="Category",
        name=category.name,
        description=category.description,
        url=category.get_absolute_url(),
        feed_url=reverse("blog:category-feed", kwargs={"slug": category.slug}),
        articles=Article.objects.published().filter(pk__in=in_family.values("article_id")),
        ancestors=ancestors,
    )


def tag_archive(slug: str) -> Archive:
    tag = get_object_or_404(Tag, slug=slug)
    return Archive(
        kind="Tag",
        name=tag.name,
        url=tag.get_absolute_url(),
        feed_url=reverse("blog:tag-feed", kwargs={"slug": tag.slug}),
        articles=Article.objects.published().filter(tags=tag),
    )


def author_archive(username: str) -> Archive:
    """An author's articles. Someone who has published nothing (readers see nothing
    of theirs yet) has no archive: 404 for the page and the feed alike, so neither
    confirms an account."""
    user_model = get_user_model()
    authors = user_model.objects.filter(pk__in=Article.objects.published().values("author_id"))
    author = get_object_or_404(authors, **{user_model.USERNAME_FIELD: username})
    return Archive(
        kind="Author",
        name=author_name(author),
        url=author_url(author),
        feed_url=reverse("blog:author-feed", kwargs={"username": author.get_username()}),
        articles=Article.objects.published().filter(author=author),
    )


def author_url(user) -> str:
    return reverse("blog:author", kwargs={"username": user.get_username()})


def month_archive(year: str | int, month: str | int) -> Archive:
    try:
        first_day = date(int(year), int(month), 1)
        articles = Article.objects.published().in_month(first_day.year, first_day.month)
    except (ValueError, OverflowError):  # month 13, year 0, December 9999
        raise Http404("No such month.") from None
    return Archive(
        kind="Month",
        name=format_date(first_day, "F Y"),
        url=month_url(first_day.year, first_day.month),
        feed_url=reverse("blog:month-feed", kwargs=_month_kwargs(first_day)),
        articles=articles,
    )


def month_url(year: int, month: int) -> str:
    return reverse("blog:month-archive", kwargs=_month_kwargs(date(year, month, 1)))


def _month_kwargs(day: date) -> dict:
    return {"year": f"{day.year:04d}", "month": f"{day.month:02d}"}
