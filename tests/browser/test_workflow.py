"""The article's workflow in a real browser, at 1280 and 390 px: an editor previews and
publishes; an author writes a draft and submits it for review."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Article
from tests.browser.conftest import (
    AXE_JS,
    DESKTOP,
    PHONE,
    check_accessibility,
    screenshot,
    sign_in,
)
from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def authors_group():
    # A transactional test flushes what data migrations made: the group is made again
    # with migration 0012's article permissions.
    group, _ = Group.objects.get_or_create(name="Authors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="blog",
            codename__in=["add_article", "change_article", "view_article", "view_tag"],
        )
    )
    return group


def workflow_accessibility(page) -> list[dict]:
    """axe-core's serious and critical findings in what this work adds to the change
    form: the submit row and the object tools (Preview). The rest of the page is
    Django's admin, whose autocomplete widgets axe faults (docs/workflow-design.md)."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => await axe.run({include: [['.submit-row'], ['.object-tools']]})"""
    )
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def submit_row_fits(page, width: int) -> bool:
    right_edges = page.evaluate(
        """() => [...document.querySelectorAll('.submit-row button, .submit-row input')]
            .map(el => el.getBoundingClientRect().right)"""
    )
    return bool(right_edges) and max(right_edges) <= width


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_editor_previews_then_publishes_a_draft(page, viewport):
    editor = UserFactory(is_staff=True, is_superuser=True, username=f"desk-{viewport}")
    draft = ArticleFactory(draft=True, title="Harbour reopens after the storm", author=editor)
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, editor)

    page.goto(reverse("admin:blog_article_change", args=[draft.pk]))
    screenshot(page, f"admin-article-workflow-{viewport}")
    assert submit_row_fits(page, VIEWPORTS[viewport]["width"])
    assert page.get_by_role("button", name="Save draft").is_visible()
    assert workflow_accessibility(page) == []

    # The button follows the publication time as it is typed (js/publish-label.js).
    day, clock = page.locator("#id_published_at_0"), page.locator("#id_published_at_1")
    day.fill(f"{timezone.localdate() + timedelta(days=2):%Y-%m-%d}")
    clock.fill("09:00:00")
    expect(page.get_by_role("button", name="Schedule", exact=True)).to_be_visible()
    day.fill("")
    clock.fill("")
    expect(page.get_by_role("button", name="Publish", exact=True)).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Preview").click()
    assert "Preview — not published." in page.locator(".preview-notice").inner_text()
    assert page.get_by_role("heading", name="Harbour reopens after the storm").is_visible()
    assert check_accessibility(page) == []

    page.go_back()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish", exact=True).click()

    assert "is published." in page.locator(".messagelist").inner_text()
    draft.refresh_from_db()
    assert draft.is_live


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_author_writes_a_draft_and_submits_it_for_review(page, viewport):
    author = UserFactory(is_staff=True, username=f"kim-{viewport}")
    author.groups.add(authors_group())
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, author)

    page.goto(reverse("admin:blog_article_add"))
    page.get_by_label("Title:").fill("Ferry timetable changes")
    # The body is the visual editor: typed into, as a person would.
    page.get_by_role("textbox", name="Body").click()
    page.keyboard.type("From Monday the first ferry leaves at six.")
    assert page.get_by_role("button", name="Publish").count() == 0
    assert submit_row_fits(page, VIEWPORTS[viewport]["width"])
    assert workflow_accessibility(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()

    assert "was submitted for review" in page.locator(".messagelist").inner_text()
    screenshot(page, f"admin-article-submitted-{viewport}")
    article = Article.objects.get(title="Ferry timetable changes")
    assert article.status == Article.Status.PENDING
    assert article.author == author
