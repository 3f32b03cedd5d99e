"""The article page costs the same queries whatever the number of comments."""

import pytest
from django_tasks_db.models import DBTaskResult

from blog.models import SiteSettings
from comments.models import Comment
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings_rows(discussion):
    """Both settings rows exist, as on any site that has served a page."""
    SiteSettings.load()


# The article page as blog renders it (article, "See also" links, site settings, its
# categories, its tags; "Related" asks nothing of an article without any) plus the
# comment section's two: the discussion settings with the article's switch, the thread.
ARTICLE_PAGE_QUERIES = 7


def add_thread(article, count):
    """`count` approved comments: top-level ones, each followed by a chain of replies."""
    made = []
    while len(made) < count:
        parent = CommentFactory(article=article, approved=True)
        made.append(parent)
        for _ in range(min(4, count - len(made))):
            parent = CommentFactory(article=article, approved=True, parent=parent)
            made.append(parent)
    return made


@pytest.mark.parametrize("count", [0, 50, 200])
def test_article_page_query_count_does_not_grow_with_comments(
    client, article, django_assert_num_queries, discussion, count
):
    add_thread(article, count)
    assert Comment.objects.filter(parent__isnull=False).count() == count - count // 5

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="comment depth-') == count


def test_own_pending_comments_cost_no_extra_query(
    client, article, post_url, valid_data, django_assert_num_queries, discussion
):
    add_thread(article, 10)
    client.post(post_url(article), valid_data)

    with django_assert_num_queries(ARTICLE_PAGE_QUERIES):
        page = client.get(article.get_absolute_url()).content.decode()

    assert "Your comment is awaiting moderation." in page


@pytest.fixture
def queued_tasks(settings):
    """Notifications queued in the database, as in production (django-tasks-db)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A first comment from a browser, as production posts it: the article; the settings with
# the article's switch; the duplicate check; the comment; its notification task, queued
# once the comment is committed. No transaction around the one INSERT. The trust rule
# costs nothing: a token made for this post cannot have an approved comment.
COMMENT_POST_QUERIES = 5


def test_posting_a_comment_costs_a_handful_of_queries(
    client, article, post_url, valid_data, discussion, queued_tasks,
    django_assert_max_num_queries, django_capture_on_commit_callbacks,
):  # fmt: skip
    with (
        django_assert_max_num_queries(COMMENT_POST_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(post_url(article), valid_data)

    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert DBTaskResult.objects.get().args_kwargs == {"args": [comment.pk], "kwargs": {}}


def test_a_reply_costs_one_query_more(
    client, article, post_url, valid_data, discussion, queued_tasks,
    django_assert_max_num_queries, django_capture_on_commit_callbacks,
):  # fmt: skip
    parent = CommentFactory(article=article, approved=True)
    data = {**valid_data, "comment_parent": str(parent.pk)}

    with (
        django_assert_max_num_queries(COMMENT_POST_QUERIES + 1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(post_url(article), data)

    assert response.status_code == 303
    assert Comment.objects.get(parent=parent).depth == 2


def test_a_browser_with_a_token_costs_one_query_more_for_the_trust_rule(
    client, article, post_url, valid_data, discussion, queued_tasks,
    django_assert_max_num_queries, django_capture_on_commit_callbacks,
):  # fmt: skip
    client.post(post_url(article), valid_data)  # the browser gets its token (still pending)

    with (
        django_assert_max_num_queries(COMMENT_POST_QUERIES + 1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(post_url(article), {**valid_data, "comment": "Second thoughts."})

    assert response.status_code == 303
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING
