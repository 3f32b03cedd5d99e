from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from blog.models import CATEGORY_CYCLE_MESSAGE, Article, Category, SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [article.title for article in response.context["articles"]]


def test_category_archive_shows_its_published_articles_and_its_subcategories(client):
    europe = CategoryFactory(name="Europe", description="News from the continent.")
    balkans = CategoryFactory(name="Balkans", parent=europe)
    ArticleFactory(title="In Europe", categories=[europe])
    ArticleFactory(title="In the Balkans", categories=[balkans])
    ArticleFactory(title="Elsewhere", categories=[CategoryFactory(name="Asia")])
    ArticleFactory(title="A draft in Europe", draft=True, categories=[europe])
    ArticleFactory(title="Scheduled in Europe", scheduled=True, categories=[europe])

    response = client.get(reverse("blog:category", kwargs={"slug": "europe"}))

    assert response.status_code == 200
    assert sorted(titles(response)) == ["In Europe", "In the Balkans"]
    page = response.content.decode()
    assert "<title>Europe – Broadsheet</title>" in page
    assert "News from the continent." in page
    assert "A draft in Europe" not in page and "Scheduled in Europe" not in page


def test_subcategory_archive_names_its_parents(client):
    europe = CategoryFactory(name="Europe")
    balkans = CategoryFactory(name="Balkans", parent=europe)
    ArticleFactory(categories=[balkans])

    response = client.get(balkans.get_absolute_url())

    assert response.context["archive"].ancestors == [europe]
    assert f'<a href="{europe.get_absolute_url()}">Europe</a>' in response.content.decode()


def test_tag_archive_shows_only_published_articles_with_the_tag(client):
    drones = TagFactory(name="drones")
    ArticleFactory(title="Drones over the sea", tags=[drones])
    ArticleFactory(title="Tanks", tags=[TagFactory(name="tanks")])
    ArticleFactory(title="Drone draft", draft=True, tags=[drones])

    response = client.get(reverse("blog:tag", kwargs={"slug": "drones"}))

    assert response.status_code == 200
    assert titles(response) == ["Drones over the sea"]
    assert "<title>drones – Broadsheet</title>" in response.content.decode()


def test_author_archive_shows_the_authors_published_articles(client):
    jane = UserFactory(username="jane", first_name="Jane", last_name="Doe")
    ArticleFactory(title="By Jane", author=jane)
    ArticleFactory(title="Jane's draft", author=jane, draft=True)
    ArticleFactory(title="By someone else", author=UserFactory())

    response = client.get(reverse("blog:author", kwargs={"username": "jane"}))

    assert response.status_code == 200
    assert titles(response) == ["By Jane"]
    assert "<title>Jane Doe – Broadsheet</title>" in response.content.decode()


def test_author_with_nothing_published_has_no_page(client):
    UserFactory(username="quiet")
    ArticleFactory(author=UserFactory(username="drafter"), draft=True)

    for username in ("quiet", "drafter", "nobody"):
        response = client.get(reverse("blog:author", kwargs={"username": username}))
        assert response.status_code == 404


def test_month_archive_shows_that_months_published_articles(client):
    def at(year, month, day):
        return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())

    ArticleFactory(title="First of March", published_at=at(2025, 3, 1))
    ArticleFactory(title="End of March", published_at=at(2025, 3, 31).replace(hour=23, minute=59))
    ArticleFactory(title="February", published_at=at(2025, 2, 28))
    ArticleFactory(title="April", published_at=at(2025, 4, 1))

    response = client.get(reverse("blog:month-archive", kwargs={"year": "2025", "month": "03"}))

    assert response.status_code == 200
    assert titles(response) == ["End of March", "First of March"]
    assert "<title>March 2025 – Broadsheet</title>" in response.content.decode()


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_month_that_does_not_exist_is_not_found(client, month):
    response = client.get(f"/2025/{month}/")

    assert response.status_code == 404


def test_empty_month_is_not_found(client):
    response = client.get(reverse("blog:month-archive", kwargs={"year": "1999", "month": "01"}))

    assert response.status_code == 404


def test_unknown_category_or_tag_is_not_found(client):
    assert client.get(reverse("blog:category", kwargs={"slug": "nope"})).status_code == 404
    assert client.get(reverse("blog:tag", kwargs={"slug": "nope"})).status_code == 404


def test_archive_pages_are_paginated(client):
    tag = TagFactory()
    ArticleFactory.create_batch(12, tags=[tag])

    first = client.get(tag.get_absolute_url())
    second = client.get(tag.get_absolute_url(), {"page": 2})

    assert len(first.context["articles"]) == 10
    assert len(second.context["articles"]) == 2
    assert "Page 2 of 2" in second.content.decode()
    assert f'href="http://127.0.0.1:8000{tag.get_absolute_url()}?page=2"' in second.content.decode()


