from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("articles/<int:article_id>/", views.comment_post, name="post"),
]
