"""Comments and the kept article page: what readers may see shows at once, what waits
for moderation leaves the kept page alone."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, DiscussionSettings
from comments.services import comment_approve, comment_moderate
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_flood_limit(settings):
    settings.COMMENT_FLOOD_SECONDS = 0


@pytest.fixture
def article():
    return ArticleFactory(title="Drones over the Baltic")


@pytest.fixture
def cached(page_cache, article):
    """The article page is in the cache, put there by some other reader."""
    Client().get(article.get_absolute_url())
    return article


def comment_data(**extra):
    return {
        "comment": "Pending thoughts on logistics.",
        "author": "Ada Reader",
        "email": "ada@example.net",
        "url": "",
        "comment_parent": "0",
        **extra,
    }


def kept_without_a_query(article) -> bool:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        Client().get(article.get_absolute_url())
    return len(queries) == 0


def test_comment_form_on_a_kept_page_posts_without_a_token(cached):
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(cached.get_absolute_url())
    assert "csrfmiddlewaretoken" not in page.text

    posted = reader.post(
        reverse("comments:post", args=[cached.pk]),
        comment_data(),
        headers={"Sec-Fetch-Site": "same-origin"},
    )

    assert posted.status_code == 303
    assert Comment.objects.filter(author_name="Ada Reader").exists()


def post_comment(article, django_capture_on_commit_callbacks, **extra):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("comments:post", args=[article.pk]), comment_data(**extra))
    assert response.status_code == 303
    return Comment.objects.latest("pk")


def test_new_comment_awaiting_moderation_leaves_the_cache_alone(
    cached, django_capture_on_commit_callbacks
):
    comment = post_comment(cached, django_capture_on_commit_callbacks)

    assert comment.status == Comment.Status.PENDING
    assert kept_without_a_query(cached)


def test_comment_sent_to_the_trash_leaves_the_cache_alone(
    page_cache, article, django_capture_on_commit_callbacks
):
    DiscussionSettings.objects.update_or_create(pk=1, defaults={"disallowed_keys": "casino"})
    Client().get(article.get_absolute_url())  # cached, by some other reader

    comment = post_comment(article, django_capture_on_commit_callbacks, comment="Try my casino.")

    assert comment.status == Comment.Status.TRASH
    assert kept_without_a_query(article)


def test_published_comment_refreshes_the_cached_page(
    page_cache, article, django_capture_on_commit_callbacks
):
    DiscussionSettings.objects.update_or_create(
        pk=1, defaults={"is_previous_approval_required": False}
    )
    Client().get(article.get_absolute_url())

    comment = post_comment(article, django_capture_on_commit_callbacks, comment="Out at once.")

    assert comment.status == Comment.Status.APPROVED
    assert "Out at once." in Client().get(article.get_absolute_url()).text


def test_approving_a_comment_shows_it_on_the_cached_page_at_once(
    cached, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=cached, body="Now public remark.")
    assert "Now public remark." not in Client().get(cached.get_absolute_url()).text

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=comment)

    assert "Now public remark." in Client().get(cached.get_absolute_url()).text


def test_removing_a_comment_takes_it_off_the_cached_page_at_once(
    page_cache, article, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=article, approved=True, body="Soon in the trash.")
    assert "Soon in the trash." in Client().get(article.get_absolute_url()).text

    with django_capture_on_commit_callbacks(execute=True):
        comment_moderate(comments=Comment.objects.filter(pk=comment.pk), status="trash")

    assert "Soon in the trash." not in Client().get(article.get_absolute_url()).text


def test_editing_a_comment_in_the_admin_changes_the_cached_page_at_once(
    page_cache, article, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=article, approved=True, body="Typo in here.")
    Client().get(article.get_absolute_url())

    comment.body = "Typo fixed."
    with django_capture_on_commit_callbacks(execute=True):
        comment.save()

    assert "Typo fixed." in Client().get(article.get_absolute_url()).text


def test_cached_article_with_many_comments_costs_no_query(
    page_cache, article, django_assert_num_queries
):
    for n in range(5):
        parent = CommentFactory(article=article, approved=True, body=f"Thread {n} opens.")
        CommentFactory.create_batch(4, article=article, approved=True, parent=parent, depth=2)
    Client().get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = Client().get(article.get_absolute_url())

    assert "Thread 4 opens." in response.text
