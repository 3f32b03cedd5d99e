"""Search as a reader types it: check the words, then show each result with them marked.

The matching itself is `Article.objects.search()` (full-text on PostgreSQL, a simple
scan elsewhere); this module holds what surrounds it: the limits and their messages,
and highlighting that escapes the text before it marks anything.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog import html

SEARCH_MAX_LENGTH = 200
EMPTY_QUERY_MESSAGE = "Type one or more words to search for."
TOO_LONG_MESSAGE = f"That search is too long: use at most {SEARCH_MAX_LENGTH} characters."
NO_RESULTS_MESSAGE = "Nothing matched your search. Try other or fewer words."

SNIPPET_CHARS = 240
_WORD = re.compile(r"-?\w+")
_SUFFIXES = ("ing", "ed", "es", "s", "e")  # enough of English stemming to mark "trading"


@dataclass(frozen=True)
class Query:
    text: str  # what the reader typed, tidied: shown back in the search box
    error: str = ""

    @property
    def words(self) -> list[str]:
        """The words to mark: not the excluded ones ("-word") nor websearch's "or"."""
        return [
            word
            for word in _WORD.findall(self.text)
            if not word.startswith("-") and word.lower() != "or"
        ]


def parse_query(raw: str) -> Query:
    # Control characters (a NUL byte in particular, which PostgreSQL refuses in text)
    # are never part of a word.
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw)
    text = " ".join(text.split())
    if len(text) > SEARCH_MAX_LENGTH:
        return Query(text=text, error=TOO_LONG_MESSAGE)
    if not _WORD.search(text):
        return Query(text=text, error=EMPTY_QUERY_MESSAGE)
    return Query(text=text)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.lower().endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _pattern(words: list[str]) -> re.Pattern | None:
    stems = sorted({_stem(word) for word in words}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.IGNORECASE)


def highlight(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with the words (and words starting with their stem) in <mark>.

    Escaping happens piece by piece before marking, so neither the text nor the
    reader's words can bring markup in, and no entity is ever cut in two.
    """
    pattern = _pattern(words)
    if pattern is None:
        return escape(text)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)


def snippet(body_html: str, words: list[str], *, fallback: str = "") -> str:
    """Some plain text around the first of `words` in the body (else `fallback`)."""
    text = " ".join(html.strip_tags(body_html).split())
    pattern = _pattern(words)
    match = pattern.search(text) if pattern else None
    if match is None:
        return fallback or text[:SNIPPET_CHARS]
    start = max(0, match.start() - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > match.end() else end
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


@dataclass(frozen=True)
class Result:
    article: object
    title: SafeString
    snippet: SafeString


def results(articles, words: list[str]) -> list[Result]:
    return [
        Result(
            article=article,
            title=highlight(article.title, words),
            snippet=highlight(snippet(article.body, words, fallback=article.excerpt), words),
        )
        for article in articles
    ]
