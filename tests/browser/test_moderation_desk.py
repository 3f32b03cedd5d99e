"""The comment moderation list in a real browser at 1280 px: it fits, reads, and acts."""

import pytest
from django.urls import reverse

from comments.models import Comment
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderation_list_fits_1280px_and_approves_in_one_click(page, signed_in_editor):
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

    page.goto(url)

    overflow = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth - window.innerWidth,
            results: (el => el.scrollWidth - el.clientWidth)(document.querySelector('.results')),
        })"""
    )
    screenshot(page, "admin-comments-desktop")
    assert overflow == {"page": 0, "results": 0}
    status_box = page.locator("#result_list .column-created_at").bounding_box()
    assert status_box["x"] + status_box["width"] <= 1280
    row = page.locator("#result_list tbody tr", has_text=pending.author_name)
    assert row.locator(".comment-status-pending").is_visible()
    assert check_accessibility(page) == []

    with page.expect_navigation():
        row.get_by_role("button", name="Approve").click()

    assert page.url.endswith(url)
    assert "The comment was approved." in page.locator(".messagelist").inner_text()
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_change_page_and_approve_page_are_accessible(page, signed_in_editor):
    comment = CommentFactory(body="The logistics deserve more attention.")

    page.goto(reverse("admin:comments_comment_change", args=[comment.pk]))
    screenshot(page, "admin-comment-change-desktop")
    assert page.get_by_role("button", name="Approve").is_visible()
    assert page.get_by_role("textbox", name="Reply").is_visible()
    assert check_accessibility(page) == []

    page.goto(reverse("admin:comments_comment_approve", args=[comment.pk]))
    screenshot(page, "admin-comment-approve-desktop")
    assert check_accessibility(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Approve").click()

    assert "The comment was approved." in page.locator(".messagelist").inner_text()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
