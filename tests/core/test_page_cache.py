"""Reader pages are one document for every anonymous reader, kept by Django's page cache
and by any shared cache in front, and a change readers can see shows at once."""

import gzip
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, SiteSettings
from blog.services import article_publish, article_save
from core import pagecache
from tests.factories.blog import ArticleFactory, RelatedLinkFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

COUNTED = "/pagecache-test/counted/"


@pytest.fixture
def test_pages(page_cache):
    page_cache.ROOT_URLCONF = "tests.core.pagecache_urls"
    page_cache.SHARED_PAGE_NAMESPACES = ["blog", "comments", "pagecache-test"]
    return page_cache


def renders_of(client, url) -> str:
    return client.get(url).text


# -- one page for every anonymous reader ------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda article: article.get_absolute_url(),
        lambda article: reverse("blog:article-list"),
        lambda article: reverse("blog:feed"),
        lambda article: reverse("blog:sitemap"),
        lambda article: reverse("blog:robots"),
        lambda article: reverse("comments:feed"),
    ],
    ids=["article", "home", "feed", "sitemap", "robots", "comments-feed"],
)
def test_reader_pages_are_public_for_shared_caches_and_set_no_cookie(client, settings, url):
    settings.SHARED_CACHE_SECONDS = 7
    article = ArticleFactory()

    response = client.get(url(article))

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=0", "s-maxage=7"}
    assert response.has_header("ETag")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_every_anonymous_reader_gets_the_same_bytes(client):
    article = ArticleFactory(title="One page for all")
    CommentFactory.create_batch(3, article=article, approved=True)
    with_cookies = Client()
    # Cookies the site once set or a reader's browser carries change nothing on a page.
    with_cookies.cookies["csrftoken"] = "x" * 32
    with_cookies.cookies["comment_author_token"] = "whatever"
    with_cookies.cookies["_ga"] = "GA1.1.1"

    first = client.get(article.get_absolute_url())
    second = with_cookies.get(article.get_absolute_url())

    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "nonce" not in first.text
    assert "nonce-" not in first["Content-Security-Policy"]
    assert "csrfmiddlewaretoken" not in first.text


def test_signed_in_editor_gets_private_pages_that_no_one_else_is_served(
    page_cache, editor_client, reader
):
    draft = ArticleFactory(draft=True, title="Preview only")
    published = ArticleFactory(title="Out now")

    preview = editor_client.get(draft.get_absolute_url())
    page = editor_client.get(published.get_absolute_url())

    assert preview.status_code == page.status_code == 200
    assert "private" in preview["Cache-Control"]
    assert "private" in page["Cache-Control"]
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert "public" in reader.get(published.get_absolute_url())["Cache-Control"]


def test_a_session_cookie_alone_makes_the_page_private(client):
    article = ArticleFactory()
    client.cookies["sessionid"] = "stale"

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_only_the_canonical_address_of_a_page_is_shared(client):
    ArticleFactory.create_batch(22)  # the lead and two pages of teasers
    home = reverse("blog:article-list")

    assert "public" in client.get(home, {"page": 2})["Cache-Control"]
    assert "private" in client.get(home, {"utm_source": "x"})["Cache-Control"]
    assert "private" in client.get(home, {"s": "drones"})["Cache-Control"]


def test_not_found_pages_are_not_public(client):
    response = client.get("/2020/01/01/nothing-here/")

    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_forms_posts_and_non_reader_pages_are_private(client):
    assert "private" in client.get(reverse("newsletter:subscribe"))["Cache-Control"]
    assert "private" in client.get(reverse("privacy:request"))["Cache-Control"]


# -- Django's page cache ----------------------------------------------------------------


def test_second_anonymous_request_is_served_without_any_query(
    page_cache, client, reader, django_assert_num_queries
):
    article = ArticleFactory(title="Cached headline")
    CommentFactory.create_batch(5, article=article, approved=True)
    client.get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = reader.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Cached headline" in response.text
    assert "public" in response["Cache-Control"]


def test_home_page_is_served_without_any_query(page_cache, client, django_assert_num_queries):
    ArticleFactory.create_batch(3)
    client.get(reverse("blog:article-list"))

    with django_assert_num_queries(0):
        assert client.get(reverse("blog:article-list")).status_code == 200


