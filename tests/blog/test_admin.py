import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Article, RelatedLink, SiteSettings
from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_article_add")


def article_form(**overrides):
    data = {
        "title": "Navy orders new frigates",
        "slug": "navy-orders-new-frigates",
        "body": "First paragraph.\n\nSecond paragraph.",
        "excerpt": "",
        "status": "published",
        "published_at_0": "2026-11-01",
        "published_at_1": "09:30:00",
        "author": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def test_editors_group_has_what_an_editor_needs():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )

    assert {"add_article", "change_article", "delete_article", "add_relatedlink"} <= codenames
    assert "change_sitesettings" in codenames
    assert "delete_user" not in codenames


def test_editor_writes_and_publishes_an_article_with_a_see_also_link(
    editor_client, django_capture_on_commit_callbacks, published_signals
):
    target = ArticleFactory(title="Older coverage")
    data = article_form(
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-target": str(target.pk),
            "related_links-0-target_title": "",
            "related_links-0-after_paragraph": "1",
            "related_links-0-order": "0",
        }
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get(slug="navy-orders-new-frigates")
    assert article.body_blocks == ["<p>First paragraph.</p>", "<p>Second paragraph.</p>"]
    assert article.excerpt == "First paragraph."
    assert article.related_links.get().target == target
    assert published_signals == [article.pk]


def test_saving_a_published_article_again_does_not_announce_it_again(
    editor_client, django_capture_on_commit_callbacks, published_signals
):
    article = ArticleFactory()
    url = reverse("admin:blog_article_change", args=[article.pk])

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(url, article_form(title="Edited", slug=article.slug))

    article.refresh_from_db()
    assert article.title == "Edited"
    assert published_signals == []


def test_admin_form_with_errors_keeps_what_the_editor_typed(editor_client):
    response = editor_client.post(ADD_URL, article_form(title="", body="My long careful text"))

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert "My long careful text" in response.content.decode()
    assert not Article.objects.exists()


def test_article_body_is_sanitized_on_save(editor_client):
    editor_client.post(
        ADD_URL,
        article_form(
            body='<p onclick="steal()">Hi <script>alert(1)</script>'
            '<a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)></p>'
        ),
    )

    body = Article.objects.get().body
    for hostile in ("onclick", "<script", "javascript:", "onerror"):
        assert hostile not in body
    assert "<p>Hi " in body


def test_bulk_publish_and_unpublish(editor_client, django_capture_on_commit_callbacks):
    drafts = ArticleFactory.create_batch(2, draft=True)
    changelist = reverse("admin:blog_article_changelist")
    ids = [str(a.pk) for a in drafts]

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(changelist, {"action": "publish_selected", "_selected_action": ids})
    assert Article.objects.published().count() == 2

    editor_client.post(changelist, {"action": "unpublish_selected", "_selected_action": ids})
    assert Article.objects.published().count() == 0
    assert Article.objects.drafts().count() == 2


def test_changelist_shows_state_and_filters(editor_client):
    ArticleFactory(title="Live one")
    ArticleFactory(title="Future one", scheduled=True)
    changelist = reverse("admin:blog_article_changelist")

    html = editor_client.get(changelist).content.decode()
    scheduled_only = editor_client.get(changelist, {"visibility": "scheduled"}).content.decode()

    assert "Scheduled" in html and "Published" in html
    assert "Future one" in scheduled_only and "Live one" not in scheduled_only


def test_dangling_link_saved_in_admin_resolves_when_target_is_written(editor_client):
    data = article_form(
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-target": "",
            "related_links-0-target_title": "A story for tomorrow",
            "related_links-0-after_paragraph": "2",
            "related_links-0-order": "0",
        }
    )
    editor_client.post(ADD_URL, data)
    assert RelatedLink.objects.get().target is None

    target = ArticleFactory(title="A story for tomorrow")

    assert RelatedLink.objects.get().target == target


def test_site_settings_are_edited_in_the_admin(editor_client, client):
    SiteSettings.load()
    url = reverse("admin:blog_sitesettings_change", args=[1])

    editor_client.post(url, {"name": "Defence Talks", "tagline": "Defense News"})

    assert "Defence Talks" in client.get(reverse("blog:article-list")).content.decode()


def test_publishing_without_a_time_publishes_now(
    editor_client, django_capture_on_commit_callbacks, published_signals
):
    data = article_form(published_at_0="", published_at_1="")

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.is_live
    assert published_signals == [article.pk]


def test_see_also_row_without_target_or_title_gets_a_clear_error(editor_client):
    data = article_form(
        **{
            "related_links-TOTAL_FORMS": "1",
            "related_links-0-target": "",
            "related_links-0-target_title": "",
            "related_links-0-after_paragraph": "3",
            "related_links-0-order": "0",
        }
    )

    response = editor_client.post(ADD_URL, data)

    assert "Choose the article to link to, or give its title." in response.content.decode()
    assert not Article.objects.exists()


def test_author_choices_are_the_newsroom_accounts(editor_client, editor):
    reader = UserFactory(username="just-a-reader")

    form = editor_client.get(ADD_URL).context["adminform"].form
    choices = form.fields["author"].queryset

    assert editor in choices
    assert reader not in choices


def test_site_settings_list_leads_to_the_one_row(editor_client):
    response = editor_client.get(reverse("admin:blog_sitesettings_changelist"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:blog_sitesettings_change", args=[1])
