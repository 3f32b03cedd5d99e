import pytest

from blog.html import clean_article_html, split_blocks


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<iframe src=//evil.example></iframe>",
        '<svg onload="alert(1)">',
        "<style>body{display:none}</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<<script>script>alert(1)<</script>/script>",
    ],
)
def test_article_html_drops_script_and_handlers(hostile):
    cleaned = clean_article_html(f"<p>Before</p>{hostile}<p>After</p>")

    lowered = cleaned.lower()
    assert "<script" not in lowered
    assert "onerror" not in lowered and "onload" not in lowered
    assert "javascript:" not in lowered
    assert "data:text" not in lowered
    assert "<iframe" not in lowered and "<style" not in lowered
    assert "<p>Before</p>" in cleaned


def test_plain_text_paragraphs_become_html_paragraphs():
    cleaned = clean_article_html("One line\nwith a break\n\nSecond & last")

    assert split_blocks(cleaned) == [
        "<p>One line<br>\nwith a break</p>",
        "<p>Second &amp; last</p>",
    ]


def test_blocks_keep_nested_markup_together():
    blocks = split_blocks(
        "<h2>Head</h2>\n<ul><li>a</li><li>b <em>c</em></li></ul>\n<p>x<br>y</p><hr>loose"
    )

    assert blocks == [
        "<h2>Head</h2>",
        "<ul><li>a</li><li>b <em>c</em></li></ul>",
        "<p>x<br>y</p>",
        "<hr>",
        "<p>loose</p>",
    ]


def test_link_with_a_refused_address_gives_way_to_its_text():
    cleaned = clean_article_html('<p><a href="javascript:x" title="t">x</a> <a>y</a></p>')

    assert cleaned == "<p>x y</p>"


def test_a_blank_line_inside_pre_is_kept_as_text():
    code = "<pre>def total():\n    return 1\n\n\nprint(total())</pre>"

    cleaned = clean_article_html(f"Intro\n\n{code}\n\nAfter")

    assert cleaned == f"<p>Intro</p>\n{code}\n<p>After</p>"
    assert clean_article_html(cleaned) == cleaned
