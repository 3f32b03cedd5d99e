"""An article's featured picture everywhere the article goes: its page, its teasers, link
previews, search engines' data, feeds and the new-post email."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from newsletter.emails import ArticleEmail
from tests.factories.blog import ArticleFactory
from tests.factories.media import ImageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured():
    image = ImageFactory(
        alt_text="A frigate leaving Kiel at dawn",
        caption="The frigate Hessen leaves Kiel.",
        credit="Jane Roe / Navy Press",
    )
    return ArticleFactory(title="Frigate sails", featured_image=image)


def meta(page: str, name: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    assert match, name
    return match.group(1)


def test_article_shows_its_picture_large_with_caption_and_credit(client, pictured):
    page = client.get(pictured.get_absolute_url()).text

    figure = page[page.index('<figure class="featured-image">') : page.index("</figure>")]
    assert "<picture>" in figure
    assert 'alt="A frigate leaving Kiel at dawn"' in figure
    assert "The frigate Hessen leaves Kiel." in figure
    assert "Jane Roe / Navy Press" in figure
    assert re.search(r'<img [^>]*width="\d+" height="\d+"', figure)


def test_link_previews_carry_the_picture_absolute_with_its_size_and_alt(client, pictured):
    page = client.get(pictured.get_absolute_url()).text

    assert meta(page, "og:image").startswith(f"{settings.SITE_URL}/")
    assert int(meta(page, "og:image:width")) > 0
    assert int(meta(page, "og:image:height")) > 0
    assert meta(page, "og:image:alt") == "A frigate leaving Kiel at dawn"
    assert meta(page, "twitter:card") == "summary_large_image"


def test_an_article_without_a_picture_has_a_small_card_and_no_og_image(client):
    page = client.get(ArticleFactory().get_absolute_url()).text

    assert meta(page, "twitter:card") == "summary"
    assert "og:image" not in page


def test_search_engines_data_names_the_picture(client, pictured):
    page = client.get(pictured.get_absolute_url()).text
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )

    (image,) = data["image"]
    assert image["url"].startswith(f"{settings.SITE_URL}/")
    assert image["width"] > 0 and image["height"] > 0
    assert image["creditText"] == "Jane Roe / Navy Press"


@pytest.mark.parametrize("feed", ["blog:feed", "blog:feed-atom"])
def test_feed_items_carry_their_picture(client, pictured, feed):
    xml = client.get(reverse(feed)).text

    assert 'xmlns:media="http://search.yahoo.com/mrss/"' in xml
    content = re.search(r"<media:content ([^>]*)>", xml)[1]
    assert f'url="{settings.SITE_URL}/' in content
    assert 'medium="image"' in content
    assert "<media:description>A frigate leaving Kiel at dawn</media:description>" in xml
    assert "<media:credit>Jane Roe / Navy Press</media:credit>" in xml


def test_new_post_email_shows_the_picture_from_the_public_site(pictured):
    html = ArticleEmail(pictured).html

    img = re.search(r"<img ([^>]*)>", html)[1]
    assert f'src="{settings.SITE_URL}/' in img
    assert 'alt="A frigate leaving Kiel at dawn"' in img
    assert re.search(r'width="\d+" height="\d+"', img)
