"""Subscribing to the newsletter from the article page, in a real browser."""

import pytest

from newsletter.forms import EMAIL_INVALID
from newsletter.models import Subscriber
from tests.browser.conftest import check_accessibility
from tests.factories.blog import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_subscribes_by_keyboard_and_is_told_to_check_the_inbox(page, mailoutbox):
    article = ArticleFactory(title="Drones over the Baltic")
    page.goto(article.get_absolute_url())
    box = page.get_by_role("region", name="Discover more from")
    field = box.get_by_role("textbox", name="Email address")

    field.focus()
    page.keyboard.type("not an address")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Subscribe"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert EMAIL_INVALID in page.locator(".subscribe-field").inner_text()
    assert page.get_by_role("textbox", name="Email address").input_value() == "not an address"
    assert not Subscriber.objects.exists()

    page.get_by_role("textbox", name="Email address").fill("ada@example.net")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert Subscriber.objects.get().email == "ada@example.net"
    assert [message.to for message in mailoutbox] == [["ada@example.net"]]
    assert check_accessibility(page) == []
