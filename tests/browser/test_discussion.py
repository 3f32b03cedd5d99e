"""Leaving a comment in a real browser, by mouse and by keyboard alone."""

import pytest

from comments.forms import EMAIL_REQUIRED
from comments.models import Comment
from tests.browser.conftest import check_accessibility
from tests.factories.blog import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AWAITING = "Your comment is awaiting moderation."


@pytest.fixture
def article():
    return ArticleFactory(title="Drones over the Baltic")


def test_comment_with_a_field_missing_shows_the_error_and_keeps_the_text(page, article):
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("The logistics deserve more attention.")
    form.get_by_role("textbox", name="Name").fill("Ada Reader")

    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    email_field = page.locator(".comment-form-email")
    assert EMAIL_REQUIRED in email_field.inner_text()
    kept = form.get_by_role("textbox", name="Comment").input_value()
    assert kept == "The logistics deserve more attention."
    assert form.get_by_role("textbox", name="Name").input_value() == "Ada Reader"
    assert Comment.objects.count() == 0

    form.get_by_role("textbox", name="Email").fill("ada@example.net")
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    comment = Comment.objects.get()
    assert page.url.endswith(f"{article.get_absolute_url()}#comment-{comment.pk}")
    own = page.locator(f"#comment-{comment.pk}")
    assert "The logistics deserve more attention." in own.inner_text()
    assert AWAITING in own.inner_text()
    assert check_accessibility(page) == []


def test_keyboard_only_reader_fills_and_sends_the_comment_form(page, article):
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").focus()

    page.keyboard.type("Sent without a mouse.")
    order = []
    for text in ("Ada Keys", "ada@example.net", ""):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.id"))
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    order.append(page.evaluate("document.activeElement.id"))
    page.keyboard.press("Tab")
    order.append(page.evaluate("document.activeElement.id"))

    # The honeypot (tabindex=-1) is never reached; the consent box and the button are.
    assert order == ["author", "email", "url", "wp-comment-cookies-consent", "submit"]
    with page.expect_navigation():
        page.keyboard.press("Enter")

    comment = Comment.objects.get()
    assert page.url.endswith(f"#comment-{comment.pk}")
    assert comment.author_name == "Ada Keys"
    assert AWAITING in page.locator(f"#comment-{comment.pk}").inner_text()
