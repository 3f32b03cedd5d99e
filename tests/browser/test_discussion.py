"""Leaving a comment in a real browser, by mouse and by keyboard alone, with and without
JavaScript."""

import pytest

from comments.forms import CONSENT_LABEL, EMAIL_REQUIRED
from comments.models import Comment
from tests.browser.conftest import check_accessibility
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AWAITING = "Your comment is awaiting moderation."


@pytest.fixture
def article():
    return ArticleFactory(title="Drones over the Baltic")


def active_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_comment_with_a_field_missing_shows_the_error_and_keeps_the_text(page, article):
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("The logistics deserve more attention.")
    form.get_by_role("textbox", name="Name").fill("Ada Reader")

    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    assert page.url.endswith("#respond")
    summary = page.get_by_role("alert")
    assert "Your comment could not be posted" in summary.inner_text()
    assert f"Email: {EMAIL_REQUIRED}" in summary.inner_text()
    page.wait_for_function("document.activeElement.id === 'comment-errors'")
    email_field = page.locator(".comment-form-email")
    assert EMAIL_REQUIRED in email_field.inner_text()
    assert form.get_by_role("textbox", name="Email").get_attribute("aria-invalid") == "true"
    kept = form.get_by_role("textbox", name="Comment").input_value()
    assert kept == "The logistics deserve more attention."
    assert form.get_by_role("textbox", name="Name").input_value() == "Ada Reader"
    assert Comment.objects.count() == 0
    assert check_accessibility(page) == []

    summary.get_by_role("link", name=f"Email: {EMAIL_REQUIRED}").click()
    form.get_by_role("textbox", name="Email").fill("ada@example.net")
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    comment = Comment.objects.get()
    assert f"{article.get_absolute_url()}?unapproved={comment.pk}&" in page.url
    assert page.url.endswith(f"#comment-{comment.pk}")
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
        order.append(active_id(page))
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    order.append(active_id(page))
    page.keyboard.press("Tab")
    order.append(active_id(page))

    # The honeypot (tabindex=-1) is never reached; the consent box and the button are.
    assert order == ["author", "email", "url", "wp-comment-cookies-consent", "submit"]
    with page.expect_navigation():
        page.keyboard.press("Enter")

    comment = Comment.objects.get()
    assert page.url.endswith(f"#comment-{comment.pk}")
    assert comment.author_name == "Ada Keys"
    assert AWAITING in page.locator(f"#comment-{comment.pk}").inner_text()


def test_saved_details_are_filled_in_when_the_reader_comes_to_the_form(page, article):
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("Remember me, please.")
    form.get_by_role("textbox", name="Name").fill("Ada Reader")
    form.get_by_role("textbox", name="Email").fill("ada@example.net")
    form.get_by_role("textbox", name="Website").fill("https://ada.example/")
    form.get_by_label(CONSENT_LABEL).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    other = ArticleFactory(title="Another story")
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(other.get_absolute_url())
    form = page.locator("#commentform")
    assert form.get_by_role("textbox", name="Name").input_value() == ""  # the shared page
    assert not [url for url in asked if "author-details" in url]  # not asked on every view

    form.get_by_role("textbox", name="Comment").focus()

    name = form.get_by_role("textbox", name="Name")
    page.wait_for_function("document.getElementById('author').value !== ''")
    assert name.input_value() == "Ada Reader"
    assert form.get_by_role("textbox", name="Email").input_value() == "ada@example.net"
    assert form.get_by_role("textbox", name="Website").input_value() == "https://ada.example/"
    assert form.get_by_label(CONSENT_LABEL).is_checked()


def test_saved_details_leave_what_the_reader_types_alone(page, article):
    page.goto(article.get_absolute_url())
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("First time.")
    form.get_by_role("textbox", name="Name").fill("Ada Reader")
    form.get_by_role("textbox", name="Email").fill("ada@example.net")
    form.get_by_label(CONSENT_LABEL).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    page.goto(article.get_absolute_url())
    with page.expect_response(lambda response: "author-details" in response.url):
        form.get_by_role("textbox", name="Name").fill("Ada R.")

    page.wait_for_function("document.getElementById('email').value !== ''")
    assert form.get_by_role("textbox", name="Name").input_value() == "Ada R."
    assert form.get_by_role("textbox", name="Email").input_value() == "ada@example.net"


def test_reply_link_moves_the_form_under_the_comment_and_back(page, article):
    parent = CommentFactory(article=article, approved=True, author_name="Bo")
    CommentFactory(article=article, approved=True, parent=parent, body="An earlier reply")
    page.goto(article.get_absolute_url())

    page.get_by_role("link", name="Reply to Bo").click()

    respond = page.locator(f"#comment-{parent.pk} > #respond")
    assert respond.count() == 1
    assert page.locator(f"#comment-{parent.pk} > #respond + ol.children").count() == 1
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply to Bo")
    assert active_id(page) == "comment"
    assert page.locator("#comment_parent").input_value() == str(parent.pk)
    assert check_accessibility(page) == []

    page.get_by_role("link", name="Cancel reply").click()

    assert page.locator("#comments > #respond").count() == 1
    assert page.locator("#comment_parent").input_value() == "0"
    assert page.locator("#cancel-comment-reply-link").is_hidden()

    page.get_by_role("link", name="Reply to Bo").click()
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("A reply by script.")
    form.get_by_role("textbox", name="Name").fill("Cy")
    form.get_by_role("textbox", name="Email").fill("cy@example.net")
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()

    reply = Comment.objects.get(body="A reply by script.")
    assert reply.parent == parent
    assert page.locator(f"#comment-{parent.pk} ol.children #comment-{reply.pk}").count() == 1


def test_reply_link_works_without_javascript(browser, live_server, article):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    parent = CommentFactory(article=article, approved=True, author_name="Bo")
    page.goto(article.get_absolute_url())

    with page.expect_navigation():
        page.get_by_role("link", name="Reply to Bo").click()

    assert page.locator(f"#comment-{parent.pk} > #respond").count() == 1
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply to Bo")
    form = page.locator("#commentform")
    form.get_by_role("textbox", name="Comment").fill("A reply without script.")
    form.get_by_role("textbox", name="Name").fill("Cy")
    form.get_by_role("textbox", name="Email").fill("cy@example.net")
    with page.expect_navigation():
        form.get_by_role("button", name="Post Comment").click()
    context.close()

    assert Comment.objects.get(body="A reply without script.").parent == parent
