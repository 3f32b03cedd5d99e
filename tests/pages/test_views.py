import pytest
from django.test import Client

from blog.models import SiteSettings
from tests.factories.blog import UserFactory
from tests.factories.media import ImageFactory
from tests.factories.pages import PageFactory

pytestmark = pytest.mark.django_db


def test_a_published_page_is_one_document_for_every_reader(client):
    SiteSettings.objects.create(pk=1, name="Defence Talks")
    page = PageFactory(title="About us", slug="about", body="<p>Who we are.</p>")

    response = client.get("/about/")

    assert response.status_code == 200
    assert "<title>About us – Defence Talks</title>" in response.text
    assert '<link rel="canonical" href="http://127.0.0.1:8000/about/">' in response.text
    assert "<p>Who we are.</p>" in response.text
    assert "public" in response["Cache-Control"]
    assert "s-maxage" in response["Cache-Control"]
    assert not response.cookies
    assert page.get_absolute_url() == "/about/"


@pytest.mark.parametrize("state", ["draft", "private", "scheduled"])
def test_readers_never_see_unpublished_pages(client, state):
    page = PageFactory(slug="hidden", **{state: True})

    response = client.get(page.get_absolute_url())

    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("state", "notice"),
    [("draft", "this page is a draft"), ("private", "only the newsroom can see this page")],
)
def test_editors_open_private_pages_and_preview_drafts_in_private_responses(
    editor_client, state, notice
):
    page = PageFactory(slug="internal", **{state: True})

    response = editor_client.get(page.get_absolute_url())

    assert response.status_code == 200
    assert notice in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_signed_in_reader_without_the_permission_gets_not_found(client):
    client.force_login(UserFactory())
    page = PageFactory(private=True)

    assert client.get(page.get_absolute_url()).status_code == 404


def test_a_page_shows_its_ancestors_and_its_published_subpages(client):
    about = PageFactory(title="About", slug="about")
    team = PageFactory(title="The team", slug="team", parent=about)
    PageFactory(title="Editors", slug="editors", parent=team, menu_order=2)
    PageFactory(title="Reporters", slug="reporters", parent=team, menu_order=1)
    PageFactory(title="Unfinished", slug="unfinished", parent=team, draft=True)

    html = client.get("/about/team/").text

    assert '<nav class="breadcrumbs" aria-label="Breadcrumbs">' in html
    assert '<a href="/about/">About</a>' in html
    assert html.index("/about/team/reporters/") < html.index("/about/team/editors/")
    assert "Unfinished" not in html


def test_a_draft_parent_is_left_out_of_the_breadcrumbs(client):
    secret = PageFactory(title="Secret plans", slug="plans", draft=True)
    PageFactory(title="Public part", slug="public", parent=secret)

    response = client.get("/plans/public/")

    assert response.status_code == 200
    assert "Secret plans" not in response.text


def test_a_library_picture_in_the_text_is_shown(client):
    image = ImageFactory(alt_text="The frigate at Kiel")
    page = PageFactory(body=f'<figure data-media-id="{image.pk}"></figure>')

    html = client.get(page.get_absolute_url()).text

    assert "<picture" in html or "<img" in html
    assert "data-media-id" not in html


def test_unknown_and_hostile_paths_are_not_found(client):
    PageFactory(slug="about")

    assert client.get("/nothing/").status_code == 404
    assert client.get("/about/nothing/").status_code == 404
    assert client.get("/about/../etc/passwd").status_code == 404


def test_a_page_costs_the_same_queries_whatever_its_subpages(client, django_assert_num_queries):
    SiteSettings.load()
    section = PageFactory()
    few = PageFactory(parent=section)
    PageFactory(parent=few)
    many = PageFactory(parent=section)
    PageFactory.create_batch(12, parent=many)

    # site settings, the sections in the header, the page, its ancestors (none asked for
    # a top-level page), its subpages, the pages in the footer
    with django_assert_num_queries(6) as few_queries:
        client.get(few.get_absolute_url())
    with django_assert_num_queries(len(few_queries.captured_queries)):
        response = client.get(many.get_absolute_url())
    assert response.text.count("<li>") >= 12


def test_editors_page_is_served_from_their_own_render_only(page_cache, editor_client):
    page = PageFactory(private=True)
    reader = Client()

    assert editor_client.get(page.get_absolute_url()).status_code == 200
    assert reader.get(page.get_absolute_url()).status_code == 404
