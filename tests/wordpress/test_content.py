"""A WordPress body becomes the site's clean article HTML: blocks, classic text, shortcodes."""

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from blog.html import clean_article_html
from wordpress.content import convert_body
from wordpress.wpautop import wpautop

# WordPress's theme unit test export, shared by the team; read in place, never copied.
THEME_UNIT_TEST = Path("/work/shared/wxr/themeunittestdata.wordpress.xml")
NAMESPACES = {"content": "http://purl.org/rss/1.0/modules/content/"}

needs_theme_data = pytest.mark.skipif(
    not THEME_UNIT_TEST.exists(), reason="the theme unit test export is not on this machine"
)


@cache
def theme_bodies() -> dict[str, str]:
    """Title → content:encoded of every item in the theme unit test export."""
    root = ET.parse(THEME_UNIT_TEST).getroot()  # noqa: S314 (a known file, not an upload)
    return {
        item.findtext("title"): item.findtext("content:encoded", "", NAMESPACES)
        for item in root.iter("item")
    }


# --- wpautop, as WordPress applies it to classic posts ----------------------------------


def test_wpautop_makes_paragraphs_of_blank_lines_and_breaks_of_single_newlines():
    assert wpautop("First line\nsecond line\n\nNext paragraph") == (
        "<p>First line<br />\nsecond line</p>\n<p>Next paragraph</p>\n"
    )


def test_wpautop_leaves_pre_untouched():
    text = "Before\n<pre>one\n\ntwo\nthree</pre>\nAfter"

    assert wpautop(text) == "<p>Before</p>\n<pre>one\n\ntwo\nthree</pre>\n<p>After</p>\n"


def test_wpautop_does_not_wrap_block_elements_but_fills_blockquotes():
    text = "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>Quoted\nline</blockquote>"

    assert wpautop(text) == (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<blockquote><p>Quoted<br />\nline</p></blockquote>\n"
    )


def test_wpautop_normalises_existing_breaks_and_turns_two_into_a_paragraph():
    assert wpautop("line 1<br>\nline 2<br/>\nline 3\nline 4") == (
        "<p>line 1<br />\nline 2<br />\nline 3<br />\nline 4</p>\n"
    )
    assert wpautop("one<br><br>two") == "<p>one</p>\n<p>two</p>\n"


def test_wpautop_keeps_newlines_inside_tags():
    assert wpautop('<a\nhref="https://example.org/">link</a> text') == (
        '<p><a\nhref="https://example.org/">link</a> text</p>\n'
    )


def test_wpautop_of_nothing_is_nothing():
    assert wpautop("  \n\n ") == ""


# --- Classic posts ----------------------------------------------------------------------


def test_classic_post_gets_paragraphs_and_line_breaks():
    converted = convert_body("Hello\nworld\n\nSecond & last")

    assert converted.html == "<p>Hello<br>\nworld</p>\n<p>Second &amp; last</p>"
    assert converted.warnings == []
    assert converted.excerpt_html is None


def test_classic_post_keeps_code_with_blank_lines():
    converted = convert_body("Intro\n\n<pre>def f():\n    return 1\n\n\nprint(f())</pre>")

    assert "<pre>def f():\n    return 1\n\n\nprint(f())</pre>" in converted.html
    assert "<br>" not in converted.html


def test_caption_shortcode_becomes_a_figure_with_its_caption():
    converted = convert_body(
        '[caption id="attachment_9" align="alignleft" width="150"]'
        '<a href="https://example.org/wp-content/uploads/2020/01/boat.jpg">'
        '<img class="size-thumbnail" src="https://example.org/wp-content/uploads/2020/01/boat-150x150.jpg"'
        ' alt="A boat" width="150" height="150" /></a> The <em>boat</em> at dawn[/caption]'
        "\nText after."
    )

    assert converted.html == (
        '<figure><img src="https://example.org/wp-content/uploads/2020/01/boat-150x150.jpg"'
        ' alt="A boat" width="150" height="150">'
        "<figcaption>The <em>boat</em> at dawn</figcaption></figure>\n<p>Text after.</p>"
    )


