from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path, register_converter

from blog import feeds, views
from blog.sitemaps import SITEMAPS

app_name = "blog"


class UsernameConverter:
    """What a Django username may hold (UnicodeUsernameValidator: letters, digits and
    @.+-_). Anything else, a NUL byte included, is no author: 404 before any query
    (PostgreSQL refuses NUL in text and would answer 500)."""

    regex = r"[\w.@+-]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(UsernameConverter, "username")

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article-list"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="article-preview"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("category/<slug:slug>/", views.CategoryArchiveView.as_view(), name="category"),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("tag/<slug:slug>/", views.TagArchiveView.as_view(), name="tag"),
    path("tag/<slug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("author/<username:username>/", views.AuthorArchiveView.as_view(), name="author"),
    path("author/<username:username>/feed/", feeds.AuthorFeed(), name="author-feed"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$",
        views.MonthArchiveView.as_view(),
        name="month-archive",
    ),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/feed/$",
        feeds.MonthFeed(),
        name="month-feed",
    ),
    # WordPress's "day and name" permalinks: /2024/11/03/the-slug/
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-a-zA-Z0-9_]+)/$",
        views.ArticleDetailView.as_view(),
        name="article-detail",
    ),
]
