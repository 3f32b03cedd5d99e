from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory
from tests.feeds import fetch_feed

pytestmark = pytest.mark.django_db

SITE_URL = "http://127.0.0.1:8000"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


@pytest.mark.parametrize(
    ("name", "version"), [("blog:feed", "rss20"), ("blog:feed-atom", "atom10")]
)
def test_site_feed_lists_the_latest_published_articles(client, name, version):
    SiteSettings.objects.create(pk=1, name="Defence Talks", tagline="Defense News")
    author = UserFactory(first_name="Jane", last_name="Doe", email="jane@example.org")
    article = ArticleFactory(title="Drones & <radar>", author=author, tags=[TagFactory(name="x")])
    ArticleFactory(title="A draft", draft=True)
    ArticleFactory(title="Scheduled", scheduled=True)

    response, feed = fetch_feed(client, reverse(name))

    assert feed.version == version
    assert feed.feed.title == "Defence Talks"
    assert [entry.title for entry in feed.entries] == ["Drones & <radar>"]
    entry = feed.entries[0]
    assert entry.link == f"{SITE_URL}{article.get_absolute_url()}"
    assert entry.author_detail.name == "Jane Doe"
    assert [tag.term for tag in entry.tags] == ["x"]
    assert b"jane@example.org" not in response.content
    assert b"@" not in response.content.replace(b"http://", b"")


def test_category_and_tag_feeds_carry_their_archives_articles(client):
    category = CategoryFactory(name="Europe")
    tag = TagFactory(name="drones")
    ArticleFactory(title="In Europe", categories=[category])
    ArticleFactory(title="About drones", tags=[tag])
    ArticleFactory(title="Neither")

    _, by_category = fetch_feed(client, reverse("blog:category-feed", kwargs={"slug": "europe"}))
    _, by_tag = fetch_feed(client, reverse("blog:tag-feed", kwargs={"slug": "drones"}))

    assert [entry.title for entry in by_category.entries] == ["In Europe"]
    assert by_category.feed.title == "Broadsheet – Category: Europe"
    assert by_category.feed.link == f"{SITE_URL}{category.get_absolute_url()}"
    assert [entry.title for entry in by_tag.entries] == ["About drones"]


def test_author_feed_carries_the_authors_articles(client):
    author = UserFactory(username="jane")
    ArticleFactory(title="By Jane", author=author)
    ArticleFactory(title="By someone else")

    _, feed = fetch_feed(client, reverse("blog:author-feed", kwargs={"username": "jane"}))

    assert [entry.title for entry in feed.entries] == ["By Jane"]


def test_feed_of_unknown_category_is_not_found(client):
    assert client.get(reverse("blog:category-feed", kwargs={"slug": "nope"})).status_code == 404


def test_pages_announce_the_site_feeds(client):
    page = client.get(reverse("blog:article-list")).content.decode()

    rss, atom = reverse("blog:feed"), reverse("blog:feed-atom")
    assert f'type="application/rss+xml" title="Broadsheet – RSS" href="{rss}"' in page
    assert f'type="application/atom+xml" title="Broadsheet – Atom" href="{atom}"' in page


@pytest.mark.parametrize("size", [1, 15])
def test_feeds_cost_the_same_queries_whatever_their_length(client, django_assert_num_queries, size):
    tag = TagFactory()
    category = CategoryFactory()
    ArticleFactory.create_batch(size, tags=[tag], categories=[category], author=UserFactory())
    SiteSettings.load()

    # site settings, articles, their categories, their tags (+ the archive's own row(s))
    with django_assert_num_queries(4):
        fetch_feed(client, reverse("blog:feed"))
    with django_assert_num_queries(5):
        fetch_feed(client, reverse("blog:tag-feed", kwargs={"slug": tag.slug}))
    with django_assert_num_queries(6):
        fetch_feed(client, reverse("blog:category-feed", kwargs={"slug": category.slug}))


def test_author_feed_is_not_found_exactly_when_the_author_page_is_not(client):
    UserFactory(username="quiet")
    UserFactory(username="reader", is_staff=False)
    drafty = UserFactory(username="drafty")
    ArticleFactory(author=drafty, draft=True)
    ArticleFactory(author=drafty, scheduled=True)
    ArticleFactory(author=UserFactory(username="jane"))

    for username in ("quiet", "reader", "drafty", "nobody", "jane"):
        page = client.get(reverse("blog:author", kwargs={"username": username}))
        feed = client.get(reverse("blog:author-feed", kwargs={"username": username}))
        assert (username, feed.status_code) == (username, page.status_code)
    assert client.get(reverse("blog:author-feed", kwargs={"username": "drafty"})).status_code == 404


def test_month_feed_carries_that_months_published_articles(client):
    def at(year, month, day):
        return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())

    ArticleFactory(title="First of March", published_at=at(2025, 3, 1))
    ArticleFactory(title="End of March", published_at=at(2025, 3, 31))
    ArticleFactory(title="April", published_at=at(2025, 4, 1))
    url = reverse("blog:month-feed", kwargs={"year": "2025", "month": "03"})

    _, feed = fetch_feed(client, url)
    page = client.get(reverse("blog:month-archive", kwargs={"year": "2025", "month": "03"}))

    assert url == "/2025/03/feed/"
    assert feed.feed.title == "Broadsheet – Month: March 2025"
    assert feed.feed.link == f"{SITE_URL}/2025/03/"
    assert [entry.title for entry in feed.entries] == ["End of March", "First of March"]
    title = "Broadsheet – Month: March 2025"
    assert f'type="application/rss+xml" title="{title}" href="{url}"' in page.content.decode()


@pytest.mark.parametrize("month", ["00", "13"])
def test_feed_of_a_month_that_does_not_exist_is_not_found(client, month):
    assert client.get(f"/2025/{month}/feed/").status_code == 404


@pytest.mark.parametrize("size", [1, 15])
def test_month_feed_costs_the_same_queries_whatever_its_length(
    client, django_assert_num_queries, size
):
    published = datetime(2025, 3, 10, 12, tzinfo=timezone.get_current_timezone())
    ArticleFactory.create_batch(size, published_at=published, tags=[TagFactory()])
    SiteSettings.load()
    url = reverse("blog:month-feed", kwargs={"year": "2025", "month": "03"})

    # site settings, articles, their categories, their tags
    with django_assert_num_queries(4):
        fetch_feed(client, url)


def test_rss_items_carry_their_byline_as_dc_creator(client):
    ArticleFactory(author=UserFactory(username="jdoe", first_name="Jane", last_name="Doe"))
    ArticleFactory(author=UserFactory(username="desk"))

    response, feed = fetch_feed(client, reverse("blog:feed"))

    xml = response.content.decode()
    assert f'<dc:creator xmlns:dc="{DUBLIN_CORE}">Jane Doe</dc:creator>' in xml
    assert f'<dc:creator xmlns:dc="{DUBLIN_CORE}">desk</dc:creator>' in xml
    assert sorted(entry.author for entry in feed.entries) == ["Jane Doe", "desk"]
