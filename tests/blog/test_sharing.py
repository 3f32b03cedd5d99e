import json
import re

import pytest
from django.urls import reverse

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def structured_data(page: str) -> dict:
    (payload,) = JSON_LD.findall(page)
    return json.loads(payload)


def meta(page: str, attribute: str, name: str) -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)


def test_article_page_carries_news_article_structured_data(client):
    SiteSettings.objects.create(pk=1, name="Defence Talks")
    author = UserFactory(username="jane", first_name="Jane", last_name="Doe")
    article = ArticleFactory(
        title="Drones over the sea",
        author=author,
        categories=[CategoryFactory(name="Europe")],
        tags=[TagFactory(name="drones")],
    )

    data = structured_data(client.get(article.get_absolute_url()).content.decode())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Drones over the sea"
    assert data["datePublished"] == article.published_at.isoformat()
    assert data["dateModified"] == article.updated_at.isoformat()
    assert data["author"] == [
        {"@type": "Person", "name": "Jane Doe", "url": f"{SITE_URL}/author/jane/"}
    ]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Defence Talks",
        "url": f"{SITE_URL}/",
    }
    assert data["mainEntityOfPage"]["@id"] == f"{SITE_URL}{article.get_absolute_url()}"
    assert data["articleSection"] == ["Europe"]
    assert data["keywords"] == ["drones"]


def test_structured_data_cannot_close_its_script_element(client):
    article = ArticleFactory(
        title="</script><script>alert(1)</script> & <!-- more", excerpt="a < b"
    )

    page = client.get(article.get_absolute_url()).content.decode()

    (payload,) = JSON_LD.findall(page)
    assert "<" not in payload and ">" not in payload
    assert json.loads(payload)["headline"] == "</script><script>alert(1)</script> & <!-- more"
    assert "<script>alert(1)" not in page


def test_article_without_author_is_published_by_the_site(client):
    article = ArticleFactory(author=None)

    data = structured_data(client.get(article.get_absolute_url()).content.decode())

    assert data["author"] == [data["publisher"]]


def test_article_page_has_open_graph_and_twitter_card_tags(client):
    SiteSettings.objects.create(pk=1, name="Defence Talks")
    article = ArticleFactory(
        title="Drones & the sea", excerpt="What the navy saw.", tags=[TagFactory(name="navy")]
    )

    page = client.get(article.get_absolute_url()).content.decode()

    url = f"{SITE_URL}{article.get_absolute_url()}"
    assert meta(page, "property", "og:type") == ["article"]
    assert meta(page, "property", "og:site_name") == ["Defence Talks"]
    assert meta(page, "property", "og:title") == ["Drones &amp; the sea"]
    assert meta(page, "property", "og:description") == ["What the navy saw."]
    assert meta(page, "property", "og:url") == [url]
    assert meta(page, "property", "article:tag") == ["navy"]
    assert meta(page, "name", "twitter:card") == ["summary"]
    assert meta(page, "name", "twitter:title") == ["Drones &amp; the sea"]


def test_every_page_names_one_canonical_address(client):
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    pages = {
        reverse("blog:article-list"): f"{SITE_URL}/",
        article.get_absolute_url(): f"{SITE_URL}{article.get_absolute_url()}",
        tag.get_absolute_url(): f"{SITE_URL}{tag.get_absolute_url()}",
        f"{reverse('blog:search')}?s=article": f"{SITE_URL}/search/?s=article",
    }
    for path, canonical in pages.items():
        page = client.get(path).content.decode()
        assert re.findall(r'<link rel="canonical" href="([^"]*)">', page) == [canonical]


def test_not_found_page_names_no_canonical_address(client):
    page = client.get("/no/such/page/").content.decode()

    assert 'rel="canonical"' not in page
