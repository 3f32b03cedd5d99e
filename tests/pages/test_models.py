from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from pages import addresses
from pages.models import (
    PAGE_CYCLE_MESSAGE,
    PATH_IN_USE_MESSAGE,
    PATH_RESERVED_MESSAGE,
    Page,
)
from tests.factories.blog import UserFactory
from tests.factories.pages import PageFactory

pytestmark = pytest.mark.django_db


def test_a_page_inside_another_has_an_address_inside_it():
    about = PageFactory(slug="about")
    team = PageFactory(slug="team", parent=about)

    assert about.get_absolute_url() == "/about/"
    assert team.get_absolute_url() == "/about/team/"


def test_renaming_or_moving_a_page_moves_its_subpages_with_it():
    about = PageFactory(slug="about")
    team = PageFactory(slug="team", parent=about)
    editors = PageFactory(slug="editors", parent=team)
    company = PageFactory(slug="company")

    about.slug = "who-we-are"
    about.save()
    assert Page.objects.get(pk=editors.pk).path == "who-we-are/team/editors"

    team.refresh_from_db()
    team.parent = company
    team.save()
    assert set(Page.objects.values_list("path", flat=True)) == {
        "who-we-are",
        "company",
        "company/team",
        "company/team/editors",
    }


def test_a_similar_address_in_another_case_is_not_taken_for_a_subpage():
    upper = PageFactory(slug="About")
    PageFactory(slug="about")
    PageFactory(slug="team", parent=upper)

    upper.slug = "Info"
    upper.save()

    assert set(Page.objects.values_list("path", flat=True)) == {"Info", "about", "Info/team"}


def test_a_page_cannot_sit_inside_itself_or_its_subpages():
    about = PageFactory(slug="about")
    team = PageFactory(slug="team", parent=about)

    about.parent = team
    with pytest.raises(ValidationError) as raised:
        about.full_clean()
    assert raised.value.message_dict["parent"] == [PAGE_CYCLE_MESSAGE]

    about.parent = about
    with pytest.raises(ValidationError):
        about.full_clean()


def test_two_pages_cannot_share_an_address():
    about = PageFactory(slug="about")
    PageFactory(slug="team", parent=about)
    clash = Page(title="Team", slug="team", parent=about)

    with pytest.raises(ValidationError) as raised:
        clash.full_clean()

    assert raised.value.message_dict["slug"] == [PATH_IN_USE_MESSAGE.format(url="/about/team/")]
    with pytest.raises(IntegrityError):
        clash.save()  # and the database refuses what skipped the check


def test_a_rename_that_would_give_a_subpage_too_long_an_address_is_refused():
    top = PageFactory(slug="a" * 190)
    middle = PageFactory(slug="b" * 200, parent=top)
    PageFactory(title="Deep down", slug="c" * 100, parent=middle)

    top.slug = "a" * 195
    top.full_clean()  # 497 characters: still fits
    top.slug = "a" * 200
    with pytest.raises(ValidationError) as raised:
        top.full_clean()

    message = raised.value.message_dict["slug"][0]
    assert message.startswith("Its subpage “Deep down” would move to /aaaa")
    assert "longer than 500 characters" in message


@pytest.mark.parametrize(
    "slug",
    ["admin", "comments", "newsletter", "privacy", "category", "tag", "author", "feed",
     "search", "2024", "media", "static", "Admin"],
)  # fmt: skip
def test_an_address_the_rest_of_the_site_answers_is_refused(slug):
    page = Page(title="Clash", slug=slug)

    with pytest.raises(ValidationError) as raised:
        page.full_clean()

    assert raised.value.message_dict["slug"] == [PATH_RESERVED_MESSAGE.format(url=f"/{slug}/")]


@pytest.mark.parametrize("slug", ["about", "contact", "privacy-policy", "feeds", "2024x", "12"])
def test_ordinary_slugs_are_free(slug):
    assert not addresses.is_taken(slug)
    Page(title="Fine", slug=slug).full_clean()


def test_reserved_words_come_from_the_urlconf(settings):
    settings.ROOT_URLCONF = "tests.pages.urls_without_blog"

    assert not addresses.is_taken("category")
    assert addresses.is_taken("admin")


def test_published_means_published_and_its_time_has_come():
    live = PageFactory()
    PageFactory(draft=True)
    PageFactory(private=True)
    PageFactory(scheduled=True)

    assert list(Page.objects.published()) == [live]


def test_editors_may_read_every_page_and_readers_only_published_ones(editor):
    live, draft, private = PageFactory(), PageFactory(draft=True), PageFactory(private=True)
    reader = UserFactory()

    assert set(Page.objects.readable_by(editor)) == {live, draft, private}
    assert list(Page.objects.readable_by(reader)) == [live]
    assert list(Page.objects.readable_by(AnonymousUser())) == [live]


def test_publishing_without_a_time_publishes_now():
    page = PageFactory(draft=True)

    page.status = Page.Status.PUBLISHED
    page.save()

    assert page.published_at <= timezone.now()
    assert page.published_at > timezone.now() - timedelta(minutes=1)
    assert list(Page.objects.published()) == [page]


def test_body_is_cleaned_on_save():
    page = PageFactory(body='<p onclick="x()">Hello</p><script>alert(1)</script>')

    page.refresh_from_db()
    assert "script" not in page.body
    assert "onclick" not in page.body
    assert "Hello" in page.body
