"""The editors' desk on the admin index: pending comments with their actions, scheduled
articles with their times, drafts, the latest sign-ups and the last newsletter's counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from newsletter.models import Delivery, Mailing
from tests.factories.blog import ArticleFactory, UserFactory
from tests.factories.comments import CommentFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db

INDEX = "admin:index"


def moderate_url(comment, verb):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, verb])


def desk_of(response) -> str:
    """The dashboard's panels, without the app list and its badge below them."""
    html = response.content.decode()
    start = html.index('<div class="desk"')
    ends = [html.find(marker, start) for marker in ('<div class="app-', "You don’t have")]
    return html[start : min(end for end in ends if end != -1)]


def fill_the_desk(*, comments=6, articles=3, subscribers=6):
    """Rows for every panel; more of each than a panel shows."""
    now = timezone.now()
    article = ArticleFactory(title="Ferries resume after the strike")
    for n in range(comments):
        CommentFactory(
            article=article,
            author_name=f"Commenter {n}",
            created_at=now - timedelta(minutes=comments - n),
        )
    for n in range(articles):
        ArticleFactory(title=f"Scheduled story {n}", scheduled=True)
        ArticleFactory(title=f"Draft story {n}", draft=True)
    for n in range(subscribers):
        SubscriberFactory(
            email=f"signup{n}@example.org", consent_at=now - timedelta(hours=subscribers - n)
        )
    mailing = Mailing.objects.create(article=article, audience_cutoff=now)
    for status, count in ((Delivery.Status.SENT, 7), (Delivery.Status.FAILED, 2),
                          (Delivery.Status.QUEUED, 3)):  # fmt: skip
        for subscriber in SubscriberFactory.create_batch(count, confirmed=True):
            Delivery.objects.create(mailing=mailing, subscriber=subscriber, status=status)
    return article


def test_dashboard_shows_the_newest_five_pending_comments_with_their_actions(editor_client):
    fill_the_desk(comments=6)
    newest = Comment.objects.get(author_name="Commenter 5")
    CommentFactory(author_name="Already approved", approved=True)

    response = editor_client.get(reverse(INDEX))

    desk = desk_of(response)
    assert response.status_code == 200
    for n in range(1, 6):
        assert f"Commenter {n}" in desk
    assert "Commenter 0" not in desk  # the sixth newest waits in the queue
    assert "Already approved" not in desk
    assert '<span class="comment-pending-badge">6</span>' in desk
    assert f'formaction="{moderate_url(newest, "approve")}"' in desk
    assert f'formaction="{moderate_url(newest, "spam")}"' in desk
    assert f'formaction="{moderate_url(newest, "trash")}"' in desk
    assert reverse("admin:comments_comment_changelist") + "?status__exact=pending" in desk
    # The app list is still there below.
    assert 'class="app-blog module' in response.content.decode()


def test_approve_on_the_dashboard_approves_and_comes_back_to_it(editor_client):
    comment = CommentFactory(author_name="Waiting reader")
    index = reverse(INDEX)

    response = editor_client.post(
        moderate_url(comment, "approve"), {"seen": "pending", "next": index}, follow=True
    )

    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert response.redirect_chain == [(index, 302)]
    assert "The comment was approved." in response.content.decode()
    assert "Waiting reader" not in desk_of(response)


def test_dashboard_shows_scheduled_articles_with_their_times_and_drafts(editor_client):
    soon = timezone.now() + timedelta(hours=3)
    scheduled = ArticleFactory(title="Budget vote tonight", published_at=soon)
    ArticleFactory(title="Half-written profile", draft=True)
    ArticleFactory(title="Already out")

    desk = desk_of(editor_client.get(reverse(INDEX)))

    assert "Budget vote tonight" in desk
    assert timezone.localtime(soon).replace(microsecond=0).isoformat() in desk
    assert reverse("admin:blog_article_change", args=[scheduled.pk]) in desk
    assert "Half-written profile" in desk
    assert "Already out" not in desk


def test_dashboard_shows_the_latest_signups_and_the_last_newsletters_counts(editor_client):
    fill_the_desk(subscribers=6)
    older = Mailing.objects.get()
    older.created_at = timezone.now() - timedelta(days=3)
    older.save()
    Mailing.objects.create(article=ArticleFactory(title="The newest issue"),
                           audience_cutoff=timezone.now())  # fmt: skip
    newest = Mailing.objects.get(article__title="The newest issue")
    Delivery.objects.create(mailing=newest, subscriber=SubscriberFactory(confirmed=True),
                            status=Delivery.Status.SENT)  # fmt: skip

    desk = desk_of(editor_client.get(reverse(INDEX)))

    # The newest five sign-ups by consent time: the factory's made-up deliverees consented
    # two days ago, before any of these.
    for n in range(1, 6):
        assert f"signup{n}@example.org" in desk
    assert "signup0@example.org" not in desk
    assert "The newest issue" in desk
    assert "<dt>Sent</dt><dd>1</dd>" in desk
    assert "<dt>Failed</dt><dd>0</dd>" in desk
    assert "<dt>Queued</dt><dd>0</dd>" in desk


def test_dashboard_counts_each_state_of_the_last_newsletter(editor_client):
    fill_the_desk()

    desk = desk_of(editor_client.get(reverse(INDEX)))

    assert "<dt>Sent</dt><dd>7</dd>" in desk
    assert "<dt>Failed</dt><dd>2</dd>" in desk
    assert "<dt>Queued</dt><dd>3</dd>" in desk


def test_empty_desk_says_so(editor_client):
    desk = desk_of(editor_client.get(reverse(INDEX)))

    assert "No comment is waiting." in desk
    assert "Nothing is scheduled." in desk
    assert "No drafts." in desk
    assert "Nobody has signed up yet." in desk
    assert "No newsletter has gone out yet." in desk


def test_staff_without_permissions_sees_no_panel(client):
    fill_the_desk()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(reverse(INDEX))

    desk = desk_of(response)
    assert response.status_code == 200
    assert "Commenter" not in desk
    assert "signup" not in desk
    assert "Scheduled story" not in desk
    assert "desk-panel" not in desk


def query_count(client, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(reverse(INDEX))
    assert response.status_code == 200


# Session and user (2), the user's permissions, direct and through the group (2), the
# admin's "may add" checks for the two one-row settings models (4, asked twice), the five
# pending comments and their COUNT in the panel (2), scheduled and drafts (2), sign-ups
# and the last newsletter with its counts (2), the app list's pending badge (1), the
# admin's recent actions (1). The same with thirty comments as with two.
DASHBOARD_QUERIES = 16


def test_dashboard_costs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    fill_the_desk(comments=2, articles=1, subscribers=1)
    query_count(editor_client, django_assert_num_queries, DASHBOARD_QUERIES)


def test_dashboard_queries_do_not_grow_with_the_rows(editor_client, django_assert_num_queries):
    fill_the_desk(comments=30, articles=12, subscribers=20)
    query_count(editor_client, django_assert_num_queries, DASHBOARD_QUERIES)
