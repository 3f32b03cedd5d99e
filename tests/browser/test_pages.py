"""A reader finds the site's pages from the footer and walks their hierarchy."""

import pytest
from django.urls import reverse

from tests.browser.conftest import DESKTOP, PHONE, check_accessibility, screenshot
from tests.factories.pages import PageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def about_pages():
    about = PageFactory(
        title="About us",
        slug="about",
        menu_order=1,
        body="<p>We report on defence and diplomacy.</p>",
    )
    PageFactory(title="Contact", slug="contact", menu_order=2)
    team = PageFactory(
        title="The team", slug="team", parent=about, body="<p>Editors and reporters.</p>"
    )
    PageFactory(title="Editors", slug="editors", parent=team)
    return about


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_reader_goes_from_the_footer_down_the_pages_and_back_up(page, about_pages, viewport):
    page.set_viewport_size(viewport)
    page.goto(reverse("blog:article-list"))

    footer = page.get_by_role("navigation", name="About the site")
    assert footer.get_by_role("link").all_inner_texts() == ["About us", "Contact"]
    footer.get_by_role("link", name="About us").click()
    page.wait_for_url("**/about/")
    assert page.get_by_role("heading", level=1).inner_text() == "About us"

    page.get_by_role("navigation", name="In this section").get_by_role(
        "link", name="The team"
    ).click()
    page.wait_for_url("**/about/team/")
    assert page.title().startswith("The team – ")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert check_accessibility(page) == []
    screenshot(page, f"page-{'desktop' if viewport == DESKTOP else 'phone'}")

    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="About us").click()
    page.wait_for_url("**/about/")
