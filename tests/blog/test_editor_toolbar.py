"""The site as an editor sees it: a toolbar on public pages and the held comments under
an article, with Approve and Spam; none of it for readers, nor in any shared cache."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from comments.templatetags.comments_admin import ARTICLE_PENDING
from tests.factories.blog import ArticleFactory, UserFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

NGINX_CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "broadsheet.conf"
TOOLBAR = 'class="editor-toolbar"'
HELD = 'class="pending-comments"'


@pytest.fixture
def article(db):
    return ArticleFactory(title="Harbour cranes return")


@pytest.fixture
def held(article):
    return CommentFactory(article=article, author_name="Held Harriet",
                          body="Cranes are back, at last.")  # fmt: skip


@pytest.fixture
def reader_client(db):
    """A reader who signed in (a non-staff account): the session cookie, no staff status."""
    client = Client()
    client.force_login(UserFactory(username="plain-reader"))
    return client


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def moderate_url(comment, verb):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, verb])


def test_anonymous_reader_gets_no_toolbar_no_held_comment_and_a_shareable_page(
    client, article, held
):
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert TOOLBAR not in response.text
    assert HELD not in response.text
    assert "Held Harriet" not in response.text
    assert "public" in directives(response)
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies


def test_editor_sees_the_toolbar_with_edit_dashboard_and_pending_count(
    editor_client, article, held
):
    CommentFactory(article=ArticleFactory(), author_name="Elsewhere")

    response = editor_client.get(article.get_absolute_url())

    assert TOOLBAR in response.text
    assert f'href="{reverse("admin:blog_article_change", args=[article.pk])}"' in response.text
    assert "Edit this article" in response.text
    assert f'href="{reverse("admin:index")}">Dashboard</a>' in response.text
    assert "2 pending comments" in response.text


def test_editor_toolbar_on_a_page_that_is_not_an_article_has_no_edit_link(editor_client):
    response = editor_client.get(reverse("blog:article-list"))

    assert TOOLBAR in response.text
    assert "Edit this article" not in response.text
    assert "0 pending comments" in response.text


def test_editor_sees_held_comments_under_the_article_marked_with_their_buttons(
    editor_client, article, held
):
    CommentFactory(article=article, author_name="Approved Alma", approved=True)
    CommentFactory(article=article, author_name="Spammy Sam", spam=True)

    response = editor_client.get(article.get_absolute_url())

    text = response.text
    section = text[text.index(HELD) :]
    assert "Awaiting moderation: 1 comment" in section
    assert '<span class="pending-label">Pending</span>' in section
    assert "Held Harriet" in section
    assert "Approved Alma" not in section  # in the thread above, as readers see it
    assert "Spammy Sam" not in text
    assert f'formaction="{moderate_url(held, "approve")}"' in section
    assert f'formaction="{moderate_url(held, "spam")}"' in section
    assert moderate_url(held, "trash") not in section
    assert "csrfmiddlewaretoken" in section
    assert f'name="next" value="{article.get_absolute_url()}#comments"' in section


def test_editor_page_is_private(editor_client, article, held):
    response = editor_client.get(article.get_absolute_url())

    assert "private" in directives(response)
    assert "public" not in directives(response)
    assert not any(part.startswith("s-maxage") for part in directives(response))


def test_approve_under_the_article_approves_and_comes_back_to_it(editor_client, article, held):
    back = f"{article.get_absolute_url()}#comments"

    response = editor_client.post(moderate_url(held, "approve"), {"seen": "pending", "next": back})

    held.refresh_from_db()
    assert held.status == Comment.Status.APPROVED
    assert response.status_code == 302
    assert response["Location"] == back
    page = editor_client.get(article.get_absolute_url())
    assert "The comment was approved." in page.text
    assert HELD not in page.text
    assert '<li id="comment-' in page.text  # now in the thread, for everyone
    assert "Held Harriet" in Client().get(article.get_absolute_url()).text


def test_spam_under_the_article_hides_it_from_everyone(editor_client, article, held):
    response = editor_client.post(
        moderate_url(held, "spam"),
        {"seen": "pending", "next": f"{article.get_absolute_url()}#comments"},
        follow=True,
    )

    held.refresh_from_db()
    assert held.status == Comment.Status.SPAM
    assert response.redirect_chain[-1][0].startswith(article.get_absolute_url())
    assert "The comment was marked as spam." in response.text
    assert "Held Harriet" not in response.text


def test_signed_in_reader_sees_nothing_extra(reader_client, article, held):
    response = reader_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert TOOLBAR not in response.text
    assert HELD not in response.text
    assert "Held Harriet" not in response.text
    assert "private" in directives(response)


def test_signed_in_reader_cannot_use_the_buttons(reader_client, held):
    response = reader_client.post(moderate_url(held, "approve"), {"seen": "pending"})

    held.refresh_from_db()
    assert held.status == Comment.Status.PENDING
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_comment_permission_gets_the_toolbar_but_no_held_comments(article, held):
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(article.get_absolute_url())

    assert TOOLBAR in response.text
    assert "pending comment" not in response.text
    assert "Edit this article" not in response.text
    assert "Held Harriet" not in response.text


def test_the_shared_copy_never_holds_the_toolbar(page_cache, editor_client, article, held):
    client = Client()  # a reader's browser, beside the editor's
    # The editor first: their page must not become the one readers are served.
    editor_page = editor_client.get(article.get_absolute_url())
    reader_page = client.get(article.get_absolute_url())
    reader_again = client.get(article.get_absolute_url())
    editor_again = editor_client.get(article.get_absolute_url())

    assert TOOLBAR in editor_page.text and TOOLBAR in editor_again.text
    assert "Held Harriet" in editor_again.text
    for page in (reader_page, reader_again):
        assert "public" in directives(page)
        assert TOOLBAR not in page.text
        assert "Held Harriet" not in page.text


def test_anonymous_article_page_costs_no_more_queries_with_held_comments(
    client, article, django_assert_num_queries
):
    client.get(article.get_absolute_url())  # warm the cached thread and settings
    with CaptureQueriesContext(connection) as without_held:
        client.get(article.get_absolute_url())
    CommentFactory.create_batch(3, article=article)

    with django_assert_num_queries(len(without_held)):
        client.get(article.get_absolute_url())


def test_nginx_bypasses_its_cache_on_the_session_cookie_the_toolbar_needs():
    # The toolbar shows only with Django's session cookie; nginx must skip its cache for
    # exactly that cookie, or it could store or serve an editor's page.
    conf = NGINX_CONF.read_text()

    assert f"map $cookie_{settings.SESSION_COOKIE_NAME} $broadsheet_signed_in" in conf
    assert "proxy_cache_bypass $broadsheet_signed_in;" in conf
    assert "proxy_no_cache $broadsheet_signed_in;" in conf


def test_a_flood_of_held_comments_shows_the_oldest_and_points_to_the_queue(editor_client, article):
    CommentFactory.create_batch(ARTICLE_PENDING + 1, article=article, body="Buy now")

    response = editor_client.get(article.get_absolute_url())

    section = response.text[response.text.index(HELD) :]
    assert section.count('class="pending-comment"') == ARTICLE_PENDING
    assert f"Awaiting moderation: the oldest {ARTICLE_PENDING}" in section
    assert reverse("admin:comments_comment_changelist") + "?status__exact=pending" in section


def test_author_gets_no_edit_link_on_someone_elses_article(client, article):
    client.force_login(UserFactory(author=True))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert TOOLBAR in response.text
    assert "Edit this article" not in response.text
    assert reverse("admin:blog_article_change", args=[article.pk]) not in response.text


def test_author_gets_the_edit_link_on_the_preview_of_their_own_draft(client):
    author = UserFactory(author=True)
    draft = ArticleFactory(title="My own draft", author=author, draft=True)
    client.force_login(author)

    response = client.get(reverse("blog:article-preview", args=[draft.pk]))

    assert response.status_code == 200
    assert "Edit this article" in response.text
    assert f'href="{reverse("admin:blog_article_change", args=[draft.pk])}"' in response.text
