"""What `{% load pictures %}` puts on a page."""

import re

import pytest
from django.template import Context, Template

from media import renditions
from tests.factories.media import ImageFactory, picture_bytes, upload

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load pictures %}" + source).render(Context(context))


def _widths(srcset: str) -> list[int]:
    return [int(w) for w in re.findall(r" (\d+)w", srcset)]


def test_picture_offers_avif_and_a_jpeg_fallback_with_its_real_size():
    image = ImageFactory(file=upload(picture_bytes(2400, 1600)), alt_text="A frigate at sea")

    html = render('{% picture image sizes="(min-width: 60rem) 40rem, 100vw" %}', image=image)

    assert html.startswith("<picture>") and html.endswith("</picture>")
    (avif,) = re.findall(r'<source type="image/avif" srcset="([^"]+)"', html)
    assert _widths(avif) == [480, 800, 1200, 1600]
    img = re.search(r"<img [^>]+>", html).group(0)
    assert _widths(re.search(r'srcset="([^"]+)"', img).group(1)) == [480, 800, 1200, 1600]
    assert 'sizes="(min-width: 60rem) 40rem, 100vw"' in img
    assert 'width="800" height="533"' in img
    assert 'alt="A frigate at sea"' in img
    assert 'loading="lazy"' in img and 'decoding="async"' in img
    assert ".jpg" in re.search(r'src="([^"]+)"', img).group(1)


def test_the_lead_story_loads_its_picture_at_once():
    image = ImageFactory()

    html = render(
        '{% picture image sizes="100vw" loading="eager" fetchpriority="high" class="lead" %}',
        image=image,
    )

    assert 'loading="eager"' in html
    assert 'fetchpriority="high"' in html
    assert 'class="lead"' in html


def test_no_rendition_is_wider_than_the_original():
    image = ImageFactory(file=upload(picture_bytes(1000, 500)))

    html = render("{% picture image %}", image=image)

    assert _widths(re.search(r'type="image/avif" srcset="([^"]+)"', html).group(1)) == [
        480,
        800,
        1000,
    ]
    assert max(r["width"] for r in image.renditions) == 1000


def test_a_small_original_gets_one_rendition_at_its_own_size():
    image = ImageFactory(file=upload(picture_bytes(300, 200)))

    html = render("{% picture image %}", image=image)

    assert 'width="300" height="200"' in html
    assert {(r["width"], r["height"]) for r in image.renditions} == {(300, 200)}


def test_a_teaser_crops_three_by_two_around_the_focal_point():
    # A tall picture whose subject is near the bottom.
    image = ImageFactory(file=upload(picture_bytes(1000, 2000)), focal_x=0.5, focal_y=0.9)
    renditions.make_renditions(image)

    html = render('{% picture image sizes="20rem" crop="3:2" %}', image=image)

    assert 'width="800" height="533"' in html
    assert "-3x2." in html
    box = renditions.crop_box(1000, 2000, (3, 2), (0.5, 0.9))
    assert box == (0, 2000 - 667, 1000, 2000)  # as low as the picture goes


def test_picture_url_gives_an_absolute_address_for_og_image(settings):
    settings.SITE_URL = "https://news.example.com"
    image = ImageFactory(file=upload(picture_bytes(2000, 1000)))

    url = render('{% picture_url image width=1200 format="jpeg" absolute=True %}', image=image)
    sized = render(
        '{% rendition image 1200 "jpeg" as og %}{{ og.url }} {{ og.width }}x{{ og.height }}',
        image=image,
    )

    assert re.fullmatch(r"https://news\.example\.com/media/images/.+-1200w\.[0-9a-f]{12}\.jpg", url)
    assert sized.endswith(" 1200x600")
    assert url.endswith(sized.split()[0])


def test_a_missing_picture_renders_nothing():
    assert render("{% picture image %}{% picture_url image %}", image=None) == ""


def test_before_its_renditions_are_made_the_stripped_original_is_shown(run_on_commit):
    from media import services

    image = services.image_create(file=upload(picture_bytes(900, 600)), title="T", alt_text="A")

    html = render("{% picture image %}", image=image)

    assert "<source" not in html
    assert f'src="/media/{image.file.name}"' in html
    assert 'width="900" height="600"' in html


def test_figure_shows_caption_and_credit():
    image = ImageFactory(caption="Sailors at dawn.", credit="Jane Roe / Agency")

    html = render("{% picture_figure image %}", image=image)

    assert html.startswith('<figure class="picture">')
    assert '<figcaption>Sailors at dawn. <span class="credit">Jane Roe / Agency</span>' in html


def test_renditions_are_named_by_their_bytes():
    image = ImageFactory()

    for made in image.renditions:
        assert re.search(r"\.[0-9a-f]{12}\.(avif|jpg)$", made["name"]), made["name"]
