import feedparser
import pytest
from django.urls import reverse

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_site_comment_feed_carries_approved_comments_only_and_no_email(client, article):
    approved = CommentFactory(
        article=article, approved=True, author_name="Ada", author_email="ada@example.net"
    )
    CommentFactory(article=article, body="Held for moderation")
    CommentFactory(article=article, spam=True, body="Buy now")
    CommentFactory(article=ArticleFactory(draft=True), approved=True, body="On a draft")

    response, feed = parse(client, reverse("comments:feed"))

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

    _, feed = parse(client, reverse("comments:article-feed", args=[article.pk]))

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
        parse(client, reverse("comments:feed"))
    with django_assert_num_queries(3):  # + the article
        parse(client, reverse("comments:article-feed", args=[article.pk]))
