from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("articles/<int:article_id>/", views.comment_post, name="post"),
    path("articles/<int:article_id>/feed/", feeds.ArticleCommentsFeed(), name="article-feed"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
]
