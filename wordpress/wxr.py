"""Reading a WordPress eXtended RSS export (WXR 1.0 to 1.2) as a stream.

`read` yields what the file holds in file order: the `Channel` (the export's site and
version) first, then `Author`s, `Term`s and `Item`s (posts, pages, attachments, menu
items…), each built from its element and the element then dropped, so memory stays flat
however large the file. An item that cannot be understood (no id, a date that is not
one) comes out as a `Malformed` naming its id and title, and the stream goes on.

The file is parsed by defusedxml: a document type declaring entities (the "billion
laughs" bomb, an external entity reading a local file or a URL) is refused, not expanded.
Whatever makes the file as a whole unreadable — not XML, cut short, refused entities, an
RSS feed that is not a WordPress export, an unknown WXR version — raises `WXRError` with
a message for the person running the import.
"""

import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")

NOT_XML = "{name} is not a readable XML file: {reason}."
REFUSED_ENTITIES = (
    "{name} declares XML entities or refers to external ones; an export from WordPress "
    "never does, and they are refused (they can expand without end or read other files)."
)
NOT_RSS = "{name} is not a WordPress export: its root element is <{root}>, not <rss>."
NOT_WXR = (
    "{name} is an RSS feed, not a WordPress export (it has no <wp:wxr_version>): "
    "export the site from WordPress's Tools > Export."
)
UNKNOWN_VERSION = "{name} is a WXR {version} export; this importer reads WXR {supported}."
UNREADABLE = "{name} cannot be read ({reason})."


class WXRError(Exception):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class Channel:
    title: str = ""
    link: str = ""
    version: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""

    @property
    def site_url(self) -> str:
        """What identifies the exported site. The blog's own address, not the network's:
        every WordPress.com blog's export names https://wordpress.com/ as its site."""
        return (self.base_blog_url or self.base_site_url or self.link).rstrip("/")


@dataclass
class Author:
    wp_id: int | None
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Term:
    """A category or a tag (taxonomy "category" or "post_tag")."""

    taxonomy: str
    wp_id: int | None
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""


@dataclass
class TermRef:
    """A term as a post names it: <category domain="post_tag" nicename="…">Name</category>."""

    taxonomy: str
    slug: str
    name: str


@dataclass
class Comment:
    wp_id: int
    author: str = ""
    email: str = ""
    url: str = ""
    ip: str = ""
    date: datetime | None = None
    content: str = ""
    approved: str = "1"
    type: str = ""
    parent_id: int = 0
    user_id: int = 0
    user_agent: str = ""


@dataclass
class Item:
    wp_id: int
    post_type: str
    title: str = ""
    link: str = ""
    content: str = ""
    excerpt: str = ""
    status: str = ""
    slug: str = ""
    date: datetime | None = None
    parent_id: int = 0
    menu_order: int = 0
    author_login: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[TermRef] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    def meta_value(self, key: str) -> str:
        values = self.meta.get(key)
        return values[0] if values else ""


@dataclass
class Malformed:
    """An item that cannot be imported; the rest of the file can."""

    wp_id: str
    title: str
    reason: str
    post_type: str = ""


Event = Channel | Author | Term | Item | Malformed


class _ItemError(Exception):
    pass


@lru_cache(maxsize=64)
def _name(tag: str) -> str:
    """ "{https://wordpress.org/export/1.2/}post_id" as "wp:post_id": the namespaces'
    addresses change with each WXR version (and http became https), their roles do not."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if "wordpress.org/export/" in uri:
        prefix = "excerpt" if uri.rstrip("/").endswith("/excerpt") else "wp"
    elif "purl.org/rss/1.0/modules/content" in uri:
        prefix = "content"
    elif "purl.org/dc/elements" in uri:
        prefix = "dc"
    elif "wellformedweb.org" in uri:
        prefix = "wfw"
    else:
        prefix = uri
    return f"{prefix}:{local}"


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _fields(element) -> dict[str, str]:
    """The element's simple children, by name; the first of a repeated name wins."""
    found: dict[str, str] = {}
    for child in element:
        found.setdefault(_name(child.tag), child.text or "")
    return found


