import pytest
from django.urls import reverse

from blog.models import SiteSettings
from comments import services
from comments.forms import NAME_REQUIRED
from comments.models import Comment
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory
from tests.feeds import fetch_feed

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"


def test_site_comment_feed_carries_approved_comments_only_and_no_email(client, article):
    approved = CommentFactory(
        article=article, approved=True, author_name="Ada", author_email="ada@example.net"
    )
    CommentFactory(article=article, body="Held for moderation")
    CommentFactory(article=article, spam=True, body="Buy now")
    CommentFactory(article=ArticleFactory(draft=True), approved=True, body="On a draft")

    response, feed = fetch_feed(client, reverse("comments:feed"))

    assert feed.version == "rss20"
    assert [entry.title for entry in feed.entries] == ["Comment on Drones over the Baltic by Ada"]
    entry = feed.entries[0]
    assert entry.link == f"{SITE_URL}{article.get_absolute_url()}#comment-{approved.pk}"
    assert entry.author_detail.name == "Ada"
    content = response.content.decode()
    assert "@" not in content.replace("http://", "")
    for hidden in ("Held for moderation", "Buy now", "On a draft"):
        assert hidden not in content


def test_article_comment_feed_carries_that_articles_approved_comments(client, article):
    CommentFactory(article=article, approved=True, author_name="Ada")
    CommentFactory(article=article, author_name="Pending Pete")
    CommentFactory(approved=True, author_name="Elsewhere Eve")

    _, feed = fetch_feed(client, reverse("comments:article-feed", args=[article.pk]))

    assert feed.feed.title == "Comments on: Drones over the Baltic"
    assert feed.feed.link == f"{SITE_URL}{article.get_absolute_url()}"
    assert [entry.author_detail.name for entry in feed.entries] == ["Ada"]


@pytest.mark.parametrize("state", [{"draft": True}, {"scheduled": True}])
def test_unpublished_article_has_no_comment_feed(client, state):
    article = ArticleFactory(**state)

    response = client.get(reverse("comments:article-feed", args=[article.pk]))

    assert response.status_code == 404


def test_article_page_announces_its_comment_feeds(client, article):
    page = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{reverse("comments:feed")}"' in page
    assert f'href="{reverse("comments:article-feed", args=[article.pk])}"' in page


@pytest.mark.parametrize("size", [1, 20])
def test_comment_feeds_cost_the_same_queries_whatever_their_length(
    client, article, django_assert_num_queries, size
):
    SiteSettings.load()
    CommentFactory.create_batch(size, article=article, approved=True)

    with django_assert_num_queries(2):  # site settings, comments with their articles
        fetch_feed(client, reverse("comments:feed"))
    with django_assert_num_queries(3):  # + the article
        fetch_feed(client, reverse("comments:article-feed", args=[article.pk]))


def test_comment_with_control_characters_through_the_form_keeps_the_feeds_valid(
    client, article, discussion
):
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "comment": "Nice\x0bpost\x1b here",
            "author": "Bob\x1bby",
            "email": "bob@example.net",
            "url": "example.org/\x1bpage",
            "comment_parent": "0",
        },
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    services.comment_approve(comment=comment)

    assert (comment.author_name, comment.body) == ("Bobby", "Nicepost here")
    assert comment.author_url == "https://example.org/page"
    for url in (reverse("comments:feed"), reverse("comments:article-feed", args=[article.pk])):
        _, feed = fetch_feed(client, url)
        assert [entry.title for entry in feed.entries] == [
            "Comment on Drones over the Baltic by Bobby"
        ]
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "Bobby" in page.content.decode()


def test_comment_name_of_control_characters_alone_is_a_missing_name(client, article):
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {"comment": "Kept text", "author": "\x1b\x0b", "email": "bob@example.net"},
    )

    assert NAME_REQUIRED in response.content.decode()
    assert "Kept text" in response.content.decode()


def test_old_comment_rows_with_control_characters_cannot_break_the_feeds(client, article):
    CommentFactory(article=article, approved=True)
    Comment.objects.update(author_name="Bob\x1bby", body_html="<p>Nice\x0bpost</p>")

    _, feed = fetch_feed(client, reverse("comments:feed"))

    assert [entry.title for entry in feed.entries] == ["Comment on Drones over the Baltic by Bobby"]
