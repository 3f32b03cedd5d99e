"""Inputs found by review that used to crash, hide their error, or produce invalid HTML."""

import logging

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from tests.factories.blog import UserFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "1e3", "abc", ""])
def test_odd_replytocom_values_are_ignored_not_a_crash(client, article, value):
    response = client.get(article.get_absolute_url(), {"replytocom": value})

    assert response.status_code == 200
    assert 'name="comment_parent" value="0"' in response.content.decode()


def test_replytocom_does_nothing_when_threading_is_off(client, article, discussion):
    discussion.is_threaded = False
    discussion.save()
    parent = CommentFactory(article=article, author_name="Ed")

    response = client.get(article.get_absolute_url(), {"replytocom": parent.pk})

    assert "Leave a Reply to Ed" not in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "-5", "²"])
def test_bad_reply_target_is_explained_above_the_form(client, article, post_url, valid_data, value):
    response = client.post(post_url(article), valid_data | {"comment_parent": value})

    html = response.content.decode()
    assert response.status_code == 400
    assert "The comment you are replying to is no longer available." in html
    assert "A thoughtful remark about logistics." in html
    assert not Comment.objects.exists()


def test_website_with_quotes_is_stored_as_a_valid_link(client, article, post_url, valid_data):
    client.post(post_url(article), valid_data | {"url": 'http://u.example/"onmouseover="x'})

    assert Comment.objects.get().author_url == "http://u.example/%22onmouseover=%22x"


def test_a_link_whose_address_is_refused_becomes_plain_text(client, article, post_url, valid_data):
    client.post(post_url(article), valid_data | {"comment": '<a href="javascript:alert(1)">x</a>'})

    assert Comment.objects.get().body_html == "<p>x</p>"


def test_superusers_with_an_address_hear_of_held_comments(
    client, article, post_url, valid_data, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="boss", email="boss@example.org", is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), valid_data)

    assert [message.to for message in mailoutbox] == [["boss@example.org"]]


def test_nobody_to_notify_is_logged(
    client, article, post_url, valid_data, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    Group.objects.get(name="Editors").user_set.clear()

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), valid_data)

    assert mailoutbox == []
    assert "nobody was told" in caplog.text
