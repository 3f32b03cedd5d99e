"""Comment feeds (RSS 2.0): the site's latest approved comments, and one article's.

Only approved comments on published articles, and never a commenter's email address:
items name the commenter and link to the comment on its article. Addresses are absolute
from SITE_URL, like blog's feeds.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse

from blog.feeds import RssFeed
from blog.models import Article, SiteSettings
from comments.models import Comment

FEED_ITEMS = 30


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class LatestCommentsFeed(Feed):
    feed_type = RssFeed

    def get_object(self, request, *args, **kwargs):
        # The feed object is shared by every request: per-request state lives in `obj`.
        return {"site": SiteSettings.load(), "article": None}

    def title(self, obj):
        return f"Comments for {obj['site'].display_name}"

    def description(self, obj):
        return f"The latest comments on {obj['site'].display_name}."

    def link(self, obj):
        return absolute(reverse("blog:article-list"))

    def feed_url(self, obj):
        return absolute(reverse("comments:feed"))

    def comments(self, obj):
        return Comment.objects.approved().filter(article__in=Article.objects.published())

    def items(self, obj):
        return (
            self.comments(obj)
            .select_related("article")
            .only(
                "pk", "author_name", "body_html", "created_at",
                "article__title", "article__slug", "article__published_at",
                "article__created_at",
            )
            .order_by("-created_at", "-pk")[:FEED_ITEMS]
        )  # fmt: skip

    def item_title(self, item):
        return f"Comment on {item.article.title} by {item.author_name}"

    def item_description(self, item):
        return item.body_html  # cleaned on save (blog/html.py's comment policy)

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author_name


class ArticleCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, article_id):
        article = get_object_or_404(
            Article.objects.published().only("title", "slug", "published_at", "created_at"),
            pk=article_id,
        )
        return {"site": SiteSettings.load(), "article": article}

    def title(self, obj):
        return f"Comments on: {obj['article'].title}"

    def description(self, obj):
        return f"Comments on “{obj['article'].title}” at {obj['site'].display_name}."

    def link(self, obj):
        return absolute(obj["article"].get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse("comments:article-feed", args=[obj["article"].pk]))

    def comments(self, obj):
        return Comment.objects.approved().filter(article=obj["article"])
