"""The one place where HTML from people is cleaned, and the site's HTML policies.

Everything that stores HTML written by an editor, an import or a reader passes through
here, so the allow-lists can be read (and audited) in one file. The sanitizer is nh3,
the Python binding of the Rust library ammonia: bleach, which the project card named,
stopped receiving releases (security fixes included) in June 2026.
"""

import re
from html import escape, unescape
from html.parser import HTMLParser

import nh3
from django.utils import timezone

ARTICLE_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
        "ul", "ol", "li", "dl", "dt", "dd", "a", "em", "strong", "b", "i", "u", "s",
        "sub", "sup", "small", "mark", "cite", "q", "abbr", "figure", "figcaption", "img",
        "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ARTICLE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "loading"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    # A picture from the media library: <figure data-media-id="12"></figure>, replaced by
    # the picture when the article is shown (media/body.py).
    "figure": {"data-media-id"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_article_cleaner = nh3.Cleaner(
    tags=set(ARTICLE_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ARTICLE_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
)

# Tags that already make a block of their own; a chunk starting with one is not wrapped
# in a paragraph (the same idea as WordPress's wpautop, kept deliberately small).
_BLOCK_START = re.compile(
    r"^<(p|h[1-6]|ul|ol|dl|blockquote|pre|figure|table|hr|div)[\s>/]", re.IGNORECASE
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_VOID_TAGS = frozenset({"br", "hr", "img", "wbr"})


# Characters that no text of ours may hold: C0 controls but tab, line feed and carriage
# return, DEL and the C1 controls, lone surrogates (half a UTF-16 pair), and U+FFFE and
# U+FFFF. XML 1.0 refuses the C0 ones (a feed holding one cannot be written: Django
# raises UnserializableContentError), and HTML calls all of them parse errors. Pasted
# from word processors or terminals, they are invisible, so removing them loses nothing.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def remove_control_characters(text: str) -> str:
    """`text` without the characters no page or feed may hold (see above).

    Applied wherever text enters: the article and comment sanitizers below, an article's
    title and excerpt on save, the comment form, the seed importer; and on the way out
    by the feeds, so that a row stored before this rule still cannot break one.
    """
    return _CONTROL_CHARACTERS.sub("", text)


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Plain-text paragraphs as HTML: text is text, so `<script>` stays those characters."""
    return "\n".join(f"<p>{escape(text, quote=False)}</p>" for text in paragraphs)


_PRE_OPEN = re.compile(r"<pre[\s>]", re.IGNORECASE)
_PRE_CLOSE = re.compile(r"</pre\s*>", re.IGNORECASE)
# Stands for a line feed inside <pre> while autop works: the text reaching autop has
# been through remove_control_characters, so NUL cannot be part of it.
_PRE_NEWLINE = "\x00"


def _protect_pre(text: str) -> str:
    """`text` with the line feeds inside each <pre>…</pre> replaced by _PRE_NEWLINE.

    Each closing tag is paired with the first opening one after the previous closing
    tag, as WordPress's wpautop does, so every character is looked at once (a pattern
    like `<pre.*?</pre>` would rescan the rest of the text for each unclosed `<pre>`).
    """
    out, position = [], 0
    for closing in _PRE_CLOSE.finditer(text):
        opening = _PRE_OPEN.search(text, position, closing.start())
        if opening is not None:
            out.append(text[position : opening.start()])
            out.append(text[opening.start() : closing.start()].replace("\n", _PRE_NEWLINE))
            position = closing.start()
    out.append(text[position:])
    return "".join(out)


def autop(text: str) -> str:
    """Wrap blank-line separated chunks that are not already blocks in `<p>`.

    Inside `<pre>` a blank line is part of the text (code, a poem), not a paragraph end.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = _protect_pre(text)
    chunks = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            chunks.append(chunk)
        else:
            chunks.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(chunks).replace(_PRE_NEWLINE, "\n")


def clean_article_html(html: str) -> str:
    """Editor-written body (HTML, or plain text with blank lines) as safe article HTML."""
    return _unwrap_hrefless_links(_article_cleaner.clean(autop(remove_control_characters(html))))


# nh3 drops a refused href (javascript:, data:, relative in comments) but keeps the <a>,
# which HTML then calls an error: such an anchor gives way to its text. nh3's output is
# normalized (double-quoted attributes, no nested anchors), so a pattern is enough here.
_HREFLESS_LINK = re.compile(r"<a(?![^>]*\shref=)(?:\s[^>]*)?>(.*?)</a>", re.DOTALL)


def _unwrap_hrefless_links(html: str) -> str:
    return _HREFLESS_LINK.sub(r"\1", html)


def split_blocks(html: str) -> list[str]:
    """Split clean HTML into its top-level blocks, in order.

    The article page places "See also" links between paragraphs; splitting once when the
    article is saved keeps that work out of every reader's request.
    """
    splitter = _BlockSplitter()
    splitter.feed(html)
    splitter.close()
    return splitter.blocks


class _BlockSplitter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._depth = 0
        self._current: list[str] = []
        self._loose: list[str] = []  # top-level text outside any element

    def _flush_loose(self) -> None:
        text = "".join(self._loose).strip()
        if text:
            self.blocks.append(f"<p>{text}</p>")
        self._loose = []

    def _text(self, raw: str) -> None:
        (self._current if self._depth else self._loose).append(raw)

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text()
        if not self._depth:
            self._flush_loose()
        if tag in _VOID_TAGS:
            (self._current if self._depth else self.blocks).append(raw)
            return
        self._current.append(raw)
        self._depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS or not self._depth:
            return
        self._current.append(f"</{tag}>")
        self._depth -= 1
        if not self._depth:
            self.blocks.append("".join(self._current))
            self._current = []

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")

    def close(self):
        super().close()
        self._flush_loose()
        if self._current:
            self.blocks.append("".join(self._current))
            self._current = []


def strip_tags(html: str) -> str:
    """The text of an HTML fragment, for excerpts and plain-text emails."""
    return unescape(nh3.clean(html, tags=set())).strip()


# --- Comments: what readers may write -----------------------------------------------
# Plain text becomes paragraphs and line breaks; a few inline tags are kept; bare URLs
# become links; every link is marked as user-generated and not endorsed. Only absolute
# http(s) URLs survive: no javascript:, data:, or relative links into the site.
COMMENT_TAGS = frozenset({"p", "br", "a", "em", "strong", "code", "blockquote"})
COMMENT_ATTRIBUTES = {"a": {"href"}}
COMMENT_URL_SCHEMES = frozenset({"http", "https"})
COMMENT_LINK_REL = "nofollow ugc"

_comment_cleaner = nh3.Cleaner(
    tags=set(COMMENT_TAGS),
    attributes={tag: set(attrs) for tag, attrs in COMMENT_ATTRIBUTES.items()},
    url_schemes=set(COMMENT_URL_SCHEMES),
    url_relative="deny",
    link_rel=COMMENT_LINK_REL,
)
_BARE_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def clean_comment_html(text: str) -> str:
    """A reader's comment (plain text with a few tags) as safe HTML, links made clickable."""
    cleaned = _comment_cleaner.clean(_comment_autop(remove_control_characters(text)))
    linker = _Linkifier()
    linker.feed(cleaned)
    linker.close()
    # A second pass puts rel="nofollow ugc" on the new links and re-checks their URLs.
    return _unwrap_hrefless_links(_comment_cleaner.clean("".join(linker.out)))


def _comment_autop(text: str) -> str:
    """Like `autop`, but a line break is kept inside a quoted block too."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    chunks = []
    for chunk in _BLANK_LINE.split(text):
        chunk = chunk.strip().replace("\n", "<br>\n")
        if chunk:
            chunks.append(chunk if _BLOCK_START.match(chunk) else f"<p>{chunk}</p>")
    return "\n".join(chunks)


def count_links(html: str) -> int:
    """How many links a piece of clean HTML holds (for the "hold if N links" rule)."""
    return len(re.findall(r"<a\s", html, re.IGNORECASE))


def _linkify_text(text: str) -> str:
    out, last = [], 0
    for match in _BARE_URL.finditer(text):
        url = match.group(0)
        stripped = url.rstrip(_URL_TRAILING_PUNCTUATION)
        # Keep a closing parenthesis that belongs to the URL (Wikipedia's "(band)").
        while stripped.count("(") > stripped.count(")") and len(stripped) < len(url):
            stripped = url[: len(stripped) + 1]
        start, end = match.start(), match.start() + len(stripped)
        out.append(escape(text[last:start], quote=False))
        out.append(f'<a href="{escape(stripped)}">{escape(stripped, quote=False)}</a>')
        last = end
    out.append(escape(text[last:], quote=False))
    return "".join(out)


class _Linkifier(HTMLParser):
    """Turn bare URLs in text (not already inside a link) into links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._in_link = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._in_link += 1
        self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "a" and self._in_link:
            self._in_link -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(escape(data, quote=False) if self._in_link else _linkify_text(data))


def machine_datetime(value) -> str:
    """A `<time datetime>` value: ISO 8601 in the site's time zone, to the second (HTML
    allows at most milliseconds, and Django's "c" format prints microseconds)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
