"""The site's feeds: the latest articles (RSS 2.0 and Atom), and one per category, tag,
author and month. Links are absolute from settings.SITE_URL, so a feed read from a cache or
behind a proxy still points at the public site. Items carry the author's name only,
never an email address.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from blog import archives, html
from blog.models import Article, SiteSettings
from media.renditions import rendition
from media.templatetags.pictures import absolute_url

FEED_ITEMS = 20
MEDIA_RSS = "http://search.yahoo.com/mrss/"
PICTURE_WIDTH = 1200


def _without_control_characters(value):
    if isinstance(value, str):
        return html.remove_control_characters(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_without_control_characters(part) for part in value)
    return value


class _CleanTextFeed:
    """A feed generator that passes every text of the feed and its items through
    `html.remove_control_characters`: text stored before that rule (or typed into a
    field it does not guard, a category's name) cannot make a feed unwritable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {key: _without_control_characters(v) for key, v in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        item = self.items[-1]
        self.items[-1] = {key: _without_control_characters(v) for key, v in item.items()}


class _MediaRss:
    """Each item's featured picture as Media RSS's `<media:content>` (the namespace feed
    readers use for an item's picture), through Django's documented generator hooks."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_RSS}

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_RSS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        picture = item.get("picture")
        if picture:
            handler.startElement("media:content", picture["attributes"])
            if picture["alt"]:
                handler.addQuickElement("media:description", picture["alt"])
            if picture["credit"]:
                handler.addQuickElement("media:credit", picture["credit"])
            handler.endElement("media:content")


class RssFeed(_CleanTextFeed, _MediaRss, Rss201rev2Feed):
    pass


class AtomFeed(_CleanTextFeed, _MediaRss, Atom1Feed):
    pass


@dataclass(frozen=True)
class Source:
    site: SiteSettings
    archive: archives.Archive | None = None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class LatestArticlesFeed(Feed):
    feed_type = RssFeed
    feed_path_name = "blog:feed"

    def get_object(self, request, *args, **kwargs):
        # The feed object is shared by every request: per-request state lives in `obj`.
        return Source(site=SiteSettings.load())

    def title(self, obj):
        return obj.site.display_name

    def description(self, obj):
        return obj.site.tagline or f"The latest articles from {obj.site.display_name}."

    def link(self, obj):
        return absolute(reverse("blog:article-list"))

    def feed_url(self, obj):
        return absolute(reverse(self.feed_path_name))

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return (
            self.articles(obj)
            .newest_first()
            .select_related("author", "featured_image")
            .prefetch_related("categories", "tags")[:FEED_ITEMS]
        )

    def item_extra_kwargs(self, item):
        image = item.featured_image
        if image is None:
            return {}
        made = rendition(image, PICTURE_WIDTH, "jpeg")
        attributes = {
            "url": absolute_url(made.url),
            "medium": "image",
            "type": made.mime_type,
            "width": str(made.width),
            "height": str(made.height),
        }
        return {
            "picture": {"attributes": attributes, "alt": image.alt_text, "credit": image.credit}
        }

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body  # cleaned HTML (blog/html.py)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return archives.author_name(item.author) if item.author else None

    def item_author_link(self, item):
        return absolute(archives.author_url(item.author)) if item.author else None

    def item_categories(self, item):
        return [term.name for term in (*item.categories.all(), *item.tags.all())]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = AtomFeed
    feed_path_name = "blog:feed-atom"
    subtitle = LatestArticlesFeed.description


class ArchiveFeed(LatestArticlesFeed):
    """A category's, tag's, author's or month's feed: the same items as its archive page."""

    archive_for = None  # a function of the URL's keyword arguments -> Archive

    def get_object(self, request, *args, **kwargs):
        return Source(site=SiteSettings.load(), archive=type(self).archive_for(**kwargs))

    def title(self, obj):
        return f"{obj.site.display_name} – {obj.archive.title}"

    def description(self, obj):
        return obj.archive.description or f"The latest articles in {obj.archive.title}."

    def link(self, obj):
        return absolute(obj.archive.url)

    def feed_url(self, obj):
        return absolute(obj.archive.feed_url)

    def articles(self, obj):
        return obj.archive.articles


class CategoryFeed(ArchiveFeed):
    archive_for = staticmethod(archives.category_archive)


class TagFeed(ArchiveFeed):
    archive_for = staticmethod(archives.tag_archive)


class AuthorFeed(ArchiveFeed):
    archive_for = staticmethod(archives.author_archive)


class MonthFeed(ArchiveFeed):
    archive_for = staticmethod(archives.month_archive)
