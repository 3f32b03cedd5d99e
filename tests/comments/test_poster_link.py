"""The address a poster is sent to after posting (?unapproved=<id>&moderation-hash=<hash>):
it shows them their held comment in its place, for ten minutes; nobody can make one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import urlencode

from comments.models import Comment
from comments.moderation_hash import LINK_LIFETIME, moderation_hash, poster_url
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

AWAITING = "Your comment is awaiting moderation."


def held(article, minutes_ago=0, **fields):
    posted_at = timezone.now() - timedelta(minutes=minutes_ago)
    return CommentFactory(article=article, body="Held words", created_at=posted_at, **fields)


def test_link_shows_the_held_comment_with_its_note(client, article):
    comment = held(article)

    response = client.get(poster_url(comment))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="comment-{comment.pk}"' in page
    assert "<p>Held words</p>" in page
    assert AWAITING in page
    assert f"replytocom={comment.pk}" not in page  # nobody can answer it yet
    assert "comments on" not in page  # it is not counted among the published ones


def test_anyone_without_the_link_never_sees_the_held_comment(client, article):
    held(article)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Held words" not in page
    assert AWAITING not in page


def test_held_reply_stands_under_its_parent(client, article):
    parent = CommentFactory(article=article, approved=True, body="The parent")
    reply = held(article, parent=parent)

    page = client.get(poster_url(reply)).content.decode()

    inside_parent = page[page.index(f'<li id="comment-{parent.pk}"') :]
    children = inside_parent[inside_parent.index('<ol class="children">') :]
    assert children.index(f'<li id="comment-{reply.pk}" class="comment depth-2"') < children.index(
        "</ol>"
    )


def test_link_still_works_just_before_it_expires(client, article):
    comment = held(article, minutes_ago=LINK_LIFETIME.total_seconds() / 60 - 1)

    assert "Held words" in client.get(poster_url(comment)).content.decode()


def test_expired_link_shows_nothing_extra(client, article):
    comment = held(article, minutes_ago=LINK_LIFETIME.total_seconds() / 60 + 1)

    response = client.get(poster_url(comment))

    assert response.status_code == 200
    assert "Held words" not in response.content.decode()


def link(article, comment_id, given_hash) -> str:
    query = urlencode({"unapproved": comment_id, "moderation-hash": given_hash})
    return f"{article.get_absolute_url()}?{query}"


FORGERIES = {
    "altered hash": lambda pk, good: (pk, good[:-1] + ("1" if good[-1] == "0" else "0")),
    "made-up hash": lambda pk, good: (pk, "a" * 64),
    "hash cut short": lambda pk, good: (pk, good[:40]),
    "hash too long": lambda pk, good: (pk, good + "0"),
    "no hash": lambda pk, good: (pk, ""),
    "another id": lambda pk, good: (pk + 1, good),
    "id not a number": lambda pk, good: ("x", good),
    "id of 40 digits": lambda pk, good: ("9" * 40, good),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_or_altered_link_shows_nothing_extra(client, article, forgery):
    comment = held(article)
    good = moderation_hash(comment.pk, comment.created_at)

    response = client.get(link(article, *FORGERIES[forgery](comment.pk, good)))

    assert response.status_code == 200
    assert "Held words" not in response.content.decode()


def test_one_comments_link_shows_no_other_held_comment(client, article):
    mine = CommentFactory(article=article, body="Mine")
    theirs = held(article)

    own_hash = moderation_hash(mine.pk, mine.created_at)
    response = client.get(link(article, theirs.pk, own_hash))

    assert "Held words" not in response.content.decode()
    assert "Mine" not in response.content.decode()


def test_link_shows_nothing_under_another_article(client, article):
    comment = held(article)
    other = CommentFactory(approved=True).article

    page = client.get(
        link(other, comment.pk, moderation_hash(comment.pk, comment.created_at))
    ).content.decode()

    assert "Held words" not in page


def test_comment_published_at_once_is_on_the_posters_page_and_everyone_elses(
    client, other_client, article, post_url, valid_data, discussion
):
    discussion.is_previous_approval_required = False
    discussion.save()
    other_client.get(article.get_absolute_url())  # a thread already in the cache

    location = client.post(post_url(article), valid_data)["Location"]

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    own = client.get(location).content.decode()
    assert f'id="comment-{comment.pk}"' in own
    assert AWAITING not in own
    assert "1 comment on" in own
    everyone = other_client.get(article.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in everyone


def test_comment_an_editor_rejected_meanwhile_still_shows_as_awaiting_moderation(client, article):
    """As a comment trashed for a disallowed word does: its poster learns nothing."""
    comment = held(article, spam=True)

    page = client.get(poster_url(comment)).content.decode()

    assert "Held words" in page
    assert AWAITING in page
    assert "spam" not in page.lower()
