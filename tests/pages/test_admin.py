import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pages.models import PAGE_CYCLE_MESSAGE, PATH_IN_USE_MESSAGE, PATH_RESERVED_MESSAGE, Page
from tests.factories.blog import UserFactory
from tests.factories.pages import PageFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:pages_page_add")


def page_form(**overrides):
    data = {
        "title": "About us",
        "slug": "about",
        "parent": "",
        "body": "<p>Who we are.</p>",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "author": "",
        "menu_order": "0",
    }
    return data | overrides


def test_editors_group_may_write_pages():
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )

    assert {"add_page", "change_page", "delete_page", "view_page"} <= codenames


def test_editor_writes_a_page_inside_another_and_readers_find_it(editor_client, client):
    about = PageFactory(title="About", slug="about")

    response = editor_client.post(
        ADD_URL, page_form(title="The team", slug="team", parent=str(about.pk))
    )

    assert response.status_code == 302
    page = Page.objects.get(slug="team")
    assert page.path == "about/team"
    assert page.published_at is not None
    assert client.get("/about/team/").status_code == 200


def test_new_page_form_offers_the_editor_as_author_and_pages_by_address(editor_client, editor):
    PageFactory(title="About", slug="about")

    html = editor_client.get(ADD_URL).text

    assert f'<option value="{editor.pk}" selected>' in html
    assert "/about/ – About" in html


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("feed", PATH_RESERVED_MESSAGE.format(url="/feed/")),
        ("taken", PATH_IN_USE_MESSAGE.format(url="/taken/")),
    ],
)
def test_an_address_that_is_not_free_gets_a_clear_error_and_keeps_the_text(
    editor_client, slug, message
):
    PageFactory(slug="taken")

    response = editor_client.post(ADD_URL, page_form(slug=slug, body="<p>Words to keep.</p>"))

    assert response.status_code == 200
    assert message in response.text
    assert "Words to keep." in response.text
    assert not Page.objects.filter(title="About us").exists()


def test_moving_a_page_inside_its_own_subpage_gets_a_clear_error(editor_client):
    about = PageFactory(slug="about")
    team = PageFactory(slug="team", parent=about)

    response = editor_client.post(
        reverse("admin:pages_page_change", args=[about.pk]),
        page_form(slug="about", parent=str(team.pk)),
    )

    assert response.status_code == 200
    assert PAGE_CYCLE_MESSAGE in response.text
    about.refresh_from_db()
    assert about.parent is None


def test_body_is_cleaned_when_saved_in_the_admin(editor_client):
    editor_client.post(ADD_URL, page_form(body='<p>Hi</p><script>alert("x")</script>'))

    assert Page.objects.get(slug="about").body == "<p>Hi</p>"


def test_changelist_lists_addresses_and_filters_by_status(editor_client):
    PageFactory(title="Live page", slug="live")
    PageFactory(title="Draft page", slug="draft", draft=True)
    changelist = reverse("admin:pages_page_changelist")

    everything = editor_client.get(changelist).text
    drafts = editor_client.get(changelist, {"status__exact": "draft"}).text
    found = editor_client.get(changelist, {"q": "Live"}).text

    assert "/live/" in everything and "/draft/" in everything
    assert "Draft page" in drafts and "Live page" not in drafts
    assert "Live page" in found and "Draft page" not in found


def test_readers_cannot_reach_the_page_admin(client):
    client.force_login(UserFactory())

    response = client.get(ADD_URL)

    assert response.status_code == 302


def test_a_page_with_subpages_cannot_be_deleted_before_them(editor_client):
    about = PageFactory(title="About", slug="about")
    PageFactory(title="The team", slug="team", parent=about)

    response = editor_client.post(
        reverse("admin:pages_page_delete", args=[about.pk]), {"post": "yes"}
    )

    assert response.status_code == 200
    assert "The team" in response.text  # named as what must go first
    assert Page.objects.filter(pk=about.pk).exists()


def test_page_body_is_written_in_the_articles_visual_editor(editor_client):
    page = PageFactory(body="<p>Who we are.</p>")

    response = editor_client.get(reverse("admin:pages_page_change", args=[page.pk]))

    assert response.status_code == 200
    assert "data-django-prose-editor" in response.content.decode()


def test_second_editor_saving_a_page_over_a_newer_version_is_told_and_keeps_the_text(
    editor_client, client
):
    page = PageFactory(title="About", slug="about", body="<p>Who we are.</p>")
    change_url = reverse("admin:pages_page_change", args=[page.pk])
    opened = editor_client.get(change_url).context["adminform"].form["edit_version"].value()
    other = UserFactory(editor=True)
    client.force_login(other)
    client.post(change_url, page_form(body="<p>Their words.</p>", edit_version=opened))

    stale = editor_client.post(change_url, page_form(body="<p>My words.</p>", edit_version=opened))

    assert stale.status_code == 200
    assert "My words." in stale.content.decode()
    page.refresh_from_db()
    assert page.body == "<p>Their words.</p>"
