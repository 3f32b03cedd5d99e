"""WordPress's `wpautop`, ported step by step from wp-includes/formatting.php.

Classic-editor posts are stored without paragraphs: WordPress adds them on every display
by running `wpautop` over the text. A post imported as it is stored would show as one
run of text, so the importer applies the same function, once. The steps and their order
follow WordPress (6.x) so that a post reads here as it read there; each comment names
the step of the original.
"""

import re
from bisect import bisect_left

# WordPress's $allblocks: the elements wpautop treats as blocks of their own.
ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)

# wp_html_split: comments (and CDATA) and tags, so newlines inside them can be protected.
_HTML_SPLIT = re.compile(r"(<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<[^>]*>?)", re.DOTALL)
_NEWLINE_MARK = " <!-- wpnl --> "
_PRESERVED_NEWLINE = "<WPPreserveNewline />"

_MULTIPLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_BLOCK_OPEN = re.compile(r"(<" + ALL_BLOCKS + r"[\s/>])")
_BLOCK_CLOSE = re.compile(r"(</" + ALL_BLOCKS + r">)")
_HR = re.compile(r"(<hr\s*?/?>)")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_UNCLOSED_P = re.compile(r"<p>([^<]+)</(div|address|form)>")
_WRAPPED_BLOCK = re.compile(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>")
_WRAPPED_LI = re.compile(r"<p>(<li.+?)</p>")
_WRAPPED_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)")
_P_AFTER_BLOCK = re.compile(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>")
_KEEP_NEWLINES_OPEN = re.compile(r"<(script|style|svg|math)")
_KEEP_NEWLINES_CLOSE = re.compile(r"</(script|style|svg|math)>")
_WHITESPACE_RUN = re.compile(r"\s+")
_BR_AFTER_BLOCK = re.compile(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_TRAILING_NEWLINE = re.compile(r"\n</p>$")


def wpautop(text: str, *, br: bool = True) -> str:
    """Paragraphs (and, with `br`, line breaks) for text written in the classic editor."""
    if not text.strip():
        return ""
    text += "\n"  # "Just to make things a little easier, pad the end."

    # <pre> is not touched: set aside, put back at the end.
    pre_tags: dict[str, str] = {}
    if "<pre" in text:
        *parts, last = text.split("</pre>")
        text = ""
        for i, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:  # malformed HTML
                text += part
                continue
            name = f"<pre wp-pre-tag-{i}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last

    # Two <br> in a row become a paragraph break.
    text = _MULTIPLE_BR.sub("\n\n", text)
    # Space out block tags so they end up between paragraphs.
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = _HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Newlines inside tags and comments are not line breaks.
    text = _replace_in_html_tags(text, "\n", _NEWLINE_MARK)

    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)

    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in _PARAGRAPH_SPLIT.split(text) if part]
    text = "".join("<p>" + part.strip("\n") + "</p>\n" for part in paragraphs)

    text = _EMPTY_P.sub("", text)
    text = _UNCLOSED_P.sub(r"<p>\1</p></\2>", text)
    text = _WRAPPED_BLOCK.sub(r"\1", text)
    text = _WRAPPED_LI.sub(r"\1", text)
    text = _WRAPPED_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _P_AFTER_BLOCK.sub(r"\1", text)

    if br:
        text = _preserve_newlines(text)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = _newlines_to_br(text)
        text = text.replace(_PRESERVED_NEWLINE, "\n")

    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = _TRAILING_NEWLINE.sub("</p>", text)

    for name, pre in pre_tags.items():
        text = text.replace(name, pre)
    if "<!-- wpnl -->" in text:
        text = text.replace(_NEWLINE_MARK, "\n").replace("<!-- wpnl -->", "\n")
    return text


def _replace_in_html_tags(text: str, needle: str, replacement: str) -> str:
    """wp_replace_in_html_tags: replace only inside tags and comments, never in text."""
    parts = _HTML_SPLIT.split(text)
    # re.split with one group: text at even indices, tags and comments at odd ones.
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace(needle, replacement)
    return "".join(parts)


# WordPress writes the next two steps as one regular expression each; both would
# rescan the rest of the text at every failed start (a long run of spaces, an unclosed
# <svg>), which an export can hold on purpose. These give the same result in one pass.


def _preserve_newlines(text: str) -> str:
    """preg_replace_callback('/<(script|style|svg|math).*?<\\/\\1>/s', …): newlines
    inside those elements are marked, so they do not become <br />."""
    closings: dict[str, list[int]] = {}
    for match in _KEEP_NEWLINES_CLOSE.finditer(text):
        closings.setdefault(match[1], []).append(match.end())
    out, position = [], 0
    while opening := _KEEP_NEWLINES_OPEN.search(text, position):
        ends = closings.get(opening[1], [])
        i = bisect_left(ends, opening.end() + len(opening[1]) + 3)
        if i == len(ends):
            out.append(text[position : opening.end()])
            position = opening.end()
            continue
        out.append(text[position : opening.start()])
        out.append(text[opening.start() : ends[i]].replace("\n", _PRESERVED_NEWLINE))
        position = ends[i]
    out.append(text[position:])
    return "".join(out)


def _newlines_to_br(text: str) -> str:
    """preg_replace('|(?<!<br />)\\s*\\n|', "<br />\\n", …): a run of white space holding
    a newline becomes "<br />\\n" up to its last newline; a run right after "<br />"
    keeps its first character (the look-behind refuses to start there)."""

    def replace(match: re.Match) -> str:
        run = match[0]
        last = run.rfind("\n")
        start = 1 if text.endswith("<br />", 0, match.start()) else 0
        if last < start:
            return run
        return run[:start] + "<br />\n" + run[last + 1 :]

    return _WHITESPACE_RUN.sub(replace, text)
