"""The moderation queue in the admin, and the Discussion settings page."""

import pytest
from django.urls import reverse

from comments.models import ArticleDiscussion, Comment, DiscussionSettings
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def test_editor_sees_pending_comments_first(editor_client, article):
    old_pending = CommentFactory(article=article, body="Old pending")
    CommentFactory(article=article, approved=True, body="Newer approved")
    CommentFactory(article=article, spam=True, body="Newest spam")

    response = editor_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown[0] == old_pending


def test_changelist_shows_counts_per_status(editor_client, article):
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, approved=True)
    CommentFactory(article=article, trashed=True)

    page = editor_client.get(reverse(CHANGELIST)).content.decode()

    assert "All (4)" in page
    assert "Pending (2)" in page
    assert "Approved (1)" in page
    assert "Spam (0)" in page
    assert "Trash (1)" in page


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve_selected", Comment.Status.APPROVED),
        ("spam_selected", Comment.Status.SPAM),
        ("trash_selected", Comment.Status.TRASH),
        ("unapprove_selected", Comment.Status.PENDING),
    ],
)
def test_bulk_actions_change_status(editor_client, article, action, status):
    chosen = CommentFactory.create_batch(2, article=article, approved=status != "approved")
    untouched = CommentFactory(article=article, spam=True)

    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [comment.pk for comment in chosen]},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 comment(s)" in response.content.decode()
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == status
    untouched.refresh_from_db()
    assert untouched.status == Comment.Status.SPAM


def test_approving_in_the_admin_publishes_the_comment(editor_client, client, article):
    comment = CommentFactory(article=article, body="Worth reading")
    editor_client.post(
        reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": [comment.pk]}
    )
    client.logout()

    assert "Worth reading" in client.get(article.get_absolute_url()).content.decode()


def test_editor_sees_the_email_and_ip_in_the_admin(editor_client, article):
    comment = CommentFactory(
        article=article, author_email="ada@example.net", ip_address="192.0.2.4"
    )

    page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))

    assert "ada@example.net" in page.content.decode()
    assert "192.0.2.4" in page.content.decode()


def test_comments_cannot_be_added_in_the_admin(editor_client):
    assert editor_client.get(reverse("admin:comments_comment_add")).status_code == 403


def test_editor_edits_discussion_settings(editor_client):
    row = DiscussionSettings.load()
    url = reverse("admin:comments_discussionsettings_change", args=[row.pk])
    assert editor_client.get(reverse("admin:comments_discussionsettings_changelist")).url == url
    data = {
        "is_open_on_new_articles": "on",
        "close_after_days": "30",
        "is_threaded": "on",
        "thread_depth": "3",
        "is_previous_approval_required": "",
        "max_links": "4",
        "moderation_keys": "casino",
        "disallowed_keys": "pills",
    }

    response = editor_client.post(url, data)

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.thread_depth, row.max_links, row.close_after_days) == (3, 4, 30)
    assert row.is_previous_approval_required is False
    assert row.notify_on_held is False
    assert row.disallowed_words == ["pills"]


def test_editor_closes_comments_on_one_article(editor_client, client, article):
    response = editor_client.post(
        reverse("admin:comments_articlediscussion_add"), {"article": article.pk, "is_open": ""}
    )

    assert response.status_code == 302
    assert ArticleDiscussion.objects.get(article=article).is_open is False
    client.logout()
    assert "Comments are closed." in client.get(article.get_absolute_url()).content.decode()


def test_editors_group_has_the_comment_permissions(editor):
    for codename in ("change_comment", "delete_comment", "view_comment",
                     "change_discussionsettings", "change_articlediscussion"):  # fmt: skip
        assert editor.has_perm(f"comments.{codename}")
    assert not editor.has_perm("comments.add_comment")