def test_pages_of_a_list_are_kept_but_other_query_strings_are_not(
    page_cache, client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory.create_batch(22)  # the lead and two pages of teasers
    home = reverse("blog:article-list")
    client.get(home, {"page": 2})
    client.get(home, {"utm_source": "x"})

    with django_assert_num_queries(0):
        client.get(home, {"page": 2})
    with CaptureQueriesContext(connection) as rendered:
        client.get(home, {"utm_source": "x"})
    assert len(rendered) > 0


def test_signed_in_editor_never_fills_the_cache(test_pages, editor_client, reader):
    editor_client.get(COUNTED)
    before = renders_of(reader, COUNTED)

    assert renders_of(reader, COUNTED) == before
    assert renders_of(editor_client, COUNTED) != before


def test_a_page_that_sets_a_cookie_is_never_shared_or_kept(test_pages):
    Client().get("/pagecache-test/personal/")

    response = Client().get("/pagecache-test/personal/")

    assert response.cookies["seen"].value == "1"
    assert "private" in response["Cache-Control"]


def test_cache_off_renders_every_time(test_pages):
    test_pages.PAGE_CACHE = False

    assert renders_of(Client(), COUNTED) != renders_of(Client(), COUNTED)


def test_page_rendered_while_a_change_commits_is_not_served_as_current(test_pages):
    Client().get("/pagecache-test/racing/")  # stored under a version that moved meanwhile
    renders = Client().get(COUNTED)  # noqa: F841 (a page stored under the current one)
    first = renders_of(Client(), COUNTED)

    assert renders_of(Client(), COUNTED) == first


def test_head_request_is_answered_from_the_cache_without_a_body(
    page_cache, client, django_assert_num_queries
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.head(article.get_absolute_url())

    assert response.status_code == 200
    assert response.content == b""


def test_kept_page_is_kept_compressed_for_browsers_that_accept_gzip(
    page_cache, client, django_assert_num_queries
):
    article = ArticleFactory(title="Compressed once")
    plain = client.get(article.get_absolute_url())
    client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, br"})

    with django_assert_num_queries(0):
        zipped = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, br"})

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert "Content-Encoding" not in client.get(article.get_absolute_url())


class _Shape:
    """A class whose pickles a later deploy can no longer load (the test deletes it)."""


def test_entry_a_deploy_can_no_longer_read_is_a_miss_not_an_error(page_cache, client, monkeypatch):
    article = ArticleFactory(title="After the deploy")
    url = article.get_absolute_url()
    key = pagecache._page_key(RequestFactory().get(url))
    caches["default"].set(key, _Shape())
    monkeypatch.delattr(__import__(__name__, fromlist=["_Shape"]), "_Shape")

    response = client.get(url)

    assert response.status_code == 200
    assert "After the deploy" in response.text


# -- changes show at once ---------------------------------------------------------------


def test_publishing_an_article_shows_it_on_the_kept_home_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    ArticleFactory(title="Already out")
    draft = ArticleFactory(draft=True, title="Fresh news")
    home = reverse("blog:article-list")
    assert "Fresh news" not in client.get(home).text

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)

    assert "Fresh news" in client.get(home).text


def test_editing_an_article_changes_its_kept_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Old title")
    client.get(article.get_absolute_url())

    article.title = "New title"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)

    assert "New title" in client.get(article.get_absolute_url()).text


def test_editing_through_the_admin_changes_the_kept_page_at_once(
    page_cache, editor_client, reader, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Before the edit")
    reader.get(article.get_absolute_url())
    change_url = reverse("admin:blog_article_change", args=[article.pk])
    data = {
        "title": "After the edit",
        "slug": article.slug,
        "body": article.body,
        "excerpt": "",
        "status": "published",
        "published_at_0": timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        "author": "",
        "related_links-TOTAL_FORMS": "0",
        "related_links-INITIAL_FORMS": "0",
    }

    with django_capture_on_commit_callbacks(execute=True):
        saved = editor_client.post(change_url, data)

    assert saved.status_code == 302
    assert "After the edit" in reader.get(article.get_absolute_url()).text


def test_adding_a_see_also_link_changes_the_kept_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        RelatedLinkFactory(article=article, target=ArticleFactory(title="Linked piece"))

    assert "Linked piece" in client.get(article.get_absolute_url()).text


def test_changing_site_settings_changes_every_kept_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    client.get(reverse("blog:article-list"))

    row = SiteSettings.load()
    row.name = "Defence Talks"
    with django_capture_on_commit_callbacks(execute=True):
        row.save()

    assert "Defence Talks" in client.get(article.get_absolute_url()).text
    assert "Defence Talks" in client.get(reverse("blog:article-list")).text


def test_deleting_an_article_removes_it_from_the_kept_pages_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Soon gone")
    client.get(article.get_absolute_url())
    client.get(reverse("blog:article-list"))

    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).delete()

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Soon gone" not in client.get(reverse("blog:article-list")).text