def _int(value: str, what: str, *, default: int | None = None) -> int:
    value = (value or "").strip()
    if not value and default is not None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _ItemError(f"its {what} “{value}” is not a number") from None
    if number < 0:
        raise _ItemError(f"its {what} {number} is negative")
    return number


def _order(value: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        raise _ItemError(f"its menu order “{value}” is not a number") from None


def parse_date(gmt: str, local: str) -> datetime | None:
    """The time from WordPress's pair of columns: the UTC one when WordPress filled it
    (drafts have 0000-00-00), else the local one read in the site's TIME_ZONE."""
    for value, zone in ((gmt, UTC), (local, None)):
        value = (value or "").strip()
        if not value or value.startswith("0000-00-00"):
            continue
        try:
            naive = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise _ItemError(f"its date “{value}” is not a date") from None
        return naive.replace(tzinfo=zone or zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return None


def _author(element) -> Author:
    values = _fields(element)
    login = values.get("wp:author_login", "").strip()
    wp_id = values.get("wp:author_id", "").strip()
    return Author(
        wp_id=int(wp_id) if wp_id.isdigit() else None,
        login=login,
        email=values.get("wp:author_email", "").strip(),
        display_name=values.get("wp:author_display_name", "").strip(),
        first_name=values.get("wp:author_first_name", "").strip(),
        last_name=values.get("wp:author_last_name", "").strip(),
    )


def _term(element, kind: str) -> Term | None:
    values = _fields(element)
    wp_id = values.get("wp:term_id", "").strip()
    wp_id = int(wp_id) if wp_id.isdigit() else None
    if kind == "wp:category":
        return Term("category", wp_id, values.get("wp:category_nicename", "").strip(),
                    values.get("wp:cat_name", "").strip(),
                    values.get("wp:category_parent", "").strip(),
                    values.get("wp:category_description", "").strip())  # fmt: skip
    if kind == "wp:tag":
        return Term("post_tag", wp_id, values.get("wp:tag_slug", "").strip(),
                    values.get("wp:tag_name", "").strip(), "",
                    values.get("wp:tag_description", "").strip())  # fmt: skip
    taxonomy = values.get("wp:term_taxonomy", "").strip()
    if taxonomy not in ("category", "post_tag"):
        return None  # nav menus, post formats, custom taxonomies: nothing of ours
    return Term(taxonomy, wp_id, values.get("wp:term_slug", "").strip(),
                values.get("wp:term_name", "").strip(),
                values.get("wp:term_parent", "").strip(),
                values.get("wp:term_description", "").strip())  # fmt: skip


def _comment(element) -> Comment:
    values = _fields(element)
    return Comment(
        wp_id=_int(values.get("wp:comment_id", ""), "comment id"),
        author=values.get("wp:comment_author", "").strip(),
        email=values.get("wp:comment_author_email", "").strip(),
        url=values.get("wp:comment_author_url", "").strip(),
        ip=values.get("wp:comment_author_IP", "").strip(),
        date=parse_date(values.get("wp:comment_date_gmt", ""), values.get("wp:comment_date", "")),
        content=values.get("wp:comment_content", ""),
        approved=values.get("wp:comment_approved", "1").strip(),
        type=values.get("wp:comment_type", "").strip(),
        parent_id=_int(values.get("wp:comment_parent", ""), "comment parent", default=0),
        user_id=_int(values.get("wp:comment_user_id", ""), "comment user id", default=0),
        user_agent=values.get("wp:comment_agent", "").strip(),
    )


def _item(element) -> Item | Malformed:
    values = _fields(element)
    title = values.get("title", "").strip()
    raw_id = values.get("wp:post_id", "").strip()
    try:
        if not raw_id:
            raise _ItemError("it has no <wp:post_id>")
        item = Item(
            wp_id=_int(raw_id, "id"),
            post_type=values.get("wp:post_type", "post").strip() or "post",
            title=title,
            link=values.get("link", "").strip(),
            content=values.get("content:encoded", ""),
            excerpt=values.get("excerpt:encoded", ""),
            status=values.get("wp:status", "").strip(),
            slug=values.get("wp:post_name", "").strip(),
            date=parse_date(values.get("wp:post_date_gmt", ""), values.get("wp:post_date", "")),
            parent_id=_int(values.get("wp:post_parent", ""), "parent", default=0),
            menu_order=_order(values.get("wp:menu_order", "")),
            author_login=values.get("dc:creator", "").strip(),
            is_sticky=(values.get("wp:is_sticky") or values.get("wp:sticky") or "").strip() == "1",
            attachment_url=values.get("wp:attachment_url", "").strip(),
        )
        for child in element:
            name = _name(child.tag)
            if name == "category":
                taxonomy = child.get("domain", "category")
                item.terms.append(TermRef(taxonomy, (child.get("nicename") or "").strip(),
                                          _text(child)))  # fmt: skip
            elif name == "wp:postmeta":
                meta = _fields(child)
                key = meta.get("wp:meta_key", "").strip()
                item.meta.setdefault(key, []).append(meta.get("wp:meta_value", ""))
            elif name == "wp:comment":
                item.comments.append(_comment(child))
    except _ItemError as error:
        post_type = values.get("wp:post_type", "").strip()
        return Malformed(raw_id or "?", title, str(error), post_type)
    return item


def read(path: Path) -> Iterator[Event]:
    """The export's contents in file order; see the module's docstring."""
    name = Path(path).name
    channel = Channel()
    announced = False
    stack = []
    try:
        with open(path, "rb") as file:
            for event, element in iterparse(file, events=("start", "end")):
                if event == "start":
                    if not stack and element.tag != "rss":
                        raise WXRError(NOT_RSS.format(name=name, root=_name(element.tag)))
                    stack.append(element)
                    continue
                stack.pop()
                if len(stack) != 2:  # only the channel's children are read, at their end
                    if len(stack) == 1 and _name(element.tag) == "channel" and not announced:
                        _check(channel, name)
                        announced = True
                        yield channel
                    continue
                parent = stack[-1]
                tag = _name(element.tag)
                if tag in _CHANNEL_FIELDS:
                    setattr(channel, _CHANNEL_FIELDS[tag], _text(element))
                    continue
                if tag in ("wp:author", "wp:category", "wp:tag", "wp:term", "item"):
                    if not announced:
                        _check(channel, name)
                        announced = True
                        yield channel
                    if tag == "wp:author":
                        yield _author(element)
                    elif tag == "item":
                        yield _item(element)
                    elif (term := _term(element, tag)) is not None:
                        yield term
                # Done with it: without this the whole document would pile up in memory.
                parent.remove(element)
    except DefusedXmlException:
        raise WXRError(REFUSED_ENTITIES.format(name=name)) from None
    except ParseError as error:
        raise WXRError(NOT_XML.format(name=name, reason=_parse_reason(error))) from None
    except (LookupError, UnicodeError) as error:
        # The file names an encoding Python does not know, or its bytes are not in it.
        raise WXRError(NOT_XML.format(name=name, reason=error)) from None
    except OSError as error:
        raise WXRError(UNREADABLE.format(name=name, reason=error.strerror or error)) from None
    if not announced:  # an <rss> without a channel
        raise WXRError(NOT_WXR.format(name=name))


_CHANNEL_FIELDS = {
    "title": "title",
    "link": "link",
    "wp:wxr_version": "version",
    "wp:base_site_url": "base_site_url",
    "wp:base_blog_url": "base_blog_url",
}


def _check(channel: Channel, name: str) -> None:
    if not channel.version:
        raise WXRError(NOT_WXR.format(name=name))
    if channel.version not in SUPPORTED_VERSIONS:
        raise WXRError(
            UNKNOWN_VERSION.format(
                name=name, version=channel.version, supported=", ".join(SUPPORTED_VERSIONS)
            )
        )


def _parse_reason(error: ParseError) -> str:
    # expat's message ends with its own "line X, column Y"; "no element found" is what
    # it says of a file cut short.
    message = str(error)
    if message.startswith(("no element found", "unclosed token")):
        return f"it ends before the document does (cut short?), {message.split(': ', 1)[-1]}"
    return message
