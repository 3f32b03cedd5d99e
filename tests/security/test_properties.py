"""Property-based tests: arbitrary input never raises anything but a validation error."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from blog import importers
from blog.importers import SeedError

# Modest example counts keep the suite fast; no example database is written to disk.
FAST = settings(max_examples=150, deadline=None, database=None)
WITH_DATABASE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters the seed format cares about, mixed into arbitrary text.
AWKWARD = st.sampled_from(["\n", "\r", "\x00", "\ufeff", "\u00a0", "\t", " ", "<", ">", "&", "é"])
LINE = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"]) | AWKWARD, min_size=0, max_size=80
)
WORDS = st.text(
    alphabet=st.characters(whitelist_categories=["L", "N", "P", "Zs"]), min_size=1, max_size=60
)


@st.composite
def seed_documents(draw):
    """Text shaped like a seed: a title, paragraphs, "See also" lines, page furniture."""
    blocks = draw(
        st.lists(
            st.one_of(
                WORDS,
                WORDS.map(lambda title: f"See also\u00a0{title}"),
                WORDS.map(lambda title: f"See also {title}"),
                st.sampled_from(
                    [
                        "Leave a Reply",
                        "Discover more from Defence Talks | News and views",
                        "Subscribe to get the latest posts sent to your email.",
                        "Your email address will not be published. Required fields *",
                    ]
                ),
                LINE,
            ),
            max_size=8,
        )
    )
    separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n\u00a0\n"]))
    return separator.join([draw(WORDS), *blocks])


def _as_seed(parsed):
    """The seed text that says what `parsed` says."""
    blocks = []
    for position in range(len(parsed.paragraphs) + 1):
        blocks += [
            f"See also {link.title}" for link in parsed.links if link.after_paragraph == position
        ]
        if position < len(parsed.paragraphs):
            blocks.append(parsed.paragraphs[position])
    return "\n\n".join([parsed.title, *blocks])


@FAST
@given(st.one_of(st.text(), LINE, seed_documents()))
def test_parse_raises_only_seed_error(text):
    try:
        parsed = importers.parse(text)
    except SeedError:
        return
    assert parsed.title
    assert parsed.paragraphs
    assert "\x00" not in parsed.body


@FAST
@given(seed_documents())
def test_parsed_seed_written_out_again_parses_to_the_same_article(text):
    try:
        parsed = importers.parse(text)
    except SeedError:
        assume(False)

    again = importers.parse(_as_seed(parsed))

    assert again.title == parsed.title
    assert again.paragraphs == parsed.paragraphs
    assert [(link.title, link.after_paragraph) for link in again.links] == [
        (link.title, link.after_paragraph) for link in parsed.links
    ]


@pytest.mark.django_db
@WITH_DATABASE
@given(seed_documents())
def test_imported_article_reimports_to_the_same_article(text):
    try:
        parsed = importers.parse(text)
    except SeedError:
        assume(False)
    with transaction.atomic():
        first = importers.upsert(parsed, source="property.txt")
        again = importers.upsert(importers.parse(text), source="property.txt")
        copy = importers.upsert(importers.parse(_as_seed(parsed)), source="copy.txt")

        assert again.action == "unchanged"
        assert again.article.pk == first.article.pk
        assert (copy.article.title, copy.article.body) == (first.article.title, first.article.body)
        assert list(copy.article.related_links.values_list("target_title", "after_paragraph")) == (
            list(first.article.related_links.values_list("target_title", "after_paragraph"))
        )
        transaction.set_rollback(True)