def test_old_caption_shortcode_with_the_caption_as_attribute():
    converted = convert_body(
        '[caption id="a" caption="Old style"]<img src="https://example.org/a.jpg" alt="A" />'
        "[/caption]"
    )

    assert converted.html == (
        '<figure><img src="https://example.org/a.jpg" alt="A">'
        "<figcaption>Old style</figcaption></figure>"
    )


def test_picture_inside_a_paragraph_stands_on_its_own():
    converted = convert_body(
        'Look: <a href="https://example.org/a.jpg"><img src="https://example.org/a.jpg" '
        'alt="A"></a> said the captain.'
    )

    assert converted.html == (
        "<p>Look:</p>\n"
        '<figure><img src="https://example.org/a.jpg" alt="A"></figure>\n'
        "<p>said the captain.</p>"
    )


def test_unknown_shortcodes_are_reported_and_left_as_text():
    converted = convert_body('Before\n\n[gallery ids="1,2"]\n\n[contact-form-7 id="3"]')

    assert '[gallery ids="1,2"]' in converted.html
    assert converted.warnings == [
        "unknown shortcode [gallery] left as text",
        "unknown shortcode [contact-form-7] left as text",
    ]


def test_gallery_shortcode_with_ids_becomes_its_pictures():
    urls = {
        3: "https://e.org/wp-content/uploads/a.jpg",
        5: "https://e.org/wp-content/uploads/b.jpg",
    }

    converted = convert_body('Look:\n\n[gallery columns="2" ids="5,3,9"]', attachment_urls=urls)

    assert converted.html == (
        "<p>Look:</p>\n"
        '<figure><img src="https://e.org/wp-content/uploads/b.jpg" alt=""></figure>\n'
        '<figure><img src="https://e.org/wp-content/uploads/a.jpg" alt=""></figure>'
    )
    assert converted.warnings == ["gallery picture 9 is not an attachment of the export"]


def test_escaped_shortcode_is_text_without_a_warning():
    converted = convert_body("Write [[gallery]] to show a gallery.")

    assert converted.html == "<p>Write [gallery] to show a gallery.</p>"
    assert converted.warnings == []


def test_an_address_written_with_entities_links_to_the_same_address():
    converted = convert_body("https://www.youtube.com/watch?v=abc&amp;t=10\n\nText")

    assert converted.html == (
        '<p><a href="https://www.youtube.com/watch?v=abc&amp;t=10" rel="noopener noreferrer">'
        "https://www.youtube.com/watch?v=abc&amp;t=10</a></p>\n<p>Text</p>"
    )


def test_embed_shortcode_becomes_a_link():
    converted = convert_body("[embed]https://www.youtube.com/watch?v=abc[/embed]")

    assert converted.html == (
        '<p><a href="https://www.youtube.com/watch?v=abc" rel="noopener noreferrer">'
        "https://www.youtube.com/watch?v=abc</a></p>"
    )


def test_an_address_alone_on_its_line_is_an_embed_and_becomes_a_link():
    converted = convert_body(
        "Watch this:\nhttps://www.youtube.com/watch?v=abc\n\n[audio https://e.org/a.mp3]"
    )

    assert converted.html == (
        "<p>Watch this:<br>\n"
        '<a href="https://www.youtube.com/watch?v=abc" rel="noopener noreferrer">'
        "https://www.youtube.com/watch?v=abc</a></p>\n"
        '<p><a href="https://e.org/a.mp3" rel="noopener noreferrer">https://e.org/a.mp3</a></p>'
    )


def test_script_style_and_handlers_are_removed_and_a_frame_becomes_a_link():
    converted = convert_body(
        "<p>Before</p><script>alert('x')</script><style>p{}</style>"
        '<iframe src="https://www.youtube.com/embed/abc">fallback</iframe>'
        '<p onclick="steal()">After <a href="javascript:alert(1)">here</a></p>'
    )

    lowered = converted.html.lower()
    assert "<script" not in lowered and "alert" not in lowered and "<style" not in lowered
    assert "<iframe" not in lowered and "onclick" not in lowered
    assert '<a href="https://www.youtube.com/embed/abc"' in converted.html
    assert "<p>After here</p>" in converted.html
    assert "<script> removed" in converted.warnings


def test_more_mark_splits_off_the_excerpt():
    converted = convert_body("Teaser line.\n<!--more Read on-->\nThe rest.\n\nEnd.")

    assert converted.excerpt_html == "<p>Teaser line.</p>"
    assert "<!--" not in converted.html
    assert "Teaser line." in converted.html and "<p>End.</p>" in converted.html


