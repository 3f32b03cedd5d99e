"""Bad input never costs a 500: a clear error, and what the reader typed kept."""

import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "parent", ["99999999999999999999999", "-1", "abc", "1.5", "9223372036854775807"]
)
def test_odd_comment_parent_is_refused_cleanly(client, article, post_url, valid_data, parent):
    response = client.post(post_url(article), {**valid_data, "comment_parent": parent})

    assert response.status_code == 400
    assert "A thoughtful remark about logistics." in response.content.decode()
    assert not Comment.objects.exists()


def test_huge_article_id_is_not_found(client, valid_data):
    response = client.post("/comments/articles/99999999999999999999999/", valid_data)

    assert response.status_code == 404


def test_huge_replytocom_is_ignored(client, article):
    response = client.get(f"{article.get_absolute_url()}?replytocom=99999999999999999999999")

    assert response.status_code == 200


def test_null_character_is_refused_at_the_field(client, article, post_url, valid_data):
    response = client.post(post_url(article), {**valid_data, "author": "Ada\x00"})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["author"]


@pytest.mark.parametrize(
    "query",
    [
        {"unapproved": "1", "moderation-hash": "z" * 64},
        {"unapproved": "²", "moderation-hash": "0" * 64},
        {"unapproved": "9" * 5000, "moderation-hash": "0" * 64},
        {"unapproved": "1", "moderation-hash": "0" * 5000},
        {"unapproved": "", "moderation-hash": ""},
    ],
)
def test_odd_moderation_links_are_ignored_not_a_crash(client, article, query):
    assert client.get(article.get_absolute_url(), query).status_code == 200
