"""Pictures on pages: `{% load pictures %}`.

    {% picture image sizes="(min-width: 60rem) 40rem, 100vw" %}
    {% picture image sizes="100vw" loading="eager" fetchpriority="high" class="lead" %}
    {% picture image sizes="20rem" crop="3:2" %}          teaser: 3:2 around the focal point
    {% picture_figure image sizes="…" %}                   <figure> with caption and credit
    {% picture_url image width=1200 format="jpeg" %}       a URL (absolute with absolute=True)
    {% rendition image 1200 "jpeg" as og %}{{ og.url }} {{ og.width }} {{ og.height }}

`image` may be None (an article without a featured image): the tags then render nothing.
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from media import renditions

register = template.Library()

DEFAULT_SIZES = "100vw"
# The fallback <img src> for browsers without srcset: a middle width.
FALLBACK_WIDTH = 800


def picture_context(image, *, sizes=DEFAULT_SIZES, loading="lazy", fetchpriority="",
                    css_class="", crop="") -> dict:  # fmt: skip
    """What templates/media/_picture.html needs to show `image`."""
    jpegs = renditions.renditions_of(image, "jpeg", crop)
    sources = []
    if jpegs:
        for image_format in renditions.formats()[:-1]:
            made = renditions.renditions_of(image, image_format, crop)
            if made:
                sources.append({"type": made[0].mime_type, "srcset": _srcset(made)})
    fallback = renditions.rendition(image, FALLBACK_WIDTH, "jpeg", crop)
    return {
        "image": image,
        "sources": sources,
        "img": fallback,
        "srcset": _srcset(jpegs) if len(jpegs) > 1 else "",
        "sizes": sizes,
        "loading": loading,
        "fetchpriority": fetchpriority,
        "class": css_class,
    }


def _srcset(made) -> str:
    return ", ".join(f"{r.url} {r.width}w" for r in made)


@register.simple_tag
def picture(image, sizes=DEFAULT_SIZES, loading="lazy", fetchpriority="", crop="", **attrs):
    """A <picture>: AVIF/WebP sources and a JPEG <img> with its real width and height."""
    if image is None:
        return ""
    context = picture_context(
        image,
        sizes=sizes,
        loading=loading,
        fetchpriority=fetchpriority,
        css_class=attrs.get("class", ""),
        crop=crop,
    )
    return render_to_string("media/_picture.html", context)


@register.simple_tag
def picture_figure(image, sizes=DEFAULT_SIZES, loading="lazy", fetchpriority="", **attrs):
    """The picture in a <figure>, its caption and credit in the <figcaption>."""
    if image is None:
        return ""
    return render_to_string(
        "media/_figure.html",
        {
            "image": image,
            "sizes": sizes,
            "loading": loading,
            "fetchpriority": fetchpriority,
            "class": attrs.get("class", ""),
        },
    )


@register.simple_tag
def picture_url(image, width=1200, format="jpeg", crop="", absolute=False):
    """The URL of the widest rendition at most `width` wide (og:image, feeds, emails);
    with absolute=True, prefixed with SITE_URL when the storage's URL is a path."""
    if image is None:
        return ""
    url = renditions.rendition(image, int(width), format, crop).url
    return absolute_url(url) if absolute else url


@register.simple_tag
def rendition(image, width=1200, format="jpeg", crop=""):
    """The rendition itself (url, width, height, mime_type), for `{% … as name %}`."""
    if image is None:
        return None
    return renditions.rendition(image, int(width), format, crop)


def absolute_url(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url
