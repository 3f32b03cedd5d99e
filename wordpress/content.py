"""A WordPress post's body as the site's clean article HTML.

WordPress stores two kinds of body. The block editor's (Gutenberg) is HTML between
`<!-- wp:name {attributes} -->` comments, shown as stored; the classic editor's is text
with some HTML, given paragraphs by `wpautop` on every display. Both may hold
shortcodes, run on display too. Here each becomes what a reader saw, in the shapes this
site keeps: paragraphs, headings, lists, quotes, tables, code, and a picture as
`<figure><img><figcaption>` (which `attachments.rewrite_pictures` turns into a library
picture). Embeds (YouTube, tweets, audio, video, frames) become links to what they
showed. What cannot be carried over is named in `warnings`, for the import's report.

The result has passed blog's cleaner (`blog.html.clean_article_html`, the one
allow-list), and passing it again changes nothing, so saving the article keeps it as is.
"""

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.utils.html import format_html

from blog.html import ARTICLE_TAGS, clean_article_html, remove_control_characters
from wordpress.wpautop import wpautop


@dataclass
class ConvertedBody:
    html: str  # clean HTML that passes blog/html.py's allow-list unchanged
    warnings: list[str] = field(default_factory=list)
    # The converted part before <!--more-->, or None when the post has no such mark.
    excerpt_html: str | None = None


# <!--more--> may carry its own link text: <!--more Read the rest-->.
_MORE = re.compile(r"<!--more(?:\s[^>]*?)?-->")
_NEXTPAGE = re.compile(r"<!--nextpage-->")
# A block delimiter. Block attributes are JSON in which WordPress escapes "<", ">" and
# "--" (serialize_block_attributes), so they hold no angle bracket.
_BLOCK_COMMENT = re.compile(
    r"<!--\s+(?P<closing>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)"
    r"(?:\s+\{[^<>]*?\})?\s*(?P<void>/)?-->"
)
# Blocks that save no HTML of their own but are no loss either.
_SILENT_VOID_BLOCKS = frozenset({"more", "nextpage", "spacer", "separator"})

# A shortcode's opening tag: [tag attrs], [tag attrs /], [[tag]] (WordPress's way to
# write one as text). Attributes hold no bracket, so a failed match ends at the next one
# and a hostile body full of "[" costs linear time.
_SHORTCODE_OPEN = re.compile(r"\[(?P<open>\[?)(?P<tag>[A-Za-z][\w-]*)(?![\w-])"
                             r"(?P<attrs>[^\[\]]*?)(?P<selfclosing>/?)\]")  # fmt: skip
