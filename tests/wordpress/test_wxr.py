"""Reading a WordPress export as a stream: what comes out, and what is refused."""

import tracemalloc
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import wordpress as wp
from wordpress import wxr


def events(path):
    return list(wxr.read(path))


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_an_export_is_read_in_file_order_whatever_its_version(tmp_path, version):
    path = wp.write_wxr(
        tmp_path,
        wp.category("world", "World", wp_id=3, description="Abroad"),
        wp.tag("drones", "Drones", wp_id=4),
        wp.item(10, "First post", terms=[("category", "world", "World")],
                meta={"_wp_old_slug": ["first", "premier"]},
                comments=[wp.comment(100, parent=0), wp.comment(101, parent=100)]),
        version=version,
    )  # fmt: skip

    channel, author, category, tag, post = events(path)

    assert (channel.version, channel.site_url) == (version, wp.OLD_SITE)
    assert (author.wp_id, author.login, author.display_name) == (1, "jo", "Jo Writer")
    assert (category.taxonomy, category.slug, category.description) == (
        "category",
        "world",
        "Abroad",
    )
    assert (tag.taxonomy, tag.slug, tag.name) == ("post_tag", "drones", "Drones")
    assert (post.wp_id, post.title, post.post_type, post.status) == (
        10,
        "First post",
        "post",
        "publish",
    )
    assert post.content == "<p>Hello.</p>"
    assert post.terms == [wxr.TermRef("category", "world", "World")]
    assert post.meta["_wp_old_slug"] == ["first", "premier"]
    assert [(c.wp_id, c.parent_id, c.ip) for c in post.comments] == [
        (100, 0, "192.0.2.7"),
        (101, 100, "192.0.2.7"),
    ]  # fmt: skip


def test_dates_come_from_the_utc_column(tmp_path):
    path = wp.write_wxr(
        tmp_path, wp.item(1, date_gmt="2024-03-01 09:30:00", date="2024-03-01 10:30:00")
    )

    post = events(path)[-1]

    assert post.date == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)


def test_a_draft_without_a_utc_date_is_dated_in_the_site_time_zone(tmp_path, settings):
    settings.TIME_ZONE = "Europe/Paris"
    path = wp.write_wxr(
        tmp_path,
        wp.item(1, status="draft", date_gmt="0000-00-00 00:00:00", date="2024-03-01 10:30:00"),
    )

    post = events(path)[-1]

    assert post.date == datetime(2024, 3, 1, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))


def test_a_malformed_item_is_named_and_the_stream_goes_on(tmp_path):
    path = wp.write_wxr(
        tmp_path,
        wp.item(1, "Fine"),
        wp.item(2, "Badly dated", date_gmt="yesterday", date="yesterday"),
        wp.item(3, "Also fine"),
    )

    *_, first, bad, last = events(path)

    assert (first.wp_id, last.wp_id) == (1, 3)
    assert isinstance(bad, wxr.Malformed)
    assert (bad.wp_id, bad.title, bad.post_type) == ("2", "Badly dated", "post")
    assert "“yesterday” is not a date" in bad.reason


def test_a_sticky_post_is_marked(tmp_path):
    path = wp.write_wxr(tmp_path, wp.item(1, sticky=True), wp.item(2))

    *_, sticky, plain = events(path)

    assert (sticky.is_sticky, plain.is_sticky) == (True, False)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><title>&lol3;</title></channel></rss>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>"""

RSS_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>News</title><link>https://example.org</link>
<item><title>Hello</title><link>https://example.org/hello</link></item></channel></rss>"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("this is not XML at all", "is not a readable XML file"),
        (BILLION_LAUGHS, "declares XML entities or refers to external ones"),
        (EXTERNAL_ENTITY, "declares XML entities or refers to external ones"),
        (RSS_FEED, "is an RSS feed, not a WordPress export"),
        ("<html><body>Hi</body></html>", "its root element is <html>, not <rss>"),
        (wp.wxr_document(wp.item(1), version="9.0"), "is a WXR 9.0 export"),
        (wp.wxr_document(wp.item(1))[:-200], "cut short"),
        ("", "is not a readable XML file"),
    ],
    ids=[
        "not-xml",
        "billion-laughs",
        "external-entity",
        "rss",
        "html",
        "version",
        "truncated",
        "empty",
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_a_reason(tmp_path, text, expected):
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(wxr.WXRError) as refused:
        events(path)

    assert expected in str(refused.value)
    assert "export.xml" in str(refused.value)
    assert "root:" not in str(refused.value)  # the entity was never expanded


def test_a_missing_file_is_refused_with_a_reason(tmp_path):
    with pytest.raises(wxr.WXRError, match="cannot be read"):
        events(tmp_path / "nowhere.xml")


def test_memory_stays_flat_however_long_the_file(tmp_path):
    """Each item leaves the document once read: reading 20 MB of posts holds one."""
    body = "<p>" + "word " * 4000 + "</p>"  # 20 kB
    path = wp.write_wxr(tmp_path, *[wp.item(n, body=body) for n in range(1, 1001)])
    assert path.stat().st_size > 20_000_000

    tracemalloc.start()
    try:
        count = sum(1 for event in wxr.read(path) if isinstance(event, wxr.Item))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 1000
    assert peak < 2_000_000
