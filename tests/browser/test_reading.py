"""A reader's visit in a real browser: read, follow links, search, by mouse and keyboard."""

import pytest
from django.urls import reverse

from blog import importers
from blog.models import Article
from blog.services import article_save
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, screenshot
from tests.factories.blog import TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEE_ALSO_TITLE = (
    "Trump's new administration could bring transformative change to the U.S. and its citizens"
)


@pytest.fixture
def seed_article(seed_path):
    article = importers.import_path(seed_path).article
    tag = TagFactory(name="Türkiye")
    article.tags.add(tag)
    # The article its "See also" link waits for: saving it resolves the link by title.
    target = article_save(
        article=Article(
            title=SEE_ALSO_TITLE,
            body="The incoming administration has promised sweeping change.",
            status=Article.Status.PUBLISHED,
        )
    )
    target.tags.add(tag)
    related = article_save(
        article=Article(
            title="Ankara and Moscow sign a new grain deal",
            body="Türkiye and Russia agreed on grain.",
            status=Article.Status.PUBLISHED,
        )
    )
    related.tags.add(tag)
    article.see_also_target = target
    return article


def test_reader_reads_the_seed_article_and_follows_its_see_also_link(page, seed_article):
    page.goto(reverse("blog:article-list"))
    page.get_by_role("link", name=seed_article.title, exact=True).click()

    page.wait_for_url(f"**{seed_article.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == seed_article.title
    assert page.locator(".entry-content p").count() == 11 + 1  # paragraphs + "See also"
    related = page.get_by_role("region", name="Related")
    assert related.get_by_role("link").all_inner_texts() == [
        "Ankara and Moscow sign a new grain deal"  # the "See also" target is left out
    ]
    screenshot(page, "article-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "article-phone")
    page.set_viewport_size(DESKTOP)

    page.locator(".see-also").get_by_role("link", name=SEE_ALSO_TITLE).click()

    page.wait_for_url(f"**{seed_article.see_also_target.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == SEE_ALSO_TITLE
    # The seed article shares a tag: it comes back as "Related", not as a "See also".
    related = page.get_by_role("region", name="Related")
    assert related.get_by_role("link", name=seed_article.title).is_visible()


def test_keyboard_only_reader_skips_to_the_content_and_searches(page, seed_article):
    page.goto(seed_article.get_absolute_url())

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#content")

    page.goto(reverse("blog:article-list"))
    focused = []
    for _ in range(4):  # skip link, site title, search box
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.getAttribute('type') || ''"))
        if focused[-1] == "search":
            break
    assert focused[-1] == "search"
    page.keyboard.type("Erdogan trade")
    page.keyboard.press("Enter")

    page.wait_for_url("**/search/?s=Erdogan+trade")
    result = page.locator(".search-result").first
    assert result.get_by_role("link").inner_text() == seed_article.title
    assert result.locator("mark").first.inner_text() == "Erdogan"
    screenshot(page, "search-desktop")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_home_article_and_search_pages_have_no_serious_accessibility_violations(page, seed_article):
    for path in (
        reverse("blog:article-list"),
        seed_article.get_absolute_url(),
        f"{reverse('blog:search')}?s=Putin",
        f"{reverse('blog:search')}?s=",
    ):
        page.goto(path)
        assert check_accessibility(page) == [], path