_SHORTCODE_CLOSE = re.compile(r"\[/(?P<tag>[A-Za-z][\w-]*)\]")
# shortcode_parse_atts(): name="value", name='value', name=value.
_SHORTCODE_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)"""
)
# img_caption_shortcode(): without a caption attribute, the caption is what follows the
# picture (and the link around it).
_CAPTIONED = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.DOTALL | re.I)
# WP_Embed::autoembed(): an address alone on its line, or alone in a paragraph, is shown
# as what it points at (a video, a post); here it becomes a link.
_LONE_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>\"]+)([ \t]*)$", re.I | re.MULTILINE)
_LONE_URL_PARAGRAPH = re.compile(r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.I)
_COVER_BACKGROUND = re.compile(r"background-image:\s*url\(\s*['\"]?([^'\")]+)")
_MEDIA_SHORTCODES = frozenset({"embed", "audio", "video", "playlist"})

MAX_DEPTH = 100
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                   "meta", "param", "source", "track", "wbr"})  # fmt: skip
# Removed with everything inside: code, styles, forms and widgets have no place in an
# article, and their text is not prose.
_DROPPED = frozenset({"script", "style", "template", "noscript", "svg", "math", "object",
                      "embed", "form", "input", "select", "textarea", "button", "head",
                      "title", "canvas", "map"})  # fmt: skip
# Start tags that close an open <p> (the HTML parsing rule, kept to what posts hold).
_CLOSES_P = frozenset({"address", "article", "aside", "blockquote", "details", "div", "dl",
                       "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
                       "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol",
                       "p", "pre", "section", "table", "ul"})  # fmt: skip
_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote",
                     "pre", "figure", "table", "hr"})  # fmt: skip
_LINK_SCHEMES = frozenset({"http", "https"})


def convert_body(raw: str, *, attachment_urls: Mapping[int, str] | None = None) -> ConvertedBody:
    """`raw` (a WXR item's content:encoded) as clean article HTML, with what was lost.

    `attachment_urls` (WordPress attachment id → its URL) lets `[gallery ids="…"]`
    become the pictures it showed; without it, or without ids, the gallery is reported.
    """
    urls = attachment_urls or {}
    text = remove_control_characters(raw).replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    more = _MORE.search(text)
    if more is None:
        return ConvertedBody(html=_convert(text, warnings, urls), warnings=warnings)
    whole = text[: more.start()] + text[more.end() :]
    html = _convert(whole, warnings, urls)
    excerpt = _convert(text[: more.start()], [], urls)
    return ConvertedBody(html=html, warnings=warnings, excerpt_html=excerpt)


def _convert(text: str, warnings: list[str], attachment_urls: Mapping[int, str]) -> str:
    if _NEXTPAGE.search(text):
        text = _NEXTPAGE.sub("\n\n", text)
        _warn(warnings, "page breaks (<!--nextpage-->) removed: the post is one page here")
    # has_blocks(): WordPress runs wpautop only on a body without block comments.
    is_blocks = "<!-- wp:" in text
    if is_blocks:
        text = _BLOCK_COMMENT.sub(lambda match: _block_comment(match, warnings), text)
    text = _shortcodes(text, warnings, attachment_urls)
    text = _LONE_URL_LINE.sub(_lone_url_as_link, text)
    text = _LONE_URL_PARAGRAPH.sub(_lone_url_as_link, text)
    if not is_blocks:
        text = wpautop(text)
    blocks = top_level_blocks(_normalize(parse(text), warnings))
    return clean_article_html(serialize(blocks))


def _lone_url_as_link(match: re.Match) -> str:
    # The address is HTML source (the classic editor writes & as &amp;): decoded first,
    # so that format_html's escaping gives it back as it was.
    return match[1] + format_html('<a href="{0}">{0}</a>', unescape(match[2])) + match[3]


def _warn(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)


def _block_comment(match: re.Match, warnings: list[str]) -> str:
    name = match["name"].removeprefix("core/")
    if match["void"] and name not in _SILENT_VOID_BLOCKS:
        _warn(warnings, f"block wp:{name} dropped: WordPress made its content on display")
    return ""


# --- Shortcodes -----------------------------------------------------------------------


def _shortcodes(text: str, warnings: list[str], attachment_urls: Mapping[int, str]) -> str:
    """do_shortcode() for the shortcodes we can carry over; the others stay as text."""
    closings: dict[str, tuple[list[int], list[int]]] = {}
    for match in _SHORTCODE_CLOSE.finditer(text):
        starts, ends = closings.setdefault(match["tag"], ([], []))
        starts.append(match.start())
        ends.append(match.end())
    out: list[str] = []
    position = 0
    while match := _SHORTCODE_OPEN.search(text, position):
        out.append(text[position : match.start()])
        end, content, after = match.end(), None, match.end()
        if not match["selfclosing"]:
            # An enclosing shortcode runs to the first closing tag of its name.
            starts, ends = closings.get(match["tag"], ([], []))
            if (i := bisect_left(starts, end)) < len(starts):
                content, after = text[end : starts[i]], ends[i]
        if match["open"]:
            if text[end : end + 1] == "]":  # [[tag]]
                out.append(text[match.start() + 1 : end])
                position = end + 1
            elif content is not None and text[after : after + 1] == "]":  # [[tag]…[/tag]]
                out.append(text[match.start() + 1 : after])
                position = after + 1
            else:  # a bracket before a shortcode
                out.append("[")
                position = match.start() + 1
            continue
        replacement = _shortcode(match, content, warnings, attachment_urls)
        if replacement is None:
            out.append(match[0])  # left as text, and what it encloses read on
            position = end
        else:
            out.append(replacement)
            position = after
    out.append(text[position:])
    return "".join(out)


def _shortcode(match: re.Match, content: str | None, warnings: list[str],
               attachment_urls: Mapping[int, str]) -> str | None:  # fmt: skip
    """What a shortcode (and `content`, if it encloses some) becomes, or None to leave it."""
    tag = match["tag"].lower()
    attrs = _shortcode_attrs(match["attrs"])
    if tag in ("caption", "wp_caption") and content is not None:
        return _caption(attrs, content)
    ids = attrs.get("ids") or attrs.get("include")
    if tag == "gallery" and ids and attachment_urls:
        return _gallery(ids, warnings, attachment_urls)
    if tag in _MEDIA_SHORTCODES:
        # [audio https://…] names its file without an attribute name.
        bare = [token.strip("\"'") for token in match["attrs"].split()]
        url = _first_url([(content or "").strip(), *attrs.values(), *bare])
        if url:
            return format_html('<p><a href="{0}">{0}</a></p>', url)
        _warn(warnings, f"shortcode [{tag}] without an address removed")
        return ""
    _warn(warnings, f"unknown shortcode [{tag}] left as text")
    return None


def _gallery(ids: str, warnings: list[str], attachment_urls: Mapping[int, str]) -> str:
    """[gallery ids="3,5"]: each picture a figure of its own, in the gallery's order."""
    figures = []
    for wp_id in re.findall(r"\d+", ids):
        url = attachment_urls.get(int(wp_id))
        if url is None:
            _warn(warnings, f"gallery picture {wp_id} is not an attachment of the export")
            continue
        figures.append(format_html('<figure><img src="{}" alt=""></figure>', url))
    return "".join(figures)


def _shortcode_attrs(text: str) -> dict[str, str]:
    attrs = {}
    for match in _SHORTCODE_ATTR.finditer(text.replace("\xa0", " ")):
        name = match[1] or match[3] or match[5]
        value = match[2] if match[1] else match[4] if match[3] else match[6]
        attrs[name.lower()] = value
    return attrs


def _caption(attrs: dict[str, str], content: str) -> str:
    caption = attrs.get("caption", "")
    if not caption and (captioned := _CAPTIONED.match(content.strip())):
        content, caption = captioned[1], captioned[2].strip()
    # Raw HTML joined to raw HTML: the whole body is parsed and cleaned afterwards.
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{content.strip()}{figcaption}</figure>"


def _first_url(candidates: list[str]) -> str | None:
    for candidate in candidates:
        if urlsplit(candidate).scheme in _LINK_SCHEMES and " " not in candidate:
            return unescape(candidate)  # HTML source, escaped again by format_html
    return None


# --- A small tree of the body ---------------------------------------------------------


class Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None, children=None):
        self.tag = tag
        self.attrs = attrs or {}
        self.children: list[Element | str] = children if children is not None else []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    """Stored post HTML as a tree, forgiving as browsers are: unclosed elements close at
    their parent's end, a stray end tag is ignored, a block start closes an open <p>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root")
        self._stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in _CLOSES_P and any(el.tag == "p" for el in self._stack):
            self._close("p")
        if tag == "li" and self._open_in_list("li"):
            self._close("li")
        element = Element(tag, {name: value or "" for name, value in attrs})
        self._stack[-1].children.append(element)
        # Past MAX_DEPTH an element's content goes to its parent: no post nests that deep,
        # and the steps after this one recurse once per level.
        if tag not in _VOID and len(self._stack) <= MAX_DEPTH:
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self._close(tag)

    def handle_endtag(self, tag):
        if any(el.tag == tag for el in self._stack[1:]):
            self._close(tag)

    def handle_data(self, data):
        self._stack[-1].children.append(data)

    def _open_in_list(self, tag: str) -> bool:
        for element in reversed(self._stack):
            if element.tag == tag:
                return True
            if element.tag in ("ul", "ol"):
                return False
        return False

    def _close(self, tag: str) -> None:
        while len(self._stack) > 1:
            if self._stack.pop().tag == tag:
                return


def parse(html: str) -> list:
    """`html` as a list of nodes: Elements and strings (text, entities decoded)."""
    parser = _TreeBuilder()
    parser.feed(_without_comments(html))
    parser.close()
    return parser.root.children


def _without_comments(html: str) -> str:
    """`html` without comments (an unclosed one runs to the end, as in a browser), and
    with `<!` and `<?` as text: no declaration or processing instruction belongs in a
    body, and the standard library's parser takes quadratic time over unclosed ones."""
    out, position = [], 0
    while (start := html.find("<!--", position)) != -1:
        out.append(html[position:start])
        end = html.find("-->", start + 4)
        if end == -1:
            position = len(html)
            break
        position = end + 3
    out.append(html[position:])
    return "".join(out).replace("<!", "&lt;!").replace("<?", "&lt;?")


