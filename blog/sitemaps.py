"""sitemap.xml: every published article and every archive page, with the time it last
changed. Addresses are absolute from settings.SITE_URL, the site's public name, rather
than whatever Host header a request came with.

Each section costs one or two queries whatever its size: archive pages get their
last-modified time from one aggregate over `Article.objects.published()`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.urls import reverse

from blog import archives
from blog.models import Article, Category, Tag


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL. Items are (location, lastmod) pairs unless said otherwise."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path  # a site served under a path keeps its prefix

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


class HomeSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        latest = Article.objects.published().aggregate(last=Max("updated_at"))["last"]
        return [(reverse("blog:article-list"), latest)]


class ArticleSitemap(SiteSitemap):
    def items(self):
        return (
            Article.objects.published()
            .newest_first()
            .only("slug", "published_at", "created_at", "updated_at")
        )

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


def _last_change_by(through, term_id: str) -> dict:
    """{term id: the latest change among its published articles}, in one query."""
    rows = (
        through.objects.filter(article__in=Article.objects.published())
        .values(term_id)
        .annotate(last=Max("article__updated_at"))
        .values_list(term_id, "last")
    )
    return dict(rows)


class CategorySitemap(SiteSitemap):
    def items(self):
        last_change = _last_change_by(Article.categories.through, "category_id")
        categories = {c.pk: c for c in Category.objects.only("slug", "parent_id")}
        # A category's archive holds its subcategories' articles: roll their times up.
        rolled = dict(last_change)
        for pk, last in last_change.items():
            parent_id, seen = categories[pk].parent_id, {pk}
            while parent_id is not None and parent_id not in seen:
                seen.add(parent_id)
                rolled[parent_id] = max(rolled.get(parent_id, last), last)
                parent_id = categories[parent_id].parent_id
        return sorted(
            ((categories[pk].get_absolute_url(), last) for pk, last in rolled.items()),
            key=lambda item: item[0],
        )


class TagSitemap(SiteSitemap):
    def items(self):
        last_change = _last_change_by(Article.tags.through, "tag_id")
        tags = Tag.objects.filter(pk__in=last_change).only("slug").order_by("slug")
        return [(tag.get_absolute_url(), last_change[tag.pk]) for tag in tags]


class AuthorSitemap(SiteSitemap):
    def items(self):
        rows = (
            Article.objects.published()
            .filter(author__isnull=False)
            .values("author_id")
            .annotate(last=Max("updated_at"))
            .values_list("author_id", "last")
        )
        last_change = dict(rows)
        User = get_user_model()
        authors = User.objects.filter(pk__in=last_change).only(User.USERNAME_FIELD).order_by("pk")
        return [(archives.author_url(user), last_change[user.pk]) for user in authors]


class MonthSitemap(SiteSitemap):
    def items(self):
        rows = (
            Article.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(last=Max("updated_at"))
            .order_by("-month")
            .values_list("month", "last")
        )
        return [(archives.month_url(month.year, month.month), last) for month, last in rows]


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "months": MonthSitemap,
}
