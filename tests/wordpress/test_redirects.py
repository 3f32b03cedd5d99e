"""The old WordPress site's addresses answer 301 to what stands there now, and only to
what readers may see."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blog.archives import author_url
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory
from tests.factories.media import ImageFactory
from tests.factories.pages import PageFactory
from tests.factories.wordpress_links import ImportedItemFactory, LegacyPathFactory
from wordpress.models import ImportedItem
from wordpress.redirects import legacy_path

pytestmark = pytest.mark.django_db

Kind = ImportedItem.Kind
MIDDLEWARE = "wordpress.redirects.LegacyRedirectMiddleware"


def assert_redirects_to(response, url):
    assert response.status_code == 301
    assert response["Location"] == url


# -- old paths ---------------------------------------------------------------------------


def test_old_permalink_answers_301_to_the_article(client):
    article = ArticleFactory(title="Ships in the harbour")
    LegacyPathFactory(path="/ships-in-the-harbour/", target=article)

    response = client.get("/ships-in-the-harbour/")

    assert_redirects_to(response, article.get_absolute_url())
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("stored", ["/ships-in-the-harbour", "/ships-in-the-harbour/"])
def test_old_path_matches_with_or_without_its_trailing_slash(client, stored):
    article = ArticleFactory()
    LegacyPathFactory(path=stored, target=article)

    assert_redirects_to(client.get("/ships-in-the-harbour/"), article.get_absolute_url())
    # Without the slash, APPEND_SLASH adds it first.
    response = client.get("/ships-in-the-harbour", follow=True)
    assert response.redirect_chain[-1] == (article.get_absolute_url(), 301)
    assert response.status_code == 200


@pytest.mark.parametrize("stored", ["/%e6%bc%a2%e5%ad%97/", "/漢字/"])
def test_old_path_with_non_ascii_slug_matches_encoded_or_not(client, stored):
    article = ArticleFactory()
    LegacyPathFactory(path=stored, target=article)

    assert_redirects_to(client.get("/%E6%BC%A2%E5%AD%97/"), article.get_absolute_url())


def test_old_slug_under_a_date_permalink_leads_to_the_article(client):
    # /2024/03/01/old-slug/ resolves to the article view, which answers 404 first.
    article = ArticleFactory(title="New title")
    LegacyPathFactory(path="/2024/03/01/old-slug/", target=article)

    assert_redirects_to(client.get("/2024/03/01/old-slug/"), article.get_absolute_url())


def test_old_category_tag_and_author_archives_lead_to_the_new_ones(client):
    category, tag = CategoryFactory(slug="europe"), TagFactory(slug="ships")
    author = UserFactory(username="jane")
    ArticleFactory(author=author)
    LegacyPathFactory(path="/category/world/europe/", target=category)
    LegacyPathFactory(path="/tag/old-ships/", target=tag)
    LegacyPathFactory(path="/author/jane-roe/", target=author)

    assert_redirects_to(client.get("/category/world/europe/"), category.get_absolute_url())
    assert_redirects_to(client.get("/tag/old-ships/"), tag.get_absolute_url())
    assert_redirects_to(client.get("/author/jane-roe/"), author_url(author))


def test_old_page_path_leads_to_the_page(client):
    page = PageFactory(slug="about-us")
    LegacyPathFactory(path="/about/", target=page)

    assert_redirects_to(client.get("/about/"), page.get_absolute_url())


@pytest.mark.parametrize(
    "hidden",
    [
        lambda: ArticleFactory(draft=True),
        lambda: ArticleFactory(scheduled=True),
        lambda: PageFactory(draft=True),
        lambda: PageFactory(scheduled=True),
        lambda: PageFactory(private=True),
        lambda: UserFactory(),  # an author who has published nothing
    ],
    ids=[
        "draft",
        "scheduled",
        "draft-page",
        "scheduled-page",
        "private-page",
        "author-without-articles",
    ],
)
def test_old_path_of_something_readers_may_not_see_is_not_found(client, hidden):
    target = hidden()
    LegacyPathFactory(path="/secret-plans/", target=target)

    response = client.get("/secret-plans/")

    assert response.status_code == 404
    assert not response.has_header("Location")


def test_old_path_whose_object_was_deleted_is_not_found(client):
    article = ArticleFactory()
    LegacyPathFactory(path="/gone/", target=article)
    article.delete()

    assert client.get("/gone/").status_code == 404


def test_old_permalink_beats_the_sites_guess_for_a_slug_under_another_date(client):
    # WordPress's "dup" of 3 January came in as dup-2: "dup" was taken here by an article
    # of 2 January. The old address has that slug under another date, which the article
    # view would otherwise send to the other article.
    when = datetime(2020, 1, 2, 12, tzinfo=UTC)
    ArticleFactory(slug="dup", published_at=when)
    imported = ArticleFactory(slug="dup-2", published_at=when + timedelta(days=1))
    LegacyPathFactory(path="/2020/01/03/dup/", target=imported)

    assert_redirects_to(client.get("/2020/01/03/dup/"), imported.get_absolute_url())


def test_slug_under_another_date_without_an_old_address_goes_to_the_article(client):
    article = ArticleFactory(slug="dup", published_at=datetime(2020, 1, 2, 12, tzinfo=UTC))

    assert_redirects_to(client.get("/2020/01/03/dup/"), article.get_absolute_url())


def test_unknown_path_is_still_not_found(client):
    assert client.get("/never-was-here/").status_code == 404


def test_path_that_decodes_to_a_nul_is_not_found(client):
    # %2500 reaches the view as "%00"; decoded again for the look-up it is a NUL, which
    # PostgreSQL refuses in a query.
    client.raise_request_exception = False

    assert client.get("/newsletter/mail-events/%2500/1/tracking/").status_code == 404


def test_old_path_is_not_redirected_on_post(client):
    LegacyPathFactory(path="/ships/", target=ArticleFactory())

    assert client.post("/ships/").status_code != 301


def test_page_that_exists_is_answered_even_if_an_old_path_names_it(client):
    article, other = ArticleFactory(), ArticleFactory()
    LegacyPathFactory(path=article.get_absolute_url(), target=other)

    assert client.get(article.get_absolute_url()).status_code == 200


def test_legacy_path_is_the_decoded_path_of_a_url():
    assert legacy_path("https://old.example.com/%C3%BCber/?x=1#top") == "/über/"
    assert legacy_path("about/team/") == "/about/team/"


# -- WordPress's query forms at the front page -----------------------------------------


def test_post_id_at_the_front_page_leads_to_the_article(client):
    article = ArticleFactory()
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=article)

    assert_redirects_to(client.get("/?p=12"), article.get_absolute_url())


def test_page_ids_lead_to_the_page(client):
    page = PageFactory()
    ImportedItemFactory(kind=Kind.PAGE, wp_id=2, target=page)

    assert_redirects_to(client.get("/?page_id=2"), page.get_absolute_url())
    assert_redirects_to(client.get("/?p=2"), page.get_absolute_url())


def test_category_tag_and_author_queries_lead_to_their_archives(client):
    category, tag = CategoryFactory(slug="europe"), TagFactory(slug="ships")
    author = UserFactory(username="jane")
    ArticleFactory(author=author)
    ImportedItemFactory(kind=Kind.CATEGORY, wp_id=5, target=category)
    ImportedItemFactory(kind=Kind.AUTHOR, wp_id=3, target=author)

    assert_redirects_to(client.get("/?cat=5"), category.get_absolute_url())
    assert_redirects_to(client.get("/?tag=ships"), tag.get_absolute_url())
    assert_redirects_to(client.get("/?author=3"), author_url(author))


def test_renamed_tag_query_follows_the_old_tag_archive(client):
    tag = TagFactory(slug="ships-and-boats")
    LegacyPathFactory(path="/tag/ships/", target=tag)

    assert_redirects_to(client.get("/?tag=ships"), tag.get_absolute_url())


def test_attachment_id_leads_to_the_picture_file(client):
    image = ImageFactory()
    ImportedItemFactory(kind=Kind.ATTACHMENT, wp_id=9, target=image)

    assert_redirects_to(client.get("/?attachment_id=9"), image.file.url)


def test_same_id_from_two_sites_leads_to_the_latest_import(client):
    older, newer = ArticleFactory(), ArticleFactory()
    ImportedItemFactory(site_url="https://a.example", wp_id=7, target=older)
    ImportedItemFactory(site_url="https://b.example", wp_id=7, target=newer)

    assert_redirects_to(client.get("/?p=7"), newer.get_absolute_url())


@pytest.mark.parametrize(
    "query",
    ["?p=999", "?p=abc", "?p=-1", "?p=１２", "?cat=0", "?tag=nothing", "?tag=%00", "?author=4"],
)
def test_query_naming_nothing_is_not_found(client, query):
    ArticleFactory()

    assert client.get(f"/{query}").status_code == 404


def test_unknown_id_for_a_signed_in_editor_is_the_404_page(editor_client):
    # The 404 page asks who is signed in: the lookup must come after authentication.
    response = editor_client.get("/?p=999")

    assert response.status_code == 404


def test_query_for_a_draft_is_not_found_and_leaks_nothing(client):
    draft = ArticleFactory(draft=True, title="Secret plans")
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=draft)

    response = client.get("/?p=12")

    assert response.status_code == 404
    assert not response.has_header("Location")
    assert draft.slug not in response.text


def test_front_page_with_other_queries_is_the_front_page(client):
    ArticleFactory(title="Front page story")

    response = client.get("/?utm_source=newsletter")

    assert response.status_code == 200
    assert "Front page story" in response.text


def test_id_query_on_another_page_is_left_alone(client):
    article = ArticleFactory()
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=ArticleFactory())

    assert client.get(f"{article.get_absolute_url()}?p=12").status_code == 200


# -- cacheable, bounded ---------------------------------------------------------------


def test_redirect_is_shared_cacheable_for_anonymous_readers(client, settings):
    settings.SHARED_CACHE_SECONDS = 7
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=ArticleFactory())
    LegacyPathFactory(path="/ships/", target=ArticleFactory())

    for url in ["/?p=12", "/ships/"]:
        response = client.get(url)
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert directives == {"public", "max-age=0", "s-maxage=7"}
        assert not response.cookies


def test_redirect_for_a_signed_in_editor_is_private(editor_client):
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=ArticleFactory())

    response = editor_client.get("/?p=12")

    assert response.status_code == 301
    assert "private" in response["Cache-Control"]


def test_redirects_cost_few_queries(client, django_assert_max_num_queries):
    ImportedItemFactory(kind=Kind.POST, wp_id=12, target=ArticleFactory())
    LegacyPathFactory(path="/ships/", target=ArticleFactory())
    client.get("/?p=12")  # content types are cached after the first use

    with django_assert_max_num_queries(2):
        assert client.get("/?p=12").status_code == 301
    # The 404 of the page view (at most one query) comes first.
    with django_assert_max_num_queries(3):
        assert client.get("/ships/").status_code == 301


def test_pages_that_exist_cost_no_extra_query(client, settings, django_assert_num_queries):
    article = ArticleFactory()
    LegacyPathFactory(path="/ships/", target=article)
    pages = [article.get_absolute_url(), reverse("blog:article-list")]

    def read_pages():
        for url in pages:
            assert client.get(url).status_code == 200

    read_pages()  # what the site caches between requests is warm for both counts
    installed = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [name for name in installed if name != MIDDLEWARE]
    with CaptureQueriesContext(connection) as without:
        read_pages()
    settings.MIDDLEWARE = installed

    with django_assert_num_queries(len(without)):
        read_pages()


@pytest.fixture
def database_down(monkeypatch):
    def refuse():
        raise OperationalError("connection to server at 127.0.0.1 refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def test_old_id_while_the_database_is_down_is_a_503_not_a_500(client, database_down):
    assert client.get("/?p=12").status_code == 503


def test_wordpress_feed_addresses_answer(client):
    ArticleFactory()

    assert client.get("/feed/").status_code == 200
    assert client.get("/comments/feed/").status_code == 200
