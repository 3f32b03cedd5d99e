"""The seed format: parse a plain-text article, then create or update it.

A seed document is UTF-8 text. Its first line is the title; paragraphs follow, separated
by blank lines. A paragraph beginning "See also" (often followed by a non-breaking
space, as WordPress plugins write it) is a related link to the article of that title,
placed where it stands. The page furniture a saved web page ends with ("Discover more
from NAME | TAGLINE", "Subscribe to get …", "Leave a Reply", "Your email address will
not be published …") is rendered by our templates, so it is not stored as article text;
the "Discover more" line names the site.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from blog import html
from blog.models import Article, RelatedLink, SiteSettings
from blog.services import article_save

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length

_SEE_ALSO = re.compile(r"^See also[\s\u00a0]+(?P<title>\S.*)$", re.IGNORECASE)
_DISCOVER_MORE = re.compile(r"^Discover more from (?P<name>.+?)(?:\s+\|\s+(?P<tagline>.+))?$")
_FURNITURE = (
    _DISCOVER_MORE,
    re.compile(r"^Subscribe to get the latest posts sent to your email\.?$"),
    re.compile(r"^Leave a Reply(?: Cancel reply)?$"),
    re.compile(r"^Your email address will not be published\."),
)
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\u00a0]*\n)+")


class SeedError(Exception):
    """A seed that cannot be imported; the message says why, for the person running it."""


@dataclass
class ParsedLink:
    title: str
    after_paragraph: int


@dataclass
class ParsedArticle:
    title: str
    paragraphs: list[str]
    links: list[ParsedLink] = field(default_factory=list)
    site_name: str = ""
    site_tagline: str = ""

    @property
    def body(self) -> str:
        return html.paragraphs_to_html(self.paragraphs)


@dataclass
class ImportResult:
    source: str
    action: str  # "created", "updated" or "unchanged"
    article: Article


def parse(text: str) -> ParsedArticle:
    """Parse seed text; raise SeedError naming what is wrong."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise SeedError("the file contains NUL bytes; it is not a text document")
    text = html.remove_control_characters(text)
    if not text.strip():
        raise SeedError("the file is empty")
    # Lines of only white space before the title are skipped like empty ones.
    first_line, _, rest = _LEADING_BLANK_LINES.sub("", text).partition("\n")
    title = " ".join(first_line.split())
    if not title:
        raise SeedError("the first line, the title, is empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise SeedError(f"the title is longer than {TITLE_MAX_LENGTH} characters")

    blocks = [" ".join(block.split()) for block in _BLANK_LINES.split(rest)]
    blocks = [block for block in blocks if block]
    site_name = site_tagline = ""
    while blocks and any(pattern.match(blocks[-1]) for pattern in _FURNITURE):
        furniture = blocks.pop()
        if match := _DISCOVER_MORE.match(furniture):
            site_name = match["name"].strip()
            site_tagline = (match["tagline"] or "").strip()

    parsed = ParsedArticle(title=title, paragraphs=[], site_name=site_name,
                           site_tagline=site_tagline)  # fmt: skip
    for block in blocks:
        if match := _SEE_ALSO.match(block):
            link_title = match["title"].strip()[:TITLE_MAX_LENGTH]
            parsed.links.append(ParsedLink(link_title, after_paragraph=len(parsed.paragraphs)))
        else:
            parsed.paragraphs.append(block)
    if not parsed.paragraphs:
        raise SeedError("the article has a title but no body paragraphs")
    return parsed


def read_seed(path: Path) -> ParsedArticle:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(f"the file is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise SeedError(f"the file cannot be read ({error.strerror})") from None
    return parse(text)


def source_name(path: Path) -> str:
    """What identifies a seed across imports: its file name."""
    return path.name


def plan(parsed: ParsedArticle, *, source: str) -> str:
    """What `upsert` would do, without doing it (for --dry-run)."""
    article = Article.objects.filter(import_source=source).first()
    if article is None:
        return "created"
    return "unchanged" if _matches(article, parsed) else "updated"


@transaction.atomic
def upsert(parsed: ParsedArticle, *, source: str) -> ImportResult:
    """Create the article from `source`, or bring the one imported before up to date.

    An update keeps the slug and the publication time, so the permalink never moves,
    and keeps the status an editor may have changed since.
    """
    _fill_site_identity(parsed)
    article = Article.objects.select_for_update().filter(import_source=source).first()
    if article is not None and _matches(article, parsed):
        return ImportResult(source, "unchanged", article)

    action = "updated" if article else "created"
    if article is None:
        article = Article(import_source=source, status=Article.Status.PUBLISHED)
    article.title = parsed.title
    article.body = parsed.body
    article.excerpt = ""  # derived again from the (possibly new) first paragraph
    article_save(article=article)

    article.related_links.all().delete()
    RelatedLink.objects.bulk_create(
        RelatedLink(
            article=article,
            target=_article_titled(link.title),
            target_title=link.title,
            after_paragraph=link.after_paragraph,
            order=position,
        )
        for position, link in enumerate(parsed.links)
    )
    return ImportResult(source, action, article)


def import_path(path: Path) -> ImportResult:
    return upsert(read_seed(path), source=source_name(path))


def seed_files(paths: list[Path]) -> list[Path]:
    """The files named, with directories expanded to their `*.txt` files in order."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def _matches(article: Article, parsed: ParsedArticle) -> bool:
    stored_links = list(article.related_links.values_list("target_title", "after_paragraph"))
    return (
        article.title == parsed.title
        and article.body == html.clean_article_html(parsed.body)
        and stored_links == [(link.title, link.after_paragraph) for link in parsed.links]
    )


def _article_titled(title: str) -> Article | None:
    return Article.objects.filter(title__iexact=title).order_by("pk").first()


def _fill_site_identity(parsed: ParsedArticle) -> None:
    if not parsed.site_name:
        return
    site = SiteSettings.load()
    if not site.name:
        site.name = parsed.site_name
        site.tagline = site.tagline or parsed.site_tagline
        site.save()
