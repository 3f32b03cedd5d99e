"""The seed format: parse a plain-text article, then create or update it.

A seed document is UTF-8 text. Its first line is the title. The line right after it may
name the featured picture, as `Image: <path relative to the seed file> | <alt text> |
<credit>` with an optional fourth part, the caption; the picture goes through the media
library's checks and stripping, as an upload does. Paragraphs follow, separated
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

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from blog import html
from blog.models import Article, RelatedLink, SiteSettings
from blog.services import article_save
from media import processing
from media import services as media_services
from media.models import Image

TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length

_SEE_ALSO = re.compile(r"^See also[\s\u00a0]+(?P<title>\S.*)$", re.IGNORECASE)
_DISCOVER_MORE = re.compile(r"^Discover more from (?P<name>.+?)(?:\s+\|\s+(?P<tagline>.+))?$")
_FURNITURE = (
    _DISCOVER_MORE,
    re.compile(r"^Subscribe to get the latest posts sent to your email\.?$"),
    re.compile(r"^Leave a Reply(?: Cancel reply)?$"),
    re.compile(r"^Your email address will not be published\."),
)
_IMAGE_LINE = re.compile(r"^Image:\s*(?P<spec>.*)$", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\u00a0]*\n)+")


class SeedError(Exception):
    """A seed that cannot be imported; the message says why, for the person running it."""


@dataclass
class ParsedLink:
    title: str
    after_paragraph: int


@dataclass
class ParsedImage:
    path: str  # relative to the seed file
    alt_text: str
    credit: str = ""
    caption: str = ""


@dataclass
class ParsedArticle:
    title: str
    paragraphs: list[str]
    links: list[ParsedLink] = field(default_factory=list)
    site_name: str = ""
    site_tagline: str = ""
    image: ParsedImage | None = None
    # The seed file's folder, which an Image line's path is relative to.
    base_dir: Path | None = None

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
    image = None
    second_line, _, after = rest.partition("\n")
    if match := _IMAGE_LINE.match(second_line.strip()):
        image = _parse_image(match["spec"])
        rest = after

    blocks = [" ".join(block.split()) for block in _BLANK_LINES.split(rest)]
    blocks = [block for block in blocks if block]
    site_name = site_tagline = ""
    while blocks and any(pattern.match(blocks[-1]) for pattern in _FURNITURE):
        furniture = blocks.pop()
        if match := _DISCOVER_MORE.match(furniture):
            site_name = match["name"].strip()
            site_tagline = (match["tagline"] or "").strip()

    parsed = ParsedArticle(title=title, paragraphs=[], site_name=site_name,
                           site_tagline=site_tagline, image=image)  # fmt: skip
    for block in blocks:
        if match := _SEE_ALSO.match(block):
            link_title = match["title"].strip()[:TITLE_MAX_LENGTH]
            parsed.links.append(ParsedLink(link_title, after_paragraph=len(parsed.paragraphs)))
        else:
            parsed.paragraphs.append(block)
    if not parsed.paragraphs:
        raise SeedError("the article has a title but no body paragraphs")
    return parsed


def _parse_image(spec: str) -> ParsedImage:
    parts = [" ".join(part.split()) for part in spec.split("|")]
    if not 3 <= len(parts) <= 4:
        raise SeedError("the Image line needs: Image: <path> | <alt text> | <credit> (| <caption>)")
    path, alt_text, credit, *caption = parts
    if not path:
        raise SeedError("the Image line names no picture file")
    if Path(path).is_absolute():
        raise SeedError("the Image line's path must be relative to the seed file")
    if not alt_text:
        raise SeedError("the Image line needs alt text: what the picture shows")
    return ParsedImage(path, alt_text, credit, caption[0] if caption else "")


def read_seed(path: Path) -> ParsedArticle:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise SeedError(f"the file is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise SeedError(f"the file cannot be read ({error.strerror})") from None
    parsed = parse(text)
    parsed.base_dir = path.parent
    return parsed


def source_name(path: Path) -> str:
    """What identifies a seed across imports: its file name."""
    return path.name


def plan(parsed: ParsedArticle, *, source: str, author=None) -> str:
    """What `upsert` would do, without doing it (for --dry-run). The picture is checked
    as the import would check it, and nothing is stored."""
    image = None
    if parsed.image is not None:
        with _open_picture(parsed) as file:
            prepared = _checked(parsed, lambda: processing.prepare(file))
        image = Image.objects.filter(content_hash=prepared.content_hash).first()
        if image is None or not _describes(image, parsed.image):
            return "updated" if Article.objects.filter(import_source=source).exists() else "created"
    article = Article.objects.filter(import_source=source).first()
    if article is None:
        return "created"
    gains_author = author is not None and article.author_id is None
    return "unchanged" if _matches(article, parsed, image) and not gains_author else "updated"


UNKNOWN_AUTHOR_MESSAGE = (
    "--author {username}: no staff account has that login name (the byline is a "
    "newsroom account: give it staff status in the admin first)."
)


def author_named(username: str):
    """The staff account whose login name is `username`, the byline of what an import
    creates; SeedError if there is none (a reader's account is never a byline)."""
    user = get_user_model().objects.filter(username=username, is_staff=True).first()
    if user is None:
        raise SeedError(UNKNOWN_AUTHOR_MESSAGE.format(username=username))
    return user


def upsert(parsed: ParsedArticle, *, source: str, author=None) -> ImportResult:
    """Create the article from `source`, or bring the one imported before up to date.

    An update keeps the slug and the publication time, so the permalink never moves,
    and keeps the status an editor may have changed since. The featured picture enters
    the media library first (checked and stripped as an upload is; the same picture is
    stored once), so that an article refused afterwards leaves a library picture rather
    than a file no row knows.
    """
    image, image_changed = None, False
    if parsed.image is not None:
        with _open_picture(parsed) as file:
            image, image_changed = _checked(
                parsed,
                lambda: media_services.image_get_or_create(
                    file=File(file),
                    title=parsed.title,
                    alt_text=parsed.image.alt_text,
                    caption=parsed.image.caption,
                    credit=parsed.image.credit,
                ),
            )
    return _upsert_article(
        parsed, source=source, image=image, image_changed=image_changed, author=author
    )


def _open_picture(parsed: ParsedArticle):
    if parsed.base_dir is None:
        raise SeedError("the Image line's path has no seed file to be relative to")
    path = parsed.base_dir / parsed.image.path
    try:
        return path.open("rb")
    except OSError as error:
        raise SeedError(
            f"the picture {parsed.image.path} cannot be read ({error.strerror})"
        ) from None


def _checked(parsed: ParsedArticle, action):
    try:
        return action()
    except ValidationError as error:
        reason = " ".join(error.messages)
        raise SeedError(f"the picture {parsed.image.path} is refused: {reason}") from None


@transaction.atomic
def _upsert_article(parsed: ParsedArticle, *, source: str, image: Image | None,
                    image_changed: bool, author=None) -> ImportResult:  # fmt: skip
    _fill_site_identity(parsed)
    article = Article.objects.select_for_update().filter(import_source=source).first()
    # An author given fills a missing byline; one an editor chose since is kept.
    gains_author = author is not None and (article is None or article.author_id is None)
    if article is not None and gains_author:
        article.author = author
    if article is not None and _matches(article, parsed, image):
        if gains_author:
            article_save(article=article)
        changed = image_changed or gains_author
        return ImportResult(source, "updated" if changed else "unchanged", article)

    action = "updated" if article else "created"
    if article is None:
        article = Article(import_source=source, status=Article.Status.PUBLISHED, author=author)
    article.title = parsed.title
    article.body = parsed.body
    article.excerpt = ""  # derived again from the (possibly new) first paragraph
    if image is not None:
        article.featured_image = image
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


def import_path(path: Path, *, author=None) -> ImportResult:
    return upsert(read_seed(path), source=source_name(path), author=author)


def seed_files(paths: list[Path]) -> list[Path]:
    """The files named, with directories expanded to their `*.txt` files in order."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.txt") if p.is_file()))
        else:
            files.append(path)
    return files


def _describes(image: Image, parsed_image: ParsedImage) -> bool:
    return (image.alt_text, image.caption, image.credit) == (
        parsed_image.alt_text,
        parsed_image.caption,
        parsed_image.credit,
    )


def _matches(article: Article, parsed: ParsedArticle, image: Image | None = None) -> bool:
    """Whether `article` already says what `parsed` says. A seed without an Image line
    leaves the featured image to the editors."""
    stored_links = list(article.related_links.values_list("target_title", "after_paragraph"))
    return (
        (image is None or article.featured_image_id == image.pk)
        and article.title == parsed.title
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
