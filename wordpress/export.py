"""The way back out: the whole site as a WordPress eXtended RSS 1.2 file.

What WordPress's Tools → Export writes, so that WordPress's importer (or ours, into an
empty Broadsheet) can read it: the authors (no passwords), categories parents first,
tags, then one `<item>` per picture, page and article, each article with its comments.

Written as a stream: rows are read with `iterator()` and each element is written as soon
as it is read, so memory stays flat however large the site. The XML is written by
`xml.sax.saxutils.XMLGenerator`, which escapes every text and attribute; characters XML
1.0 cannot hold at all (control characters) are dropped. Text is escaped rather than
wrapped in CDATA: a parser reads both alike, and escaping has no `]]>` to trip over.

WordPress has one id sequence for posts, pages and attachments, and one for categories
and tags; Broadsheet has a table each. So the ids written are interleaved, stable from
one export to the next (re-importing updates rather than duplicates):
article `3·pk − 2`, page `3·pk − 1`, picture `3·pk`; category `2·pk − 1`, tag `2·pk`.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import TextIO
from xml.sax.saxutils import XMLGenerator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from blog.archives import author_name
from blog.models import Article, Category, SiteSettings, Tag
from comments.models import ArticleDiscussion, Comment
from media import body as media_body
from media.models import Image
from pages.models import Page

WXR_VERSION = "1.2"
NAMESPACES = {
    "xmlns:excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
    "xmlns:wfw": "http://wellformedweb.org/CommentAPI/",
    "xmlns:dc": "http://purl.org/dc/elements/1.1/",
    "xmlns:wp": "http://wordpress.org/export/1.2/",
}
# WordPress's date for "no date yet" (a draft's GMT date).
NO_DATE = "0000-00-00 00:00:00"
CHUNK = 500

# What XML 1.0 can carry (its `Char` production): anything else makes the file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

COMMENT_STATUS = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.TRASH: "trash",
}
PAGE_STATUS = {
    Page.Status.PUBLISHED: "publish",
    Page.Status.DRAFT: "draft",
    Page.Status.PRIVATE: "private",
}


def article_wp_id(pk: int) -> int:
    return 3 * pk - 2


def page_wp_id(pk: int) -> int:
    return 3 * pk - 1


def image_wp_id(pk: int) -> int:
    return 3 * pk


def category_wp_id(pk: int) -> int:
    return 2 * pk - 1


def tag_wp_id(pk: int) -> int:
    return 2 * pk


@dataclass
class ExportCounts:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def __str__(self):
        return ", ".join(f"{n} {kind}" for kind, n in self.counts.items()) or "nothing"


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value))


def absolute(url: str) -> str:
    return url if "://" in url else f"{settings.SITE_URL}{url}"


def local_date(moment: datetime | None) -> str:
    if moment is None:
        return NO_DATE
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def gmt_date(moment: datetime | None) -> str:
    if moment is None:
        return NO_DATE
    return moment.astimezone(timezone.UTC).strftime("%Y-%m-%d %H:%M:%S")


class _Writer:
    """Elements on an XMLGenerator, one per line, indented as WordPress indents them."""

    def __init__(self, out: TextIO):
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self.depth = 0

    def start(self, name: str, attrs: dict | None = None) -> None:
        self.xml.ignorableWhitespace("\n" + "\t" * self.depth)
        self.xml.startElement(name, {key: xml_text(value) for key, value in (attrs or {}).items()})
        self.depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        self.xml.ignorableWhitespace("\n" + "\t" * self.depth)
        self.xml.endElement(name)

    def element(self, name: str, text="", attrs: dict | None = None) -> None:
        self.xml.ignorableWhitespace("\n" + "\t" * self.depth)
        self.xml.startElement(name, {key: xml_text(value) for key, value in (attrs or {}).items()})
        if text != "" and text is not None:
            self.xml.characters(xml_text(text))
        self.xml.endElement(name)

    def meta(self, key: str, value) -> None:
        self.start("wp:postmeta")
        self.element("wp:meta_key", key)
        self.element("wp:meta_value", value)
        self.end("wp:postmeta")


def export_wordpress(*, out: TextIO) -> ExportCounts:
    """Write the whole site to `out` (a text stream) as WXR 1.2; return what was written."""
    counts = ExportCounts()
    w = _Writer(out)
    site = SiteSettings.load()
    w.xml.startDocument()
    w.start("rss", {"version": "2.0", **NAMESPACES})
    w.start("channel")
    w.element("title", site.display_name)
    w.element("link", settings.SITE_URL)
    w.element("description", site.tagline)
    w.element("pubDate", format_datetime(timezone.now().astimezone(timezone.UTC)))
    w.element("language", settings.LANGUAGE_CODE)
    w.element("wp:wxr_version", WXR_VERSION)
    w.element("wp:base_site_url", settings.SITE_URL)
    w.element("wp:base_blog_url", settings.SITE_URL)
    _write_authors(w, counts)
    _write_categories(w, counts)
    _write_tags(w, counts)
    w.element("generator", "Broadsheet")
    _write_images(w, counts)
    _write_pages(w, counts)
    _write_articles(w, counts)
    w.end("channel")
    w.end("rss")
    w.xml.ignorableWhitespace("\n")
    w.xml.endDocument()
    return counts


def _write_authors(w: _Writer, counts: ExportCounts) -> None:
    """Staff and anyone who wrote an article, a page or a comment while signed in.
    Their email addresses are exported (this is the site owner's own copy); their
    passwords never are."""
    users = (
        get_user_model()
        .objects.filter(
            Q(is_staff=True)
            | Q(pk__in=Article.objects.values("author_id"))
            | Q(pk__in=Page.objects.values("author_id"))
            | Q(pk__in=Comment.objects.values("user_id"))
        )
        .order_by("pk")
    )
    for user in users.iterator(chunk_size=CHUNK):
        w.start("wp:author")
        w.element("wp:author_id", user.pk)
        w.element("wp:author_login", user.get_username())
        w.element("wp:author_email", user.email)
        w.element("wp:author_display_name", author_name(user))
        w.element("wp:author_first_name", user.first_name)
        w.element("wp:author_last_name", user.last_name)
        w.end("wp:author")
        counts.add("authors")


def _write_categories(w: _Writer, counts: ExportCounts) -> None:
    # Parents first: WordPress's importer finds a category's parent among those it has
    # already made. A site has tens of categories, so they are read at once.
    categories = {category.pk: category for category in Category.objects.order_by("pk")}

    def depth(category, seen=()):
        parent = categories.get(category.parent_id)
        if parent is None or parent.pk in seen:
            return 0
        return 1 + depth(parent, (*seen, category.pk))

    for category in sorted(categories.values(), key=lambda c: (depth(c), c.pk)):
        parent = categories.get(category.parent_id)
        w.start("wp:category")
        w.element("wp:term_id", category_wp_id(category.pk))
        w.element("wp:category_nicename", category.slug)
        w.element("wp:category_parent", parent.slug if parent else "")
        w.element("wp:cat_name", category.name)
        if category.description:
            w.element("wp:category_description", category.description)
        w.end("wp:category")
        counts.add("categories")


def _write_tags(w: _Writer, counts: ExportCounts) -> None:
    for tag in Tag.objects.order_by("pk").iterator(chunk_size=CHUNK):
        w.start("wp:tag")
        w.element("wp:term_id", tag_wp_id(tag.pk))
        w.element("wp:tag_slug", tag.slug)
        w.element("wp:tag_name", tag.name)
        if tag.description:
            w.element("wp:tag_description", tag.description)
        w.end("wp:tag")
        counts.add("tags")


def _item_head(w: _Writer, *, title, link, wp_id, author, published_at) -> None:
    w.start("item")
    w.element("title", title)
    w.element("link", link)
    if published_at is not None:
        w.element("pubDate", format_datetime(published_at.astimezone(timezone.UTC)))
    w.element("dc:creator", author.get_username() if author else "")
    w.element("guid", f"{settings.SITE_URL}/?p={wp_id}", {"isPermaLink": "false"})
    w.element("description", "")


def _item_dates(w: _Writer, *, wp_id, published_at, shown_at, updated_at) -> None:
    """`published_at` is None for what was never published: WordPress then writes its
    zero date as the GMT date and the creation time as the local one."""
    w.element("wp:post_id", wp_id)
    w.element("wp:post_date", local_date(shown_at))
    w.element("wp:post_date_gmt", gmt_date(published_at))
    w.element("wp:post_modified", local_date(updated_at))
    w.element("wp:post_modified_gmt", gmt_date(updated_at))


def _write_images(w: _Writer, counts: ExportCounts) -> None:
    """Pictures as attachments by URL: WordPress's importer fetches each file."""
    images = Image.objects.select_related("uploaded_by").order_by("pk")
    for image in images.iterator(chunk_size=CHUNK):
        wp_id = image_wp_id(image.pk)
        url = absolute(image.file.url)
        _item_head(
            w, title=image.title, link=url, wp_id=wp_id, author=image.uploaded_by,
            published_at=image.uploaded_at,
        )  # fmt: skip
        w.element("content:encoded", "")
        w.element("excerpt:encoded", image.caption)  # WordPress keeps a caption here
        _item_dates(
            w, wp_id=wp_id, published_at=image.uploaded_at, shown_at=image.uploaded_at,
            updated_at=image.uploaded_at,
        )  # fmt: skip
        w.element("wp:comment_status", "closed")
        w.element("wp:ping_status", "closed")
        w.element("wp:post_name", slugify(image.title) or f"image-{image.pk}")
        w.element("wp:status", "inherit")
        w.element("wp:post_parent", 0)
        w.element("wp:menu_order", 0)
        w.element("wp:post_type", "attachment")
        w.element("wp:post_password", "")
        w.element("wp:is_sticky", 0)
        w.element("wp:attachment_url", url)
        w.meta("_wp_attached_file", image.file.name)
        w.meta("_wp_attachment_image_alt", image.alt_text)
        if image.credit:
            w.meta("_broadsheet_credit", image.credit)
        w.end("item")
        counts.add("attachments")


def _write_pages(w: _Writer, counts: ExportCounts) -> None:
    pages = Page.objects.select_related("author").order_by("path")
    for page in pages.iterator(chunk_size=CHUNK):
        wp_id = page_wp_id(page.pk)
        published_at = page.published_at if page.status != Page.Status.DRAFT else None
        _item_head(
            w, title=page.title, link=absolute(page.get_absolute_url()), wp_id=wp_id,
            author=page.author, published_at=published_at,
        )  # fmt: skip
        w.element("content:encoded", as_blocks(page.body))
        w.element("excerpt:encoded", "")
        _item_dates(
            w, wp_id=wp_id, published_at=published_at,
            shown_at=page.published_at or page.created_at, updated_at=page.updated_at,
        )  # fmt: skip
        w.element("wp:comment_status", "closed")
        w.element("wp:ping_status", "closed")
        w.element("wp:post_name", page.slug)
        w.element(
            "wp:status", "future" if page.is_scheduled else PAGE_STATUS.get(page.status, "draft")
        )
        w.element("wp:post_parent", page_wp_id(page.parent_id) if page.parent_id else 0)
        w.element("wp:menu_order", page.menu_order)
        w.element("wp:post_type", "page")
        w.element("wp:post_password", "")
        w.element("wp:is_sticky", 0)
        w.end("item")
        counts.add("pages")


def article_status(article: Article) -> str:
    match article.status:
        case Article.Status.PUBLISHED:
            return "publish" if article.is_live else "future"
        case Article.Status.PENDING:
            return "pending"
        case Article.Status.PRIVATE:
            return "private"
    return "draft"


def _write_articles(w: _Writer, counts: ExportCounts) -> None:
    closed = ArticleDiscussion.objects.filter(article=OuterRef("pk"), is_open=False)
    articles = (
        Article.objects.select_related("author")
        .prefetch_related("categories", "tags", "old_slugs")
        .annotate(comments_closed=Exists(closed))
        .order_by("pk")
    )
    # All comments in one streamed query, in the articles' order, taken in step with them
    # (a merge): no query per article, and an article with 100,000 comments costs no
    # more memory than one with ten. By id within an article, so that a parent comes
    # before its replies.
    comments = _Stream(Comment.objects.order_by("article_id", "pk").iterator(chunk_size=CHUNK))
    for article in articles.iterator(chunk_size=CHUNK):
        wp_id = article_wp_id(article.pk)
        published_at = article.published_at if article.status != Article.Status.DRAFT else None
        _item_head(
            w, title=article.title, link=absolute(article.get_absolute_url()), wp_id=wp_id,
            author=article.author, published_at=published_at,
        )  # fmt: skip
        w.element("content:encoded", as_blocks(article.body))
        w.element("excerpt:encoded", article.excerpt)
        _item_dates(
            w, wp_id=wp_id, published_at=published_at,
            shown_at=article.published_at or article.created_at, updated_at=article.updated_at,
        )  # fmt: skip
        w.element("wp:comment_status", "closed" if article.comments_closed else "open")
        w.element("wp:ping_status", "closed")
        w.element("wp:post_name", article.slug)
        w.element("wp:status", article_status(article))
        w.element("wp:post_parent", 0)
        w.element("wp:menu_order", 0)
        w.element("wp:post_type", "post")
        w.element("wp:post_password", "")
        w.element("wp:is_sticky", int(article.is_sticky))
        for category in article.categories.all():
            w.element("category", category.name, {"domain": "category", "nicename": category.slug})
        for tag in article.tags.all():
            w.element("category", tag.name, {"domain": "post_tag", "nicename": tag.slug})
        if article.featured_image_id:
            w.meta("_thumbnail_id", image_wp_id(article.featured_image_id))
        for old_slug in article.old_slugs.all():
            w.meta("_wp_old_slug", old_slug.slug)
        for _orphan in comments.while_(lambda c, pk=article.pk: c.article_id < pk):
            pass  # an article deleted while the export ran
        for comment in comments.while_(lambda c, pk=article.pk: c.article_id == pk):
            _write_comment(w, comment)
            counts.add("comments")
        w.end("item")
        counts.add("posts")


class _Stream:
    """An iterator whose next item can be looked at before it is taken."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.head = next(self.rows, None)

    def while_(self, belongs):
        while self.head is not None and belongs(self.head):
            row, self.head = self.head, next(self.rows, None)
            yield row


def _write_comment(w: _Writer, comment: Comment) -> None:
    w.start("wp:comment")
    w.element("wp:comment_id", comment.pk)
    w.element("wp:comment_author", comment.author_name)
    w.element("wp:comment_author_email", comment.author_email)
    w.element("wp:comment_author_url", comment.author_url)
    w.element("wp:comment_author_IP", comment.ip_address)
    w.element("wp:comment_date", local_date(comment.created_at))
    w.element("wp:comment_date_gmt", gmt_date(comment.created_at))
    w.element("wp:comment_content", comment.body)
    w.element("wp:comment_approved", COMMENT_STATUS.get(comment.status, "0"))
    w.element("wp:comment_type", "comment")
    w.element("wp:comment_parent", comment.parent_id or 0)
    w.element("wp:comment_user_id", comment.user_id or 0)
    if comment.user_agent:
        w.element("wp:comment_agent", comment.user_agent)
    w.end("wp:comment")


def as_blocks(body: str) -> str:
    """`body` as block editor content: each library marker the image block WordPress's
    editor writes, pointing at the picture's file, and the HTML around them in Custom
    HTML blocks (one query per body that has markers, none otherwise).

    The HTML is already in paragraphs, some with line breaks inside them. Without block
    comments WordPress (and our importer, as it does) would take the body for a classic
    editor's and run wpautop over it again, turning those line breaks into <br>; with
    them, both take the HTML as it is."""
    wanted = media_body.ids_in(body)
    images = Image.objects.in_bulk(wanted) if wanted else {}
    blocks, position = [], 0
    for match in media_body.MARKER.finditer(body):
        blocks.append(_html_block(body[position : match.start()]))
        blocks.append(_image_block(images.get(int(match["id"])), match["caption"]))
        position = match.end()
    blocks.append(_html_block(body[position:]))
    return "\n\n".join(block for block in blocks if block)


def _html_block(html: str) -> str:
    html = html.strip()
    return f"<!-- wp:html -->\n{html}\n<!-- /wp:html -->" if html else ""


def _image_block(image: Image | None, caption: str | None) -> str:
    if image is None:
        return ""  # deleted from the library: nothing to show
    return render_to_string(
        "wordpress/_exported_figure.html",
        {
            "url": absolute(image.file.url),
            "image": image,
            "wp_id": image_wp_id(image.pk),
            "caption": caption,
        },
    ).strip()