def test_an_editor_signing_in_leaves_the_kept_pages_alone(
    test_pages, editor, django_capture_on_commit_callbacks
):
    first = renders_of(Client(), COUNTED)

    with django_capture_on_commit_callbacks(execute=True):
        Client().force_login(editor)

    assert renders_of(Client(), COUNTED) == first


def test_scheduled_article_appears_on_the_kept_home_page_when_its_time_comes(
    page_cache, client, monkeypatch
):
    ArticleFactory(title="Out now")
    ArticleFactory(scheduled=True, title="Tomorrow's story")
    home = reverse("blog:article-list")
    client.get(home)
    assert "Tomorrow" not in client.get(home).text

    # The cache forgets the version at the article's time; the clock says it has come.
    caches["default"].clear()
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)

    assert "Tomorrow&#x27;s story" in client.get(home).text


def test_the_version_expires_when_the_next_scheduled_article_goes_live(page_cache, client):
    from core import invalidation

    ArticleFactory(scheduled=True, published_at=timezone.now() + timedelta(minutes=10))

    invalidation.bump()

    assert 590 <= invalidation._seconds_to_next_change() <= 601


def test_writes_not_yet_committed_leave_the_kept_page_alone(
    page_cache, client, django_assert_num_queries
):
    article = ArticleFactory(title="Committed")
    client.get(article.get_absolute_url())

    # Inside the test's transaction nothing commits, so the version stays.
    article.title = "Uncommitted"
    article_save(article=article)

    with django_assert_num_queries(0):
        assert "Committed" in client.get(article.get_absolute_url()).text


def test_migrate_makes_every_kept_page_stale(test_pages):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    first = renders_of(Client(), COUNTED)

    post_migrate.send(sender=apps.get_app_config("core"), app_config=apps.get_app_config("core"))

    assert renders_of(Client(), COUNTED) != first


# -- conditional GET --------------------------------------------------------------------


def test_kept_page_answers_304_to_its_etag(page_cache, client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())

    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_etag_changes_when_the_page_changes(page_cache, client, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    etag = client.get(article.get_absolute_url())["ETag"]

    article.title = "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)
    response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_page_rendered_without_the_cache_answers_304_too(client):
    ArticleFactory()
    first = client.get(reverse("blog:feed"))

    again = client.get(reverse("blog:feed"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304


# -- query budget -----------------------------------------------------------------------


def test_home_page_costs_the_same_queries_whatever_the_number_of_articles(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ArticleFactory.create_batch(2)
    client.get(reverse("blog:article-list"))  # the site settings row now exists
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("blog:article-list"))
    ArticleFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("blog:article-list"))

    assert len(few) == len(many)


def test_article_page_costs_the_same_queries_whatever_the_number_of_links(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = ArticleFactory()
    RelatedLinkFactory(article=article)
    client.get(article.get_absolute_url())  # the site settings row now exists
    with CaptureQueriesContext(connection) as few:
        client.get(article.get_absolute_url())
    RelatedLinkFactory.create_batch(10, article=article)
    RelatedLinkFactory.create_batch(3, article=article, dangling=True)
    with CaptureQueriesContext(connection) as many:
        client.get(article.get_absolute_url())

    assert len(few) == len(many)


# -- what the client may not decide -----------------------------------------------------


def test_a_script_name_sent_by_the_client_changes_no_link_on_a_kept_page(page_cache, client):
    article = ArticleFactory(title="Linked right")

    poisoned = client.get(article.get_absolute_url(), SCRIPT_NAME="/evil")
    served = Client().get(article.get_absolute_url())

    assert poisoned.status_code == served.status_code == 200
    assert 'href="/evil' not in poisoned.text
    assert 'href="/evil' not in served.text
    assert f'href="{reverse("blog:feed")}"' in served.text


def test_a_forwarded_host_sent_by_the_client_is_not_believed(page_cache, client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url(), headers={"X-Forwarded-Host": "evil.example"})

    assert response.status_code == 200
    assert "evil.example" not in response.text
    assert "evil.example" not in Client().get(article.get_absolute_url()).text


def test_the_site_icon_answers(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
