from django.urls import path

from comments import feeds, views

app_name = "comments"

urlpatterns = [
    path("articles/<int:article_id>/", views.comment_post, name="post"),
    path("articles/<int:article_id>/feed/", feeds.ArticleCommentsFeed(), name="article-feed"),
    path("author-details/", views.author_details, name="author-details"),
    path("feed/", feeds.LatestCommentsFeed(), name="feed"),
]