def serialize(blocks: list[Element]) -> str:
    """Top-level blocks as HTML, one a line (blog's autop then leaves them as they are)."""
    return "\n".join(_serialize(block) for block in blocks)


def _serialize(node: Element | str, *, in_pre: bool = False) -> str:
    if isinstance(node, str):
        text = escape(node, quote=False)
        # A blank line would end a paragraph for blog's autop; inside <pre> it is content.
        return text if in_pre else re.sub(r"\n\s*\n", "\n", text)
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items())
    if node.tag in _VOID:
        return f"<{node.tag}{attrs}>"
    in_pre = in_pre or node.tag == "pre"
    inner = "".join(_serialize(child, in_pre=in_pre) for child in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


def _text_of(nodes) -> str:
    return "".join(node if isinstance(node, str) else _text_of(node.children) for node in nodes)


def find_all(nodes, tag: str):
    for node in nodes:
        if isinstance(node, Element):
            if node.tag == tag:
                yield node
            else:
                yield from find_all(node.children, tag)


# --- From WordPress's markup to ours --------------------------------------------------


def _normalize(nodes: list, warnings: list[str]) -> list:
    out: list = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        out.extend(_normalize_element(node, warnings))
    return out


def _normalize_element(element: Element, warnings: list[str]) -> list:
    tag = element.tag
    if tag in _DROPPED:
        _warn(warnings, f"<{tag}> removed")
        return []
    if tag == "iframe":
        return _as_link(element.attrs.get("src", ""), warnings, "embedded frame")
    if tag in ("video", "audio"):
        sources = [element.attrs.get("src", "")]
        sources += [source.attrs.get("src", "") for source in find_all(element.children, "source")]
        return _as_link(_first_url(sources) or "", warnings, tag)
    if tag == "figure":
        return _figure(element, warnings)
    if tag == "img":
        kept = {name: element.attrs[name] for name in ("src", "alt", "width", "height")
                if name in element.attrs}  # fmt: skip
        return [Element("img", kept)]
    if "wp-block-cover" in element.classes and (
        background := _COVER_BACKGROUND.search(element.attrs.get("style", ""))
    ):
        # An older cover block keeps its picture in a style; the picture is content.
        element.children.insert(0, Element("img", {"src": background[1], "alt": ""}))
    if tag == "h1":
        tag = "h2"  # the article's title is the page's only h1
    children = _normalize(element.children, warnings)
    if tag not in ARTICLE_TAGS:
        return children  # layout wrappers (div, span, section…) give way to their content
    return [Element(tag, element.attrs, children)]


def _as_link(url: str, warnings: list[str], what: str) -> list:
    if urlsplit(url).scheme not in _LINK_SCHEMES:
        _warn(warnings, f"{what} without a web address removed")
        return []
    return [Element("p", {}, [Element("a", {"href": url}, [url])])]


def _figure(element: Element, warnings: list[str]) -> list:
    if "wp-block-embed" in element.classes:
        # <figure class="wp-block-embed"><div class="wp-block-embed__wrapper">URL</div>
        wrapper = [node for node in element.children
                   if not (isinstance(node, Element) and node.tag == "figcaption")]  # fmt: skip
        url = _text_of(wrapper).strip()
        link = _as_link(url, warnings, "embed")
        captions = [Element("p", {}, _normalize(caption.children, warnings))
                    for caption in find_all(element.children, "figcaption")]  # fmt: skip
        return link + captions
    children = _normalize(element.children, warnings)
    captions = [node for node in children if isinstance(node, Element) and node.tag == "figcaption"]
    rest = [node for node in children if node not in captions]
    pictures = list(_pictures_in(rest))
    if len(pictures) == 1 and pictures[0].tag == "img":
        return [Element("figure", {}, [pictures[0], *captions[:1]])]
    # A gallery (figures in a figure, or in its list), a table or a quote in a figure: the
    # parts stand on their own, the caption as a paragraph after them.
    if not pictures:
        return [*rest, *(Element("p", {}, caption.children) for caption in captions)]
    wrapped = [p if p.tag == "figure" else Element("figure", {}, [p]) for p in pictures]
    return [*wrapped, *(Element("p", {}, caption.children) for caption in captions)]


def _pictures_in(nodes):
    """The pictures among `nodes`: figures (already one picture each) and loose images."""
    for node in nodes:
        if isinstance(node, Element):
            if node.tag in ("figure", "img"):
                yield node
            else:
                yield from _pictures_in(node.children)


def top_level_blocks(nodes: list) -> list[Element]:
    """`nodes` as a sequence of blocks: loose text and inline elements gathered into
    paragraphs, each picture a figure of its own, empty paragraphs gone."""
    blocks: list[Element] = []
    loose: list = []

    def flush():
        if loose:
            blocks.extend(_split_at_pictures(Element("p", {}, list(loose))))
            loose.clear()

    for node in nodes:
        if isinstance(node, Element) and node.tag in _BLOCKS:
            flush()
            if node.tag == "figure":
                blocks.append(node)
            elif node.tag == "p":
                blocks.extend(_split_at_pictures(node))
            else:
                pictures = _take_pictures(node)
                blocks.append(node)
                blocks.extend(pictures)
        elif isinstance(node, Element) and node.tag in ("figcaption", "li", "dt", "dd"):
            flush()  # a part without its whole: its content as a paragraph
            blocks.extend(_split_at_pictures(Element("p", {}, node.children)))
        else:
            loose.append(node)
    flush()
    return [_trimmed(block) for block in blocks if not _is_empty(block)]


def _trimmed(block: Element) -> Element:
    """`block` without the white space and line breaks at its edges (left by the editor
    around a picture or a shortcode), which show as nothing or as an empty line."""
    if block.tag in ("pre", "figure"):
        return block
    children = block.children
    while children and (
        (isinstance(children[0], str) and not children[0].strip())
        or (isinstance(children[0], Element) and children[0].tag == "br")
    ):
        children.pop(0)
    while children and (
        (isinstance(children[-1], str) and not children[-1].strip())
        or (isinstance(children[-1], Element) and children[-1].tag == "br")
    ):
        children.pop()
    if children and isinstance(children[0], str):
        children[0] = children[0].lstrip()
    if children and isinstance(children[-1], str):
        children[-1] = children[-1].rstrip()
    return block


def _split_at_pictures(paragraph: Element) -> list[Element]:
    """A paragraph as paragraphs and the blocks inside it (a picture, an embed's link),
    in reading order: a figure or a paragraph may not stand inside a paragraph."""
    out: list[Element] = []
    for kind, content in _segments(paragraph):
        if kind == "block":
            out.append(Element("figure", {}, [content]) if content.tag == "img" else content)
        else:
            out.append(Element(paragraph.tag, paragraph.attrs, content))
    return out


def _is_standalone(node) -> bool:
    return isinstance(node, Element) and (node.tag == "img" or node.tag in _BLOCKS)


def _holds_standalone(node) -> bool:
    return isinstance(node, Element) and any(
        _is_standalone(child) or _holds_standalone(child) for child in node.children
    )


def _segments(element: Element):
    """("inline", nodes) and ("block", element) pieces of `element`'s content; an inline
    element holding a block (a link around a picture) is split around it."""
    run: list = []
    for child in element.children:
        if _is_standalone(child):
            if run:
                yield "inline", run
                run = []
            yield "block", child
        elif _holds_standalone(child):
            for kind, content in _segments(child):
                if kind == "block":
                    if run:
                        yield "inline", run
                        run = []
                    yield "block", content
                else:
                    run.append(Element(child.tag, child.attrs, content))
        else:
            run.append(child)
    if run:
        yield "inline", run


def _take_pictures(element: Element) -> list[Element]:
    """Remove the pictures inside a block (a list, a table, a quote) and return them as
    figures, to stand after it."""
    taken: list[Element] = []
    kept: list = []
    for child in element.children:
        if isinstance(child, Element) and child.tag in ("img", "figure"):
            taken.append(child if child.tag == "figure" else Element("figure", {}, [child]))
        else:
            if isinstance(child, Element):
                taken.extend(_take_pictures(child))
            kept.append(child)
    element.children = kept
    return taken


def _is_empty(block: Element) -> bool:
    if block.tag == "hr" or "data-media-id" in block.attrs:
        return False  # a rule, or a library picture's marker (attachments.rewrite_pictures)
    if block.tag == "figure":
        return not any(_pictures_in(block.children))
    if any(isinstance(node, Element) and node.tag != "br" for node in _walk(block.children)):
        return False
    return not _text_of(block.children).replace("\xa0", " ").strip()


def _walk(nodes):
    for node in nodes:
        yield node
        if isinstance(node, Element):
            yield from _walk(node.children)
