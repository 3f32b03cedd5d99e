"""The front page in a real browser at a desktop's and a phone's width."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog import importers
from tests.browser.conftest import PHONE, check_accessibility, screenshot
from tests.factories.blog import ArticleFactory, CategoryFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ["World", "Europe", "Middle East", "Air Force", "Navy", "Army", "Industry"]
STORIES = [
    ("Navy", "Frigate programme passes its final design review ahead of schedule"),
    ("Air Force", "Fighter squadrons rehearse dispersed operations from highway strips"),
    ("Europe", "Baltic states agree to pool air defence radars along the eastern flank"),
    ("Industry", "Shipyard order books swell as navies race to replace ageing hulls"),
    ("Army", "Armoured brigade tests drone-spotting teams in winter manoeuvres"),
    ("World", "Talks on a grain corridor resume after a month of silence"),
    ("Middle East", "Gulf states expand joint patrols in the Strait of Hormuz"),
]


@pytest.fixture
def front_page_site(seed_path):
    """The seed article (which names the site) and a week of stories in seven sections."""
    lead = importers.import_path(seed_path).article
    sections = {
        name: CategoryFactory(name=name, nav_order=order) for order, name in enumerate(SECTIONS, 1)
    }
    lead.categories.add(sections["World"])
    lead.author = UserFactory(username="mkaya", first_name="Mehmet", last_name="Kaya")
    lead.published_at = timezone.now()
    lead.save()
    reporters = [
        UserFactory(username="jdoe", first_name="Jane", last_name="Doe"),
        UserFactory(username="pnovak", first_name="Petra", last_name="Novák"),
        UserFactory(username="desk"),
    ]
    for days, (section, title) in enumerate(STORIES, 1):
        ArticleFactory(
            title=title,
            categories=[sections[section]],
            author=reporters[days % len(reporters)],
            published_at=timezone.now() - timedelta(days=days),
        )
    return lead


def test_desktop_front_page_leads_with_the_top_story_over_a_grid_of_teasers(page, front_page_site):
    page.goto(reverse("blog:article-list"))

    lead = page.get_by_role("region", name="Top story")
    assert lead.get_by_role("heading", level=2).inner_text() == front_page_site.title
    nav = page.get_by_role("navigation", name="Sections")
    assert nav.get_by_role("link").all_inner_texts() == [name.upper() for name in SECTIONS]
    tops = [box["y"] for box in (t.bounding_box() for t in page.locator(".teasers .teaser").all())]
    assert tops[0] == tops[1] == tops[2] < tops[3]  # three columns
    assert check_accessibility(page) == []
    screenshot(page, "front-desktop")


def test_phone_front_page_fits_the_screen_and_its_sections_can_be_opened(page, front_page_site):
    page.set_viewport_size(PHONE)
    page.goto(reverse("blog:article-list"))

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    lead = page.get_by_role("region", name="Top story")
    assert lead.get_by_role("link", name=front_page_site.title, exact=True).is_visible()
    tops = [box["y"] for box in (t.bounding_box() for t in page.locator(".teasers .teaser").all())]
    assert tops == sorted(set(tops))  # one column
    assert check_accessibility(page) == []
    screenshot(page, "front-phone")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Navy").click()

    page.wait_for_url(f"**{reverse('blog:category', args=['navy'])}")
    assert page.get_by_role("heading", level=1).inner_text() == "Navy"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "section-phone")


def test_article_fits_a_phone_and_its_byline_leads_to_the_authors_archive(page, front_page_site):
    page.set_viewport_size(PHONE)
    page.goto(front_page_site.get_absolute_url())

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "article-phone")
    page.locator(".entry-meta").get_by_role("link", name="Mehmet Kaya").click()

    page.wait_for_url(f"**{reverse('blog:author', args=['mkaya'])}")
    assert page.get_by_role("heading", level=1).inner_text() == "Mehmet Kaya"
