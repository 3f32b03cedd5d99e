"""The comment section's cost on the article page: one query while its thread is in the
cache, two when the thread must be rendered, whatever the number of comments; and a
held comment leaves the cached thread alone."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from blog.models import SiteSettings
from comments.models import Comment
from comments.services import comment_approve
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

# The discussion settings with the article's switch and comment version; the thread.
WARM_THREAD_QUERIES = 1
COLD_THREAD_QUERIES = 2


@pytest.fixture(autouse=True)
def _settings_rows(discussion):
    """Both settings rows exist, as on any site that has served a page."""
    SiteSettings.load()


@pytest.fixture
def blog_queries(client, article, settings):
    """What the article page costs without its comment section: blog's share, counted
    here so that these tests count only ours."""
    sections = settings.PAGE_SECTIONS
    settings.PAGE_SECTIONS = {
        **sections,
        "article_end": [name for name in sections["article_end"] if "comments/" not in name],
    }
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        client.get(article.get_absolute_url())
    settings.PAGE_SECTIONS = sections
    cache.clear()
    return len(queries)


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
def test_article_page_costs_one_query_more_with_its_thread_cached(
    client, article, blog_queries, django_assert_num_queries, count
):
    add_thread(article, count)
    client.get(article.get_absolute_url())  # the first reader renders the thread

    with django_assert_num_queries(blog_queries + WARM_THREAD_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content.decode().count('class="comment depth-') == count


@pytest.mark.parametrize("count", [0, 50, 200])
def test_article_page_costs_two_queries_more_rendering_its_thread(
    client, article, blog_queries, django_assert_num_queries, count
):
    add_thread(article, count)

    with django_assert_num_queries(blog_queries + COLD_THREAD_QUERIES):
        response = client.get(article.get_absolute_url())

    assert response.content.decode().count('class="comment depth-') == count


def test_a_held_comment_leaves_the_cached_thread_alone(
    client, other_client, article, post_url, valid_data, blog_queries, django_assert_num_queries
):
    add_thread(article, 10)
    client.get(article.get_absolute_url())

    other_client.post(post_url(article), valid_data)
    assert Comment.objects.latest("pk").status == Comment.Status.PENDING

    with django_assert_num_queries(blog_queries + WARM_THREAD_QUERIES):
        page = client.get(article.get_absolute_url()).content.decode()
    assert "A thoughtful remark about logistics." not in page


def test_an_approved_comment_is_rendered_into_the_thread_once(
    client, article, blog_queries, django_assert_num_queries
):
    add_thread(article, 10)
    client.get(article.get_absolute_url())
    comment_approve(comment=CommentFactory(article=article, body="Now approved"))

    with django_assert_num_queries(blog_queries + COLD_THREAD_QUERIES):
        assert "Now approved" in client.get(article.get_absolute_url()).content.decode()
    with django_assert_num_queries(blog_queries + WARM_THREAD_QUERIES):
        assert "Now approved" in client.get(article.get_absolute_url()).content.decode()


def test_the_posters_own_page_costs_one_query_for_their_held_comment(
    client, article, post_url, valid_data, blog_queries, django_assert_num_queries
):
    add_thread(article, 10)
    location = client.post(post_url(article), valid_data)["Location"]

    with django_assert_num_queries(blog_queries + COLD_THREAD_QUERIES):
        page = client.get(location).content.decode()

    assert "Your comment is awaiting moderation." in page


@pytest.fixture
def queued_tasks(settings):
    """Notifications queued in the database, as in production (django-tasks-db)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# A first comment from a browser, as production posts it: the article; the settings with
# the article's switch; the duplicate check; the comment; its notification task, queued
# once the comment is committed. No transaction around the one INSERT. The trust rule
# costs nothing: a token made for this post cannot have an approved comment. A held
# comment changes no thread, so no comment version is raised.
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


def test_a_comment_published_at_once_costs_two_queries_more_for_the_caches(
    client, article, post_url, valid_data, discussion, queued_tasks,
    django_assert_max_num_queries, django_capture_on_commit_callbacks,
):  # fmt: skip
    discussion.is_previous_approval_required = False
    discussion.save()
    CommentFactory(article=article, approved=True)  # the article's thread has changed before

    # The article's comment version is raised; the new site version (core/invalidation.py)
    # asks when the next scheduled article and the next scheduled page go live.
    with (
        django_assert_max_num_queries(COMMENT_POST_QUERIES + 3),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(post_url(article), valid_data)

    assert response.status_code == 303
    assert Comment.objects.latest("pk").status == Comment.Status.APPROVED
