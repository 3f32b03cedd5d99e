import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory
from tests.factories.pages import PageFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


def test_footer_lists_top_level_published_pages_in_menu_order(client):
    PageFactory(title="Contact", slug="contact", menu_order=2)
    about = PageFactory(title="About", slug="about", menu_order=1)
    PageFactory(title="The team", slug="team", parent=about)
    PageFactory(title="Coming soon", slug="soon", draft=True)
    PageFactory(title="Newsroom only", slug="internal", private=True)
    article = ArticleFactory()

    for url in (reverse("blog:article-list"), article.get_absolute_url(), "/about/"):
        html = footer(client.get(url).text)
        assert html.index('<a href="/about/">About</a>') < html.index(
            '<a href="/contact/">Contact</a>'
        )
        assert "The team" not in html
        assert "Coming soon" not in html
        assert "Newsroom only" not in html


def test_footer_without_pages_shows_no_menu(client):
    assert 'class="footer-pages"' not in client.get(reverse("blog:article-list")).text


def pages_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum('FROM "pages_page"' in query["sql"] for query in queries)


def test_footer_is_one_query_whatever_the_number_of_pages(client):
    SiteSettings.load()
    PageFactory.create_batch(2)
    two = pages_queries(client, reverse("blog:article-list"))
    PageFactory.create_batch(20)

    assert pages_queries(client, reverse("blog:article-list")) == two == 1


def test_with_the_page_cache_the_footer_is_kept_until_the_site_changes(
    page_cache, editor_client, django_capture_on_commit_callbacks
):
    PageFactory(title="About", slug="about")
    home = reverse("blog:article-list")
    editor_client.get(home)  # an editor's page is rendered every time: its footer is kept

    assert pages_queries(editor_client, home) == 0

    with django_capture_on_commit_callbacks(execute=True):
        PageFactory(title="Contact", slug="contact")
    assert pages_queries(editor_client, home) == 1
    assert '<a href="/contact/">Contact</a>' in editor_client.get(home).text


def test_publishing_a_page_shows_at_once_through_the_page_cache(
    page_cache, client, django_capture_on_commit_callbacks
):
    page = PageFactory(title="About", slug="about", body="<p>Old words.</p>")
    assert "Old words." in client.get("/about/").text

    with django_capture_on_commit_callbacks(execute=True):
        page.body = "<p>New words.</p>"
        page.save()
    with django_capture_on_commit_callbacks(execute=True):
        PageFactory(title="Contact", slug="contact")

    assert "New words." in client.get("/about/").text
    assert '<a href="/contact/">Contact</a>' in client.get(reverse("blog:article-list")).text


def test_sitemap_lists_published_pages(client):
    PageFactory(slug="about")
    PageFactory(slug="contact", draft=True)
    PageFactory(slug="internal", private=True)

    response = client.get(reverse("blog:sitemap"))

    root = ET.fromstring(response.content)  # noqa: S314
    urls = {url.find("sm:loc", NS).text for url in root.findall("sm:url", NS)}
    assert f"{SITE_URL}/about/" in urls
    assert f"{SITE_URL}/contact/" not in urls
    assert f"{SITE_URL}/internal/" not in urls


@pytest.mark.parametrize("size", [1, 15])
def test_pages_cost_the_sitemap_two_queries_whatever_their_number(client, size):
    PageFactory.create_batch(size)

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("blog:sitemap"))

    assert sum('FROM "pages_page"' in query["sql"] for query in queries) == 2  # count, page


def test_the_site_version_expires_when_the_next_scheduled_page_goes_live(page_cache):
    from core import invalidation

    PageFactory(scheduled=True, published_at=timezone.now() + timedelta(minutes=10))

    invalidation.bump()

    assert 590 <= invalidation._seconds_to_next_change() <= 601
