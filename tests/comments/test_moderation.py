"""The Discussion settings' rules, each with its default and a changed value."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments import services
from comments.models import ArticleDiscussion, Comment, DiscussionSettings
from tests.factories.blog import ArticleFactory
from tests.factories.comments import ArticleDiscussionFactory, CommentFactory

pytestmark = pytest.mark.django_db


def change(discussion, **values):
    for name, value in values.items():
        setattr(discussion, name, value)
    discussion.save()
    return discussion


def posted(client, url, data, **extra):
    response = client.post(url, data, **extra)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Comment.objects.latest("pk")


def test_defaults_are_wordpress_defaults(discussion):
    assert discussion.is_open_on_new_articles is True
    assert discussion.is_auto_close_on is False
    assert discussion.close_after_days == 14
    assert discussion.is_threaded is True
    assert discussion.thread_depth == 5
    assert discussion.is_manual_approval_required is False
    assert discussion.is_previous_approval_required is True
    assert discussion.max_links == 2
    assert discussion.moderation_keys == ""
    assert discussion.disallowed_keys == ""
    assert discussion.notify_on_held is True
    assert discussion.notify_on_published is True


# --- "Comment author must have a previously approved comment" ----------------------


def test_comment_from_new_author_waits_for_moderation(client, article, post_url, valid_data):
    assert posted(client, post_url(article), valid_data).status == Comment.Status.PENDING


def test_author_with_approved_comment_from_same_browser_is_published(
    client, article, post_url, valid_data
):
    first = posted(client, post_url(article), valid_data)
    services.comment_approve(comment=first)

    second = posted(client, post_url(article), {**valid_data, "comment": "And another."})

    assert second.status == Comment.Status.APPROVED


def test_typing_an_approved_authors_name_and_email_is_not_proof(
    client, article, post_url, valid_data
):
    first = posted(client, post_url(article), valid_data)
    services.comment_approve(comment=first)
    impostor = Client()

    forged = posted(impostor, post_url(article), {**valid_data, "comment": "Buy my pills."})

    assert forged.status == Comment.Status.PENDING


def test_token_of_an_approved_browser_does_not_vouch_for_another_email(
    client, article, post_url, valid_data
):
    first = posted(client, post_url(article), valid_data)
    services.comment_approve(comment=first)

    other = posted(
        client, post_url(article), {**valid_data, "email": "else@example.net", "comment": "Hi"}
    )

    assert other.status == Comment.Status.PENDING


def test_token_whose_comment_is_still_pending_is_not_trusted(client, article, post_url, valid_data):
    posted(client, post_url(article), valid_data)

    second = posted(client, post_url(article), {**valid_data, "comment": "Again, still held."})

    assert second.status == Comment.Status.PENDING


def test_token_is_stored_only_as_a_digest(client, article, post_url, valid_data):
    comment = posted(client, post_url(article), valid_data)
    cookie = client.cookies["comment_author_token"].value

    assert len(comment.author_token_digest) == 64
    assert comment.author_token_digest not in cookie


def test_previous_approval_rule_off_publishes_at_once(
    client, article, post_url, valid_data, discussion
):
    change(discussion, is_previous_approval_required=False)

    assert posted(client, post_url(article), valid_data).status == Comment.Status.APPROVED


# --- "Comment must be manually approved" ------------------------------------------


def test_manual_approval_holds_even_a_trusted_author(
    client, article, post_url, valid_data, discussion
):
    services.comment_approve(comment=posted(client, post_url(article), valid_data))
    change(discussion, is_manual_approval_required=True)

    second = posted(client, post_url(article), {**valid_data, "comment": "Trusted, but held."})

    assert second.status == Comment.Status.PENDING


# --- Links ---------------------------------------------------------------------------

TWO_LINKS = "See https://a.example/ and <a href='https://b.example/'>this</a>."
ONE_LINK = "See https://a.example/ for more."


@pytest.fixture
def open_door(discussion):
    """Everything else lets comments through, so only the rule under test can hold one."""
    return change(discussion, is_previous_approval_required=False)


@pytest.mark.parametrize(
    ("max_links", "body", "status"),
    [
        (2, TWO_LINKS, Comment.Status.PENDING),  # the default: 2 or more links wait
        (2, ONE_LINK, Comment.Status.APPROVED),
        (3, TWO_LINKS, Comment.Status.APPROVED),
        (1, ONE_LINK, Comment.Status.PENDING),
        (0, TWO_LINKS * 5, Comment.Status.APPROVED),  # 0: the rule is off
    ],
)
def test_comment_with_many_links_waits(
    client, article, post_url, valid_data, open_door, max_links, body, status
):
    change(open_door, max_links=max_links)

    assert posted(client, post_url(article), {**valid_data, "comment": body}).status == status


# --- Moderation words -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("comment", "Great CASINO offers"),
        ("author", "Casino Carl"),
        ("email", "carl@casino.example"),
        ("url", "https://casino.example/"),
    ],
)
def test_moderation_word_anywhere_holds_the_comment(
    client, article, post_url, valid_data, open_door, field, value
):
    clean = posted(client, post_url(article), {**valid_data, field: value})
    assert clean.status == Comment.Status.APPROVED  # no words by default
    change(open_door, moderation_keys="poker\n  casino  \n")

    held = posted(client, post_url(article), {**valid_data, field: value, "comment": f"{value}!"})

    assert held.status == Comment.Status.PENDING


def test_moderation_word_matching_the_ip_address_holds_the_comment(
    client, article, post_url, valid_data, open_door
):
    change(open_door, moderation_keys="203.0.113.")

    held = posted(client, post_url(article), valid_data, REMOTE_ADDR="203.0.113.50")
    other = posted(
        client,
        post_url(article),
        {**valid_data, "comment": "From elsewhere"},
        REMOTE_ADDR="192.0.2.1",
    )

    assert held.status == Comment.Status.PENDING
    assert other.status == Comment.Status.APPROVED


# --- Disallowed words -------------------------------------------------------------


def test_disallowed_word_sends_comment_to_trash_and_poster_sees_awaiting_moderation(
    client, other_client, article, post_url, valid_data, open_door
):
    change(open_door, disallowed_keys="pills")

    response = client.post(post_url(article), {**valid_data, "comment": "Cheap PILLS here"})

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.TRASH
    assert response.status_code == 303
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    own = client.get(response["Location"]).content.decode()
    assert "Cheap PILLS here" in own
    assert "Your comment is awaiting moderation." in own
    assert "trash" not in own.lower()
    assert "Cheap PILLS here" not in other_client.get(article.get_absolute_url()).content.decode()


def test_disallowed_ip_address_goes_to_trash(client, article, post_url, valid_data, open_door):
    change(open_door, disallowed_keys="198.51.100.66")

    comment = posted(client, post_url(article), valid_data, REMOTE_ADDR="198.51.100.66")

    assert comment.status == Comment.Status.TRASH


def test_without_disallowed_words_the_same_comment_is_published(
    client, article, post_url, valid_data, open_door
):
    comment = posted(client, post_url(article), {**valid_data, "comment": "Cheap PILLS here"})

    assert comment.status == Comment.Status.APPROVED


def test_editor_signed_in_is_published_at_once(editor_client, article, post_url, valid_data):
    comment = posted(editor_client, post_url(article), valid_data)

    assert comment.status == Comment.Status.APPROVED
    assert comment.user is not None


# --- Duplicates and flood ----------------------------------------------------------


def test_duplicate_comment_is_refused_and_stored_once(client, article, post_url, valid_data):
    posted(client, post_url(article), valid_data)

    response = client.post(post_url(article), valid_data)

    assert response.status_code == 400
    assert response.context["comment_form"].errors["comment"] == [services.DUPLICATE_COMMENT]
    assert Comment.objects.count() == 1


def test_same_text_on_another_article_or_by_another_author_is_not_a_duplicate(
    client, article, post_url, valid_data
):
    posted(client, post_url(article), valid_data)
    posted(client, post_url(ArticleFactory()), valid_data)
    posted(client, post_url(article), {**valid_data, "author": "Bo", "email": "bo@example.net"})

    assert Comment.objects.count() == 3


def test_same_text_under_the_same_email_in_other_case_is_a_duplicate(
    client, article, post_url, valid_data
):
    posted(client, post_url(article), valid_data)

    response = client.post(
        post_url(article), {**valid_data, "author": "Ada R.", "email": "ADA@Example.NET"}
    )

    assert response.status_code == 400
    assert response.context["comment_form"].errors["comment"] == [services.DUPLICATE_COMMENT]
    assert Comment.objects.count() == 1


def test_same_text_under_the_same_name_is_a_duplicate_whatever_the_email(
    client, article, post_url, valid_data
):
    posted(client, post_url(article), valid_data)

    response = client.post(post_url(article), {**valid_data, "email": "ada@elsewhere.example"})

    assert response.status_code == 400
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [Comment.Status.APPROVED, Comment.Status.SPAM])
def test_text_already_stored_under_any_status_but_trash_is_a_duplicate(
    client, article, post_url, valid_data, status
):
    CommentFactory(
        article=article, author_name="Ada Reader", body=valid_data["comment"], status=status
    )

    assert client.post(post_url(article), valid_data).status_code == 400


def test_text_in_the_trash_may_be_sent_again(client, article, post_url, valid_data):
    CommentFactory(
        article=article, author_name="Ada Reader", body=valid_data["comment"], trashed=True
    )

    posted(client, post_url(article), valid_data)

    assert Comment.objects.count() == 2


def test_flood_seconds_default_is_fifteen():
    from config import settings as project_settings

    assert project_settings.env.int("COMMENT_FLOOD_SECONDS", default=15) == 15


def test_second_comment_from_same_ip_within_flood_window_gets_429(
    client, article, post_url, valid_data, settings
):
    settings.COMMENT_FLOOD_SECONDS = 15
    posted(client, post_url(article), valid_data)
    typed = {**valid_data, "author": "Other", "email": "other@example.net", "comment": "Quick!"}

    response = Client().post(post_url(article), typed)

    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    page = response.content.decode()
    assert services.FLOOD_COMMENT.format(seconds=15) in page
    assert "Quick!" in page and "other@example.net" in page
    assert Comment.objects.count() == 1


def test_second_comment_from_same_email_within_flood_window_gets_429(
    client, article, post_url, valid_data, settings
):
    settings.COMMENT_FLOOD_SECONDS = 15
    posted(client, post_url(article), valid_data, REMOTE_ADDR="192.0.2.1")

    response = Client().post(
        post_url(article), {**valid_data, "comment": "Second"}, REMOTE_ADDR="192.0.2.2"
    )

    assert response.status_code == 429
    assert Comment.objects.count() == 1


def test_different_people_are_not_flood(client, article, post_url, valid_data, settings):
    settings.COMMENT_FLOOD_SECONDS = 15
    posted(client, post_url(article), valid_data, REMOTE_ADDR="192.0.2.1")
    other = {**valid_data, "email": "bo@example.net", "author": "Bo", "comment": "Mine"}

    posted(Client(), post_url(article), other, REMOTE_ADDR="192.0.2.2")

    assert Comment.objects.count() == 2


def test_flood_control_zero_is_off(client, article, post_url, valid_data, settings):
    settings.COMMENT_FLOOD_SECONDS = 0
    posted(client, post_url(article), valid_data)
    posted(client, post_url(article), {**valid_data, "comment": "Right away again"})

    assert Comment.objects.count() == 2


# --- Open and closed ----------------------------------------------------------------


def test_closed_article_shows_no_form_and_refuses_posts(client, article, post_url, valid_data):
    ArticleDiscussionFactory(article=article, closed=True)

    page = client.get(article.get_absolute_url()).content.decode()
    response = client.post(post_url(article), valid_data)

    assert "Comments are closed." in page
    assert "Leave a Reply" not in page
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comment_sent_to_a_closed_article_is_given_back(client, article, post_url, valid_data):
    ArticleDiscussionFactory(article=article, closed=True)

    response = client.post(post_url(article), valid_data)

    assert response.status_code == 403
    page = response.content.decode()
    assert "Comments are closed." in page
    assert "A thoughtful remark about logistics." in page


def test_closed_article_still_shows_its_approved_comments(client, article):
    CommentFactory(article=article, approved=True, body="Said before closing")
    ArticleDiscussionFactory(article=article, closed=True)

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Said before closing" in page
    assert "Reply</a>" not in page


def test_new_articles_are_open_by_default(discussion):
    article = ArticleFactory()

    assert not ArticleDiscussion.objects.filter(article=article, is_open=False).exists()


def test_new_articles_are_closed_when_the_setting_is_off(client, discussion, post_url, valid_data):
    old = ArticleFactory()
    change(discussion, is_open_on_new_articles=False)
    new = ArticleFactory()

    assert client.post(post_url(new), valid_data).status_code == 403
    assert client.post(post_url(old), valid_data).status_code == 303


def test_reopening_an_article_takes_comments_again(client, article, post_url, valid_data):
    switch = ArticleDiscussionFactory(article=article, closed=True)
    switch.is_open = True
    switch.save()

    assert client.post(post_url(article), valid_data).status_code == 303


def test_auto_close_is_off_by_default(client, post_url, valid_data):
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=400))

    assert client.post(post_url(old), valid_data).status_code == 303


def test_auto_close_closes_articles_older_than_n_days(client, post_url, valid_data, discussion):
    change(discussion, is_auto_close_on=True, close_after_days=14)
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=15))
    recent = ArticleFactory(published_at=timezone.now() - timedelta(days=13))

    assert client.post(post_url(old), valid_data).status_code == 403
    assert "Comments are closed." in client.get(old.get_absolute_url()).content.decode()
    assert client.post(post_url(recent), valid_data).status_code == 303


def test_settings_row_is_a_singleton():
    assert DiscussionSettings.load().pk == DiscussionSettings.load().pk == 1


def test_settings_row_is_made_on_first_use():
    DiscussionSettings.objects.all().delete()

    loaded = DiscussionSettings.load(article=ArticleFactory())

    assert loaded.pk == 1
    assert loaded.is_previous_approval_required is True
    assert DiscussionSettings.objects.count() == 1


@pytest.mark.parametrize(("switch", "is_open"), [(None, True), (True, True), (False, False)])
def test_settings_are_loaded_with_the_articles_switch_in_one_query(
    article, discussion, django_assert_num_queries, switch, is_open
):
    if switch is not None:
        ArticleDiscussionFactory(article=article, is_open=switch)
    change(discussion, thread_depth=7, moderation_keys="casino\nloan")

    with django_assert_num_queries(1):
        loaded = DiscussionSettings.load(article=article)
        assert loaded.comments_open(article) is is_open

    assert loaded.thread_depth == 7
    assert loaded.moderation_words == ["casino", "loan"]


def test_settings_loaded_for_one_article_still_answer_for_another(article, discussion):
    other = ArticleFactory()
    ArticleDiscussionFactory(article=other, closed=True)

    loaded = DiscussionSettings.load(article=article)

    assert loaded.comments_open(article) is True
    assert loaded.comments_open(other) is False
