"""The comment moderation list, a comment's page and the email's Approve page in a real
browser at 1280 and 390 px: they fit, read, and act."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, screenshot
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280", "390"])


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@SIZES
def test_moderation_list_fits_and_approves_in_one_click(page, signed_in_editor, size):
    article = ArticleFactory(
        title="A very long headline about drones, logistics and the Baltic Sea in winter"
    )
    long_words = " ".join(["Supercalifragilisticexpialidocious-logistics", "and"] * 40)
    pending = CommentFactory(
        article=article,
        body=long_words,
        author_email="a.very.long.address.for.a.reader@subdomain.example.net",
        ip_address="2001:db8:85a3:0000:0000:8a2e:0370:7334",
    )
    CommentFactory.create_batch(3, article=article, approved=True)
    url = reverse("admin:comments_comment_changelist") + "?q=example"

    page.set_viewport_size(size)
    page.goto(url)

    overflows = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth - window.innerWidth,
            results: (el => el.scrollWidth - el.clientWidth)(document.querySelector('.results')),
        })"""
    )
    screenshot(page, f"admin-comments-{size['width']}")
    assert overflows == {"page": 0, "results": 0}
    status_box = page.locator("#result_list .column-created_at").bounding_box()
    assert status_box["x"] + status_box["width"] <= size["width"]
    row = page.locator("#result_list tbody tr", has_text=pending.author_name)
    assert row.locator(".comment-status-pending").is_visible()
    assert check_accessibility(page) == []

    with page.expect_navigation():
        row.get_by_role("button", name="Approve").click()

    assert page.url.endswith(url)
    assert "The comment was approved." in page.locator(".messagelist").inner_text()
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


@SIZES
def test_change_page_and_approve_page_fit_and_are_accessible(page, signed_in_editor, size):
    comment = CommentFactory(
        body="The logistics deserve more attention.",
        author_email="a.very.long.address.for.a.reader@subdomain.example.net",
        ip_address="2001:db8:85a3:0000:0000:8a2e:0370:7334",
    )
    page.set_viewport_size(size)

    page.goto(reverse("admin:comments_comment_change", args=[comment.pk]))
    screenshot(page, f"admin-comment-change-{size['width']}")
    assert overflow(page) == 0
    assert page.get_by_role("button", name="Approve").is_visible()
    assert page.get_by_role("textbox", name="Reply").is_visible()
    assert check_accessibility(page) == []

    page.goto(reverse("admin:comments_comment_approve", args=[comment.pk]))
    screenshot(page, f"admin-comment-approve-{size['width']}")
    assert overflow(page) == 0
    assert check_accessibility(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()

    assert "The comment was approved." in page.locator(".messagelist").inner_text()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
