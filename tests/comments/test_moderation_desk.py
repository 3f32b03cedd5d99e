"""The editors' desk: one-click moderation in the list and on a comment's page, the
email's approve page, replies as the editor, and the pending badge."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from blog.models import SiteSettings
from comments.admin import ALREADY, COMMENT_MISSING
from comments.models import Comment
from comments.services import COMMENTS_CLOSED, CommentsClosed, comment_submit
from tests.factories.blog import UserFactory
from tests.factories.comments import ArticleDiscussionFactory, CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:comments_comment_changelist"


def moderate_url(comment, verb):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, verb])


def approve_url(comment):
    return reverse("admin:comments_comment_approve", args=[comment.pk])


@pytest.mark.parametrize(
    ("verb", "before", "after"),
    [
        ("approve", Comment.Status.PENDING, Comment.Status.APPROVED),
        ("unapprove", Comment.Status.APPROVED, Comment.Status.PENDING),
        ("spam", Comment.Status.PENDING, Comment.Status.SPAM),
        ("trash", Comment.Status.APPROVED, Comment.Status.TRASH),
    ],
)
def test_row_action_changes_status_and_returns_to_the_filtered_list(
    editor_client, article, verb, before, after
):
    comment = CommentFactory(article=article, status=before)
    other = CommentFactory(article=article, status=before)
    back = reverse(CHANGELIST) + f"?status__exact={before}&q=a"

    response = editor_client.post(moderate_url(comment, verb), {"next": back, "seen": before})

    assert response.status_code == 302
    assert response.url == back
    comment.refresh_from_db()
    other.refresh_from_db()
    assert comment.status == after
    assert other.status == before
    page = editor_client.get(back).content.decode()
    assert "The comment was" in page


def test_row_action_refuses_a_next_url_on_another_site(editor_client, article):
    comment = CommentFactory(article=article)

    response = editor_client.post(
        moderate_url(comment, "approve"), {"next": "https://evil.example/admin/"}
    )

    assert response.url == reverse(CHANGELIST)


def test_get_of_an_action_url_changes_nothing(editor_client, article):
    comment = CommentFactory(article=article)

    for url in (moderate_url(comment, "approve"), moderate_url(comment, "trash")):
        assert editor_client.get(url).status_code == 405
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_unknown_action_is_not_found(editor_client, article):
    comment = CommentFactory(article=article)

    assert editor_client.post(moderate_url(comment, "delete")).status_code == 404


def test_staff_without_change_permission_gets_403(client, article):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = CommentFactory(article=article)

    assert client.post(moderate_url(comment, "approve")).status_code == 403
    assert client.get(approve_url(comment)).status_code == 403
    assert client.post(approve_url(comment)).status_code == 403
    reply = reverse("admin:comments_comment_reply", args=[comment.pk])
    assert client.post(reply, {"body": "Hello"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert Comment.objects.count() == 1


def test_action_on_a_comment_another_editor_trashed_says_so(editor_client, article):
    comment = CommentFactory(article=article, trashed=True)  # trashed since the list was drawn

    response = editor_client.post(
        moderate_url(comment, "approve"), {"seen": Comment.Status.PENDING}, follow=True
    )

    assert response.status_code == 200
    assert "This comment was already in the trash." in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.TRASH


def test_approving_an_approved_comment_says_so(editor_client, article):
    comment = CommentFactory(article=article, approved=True)

    response = editor_client.post(approve_url(comment), follow=True)

    assert ALREADY[Comment.Status.APPROVED] in response.content.decode()


def test_action_on_a_missing_comment_says_so(editor_client, article):
    comment = CommentFactory(article=article)
    url, page_url = moderate_url(comment, "approve"), approve_url(comment)
    comment.delete()

    response = editor_client.post(url, follow=True)

    assert response.status_code == 200
    assert COMMENT_MISSING in response.content.decode()
    missing_page = editor_client.get(page_url, follow=True)
    assert missing_page.status_code == 200
    assert COMMENT_MISSING in missing_page.content.decode()


def test_list_shows_row_buttons_status_labels_and_truncated_text(editor_client, article):
    long_body = " ".join(f"word{n}" for n in range(100))
    pending = CommentFactory(article=article, body=long_body)
    CommentFactory(article=article, approved=True)

    page = editor_client.get(reverse(CHANGELIST)).content.decode()

    assert 'id="comment-row-actions"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert f'formaction="{moderate_url(pending, "approve")}"' in page
    assert f'formaction="{moderate_url(pending, "unapprove")}"' not in page  # already pending
    assert 'class="comment-status comment-status-pending"' in page
    assert 'class="comment-status comment-status-approved"' in page
    assert "word34 …" in page
    assert "word35" not in page
    assert article.get_absolute_url() in page
    assert "css/admin-comments.css" in page


def test_change_page_has_the_moderation_buttons_and_a_reply_form(editor_client, article):
    comment = CommentFactory(article=article)

    page = editor_client.get(
        reverse("admin:comments_comment_change", args=[comment.pk])
    ).content.decode()

    assert f'formaction="{moderate_url(comment, "approve")}"' in page
    assert f'formaction="{moderate_url(comment, "trash")}"' in page
    assert reverse("admin:comments_comment_reply", args=[comment.pk]) in page


def test_change_page_of_a_missing_comment_is_not_a_500(editor_client):
    response = editor_client.get(reverse("admin:comments_comment_change", args=[999999]))

    assert response.status_code == 302


def test_approve_page_from_the_email_shows_one_button_and_approves(editor_client, article):
    comment = CommentFactory(article=article, author_name="Ada Reader", body="Logistics win wars.")

    page = editor_client.get(approve_url(comment))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Ada Reader" in html
    assert article.title in html
    assert "Logistics win wars." in html
    content = html.split('id="content-main"')[1]  # past the header's log-out button
    assert content.count('type="submit"') == 1
    assert 'value="Approve"' in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING  # looking approves nothing

    response = editor_client.post(approve_url(comment), {"seen": "pending"})

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED


def test_approve_page_of_an_approved_comment_has_no_button(editor_client, article):
    comment = CommentFactory(article=article, approved=True)

    html = editor_client.get(approve_url(comment)).content.decode()

    assert ALREADY[Comment.Status.APPROVED] in html
    assert 'value="Approve"' not in html


def test_editor_replies_as_themselves_and_the_reply_is_approved(editor_client, editor, article):
    editor.first_name, editor.last_name = "Ada", "Lovelace"
    editor.save()
    comment = CommentFactory(article=article, approved=True)
    url = reverse("admin:comments_comment_reply", args=[comment.pk])

    response = editor_client.post(url, {"body": "Thanks, we have corrected it."})

    assert response.status_code == 302
    reply = Comment.objects.get(parent=comment)
    assert reply.status == Comment.Status.APPROVED
    assert reply.user == editor
    assert reply.author_email == editor.email
    assert reply.author_name == "Ada Lovelace"
    assert reply.is_by_editor
    assert reply.body == "Thanks, we have corrected it."


def test_reply_by_an_editor_without_a_full_name_is_in_the_sites_name(
    editor_client, editor, article
):
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "The Daily Paper"})
    comment = CommentFactory(article=article, approved=True)

    editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "Corrected."}
    )

    reply = Comment.objects.get(parent=comment)
    assert reply.author_name == "The Daily Paper"
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "The Daily Paper" in html
    assert editor.get_username() not in html


def test_editors_reply_is_labelled_in_the_thread_and_the_list(editor_client, editor, article):
    comment = CommentFactory(article=article, approved=True, author_name="Reader")
    reader = Client()
    before = reader.get(article.get_absolute_url()).content.decode()  # fills the thread cache
    assert "comment-editor-label" not in before

    editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "Corrected."}
    )

    reply = Comment.objects.get(parent=comment)
    thread = reader.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{reply.pk}" class="comment depth-2 by-editor"' in thread
    assert f'id="comment-{comment.pk}" class="comment depth-1"' in thread
    assert thread.count('<span class="comment-editor-label">Editor</span>') == 1
    listing = editor_client.get(reverse(CHANGELIST)).content.decode()
    assert listing.count('<span class="comment-editor-label">Editor</span>') == 1


def test_a_staff_member_commenting_from_the_article_page_is_not_labelled(
    client, editor, article, post_url, valid_data
):
    client.force_login(editor)

    client.post(post_url(article), valid_data)

    assert Comment.objects.get().is_by_editor is False


def test_reply_records_the_editors_address_behind_the_trusted_proxy(
    editor_client, article, settings
):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    comment = CommentFactory(article=article, approved=True)

    editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]),
        {"body": "Corrected."},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_USER_AGENT="Desk/1",
    )

    reply = Comment.objects.get(parent=comment)
    assert reply.ip_address == "203.0.113.9"
    assert reply.user_agent == "Desk/1"


def test_editor_can_reply_on_an_article_whose_comments_are_closed(editor_client, article):
    comment = CommentFactory(article=article, approved=True)
    ArticleDiscussionFactory(article=article, closed=True)

    response = editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]),
        {"body": "Corrected, thank you."},
        follow=True,
    )

    assert COMMENTS_CLOSED not in response.content.decode()
    assert "Your reply was approved." in response.content.decode()
    assert Comment.objects.get(parent=comment).status == Comment.Status.APPROVED


def test_a_reader_still_cannot_comment_on_a_closed_article(article):
    ArticleDiscussionFactory(article=article, closed=True)

    with pytest.raises(CommentsClosed):
        comment_submit(
            article=article,
            author_name="Reader",
            author_email="reader@example.org",
            body="Late.",
            is_editor_reply=True,  # claimed, but no moderator posts it
        )

    assert not Comment.objects.exists()


def test_replying_to_a_pending_comment_approves_it(editor_client, article):
    comment = CommentFactory(article=article)

    editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "Welcome."}
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert Comment.objects.get(parent=comment).status == Comment.Status.APPROVED


def test_empty_reply_stores_nothing(editor_client, article):
    comment = CommentFactory(article=article, approved=True)

    response = editor_client.post(
        reverse("admin:comments_comment_reply", args=[comment.pk]), {"body": "  "}, follow=True
    )

    assert "Write a reply before sending it." in response.content.decode()
    assert Comment.objects.count() == 1


def test_admin_index_shows_the_pending_count_next_to_comments(editor_client, article):
    CommentFactory.create_batch(3, article=article)
    CommentFactory(article=article, approved=True)

    html = editor_client.get(reverse("admin:index")).content.decode()

    assert (
        '<span class="comment-pending-badge">3<span class="visually-hidden"> pending</span>' in html
    )


def test_no_badge_when_nothing_waits(editor_client, article):
    CommentFactory(article=article, approved=True)

    html = editor_client.get(reverse("admin:index")).content.decode()

    assert "comment-pending-badge" not in html


def test_every_admin_page_links_the_pending_badges_stylesheet_once(editor_client, article):
    # The badge is in the nav sidebar of every admin page, not only the comment pages.
    CommentFactory(article=article)
    urls = [
        reverse("admin:blog_article_change", args=[article.pk]),
        reverse("admin:blog_article_changelist"),
        reverse(CHANGELIST),
        reverse("admin:index"),
    ]
    for url in urls:
        page = editor_client.get(url).content.decode()
        assert 'class="comment-pending-badge"' in page, url
        assert page.count("css/admin-comments.css") == 1, url