# --- Block editor posts -----------------------------------------------------------------

GUTENBERG = """<!-- wp:heading {"level":1} -->
<h1 class="wp-block-heading">Title-like heading</h1>
<!-- /wp:heading -->

<!-- wp:paragraph {"align":"center"} -->
<p class="has-text-align-center">A centred
paragraph.</p>
<!-- /wp:paragraph -->

<!-- wp:list -->
<ul class="wp-block-list"><!-- wp:list-item -->
<li>One</li>
<!-- /wp:list-item --></ul>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><!-- wp:paragraph -->
<p>Quoted.</p>
<!-- /wp:paragraph --><cite>Someone</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:image {"id":12,"sizeSlug":"large","linkDestination":"media"} -->
<figure class="wp-block-image size-large"><a href="https://example.org/wp-content/uploads/2024/05/ship.jpg"><img src="https://example.org/wp-content/uploads/2024/05/ship-1024x683.jpg" alt="A ship" class="wp-image-12"/></a><figcaption class="wp-element-caption">The ship</figcaption></figure>
<!-- /wp:image -->

<!-- wp:embed {"url":"https://www.youtube.com/watch?v=abc","type":"video"} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=abc
</div><figcaption class="wp-element-caption">A video</figcaption></figure>
<!-- /wp:embed -->

<!-- wp:latest-posts {"postsToShow":3} /-->

<!-- wp:buttons -->
<div class="wp-block-buttons"><!-- wp:button -->
<div class="wp-block-button"><a class="wp-block-button__link" href="https://example.org/join">Join</a></div>
<!-- /wp:button --></div>
<!-- /wp:buttons -->"""  # noqa: E501 (blocks as WordPress saves them, one line each)


def test_gutenberg_blocks_become_their_html_without_comments():
    converted = convert_body(GUTENBERG)

    assert converted.html == (
        "<h2>Title-like heading</h2>\n"
        "<p>A centred\nparagraph.</p>\n"
        "<ul><li>One</li></ul>\n"
        "<blockquote><p>Quoted.</p>\n<cite>Someone</cite></blockquote>\n"
        '<figure><img src="https://example.org/wp-content/uploads/2024/05/ship-1024x683.jpg"'
        ' alt="A ship"><figcaption>The ship</figcaption></figure>\n'
        '<p><a href="https://www.youtube.com/watch?v=abc" rel="noopener noreferrer">'
        "https://www.youtube.com/watch?v=abc</a></p>\n"
        "<p>A video</p>\n"
        '<p><a href="https://example.org/join" rel="noopener noreferrer">Join</a></p>'
    )
    assert converted.warnings == [
        "block wp:latest-posts dropped: WordPress made its content on display"
    ]


def test_gutenberg_gallery_becomes_one_figure_per_picture():
    converted = convert_body(
        '<!-- wp:gallery {"linkTo":"none"} -->\n'
        '<figure class="wp-block-gallery has-nested-images columns-default">'
        '<!-- wp:image {"id":1} -->\n<figure class="wp-block-image"><img src="https://e.org/a.jpg" '
        'alt="A"/><figcaption class="wp-element-caption">First</figcaption></figure>\n'
        '<!-- /wp:image -->\n\n<!-- wp:image {"id":2} -->\n<figure class="wp-block-image">'
        '<img src="https://e.org/b.jpg" alt="B"/></figure>\n<!-- /wp:image -->'
        '<figcaption class="blocks-gallery-caption">Both</figcaption></figure>\n'
        "<!-- /wp:gallery -->"
    )

    assert converted.html == (
        '<figure><img src="https://e.org/a.jpg" alt="A"><figcaption>First</figcaption></figure>\n'
        '<figure><img src="https://e.org/b.jpg" alt="B"></figure>\n'
        "<p>Both</p>"
    )


def test_gutenberg_more_block_splits_off_the_excerpt():
    converted = convert_body(
        "<!-- wp:paragraph -->\n<p>Teaser.</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->\n\n"
        "<!-- wp:paragraph -->\n<p>The rest.</p>\n<!-- /wp:paragraph -->"
    )

    assert converted.excerpt_html == "<p>Teaser.</p>"
    assert converted.html == "<p>Teaser.</p>\n<p>The rest.</p>"
    assert converted.warnings == []


