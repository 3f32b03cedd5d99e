"""Who may do what with articles: editors publish and moderate; authors write their own
articles and submit them for review (blog/services.py, blog migration 0012)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Article
from blog.services import STATUS_REFUSED_MESSAGE
from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_article_add")
CHANGELIST_URL = reverse("admin:blog_article_changelist")


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def article_form(**overrides):
    data = {
        "title": "Harbour strike enters second week",
        "slug": "harbour-strike",
        "body": "First paragraph.\n\nSecond paragraph.",
        "excerpt": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


@pytest.fixture
def author(db):
    return UserFactory(author=True, username="kim")


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def test_authors_group_writes_but_neither_publishes_nor_moderates():
    authors = Group.objects.get(name="Authors")
    perms = set(authors.permissions.values_list("content_type__app_label", "codename"))

    assert {("blog", "add_article"), ("blog", "change_article")} <= perms
    assert ("blog", "publish_article") not in perms
    assert ("blog", "delete_article") not in perms
    assert not {codename for app, codename in perms if app == "comments"}


def test_editors_group_publishes_and_moderates():
    editor = UserFactory(editor=True)

    assert editor.has_perm("blog.publish_article")
    assert editor.has_perm("comments.change_comment")


def test_author_submits_a_draft_for_review_under_their_own_name(author_client, author):
    editor = UserFactory(editor=True)

    response = author_client.post(
        ADD_URL, article_form(_workflow="pending", author=str(editor.pk)), follow=True
    )

    article = Article.objects.get()
    assert article.status == Article.Status.PENDING
    assert article.author == author
    assert "was submitted for review" in response.content.decode()


@pytest.mark.parametrize(
    "forged",
    [
        {"_workflow": "published"},
        {"_workflow": "private"},
        {"status": "published", "_continue": "1"},
    ],
)
def test_author_cannot_publish_with_a_crafted_request(author_client, forged):
    response = author_client.post(ADD_URL, article_form(**forged))

    assert response.status_code == 200
    page = response.content.decode()
    assert STATUS_REFUSED_MESSAGE in page
    assert "Harbour strike enters second week" in page  # what they typed is kept
    assert not Article.objects.exists()


def test_author_cannot_publish_their_draft_later_either(author_client, author):
    draft = ArticleFactory(draft=True, author=author, title="Kept as a draft")

    response = author_client.post(
        change_url(draft), article_form(title="Kept as a draft", _workflow="published")
    )

    assert STATUS_REFUSED_MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_author_sees_and_opens_only_their_own_articles(author_client, author):
    own = ArticleFactory(draft=True, author=author, title="Mine, in progress")
    other = ArticleFactory(draft=True, title="A colleague's scoop")

    listing = author_client.get(CHANGELIST_URL).content.decode()
    opened = author_client.get(change_url(other))

    assert "Mine, in progress" in listing
    assert "A colleague&#x27;s scoop" not in listing and "A colleague's scoop" not in listing
    assert opened.status_code == 302  # the admin's "does not exist", back to the index
    assert author_client.get(change_url(own)).status_code == 200


def test_authors_published_article_is_out_of_their_hands(author_client, author):
    live = ArticleFactory(author=author, title="Published by an editor")

    page = author_client.get(change_url(live)).content.decode()
    refused = author_client.post(change_url(live), article_form(title="Rewritten"))

    assert 'name="_workflow"' not in page  # view only
    assert refused.status_code == 403
    live.refresh_from_db()
    assert live.title == "Published by an editor"


def test_author_is_not_offered_the_bulk_publish_action(author_client, author):
    draft = ArticleFactory(draft=True, author=author)

    page = author_client.get(CHANGELIST_URL).content.decode()
    author_client.post(
        CHANGELIST_URL, {"action": "publish_selected", "_selected_action": [str(draft.pk)]}
    )

    assert "publish_selected" not in page
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_new_article_names_the_signed_in_editor_as_author(editor_client, editor):
    form = editor_client.get(ADD_URL).context["adminform"].form

    assert form.initial["author"] == editor.pk


def test_author_filter_lists_the_newsroom_not_readers(editor_client, editor, author):
    UserFactory(username="reader@example.org")
    ArticleFactory(author=editor)

    page = editor_client.get(CHANGELIST_URL).content.decode()

    assert f"?author={author.pk}" in page
    assert f"?author={editor.pk}" in page
    assert "reader@example.org" not in page


def test_author_filter_shows_that_authors_articles(editor_client, author):
    ArticleFactory(author=author, title="By Kim")
    ArticleFactory(title="By someone else")

    page = editor_client.get(CHANGELIST_URL, {"author": str(author.pk)}).content.decode()

    assert "By Kim" in page
    assert "By someone else" not in page
