"""The front page as a news site's: sections in the header, a lead story, teasers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory, UserFactory
from tests.factories.media import ImageFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def front_page(client):
    response = client.get(reverse("blog:article-list"))
    assert response.status_code == 200
    return response.content.decode()


def test_header_lists_the_sections_editors_chose_in_their_order(client):
    CategoryFactory(name="Europe", nav_order=2)
    CategoryFactory(name="Air Force", nav_order=1)
    CategoryFactory(name="Misc")  # not in the navigation

    html = front_page(client)

    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert nav.index(">Air Force</a>") < nav.index(">Europe</a>")
    assert 'href="/category/air-force/"' in nav
    assert "Misc" not in nav


def test_no_navigation_bar_when_no_section_is_chosen(client):
    CategoryFactory(name="Misc")

    assert 'class="site-nav"' not in front_page(client)


def test_a_sections_page_marks_its_own_link_in_the_navigation(client):
    europe = CategoryFactory(name="Europe", nav_order=1)
    CategoryFactory(name="Asia", nav_order=2)
    ArticleFactory(categories=[europe])

    html = client.get(europe.get_absolute_url()).content.decode()

    assert f'<a href="{europe.get_absolute_url()}" aria-current="page">Europe</a>' in html
    assert html.count('aria-current="page"') == 1


def test_newest_article_leads_and_the_others_follow_as_teasers(client):
    older = ArticleFactory(title="Older story", published_at=days_ago(2))
    newest = ArticleFactory(title="Newest story", published_at=days_ago(1))
    ArticleFactory(title="Draft story", draft=True)

    html = front_page(client)

    lead = html[html.index('aria-label="Top story"') : html.index('class="teasers"')]
    assert newest.title in lead and older.title not in lead
    assert html.count(newest.title + "</a></h2>") == 1  # the lead is not repeated below
    assert html.index('class="teasers"') < html.index(older.title)
    assert "Draft story" not in html


def test_teaser_shows_section_headline_excerpt_byline_date_and_continue_link(client):
    europe = CategoryFactory(name="Europe")
    author = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    article = ArticleFactory(
        title="Drones over the Black Sea",
        excerpt="Patrols doubled this week.",
        categories=[europe],
        author=author,
        published_at=timezone.make_aware(timezone.datetime(2025, 3, 4, 12)),
    )
    ArticleFactory(published_at=timezone.now())  # the lead: the story above is a teaser

    html = front_page(client)

    teaser = html[html.index('class="teasers"') :]
    url = article.get_absolute_url()
    assert f'<a href="{europe.get_absolute_url()}" rel="category tag">Europe</a>' in teaser
    assert f'<a href="{url}" rel="bookmark">Drones over the Black Sea</a>' in teaser
    assert "Patrols doubled this week." in teaser
    assert '<a class="author" href="/author/jdoe/" rel="author">Jane Doe</a>' in teaser
    assert "March 4, 2025" in teaser
    assert f'<a class="more-link" href="{url}">Continue reading' in teaser


def test_byline_falls_back_to_the_login_name(client):
    ArticleFactory(author=UserFactory(username="reporter7"))

    html = front_page(client)

    assert '<a class="author" href="/author/reporter7/" rel="author">reporter7</a>' in html


def test_article_byline_links_to_the_authors_archive(client):
    article = ArticleFactory(author=UserFactory(username="jdoe", first_name="Jane"))

    html = client.get(article.get_absolute_url()).content.decode()

    assert '<a class="author" href="/author/jdoe/" rel="author">Jane</a>' in html
    assert client.get(reverse("blog:author", args=["jdoe"])).status_code == 200


def test_archives_list_their_articles_as_teasers(client):
    europe = CategoryFactory(name="Europe")
    ArticleFactory.create_batch(2, categories=[europe])

    html = client.get(europe.get_absolute_url()).content.decode()

    assert html.count('<article class="teaser') == 2
    assert 'aria-label="Top story"' not in html  # a lead is the front page's alone


def test_empty_site_says_nothing_is_published(client):
    html = front_page(client)

    assert "Nothing has been published yet." in html
    assert 'aria-label="Top story"' not in html


@pytest.mark.parametrize(
    ("name", "tagline", "heading"),
    [
        (
            "Defence Talks",
            "Defense News Military Pictures",
            "Discover more from Defence Talks | Defense News Military Pictures",
        ),
        ("Defence Talks", "", "Discover more from Defence Talks"),
    ],
)
def test_sign_up_box_names_the_site_and_its_tagline(client, name, tagline, heading):
    SiteSettings.objects.create(pk=1, name=name, tagline=tagline)
    article = ArticleFactory()

    for html in (front_page(client), client.get(article.get_absolute_url()).content.decode()):
        assert f'<h2 id="subscribe-box-title">{heading}</h2>' in html


def test_front_page_costs_the_same_queries_for_two_or_twenty_teasers(
    client, django_assert_num_queries
):
    SiteSettings.load()
    CategoryFactory(name="Europe", nav_order=1)

    def publish(count):
        for _ in range(count):
            ArticleFactory(
                author=UserFactory(first_name="Jane"),
                categories=[CategoryFactory(), CategoryFactory()],
                featured_image=ImageFactory(),
            )

    publish(1 + 2)
    # the lead and its categories, the count, the teasers and their categories, the
    # site settings, the sections in the header, the pages in the footer
    with django_assert_num_queries(8) as two:
        page = front_page(client)
    assert page.count('<article class="teaser') == 1 + 2
    assert page.count("<picture") == 1 + 2
    publish(18)
    with django_assert_num_queries(len(two.captured_queries)):
        page = front_page(client)
    assert page.count('<article class="teaser') == 1 + 20
    assert page.count("<picture") == 1 + 20