def test_gutenberg_body_gets_no_wpautop():
    converted = convert_body("<!-- wp:html -->\nline one\nline two\n<!-- /wp:html -->")

    assert converted.html == "<p>line one\nline two</p>"


# --- The theme unit test export ---------------------------------------------------------


@needs_theme_data
def test_every_theme_unit_test_body_converts_to_html_the_article_keeps_as_is():
    for title, raw in theme_bodies().items():
        converted = convert_body(raw)

        assert clean_article_html(converted.html) == converted.html, title
        lowered = converted.html.lower()
        assert "<!--" not in lowered and "<script" not in lowered, title
        assert "<iframe" not in lowered and "<div" not in lowered, title
        assert "<p></p>" not in converted.html, title


@needs_theme_data
def test_theme_unit_test_markup_post_gets_wordpress_paragraphs_and_keeps_its_poem():
    raw = theme_bodies()["Markup: HTML Tags and Formatting"]
    poem = raw[raw.index("<pre>") : raw.index("</pre>") + len("</pre>")]

    autop = wpautop(raw)
    converted = convert_body(raw)

    assert autop.startswith(
        "<p><strong>Headings</strong></p>\n<h1>Header one</h1>\n<h2>Header two</h2>\n"
    )
    assert "<p>Single line blockquote:</p>\n<blockquote><p>Stay hungry. Stay foolish.</p>" in autop
    assert poem in autop  # wpautop leaves <pre> alone, blank lines and all
    assert "\n\n\n\tTwo roads diverged in a yellow wood," in converted.html
    # HTML ignores a line feed right after <pre>; the blank lines of the poem stay.
    assert "<pre><cite>Robert Frost</cite>\n\n\n\tTwo roads" in converted.html


@needs_theme_data
def test_theme_unit_test_captions_become_figures():
    converted = convert_body(theme_bodies()["Markup: Image Alignment"])

    assert "[caption" not in converted.html
    assert converted.html.count("<figcaption>") == 5
    assert "<figcaption>Look at 580x300 getting some <a " in converted.html
    assert converted.html.count("<figure><img ") == 11


@needs_theme_data
def test_theme_unit_test_more_tag_gives_an_excerpt():
    converted = convert_body(theme_bodies()["Template: More Tag"])

    assert converted.excerpt_html.startswith("<p>This content is before the <a ")
    assert "after the more tag" not in converted.excerpt_html
    assert "after the more tag" in converted.html


@needs_theme_data
def test_theme_unit_test_embeds_become_links_and_widgets_are_reported():
    embeds = convert_body(theme_bodies()["Block category: Embeds"])
    widgets = convert_body(theme_bodies()["Block category: Widgets"])

    assert '<a href="https://youtu.be/ex8fMxXJDJw"' in embeds.html
    assert '<a href="https://twitter.com/WordPress/status/1057136472321613824"' in embeds.html
    assert "block wp:archives dropped: WordPress made its content on display" in widgets.warnings
    assert "unknown shortcode [gallery] left as text" in widgets.warnings


# --- What an export can hold on purpose --------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "<div>" * 3000 + "deep text",
        "<!-- wp:x {" * 2000 + "after",
        "[caption]" * 2000,
        "<svg" * 2000,
        "<pre>" * 2000,
        "<![CDATA[" * 2000,
        " " * 20000 + "x",
    ],
    ids=[
        "nesting",
        "open-block-comments",
        "open-captions",
        "open-svg",
        "open-pre",
        "cdata",
        "spaces",
    ],
)
def test_hostile_shapes_convert_to_clean_html(raw):
    converted = convert_body(raw)

    assert clean_article_html(converted.html) == converted.html
    assert "<svg" not in converted.html and "<!--" not in converted.html


def test_deep_nesting_keeps_the_text():
    assert convert_body("<div>" * 3000 + "deep text").html == "<p>deep text</p>"


def test_an_unclosed_comment_hides_the_rest_as_it_did_on_the_old_site():
    assert convert_body("Shown.\n\n<!-- a note never closed\n\nHidden.").html == "<p>Shown.</p>"
