"""The article body's visual editor in a real browser, at 1280 and 390 px: write, format,
link, save, reopen; a stored body opens and saves unchanged; a library picture goes in."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from blog import importers
from blog.models import Article
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, screenshot
from tests.factories.blog import ArticleFactory
from tests.factories.media import ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What this work adds to the form; the admin's own widgets (select2, inlines) are not ours.
OURS = ("tiptap", "prose", "id_body", "id_title", "id_slug", "permalink", "editor-pictures")


def violations_in_our_parts(page) -> list[dict]:
    return [
        violation
        for violation in check_accessibility(page)
        if any(part in str(violation["nodes"]) for part in OURS)
    ]


def right_edge(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_editor_writes_bold_and_a_link_that_are_stored_and_reopen(page, signed_in_editor, viewport):
    page.set_viewport_size(viewport)
    page.goto(reverse("admin:blog_article_add"))
    page.get_by_label("Title").press_sequentially("Navy orders new frigates for the Baltic")
    expect(page.locator("output[data-permalink-slug]")).to_have_text(
        "navy-orders-new-frigates-for-the-baltic"
    )

    body = page.get_by_role("textbox", name="Body")
    body.click()
    page.keyboard.type("Frigates sail in spring.")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the report")
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.get_by_role("button", name="insert link").click()
    page.get_by_label("URL").fill("https://example.org/report")
    page.get_by_role("button", name="Update").click()
    body.get_by_text("Frigates sail in spring.").click()
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.get_by_role("button", name="bold", exact=True).click()

    for selector in ("#id_title", ".prose-editor", "#id_slug"):
        assert right_edge(page, selector) <= viewport["width"], selector
    name = "desktop" if viewport is DESKTOP else "phone"
    screenshot(page, f"admin-article-editor-{name}")
    assert violations_in_our_parts(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()

    article = Article.objects.get(slug="navy-orders-new-frigates-for-the-baltic")
    assert article.body == (
        "<p><strong>Frigates sail in spring.</strong></p>"
        '<p>Read the <a href="https://example.org/report" rel="noopener noreferrer">report</a></p>'
    )
    page.goto(reverse("admin:blog_article_change", args=[article.pk]))
    editor = page.get_by_role("textbox", name="Body")
    assert editor.locator("strong").inner_text() == "Frigates sail in spring."
    assert editor.locator("a").get_attribute("href") == "https://example.org/report"


def test_seed_article_opens_in_the_editor_and_saves_unchanged(page, signed_in_editor, seed_path):
    article = importers.import_path(seed_path).article
    stored = article.body

    page.goto(reverse("admin:blog_article_change", args=[article.pk]))
    editor = page.get_by_role("textbox", name="Body")
    assert editor.locator("p").first.inner_text() in stored
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()

    article.refresh_from_db()
    assert article.body == stored


def test_a_library_picture_is_inserted_and_kept_through_an_edit(page, signed_in_editor):
    image = ImageFactory(title="Frigate at Kiel")
    article = ArticleFactory(
        body=f'<p>Before.</p>\n<figure data-media-id="{image.pk}"></figure>\n<p>After.</p>'
    )

    page.goto(reverse("admin:blog_article_change", args=[article.pk]))
    editor = page.get_by_role("textbox", name="Body")
    editor.get_by_text("After.").click()
    page.keyboard.press("End")
    page.keyboard.type(" And more.")
    page.keyboard.press("Enter")
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Insert a picture from the media library").click()
    popup = popup_info.value
    with popup.expect_event("close"):
        popup.get_by_role("link", name="Frigate at Kiel", exact=True).click()
    assert editor.locator(f'figure[data-media-id="{image.pk}"]').count() == 2
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()

    article.refresh_from_db()
    marker = f'<figure data-media-id="{image.pk}"></figure>'
    assert article.body == f"<p>Before.</p>{marker}<p>After. And more.</p>{marker}"


WORD_PASTE = (
    '<p class="MsoNormal" style="font-family:Calibri"><b><span lang="EN-GB">Kiel,</span></b>'
    " the frigate sailed at dawn.<o:p></o:p></p>"
    '<p>Officials <a href="javascript:alert(1)">declined to comment</a>.</p>'
    '<iframe src="https://www.youtube.com/embed/abc123"></iframe>'
    "<script>window.pasted = true</script>"
)


def test_html_pasted_from_word_is_stored_clean_with_its_text(page, signed_in_editor):
    article = ArticleFactory(body="<p>Lead.</p>")

    page.goto(reverse("admin:blog_article_change", args=[article.pk]))
    page.get_by_role("textbox", name="Body").get_by_text("Lead.").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.evaluate(
        """(html) => {
            const data = new DataTransfer()
            data.setData("text/html", html)
            data.setData("text/plain", "Kiel, the frigate sailed at dawn.")
            document.querySelector(".tiptap").dispatchEvent(
                new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
            )
        }""",
        WORD_PASTE,
    )
    assert page.evaluate("() => window.pasted") is None  # the pasted script never ran
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue editing").click()

    article.refresh_from_db()
    assert article.body == (
        "<p>Lead.</p><p><strong>Kiel,</strong> the frigate sailed at dawn.</p>"
        "<p>Officials declined to comment.</p>"
    )
