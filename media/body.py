"""Pictures from the library inside an article's text.

An editor places a library picture in a body by writing its marker, on a line of its
own (the image's page in the admin shows it, ready to copy):

    <figure data-media-id="12"></figure>

optionally with a caption of the article's own, which then replaces the library's:

    <figure data-media-id="12"><figcaption>The frigate at Kiel.</figcaption></figure>

The body is stored as the editor wrote it (blog's sanitizer keeps `data-media-id` on
`<figure>`), and `render_pictures` replaces each marker by the picture's `<figure>` at
render time, so an edited caption or alt text shows at once. A marker whose picture is
not in the library renders as nothing.
"""

import re

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

# nh3 writes attributes in double quotes and keeps the editor's white space: this is the
# shape every stored marker has.
MARKER = re.compile(
    r'<figure data-media-id="(?P<id>\d{1,18})">\s*'
    r"(?:<figcaption>(?P<caption>.*?)</figcaption>\s*)?</figure>",
    re.DOTALL,
)
BODY_SIZES = "(min-width: 48rem) 45rem, 100vw"


def marker(image_id: int) -> str:
    return f'<figure data-media-id="{image_id}"></figure>'


def ids_in(html: str) -> set[int]:
    return {int(match["id"]) for match in MARKER.finditer(html)}


def render_pictures(blocks: list[str], *, sizes: str = BODY_SIZES) -> list[str]:
    """`blocks` (clean HTML) with each marker replaced by its picture: one query for all
    of them, none when there is no marker."""
    from media.models import Image

    wanted = set().union(*(ids_in(block) for block in blocks)) if blocks else set()
    if not wanted:
        return blocks
    images = Image.objects.in_bulk(wanted)

    def picture(match: re.Match) -> str:
        image = images.get(int(match["id"]))
        if image is None:
            return ""
        return render_to_string(
            "media/_figure.html",
            {
                "image": image,
                "sizes": sizes,
                "loading": "lazy",
                # Already clean HTML: the article's sanitizer wrote it.
                "caption": mark_safe(match["caption"]) if match["caption"] else None,  # noqa: S308
            },
        )

    return [MARKER.sub(picture, block) for block in blocks]
