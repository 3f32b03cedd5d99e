"""The Article admin's workflow: explicit buttons, the preview, and two editors at once."""

import re
from datetime import timedelta

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.admin import ArticleAdmin
from blog.models import Article
from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_article_add")


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def preview_url(article):
    return reverse("blog:article-preview", args=[article.pk])


def article_form(**overrides):
    data = {
        "title": "Navy orders new frigates",
        "slug": "navy-orders-new-frigates",
        "body": "First paragraph.\n\nSecond paragraph.",
        "excerpt": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "author": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def form_of(article, **overrides):
    """What the change form posts for `article` as stored, with `overrides`."""
    stored = {"title": article.title, "slug": article.slug, "body": article.body}
    return article_form(**stored, status=article.status) | overrides


def buttons(response) -> dict[str, str]:
    """The submit row's workflow buttons: {status: label}."""
    return {button["status"]: button["label"] for button in response.context["workflow_buttons"]}


@pytest.fixture
def author_client(client):
    author = UserFactory(author=True)
    client.force_login(author)
    client.author = author
    return client


def test_editor_chooses_between_draft_pending_and_publish(editor_client):
    page = editor_client.get(ADD_URL)

    assert buttons(page) == {
        "draft": "Save draft",
        "pending": "Save as pending",
        "published": "Publish",
    }
    html = page.content.decode()
    default_publish = r'name="_workflow" value="published" class="button default"[^>]*>Publish<'
    assert re.search(default_publish, html)
    # What the Enter key presses (the first button) never publishes.
    assert html.index('value="draft"') < html.index('value="published"')


def test_author_saves_a_draft_or_submits_it_but_is_never_offered_publish(author_client):
    page = author_client.get(ADD_URL)

    assert buttons(page) == {"draft": "Save draft", "pending": "Submit for review"}
    assert 'value="published"' not in page.content.decode()


def test_future_publication_time_offers_to_schedule(editor_client):
    article = ArticleFactory(draft=True, published_at=timezone.now() + timedelta(days=2))

    labels = buttons(editor_client.get(change_url(article)))

    assert labels["published"].startswith("Schedule for ")


def test_live_article_offers_update_and_switch_to_draft(editor_client):
    article = ArticleFactory()

    assert buttons(editor_client.get(change_url(article))) == {
        "published": "Update",
        "pending": "Save as pending",
        "draft": "Switch to draft",
    }


def test_publish_button_publishes_once_and_returns_to_the_article(
    editor_client, django_capture_on_commit_callbacks, published_signals
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, article_form(_workflow="published"))

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    assert article.is_live
    assert published_signals == [article.pk]
    page = editor_client.get(response["Location"]).content.decode()
    assert "“Navy orders new frigates” is published." in page


def test_publish_button_with_a_future_time_schedules(editor_client):
    when = timezone.localtime() + timedelta(days=3)
    data = article_form(
        _workflow="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1="09:30:00",
    )

    response = editor_client.post(ADD_URL, data, follow=True)

    article = Article.objects.get()
    assert article.is_scheduled
    assert "is scheduled for" in response.content.decode()


def test_save_draft_keeps_it_from_readers(editor_client):
    editor_client.post(ADD_URL, article_form(_workflow="draft", status="published"))

    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert Client().get(article.get_absolute_url()).status_code == 404


def test_pending_article_shows_as_pending_in_the_list(editor_client):
    ArticleFactory(status=Article.Status.PENDING, published_at=None, title="Waiting")

    page = editor_client.get(
        reverse("admin:blog_article_changelist"), {"visibility": "pending"}
    ).content.decode()

    assert "Waiting" in page
    assert "Pending review" in page


# The preview


def test_edit_page_links_to_the_preview_of_an_unpublished_article(editor_client):
    draft = ArticleFactory(draft=True)
    live = ArticleFactory()

    assert preview_url(draft) in editor_client.get(change_url(draft)).content.decode()
    assert preview_url(live) not in editor_client.get(change_url(live)).content.decode()


@pytest.mark.parametrize(
    ("traits", "says"),
    [
        ({"draft": True}, "This article is a draft"),
        ({"scheduled": True}, "This article is scheduled for"),
        ({"status": Article.Status.PENDING, "published_at": None}, "waiting for review"),
    ],
)
def test_preview_shows_the_saved_article_as_readers_will_see_it(editor_client, traits, says):
    article = ArticleFactory(title="Harbour reopens", **traits)

    response = editor_client.get(preview_url(article))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview — not published." in page
    assert says in page
    assert "<h1" in page and "Harbour reopens" in page
    assert '<meta name="robots" content="noindex">' in page
    assert response["X-Robots-Tag"] == "noindex"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


def test_preview_of_a_live_article_is_the_article(editor_client):
    article = ArticleFactory()

    response = editor_client.get(preview_url(article))

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()


def test_readers_are_sent_to_sign_in_and_never_see_the_preview(client):
    article = ArticleFactory(draft=True, title="Secret scoop")
    anonymous = client.get(preview_url(article))
    client.force_login(UserFactory(username="reader@example.org"))
    reader = client.get(preview_url(article))

    for response in (anonymous, reader):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "private" in response["Cache-Control"]


def test_author_previews_their_own_drafts_only(author_client):
    own = ArticleFactory(draft=True, author=author_client.author)
    other = ArticleFactory(draft=True, title="A colleague's draft")

    assert author_client.get(preview_url(own)).status_code == 200
    assert author_client.get(preview_url(other)).status_code == 404
    assert author_client.get(other.get_absolute_url()).status_code == 404


# Two editors at once


def opened_version(client, article) -> str:
    return client.get(change_url(article)).context["adminform"].form["edit_version"].value()


def test_second_editor_saving_over_a_newer_version_is_told_and_nothing_is_lost(
    editor_client,
):
    article = ArticleFactory(draft=True, title="First title")
    version = opened_version(editor_client, article)
    other = Client()
    other.force_login(UserFactory(editor=True, first_name="Omar", last_name="Haddad"))
    other.post(change_url(article), form_of(article, title="Their title", _workflow="draft"))

    response = editor_client.post(
        change_url(article),
        form_of(article, title="My title", edit_version=version, _workflow="draft"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Omar Haddad saved this at" in page
    assert 'value="My title"' in page  # what they typed is kept
    article.refresh_from_db()
    assert article.title == "Their title"

    # The form now carries the newer version: saving again replaces theirs, knowingly.
    newer = response.context["adminform"].form["edit_version"].value()
    again = editor_client.post(
        change_url(article),
        form_of(article, title="My title", edit_version=newer, _workflow="draft"),
    )

    assert again.status_code == 302
    article.refresh_from_db()
    assert article.title == "My title"


def test_saving_the_version_one_opened_goes_through(editor_client):
    article = ArticleFactory(draft=True, title="First title")
    version = opened_version(editor_client, article)

    response = editor_client.post(
        change_url(article),
        form_of(article, title="Second title", edit_version=version, _workflow="draft"),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Second title"


class ShoutingForm(forms.ModelForm):
    """An admin form of someone else's making, with a rule of its own."""

    class Meta:
        model = Article
        fields = ("title", "slug", "body", "status", "published_at", "author")

    def clean_title(self):
        return self.cleaned_data["title"].upper()


def test_conflict_check_and_buttons_extend_whatever_form_the_admin_has(editor_client, monkeypatch):
    monkeypatch.setattr(ArticleAdmin, "form", ShoutingForm)
    article = ArticleFactory(draft=True, title="First title")
    version = opened_version(editor_client, article)
    form = form_of(article, title="Quiet title", edit_version=version, _workflow="published")

    assert editor_client.post(change_url(article), form).status_code == 302
    stale = editor_client.post(change_url(article), form)

    article.refresh_from_db()
    assert article.title == "QUIET TITLE"  # the form's own rule ran
    assert article.is_live  # the button's status was saved
    assert "You (in another tab or window) saved this at" in stale.content.decode()


def test_conflict_after_a_bulk_publish_names_who_published_not_you(editor_client):
    article = ArticleFactory(draft=True, title="First title")
    # The editor saved it earlier: their entry in the history predates what they open now.
    assert (
        editor_client.post(
            change_url(article), form_of(article, title="First title", _workflow="draft")
        ).status_code
        == 302
    )
    version = opened_version(editor_client, article)
    other = Client()
    other.force_login(UserFactory(editor=True, first_name="Bea", last_name="Bulk"))
    other.post(
        reverse("admin:blog_article_changelist"),
        {"action": "publish_selected", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.is_live

    response = editor_client.post(
        change_url(article),
        form_of(article, title="My title", edit_version=version, _workflow="draft"),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bea Bulk saved this at" in page
    assert "You (in another tab or window)" not in page
    article.refresh_from_db()
    assert article.title == "First title" and article.is_live
