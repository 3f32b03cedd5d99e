"""The thread is kept in the cache between readers; every change a reader could see
shows on the next view, and a comment merely held changes nothing."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_approve, comment_moderate
from core import invalidation
from tests.factories.blog import ArticleFactory
from tests.factories.comments import ArticleDiscussionFactory, CommentFactory

pytestmark = pytest.mark.django_db


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def seen(client, article):
    """An approved comment, and the thread with it in the cache (a reader saw it)."""
    comment = CommentFactory(article=article, approved=True, author_name="Bo", body="First words")
    assert "First words" in page(client, article)
    return comment


def test_approved_comment_shows_at_once(client, article, seen):
    held = CommentFactory(article=article, body="Waiting words")
    assert "Waiting words" not in page(client, article)

    comment_approve(comment=held)

    shown = page(client, article)
    assert "Waiting words" in shown
    assert "2 comments on" in shown


@pytest.mark.parametrize(
    "status", [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.TRASH]
)
def test_comment_taken_back_leaves_the_page_at_once(client, article, seen, status):
    comment_moderate(comments=Comment.objects.filter(pk=seen.pk), status=status)

    assert "First words" not in page(client, article)


def test_edited_comment_shows_its_new_text(client, article, seen, editor_client):
    response = editor_client.post(
        reverse("admin:comments_comment_change", args=[seen.pk]),
        {
            "status": Comment.Status.APPROVED,
            "author_name": "Bo",
            "author_email": seen.author_email,
            "author_url": "",
            "body": "Second thoughts",
        },
    )
    assert response.status_code == 302

    shown = page(client, article)
    assert "Second thoughts" in shown
    assert "First words" not in shown


def test_deleted_comment_leaves_the_page(client, article, seen):
    seen.delete()

    assert "First words" not in page(client, article)


def test_reply_to_a_comment_taken_back_moves_to_the_top_level(client, article, seen):
    reply = CommentFactory(article=article, approved=True, parent=seen)
    assert f'id="comment-{reply.pk}" class="comment depth-2"' in page(client, article)

    comment_moderate(comments=Comment.objects.filter(pk=seen.pk), status=Comment.Status.SPAM)

    assert f'id="comment-{reply.pk}" class="comment depth-1"' in page(client, article)


def test_closing_comments_takes_the_reply_links_away(client, article, seen):
    assert "Reply</a>" in page(client, article)

    ArticleDiscussionFactory(article=article, closed=True)

    shown = page(client, article)
    assert "Reply</a>" not in shown
    assert "First words" in shown
    assert "Comments are closed." in shown


def test_comments_closing_with_age_take_the_reply_links_away(client, discussion):
    discussion.is_auto_close_on = True
    discussion.close_after_days = 14
    discussion.save()
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=13))
    CommentFactory(article=article, approved=True, body="Said in time")
    assert "Reply</a>" in page(client, article)

    two_days_later = timezone.now() + timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=two_days_later):
        shown = page(client, article)

    assert "Said in time" in shown
    assert "Reply</a>" not in shown
    assert "Comments are closed." in shown


def test_threading_turned_off_flattens_the_thread(client, article, seen, discussion):
    reply = CommentFactory(article=article, approved=True, parent=seen)
    assert '<ol class="children">' in page(client, article)

    discussion.is_threaded = False
    discussion.save()

    shown = page(client, article)
    assert '<ol class="children">' not in shown
    assert f'id="comment-{reply.pk}" class="comment depth-1"' in shown
    assert "replytocom=" not in shown


def test_renamed_article_shows_its_new_title_over_the_comments(client, article, seen):
    article.title = "Drones over the North Sea"
    article.save()

    assert "1 comment on “Drones over the North Sea”" in page(client, article)


def test_another_articles_thread_is_its_own(client, article, seen):
    other = ArticleFactory()

    assert "First words" not in page(client, other)


def stales_pages(action, capture) -> bool:
    """Whether `action` makes a new site version (core/invalidation.py), once committed."""
    before = invalidation.current()
    with capture(execute=True):
        action()
    return invalidation.current() != before


def test_visible_changes_stale_the_cached_pages(
    article, discussion, django_capture_on_commit_callbacks
):
    comment = CommentFactory(article=article, body="Held")
    capture = django_capture_on_commit_callbacks

    assert stales_pages(lambda: comment_approve(comment=comment), capture)
    assert stales_pages(
        lambda: comment_moderate(
            comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.TRASH
        ),
        capture,
    )
    assert stales_pages(lambda: CommentFactory(article=article, approved=True), capture)
    assert stales_pages(lambda: Comment.objects.approved().get().delete(), capture)
    assert stales_pages(lambda: ArticleDiscussionFactory(article=article, closed=True), capture)
    discussion.is_threaded = False
    assert stales_pages(discussion.save, capture)


def test_held_comments_leave_the_cached_pages_alone(
    client, article, post_url, valid_data, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    held = CommentFactory(article=article)

    assert not stales_pages(lambda: client.post(post_url(article), valid_data), capture)
    held.body = "Edited while held"
    assert not stales_pages(held.save, capture)
    assert not stales_pages(
        lambda: comment_moderate(
            comments=Comment.objects.filter(pk=held.pk), status=Comment.Status.SPAM
        ),
        capture,
    )
    assert not stales_pages(Comment.objects.get(pk=held.pk).delete, capture)
