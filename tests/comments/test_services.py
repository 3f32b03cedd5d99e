"""The submit service applies the same policy whoever calls it (the shell, an import)."""

import pytest

from comments import services
from comments.models import Comment
from tests.factories.comments import ArticleDiscussionFactory

pytestmark = pytest.mark.django_db


def submit(article, **overrides):
    values = {
        "article": article,
        "author_name": "Shell User",
        "author_email": "shell@example.net",
        "body": "Typed in a shell.",
    }
    return services.comment_submit(**{**values, **overrides})


def test_service_without_a_request_holds_a_new_author(article):
    assert submit(article).status == Comment.Status.PENDING


def test_service_applies_disallowed_words(article, discussion):
    discussion.disallowed_keys = "shell"
    discussion.save()

    assert submit(article).status == Comment.Status.TRASH


def test_service_refuses_closed_articles_and_stores_nothing(article):
    ArticleDiscussionFactory(article=article, closed=True)

    with pytest.raises(services.CommentsClosed):
        submit(article)
    assert not Comment.objects.exists()


def test_service_refuses_duplicates(article):
    submit(article)

    with pytest.raises(services.DuplicateComment):
        submit(article, author_name="Someone else")
    assert Comment.objects.count() == 1


def test_moderating_a_batch_reports_how_many_changed(article):
    first, second = submit(article), submit(article, body="Another")
    services.comment_approve(comment=first)

    changed = services.comment_moderate(
        comments=Comment.objects.filter(pk__in=[first.pk, second.pk]),
        status=Comment.Status.APPROVED,
    )

    assert changed == 1
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.APPROVED}
