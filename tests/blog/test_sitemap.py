import re
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"
ARTICLE_PATH = re.compile(r"^/[0-9]{4}/[0-9]{2}/[0-9]{2}/[-\w]+/$")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict[str, str]:
    response = client.get(reverse("blog:sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314
    return {
        url.find("sm:loc", NS).text: url.find("sm:lastmod", NS).text
        for url in root.findall("sm:url", NS)
    }


def article_urls(entries):
    return {url for url in entries if ARTICLE_PATH.match(url.removeprefix(SITE_URL))}


def test_sitemap_lists_exactly_the_published_articles(client):
    live = ArticleFactory()
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)

    entries = sitemap_entries(client)

    assert f"{SITE_URL}{live.get_absolute_url()}" in entries
    assert entries[f"{SITE_URL}{live.get_absolute_url()}"] == live.updated_at.date().isoformat()
    assert article_urls(entries) == {f"{SITE_URL}{live.get_absolute_url()}"}
    assert f"{SITE_URL}{draft.get_absolute_url()}" not in entries
    assert f"{SITE_URL}{scheduled.get_absolute_url()}" not in entries


def test_sitemap_lists_archive_pages_that_have_published_articles(client):
    europe = CategoryFactory(name="Europe")
    balkans = CategoryFactory(name="Balkans", parent=europe)
    empty = CategoryFactory(name="Empty")
    drones, unused = TagFactory(name="drones"), TagFactory(name="unused")
    jane = UserFactory(username="jane")
    ArticleFactory(
        categories=[balkans],
        tags=[drones],
        author=jane,
        published_at=datetime(2025, 3, 5, tzinfo=timezone.get_current_timezone()),
    )
    ArticleFactory(draft=True, categories=[empty], tags=[unused], author=UserFactory())

    entries = sitemap_entries(client)

    expected = {
        reverse("blog:article-list"),
        europe.get_absolute_url(),  # through its subcategory
        balkans.get_absolute_url(),
        drones.get_absolute_url(),
        reverse("blog:author", kwargs={"username": "jane"}),
        reverse("blog:month-archive", kwargs={"year": "2025", "month": "03"}),
    }
    archive_urls = {url.removeprefix(SITE_URL) for url in set(entries) - article_urls(entries)}
    assert archive_urls == expected
    assert all(entries.values())  # every page says when it last changed


@pytest.mark.parametrize("size", [1, 12])
def test_sitemap_costs_the_same_queries_whatever_its_size(client, django_assert_num_queries, size):
    SiteSettings.load()
    for _ in range(size):
        ArticleFactory(categories=[CategoryFactory()], tags=[TagFactory()], author=UserFactory())

    # home 1, articles 2 (count, page), categories 2, tags 2, authors 2, months 1, and
    # the pages section config/urls.py adds: 1 (its count; none here, tests/pages has them)
    with django_assert_num_queries(11):
        sitemap_entries(client)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines


def test_sitemap_of_a_site_with_nothing_published_lists_only_the_home_page(client):
    ArticleFactory(draft=True)

    assert list(sitemap_entries_allowing_empty_lastmod(client)) == [f"{SITE_URL}/"]


def sitemap_entries_allowing_empty_lastmod(client) -> list[str]:
    response = client.get(reverse("blog:sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314
    return [url.find("sm:loc", NS).text for url in root.findall("sm:url", NS)]