def test_archive_pages_link_their_feed_in_the_head(client):
    category = CategoryFactory()
    ArticleFactory(categories=[category])

    page = client.get(category.get_absolute_url()).content.decode()

    feed_url = reverse("blog:category-feed", kwargs={"slug": category.slug})
    title = f"Broadsheet – Category: {category.name}"
    assert f'type="application/rss+xml" title="{title}" href="{feed_url}"' in page


def test_entries_link_their_categories_and_author(client):
    category = CategoryFactory(name="Europe")
    ArticleFactory(categories=[category], author=UserFactory(username="jane"))

    page = client.get(reverse("blog:article-list")).content.decode()

    assert f'href="{category.get_absolute_url()}" rel="category tag">Europe</a>' in page
    assert f'href="{reverse("blog:author", kwargs={"username": "jane"})}"' in page


@pytest.mark.parametrize("size", [2, 10])  # 2: the front page's lead and one teaser
def test_archive_pages_cost_the_same_queries_whatever_the_page_size(
    client, django_assert_num_queries, size
):
    SiteSettings.load()
    parent = CategoryFactory()
    category = CategoryFactory(parent=parent)
    tag = TagFactory()
    author = UserFactory(username="writer")
    for _ in range(size):
        ArticleFactory(
            categories=[category, CategoryFactory()],
            tags=[tag],
            author=author,
            published_at=datetime(2025, 5, 5, tzinfo=timezone.get_current_timezone()),
        )
    pages = {
        # archive row(s), count, page, categories of the page's articles, site settings,
        # the sections in the header, the pages in the footer
        category.get_absolute_url(): 8,  # + all categories, for the family
        tag.get_absolute_url(): 7,
        # + whether the archive is empty (then: not found)
        reverse("blog:author", kwargs={"username": "writer"}): 8,
        reverse("blog:month-archive", kwargs={"year": "2025", "month": "05"}): 7,
        # no archive row; + the lead story and its categories
        reverse("blog:article-list"): 8,
    }
    for url, queries in pages.items():
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_category_cannot_be_moved_under_its_own_subcategory():
    europe = CategoryFactory(name="Europe")
    balkans = CategoryFactory(name="Balkans", parent=europe)
    europe.parent = balkans

    with pytest.raises(Exception) as error:
        europe.full_clean()

    assert CATEGORY_CYCLE_MESSAGE in str(error.value)


def test_editors_may_manage_categories_and_tags():
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))

    for model in ("category", "tag"):
        assert {f"{action}_{model}" for action in ("add", "change", "delete", "view")} <= codenames


def test_editor_sets_categories_and_tags_in_the_admin(editor_client):
    category = CategoryFactory(name="Europe")
    tag = TagFactory(name="drones")

    response = editor_client.post(
        reverse("admin:blog_article_add"),
        {
            "title": "Filed under Europe",
            "slug": "filed-under-europe",
            "body": "Text.",
            "excerpt": "",
            "status": "published",
            "published_at_0": "2025-05-05",
            "published_at_1": "10:00:00",
            "author": "",
            "categories": [category.pk],
            "tags": [tag.pk],
            "related_links-TOTAL_FORMS": "0",
            "related_links-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="filed-under-europe")
    assert list(article.categories.all()) == [category]
    assert list(article.tags.all()) == [tag]


def test_editor_adds_a_subcategory_in_the_admin(editor_client):
    europe = CategoryFactory(name="Europe")

    response = editor_client.post(
        reverse("admin:blog_category_add"),
        {"name": "Balkans", "slug": "balkans", "parent": europe.pk, "description": ""},
    )

    assert response.status_code == 302
    assert Category.objects.get(slug="balkans").parent == europe


def test_editor_finds_tags_and_categories_through_the_article_forms_autocomplete(
    editor_client,
):
    TagFactory(name="drones")
    CategoryFactory(name="Europe")

    for field, term, expected in (("tags", "dro", "drones"), ("categories", "eur", "Europe")):
        response = editor_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "blog", "model_name": "article", "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert [result["text"] for result in response.json()["results"]] == [expected]


def test_editor_lists_categories_and_tags_in_the_admin(editor_client):
    CategoryFactory(name="Europe")
    TagFactory(name="drones")

    assert "Europe" in editor_client.get(reverse("admin:blog_category_changelist")).content.decode()
    assert "drones" in editor_client.get(reverse("admin:blog_tag_changelist")).content.decode()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # A NUL byte anywhere in a path is refused before routing (security middleware).
        ("/author/%00/", 400),
        ("/author/a%00b/", 400),
        ("/author/a%00b/feed/", 400),
        ("/author/a%20b/", 404),
        ("/author/a%2Fb/", 404),
    ],
)
def test_author_address_that_cannot_be_a_username_is_refused(client, path, status):
    UserFactory(username="ab")

    assert client.get(path).status_code == status


def test_author_address_takes_any_valid_username(client):
    author = UserFactory(username="jane.doe+news@example-1_x")
    ArticleFactory(title="By Jane", author=author)

    url = reverse("blog:author", kwargs={"username": author.username})

    assert url == "/author/jane.doe+news@example-1_x/"
    assert titles(client.get(url)) == ["By Jane"]
