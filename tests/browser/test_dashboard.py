"""The editors' desk in Chromium at 1280 and 390 px: the dashboard on the admin index,
and an article as a signed-in editor sees it (toolbar, held comments, Approve)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from newsletter.models import Delivery, Mailing
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, screenshot
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])


@pytest.fixture
def busy_desk():
    article = ArticleFactory(
        title="A very long headline about harbour cranes, ferries and the strike that ended"
    )
    for n in range(6):
        CommentFactory(
            article=article,
            author_name=f"Commenter {n}",
            author_email="a.very.long.address.for.a.reader@subdomain.example.net",
            body=" ".join(["Supercalifragilistic-harbour-logistics", "and"] * 20),
            created_at=timezone.now() - timedelta(minutes=10 - n),
        )
    ArticleFactory(title="Budget vote tonight: what each party wants", scheduled=True)
    ArticleFactory(title="Half-written profile of the new harbour master", draft=True)
    SubscriberFactory.create_batch(3)
    mailing = Mailing.objects.create(article=article, audience_cutoff=timezone.now())
    for status in (Delivery.Status.SENT, Delivery.Status.SENT, Delivery.Status.FAILED):
        Delivery.objects.create(
            mailing=mailing, subscriber=SubscriberFactory(confirmed=True), status=status
        )
    return article


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@SIZES
def test_dashboard_fits_reads_and_approves(page, signed_in_editor, busy_desk, size):
    page.set_viewport_size(size)
    page.goto(reverse("admin:index"))

    screenshot(page, f"admin-dashboard-{size['width']}")
    assert overflow(page) == 0
    desk = page.locator(".desk")
    for heading in ("Pending comments", "Scheduled", "Drafts", "Latest sign-ups",
                    "Last newsletter"):  # fmt: skip
        assert desk.get_by_role("heading", name=heading).is_visible()
    assert desk.get_by_text("Budget vote tonight").is_visible()
    assert desk.locator(".desk-count-sent dd").inner_text() == "2"
    assert desk.locator(".desk-count-failed dd").inner_text() == "1"
    # The app list is still below the panels.
    assert page.locator(".app-blog").is_visible()
    assert check_accessibility(page) == []

    newest = page.locator(".desk-comment", has_text="Commenter 5")
    with page.expect_navigation():
        newest.get_by_role("button", name="Approve").click()

    assert page.url.endswith(reverse("admin:index"))
    assert "The comment was approved." in page.locator(".messagelist").inner_text()
    assert Comment.objects.get(author_name="Commenter 5").status == Comment.Status.APPROVED


@SIZES
def test_article_as_an_editor_sees_it_and_approves_from_it(page, signed_in_editor, busy_desk, size):
    page.set_viewport_size(size)
    page.goto(busy_desk.get_absolute_url())

    toolbar = page.get_by_role("navigation", name="Editor")
    assert toolbar.get_by_role("link", name="Edit this article").is_visible()
    assert toolbar.get_by_role("link", name="Dashboard").is_visible()
    assert toolbar.get_by_role("link", name="6 pending comments").is_visible()
    held = page.locator(".pending-comments")
    held.scroll_into_view_if_needed()
    screenshot(page, f"article-editor-{size['width']}")
    assert overflow(page) == 0
    assert held.get_by_text("Awaiting moderation: 6 comments").is_visible()
    assert check_accessibility(page) == []

    first = page.locator(".pending-comment", has_text="Commenter 0")
    with page.expect_navigation():
        first.get_by_role("button", name="Approve").click()

    assert page.url.endswith(f"{busy_desk.get_absolute_url()}#comments")
    assert page.get_by_role("status").get_by_text("The comment was approved.").is_visible()
    assert page.locator(".comment-list").get_by_text("Commenter 0").is_visible()
    assert held.get_by_text("Awaiting moderation: 5 comments").is_visible()


def test_reader_sees_no_toolbar_and_no_held_comment(page, busy_desk):
    page.goto(busy_desk.get_absolute_url())

    assert page.get_by_role("navigation", name="Editor").count() == 0
    assert page.locator(".pending-comments").count() == 0
    assert page.get_by_text("Commenter 0").count() == 0
