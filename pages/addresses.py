"""Which addresses a page may take: the ones the rest of the site leaves free.

pages/urls.py is included last and answers any path of slugs, so a page must never be
given an address another part of the site answers, nor one inside a part of the site
(a page at /category/ would sit where readers expect a section). The rule is read off
the URLconf rather than kept as a list: every first segment another pattern starts
with (`admin`, `feed`, `category`, a four-digit year…) is reserved, and so is any path
another pattern answers. An app that adds addresses reserves them by adding its URLs.
MEDIA_URL and STATIC_URL are reserved too: in production nginx serves them, and the
URLconf does not know them.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve

PAGES_NAMESPACE = "pages"


def reserved_first_segments() -> list[re.Pattern]:
    """Patterns for the first segments that belong to other parts of the site."""
    found = _segments(get_resolver().url_patterns)
    for url in (settings.MEDIA_URL, settings.STATIC_URL):
        path = urlsplit(url or "").path if "://" not in (url or "") else ""
        first = path.strip("/").split("/", 1)[0]
        if first:
            found.append(re.compile(re.escape(first), re.IGNORECASE))
    return found


def _segments(patterns) -> list[re.Pattern]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver) and entry.namespace == PAGES_NAMESPACE:
            continue
        text = str(entry.pattern)
        if isinstance(entry, URLResolver) and text in ("", "^"):
            # An include at the root: its own patterns say which segments it takes.
            found.extend(_segments(entry.url_patterns))
            continue
        is_regex = text.startswith("^")
        first = text.removeprefix("^").removesuffix("$").split("/", 1)[0]
        if not first:
            continue  # the home page: no page can have an empty address
        if is_regex:
            found.append(re.compile(first, re.IGNORECASE))
        elif "<" not in first:
            found.append(re.compile(re.escape(first), re.IGNORECASE))
        # A route starting with a converter claims no word of its own: the resolve()
        # in is_taken() still catches an address it answers.
    return found


def is_taken(path: str) -> bool:
    """Whether the page address `path` ("about/team") belongs to another part of the site."""
    first = path.split("/", 1)[0]
    if any(pattern.fullmatch(first) for pattern in reserved_first_segments()):
        return True
    try:
        match = resolve(f"/{path}/")
    except Resolver404:
        return False  # no pattern at all, ours included: the slug's validation speaks
    return match.namespace != PAGES_NAMESPACE
