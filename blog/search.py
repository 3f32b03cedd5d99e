"""Search as a reader types it: check the words, then show each result with them marked.

The matching itself is `Article.objects.search()` (full-text on PostgreSQL, a simple
scan elsewhere); this module holds what surrounds it: the limits and their messages,
folding (a reader typing "turkiye" means "Türkiye"), and highlighting that escapes the
text before it marks anything.
"""

import functools
import re
import unicodedata
from collections.abc import Iterator
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


# Letters that NFKD does not take apart into a base letter and an accent.
_UNSPLIT_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l", "ħ": "h",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"}
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def _fold_character(character: str) -> str:
    decomposed = unicodedata.normalize("NFKD", character)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.translate(_UNSPLIT_LETTERS).casefold()


def fold(text: str) -> str:
    """`text` without accents and case, as search compares it: "Türkiye" gives
    "turkiye", "Straße" "strasse". (PostgreSQL's `unaccent` does the same there.)"""
    return "".join(map(_fold_character, text))


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
    """A pattern of the folded words' stems, to match in folded text."""
    stems = sorted({_stem(fold(word)) for word in words}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + r")\w*")


def _matches(pattern: re.Pattern | None, text: str) -> Iterator[tuple[int, int]]:
    """Where `pattern` (of folded words) matches `text` once folded, as spans of
    `text` itself: "turkiye" marks "Türkiye"."""
    if pattern is None:
        return
    folded, origins = [], []
    for index, character in enumerate(text):
        piece = _fold_character(character)
        folded.append(piece)
        origins.extend([index] * len(piece))
    origins.append(len(text))
    for match in pattern.finditer("".join(folded)):
        yield origins[match.start()], origins[match.end()]


def highlight(text: str, words: list[str]) -> SafeString:
    """`text` escaped, with the words (and words starting with their stem) in <mark>,
    accents and case aside.

    Escaping happens piece by piece before marking, so neither the text nor the
    reader's words can bring markup in, and no entity is ever cut in two.
    """
    parts, last = [], 0
    for start, end in _matches(_pattern(words), text):
        parts.append(escape(text[last:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
    if not parts:
        return escape(text)
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece escaped above)


def snippet(body_html: str, words: list[str], *, fallback: str = "") -> str:
    """Some plain text around the first of `words` in the body (else `fallback`)."""
    text = " ".join(html.strip_tags(body_html).split())
    match = next(_matches(_pattern(words), text), None)
    if match is None:
        return fallback or text[:SNIPPET_CHARS]
    match_start, match_end = match
    start = max(0, match_start - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > match_end else end
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
