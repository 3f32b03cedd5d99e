"""Anonymous reader pages come from the shared cache, yet forms, privacy and freshness hold."""

import gzip
import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, SiteSettings
from blog.services import article_publish, article_save
from core.pagecache import HEADER
from tests.factories.blog import ArticleFactory, RelatedLinkFactory

pytestmark = pytest.mark.django_db

TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
FORM_URL = "/pagecache-test/form/"


@pytest.fixture
def test_pages(page_cache):
    page_cache.ROOT_URLCONF = "tests.core.urls"
    page_cache.PAGE_CACHE_NAMESPACES = ["blog", "pagecache-test"]
    return page_cache


@pytest.fixture
def cache_calls(monkeypatch):
    """Counts the calls made to the default cache (each is one round trip to Redis)."""
    calls, depth = [], [0]
    backend = caches["default"]
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete", "has_key"):
        method = getattr(backend, name)

        def spy(*args, _name=name, _method=method, **kwargs):
            if not depth[0]:  # LocMemCache's get_many calls get: count the outer call
                calls.append(_name)
            depth[0] += 1
            try:
                return _method(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(backend, name, spy)
    return calls


def test_second_anonymous_request_is_served_from_cache_without_any_query(
    page_cache, client, reader, django_assert_num_queries
):
    article = ArticleFactory(title="Cached headline")
    assert client.get(article.get_absolute_url())[HEADER] == "miss"

    with django_assert_num_queries(0):
        response = reader.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response[HEADER] == "hit"
    assert "Cached headline" in response.text


def test_home_page_is_served_from_cache_without_any_query(
    page_cache, client, django_assert_num_queries
):
    ArticleFactory.create_batch(3)
    client.get(reverse("blog:article-list"))

    with django_assert_num_queries(0):
        response = client.get(reverse("blog:article-list"))

    assert response[HEADER] == "hit"


def test_cached_page_costs_one_cache_round_trip(page_cache, client, reader, cache_calls):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    cache_calls.clear()

    reader.get(article.get_absolute_url())

    assert cache_calls == ["get_many"]


def test_paginated_pages_are_cached_but_other_query_strings_are_not(page_cache, client):
    ArticleFactory.create_batch(12)
    home = reverse("blog:article-list")
    client.get(f"{home}?page=2")
    assert client.get(f"{home}?page=2")[HEADER] == "hit"

    client.get(f"{home}?utm_source=x")
    assert client.get(f"{home}?utm_source=x")[HEADER] == "bypass"


def test_reader_carrying_their_own_cookie_gets_a_fresh_render(
    page_cache, client, django_assert_max_num_queries
):
    article = ArticleFactory(title="Personal")
    client.get(article.get_absolute_url())
    client.cookies["comment_author"] = "Ann"  # e.g. their saved name, or a pending comment

    response = client.get(article.get_absolute_url())

    assert response[HEADER] == "bypass"
    assert "private" in response["Cache-Control"]
    assert client.get(article.get_absolute_url())[HEADER] == "bypass"


def test_ignored_cookies_do_not_turn_the_cache_off(page_cache, client):
    page_cache.PAGE_CACHE_IGNORED_COOKIES = ["_ga"]
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    client.cookies["_ga"] = "GA1.1.1"

    assert client.get(article.get_absolute_url())[HEADER] == "hit"


def test_signed_in_editor_never_gets_or_fills_the_cache(page_cache, editor_client, reader):
    draft = ArticleFactory(draft=True, title="Preview only")

    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200
    assert preview[HEADER] == "bypass"
    assert reader.get(draft.get_absolute_url()).status_code == 404


def test_not_found_pages_are_not_cached(page_cache, client):
    client.get("/2020/01/01/nothing-here/")
    assert client.get("/2020/01/01/nothing-here/").status_code == 404
    assert HEADER not in client.get("/2020/01/01/nothing-here/")


def test_cache_off_renders_every_time(settings, client):
    settings.PAGE_CACHE = False
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    assert HEADER not in client.get(article.get_absolute_url())


# -- forms on cached pages --------------------------------------------------------------


def test_form_on_a_cached_page_passes_csrf_for_a_new_reader(test_pages):
    Client().get(FORM_URL)  # someone else's visit fills the cache
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(FORM_URL)
    assert page[HEADER] == "hit"
    token = TOKEN_FIELD.search(page.text).group(1)
    posted = reader.post(FORM_URL, {"csrfmiddlewaretoken": token, "text": "hello"})

    assert posted.status_code == 200
    assert posted.text == "got hello"


def test_form_on_a_cached_page_passes_csrf_for_a_reader_with_a_csrf_cookie(test_pages):
    reader = Client(enforce_csrf_checks=True)
    first = reader.get(FORM_URL)  # miss: renders, sets the reader's cookie
    assert first[HEADER] == "miss"

    second = reader.get(FORM_URL)
    assert second[HEADER] == "hit"
    assert "csrftoken" not in second.cookies or second.cookies["csrftoken"].value == (
        reader.cookies["csrftoken"].value
    )
    token = TOKEN_FIELD.search(second.text).group(1)
    assert reader.post(FORM_URL, {"csrfmiddlewaretoken": token, "text": "x"}).status_code == 200


def test_cached_page_never_carries_another_readers_token(test_pages):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token_of_first = TOKEN_FIELD.search(first.get(FORM_URL).text).group(1)
    token_of_second = TOKEN_FIELD.search(second.get(FORM_URL).text).group(1)

    assert token_of_first != token_of_second
    refused = second.post(FORM_URL, {"csrfmiddlewaretoken": token_of_first, "text": "x"})
    accepted = second.post(FORM_URL, {"csrfmiddlewaretoken": token_of_second, "text": "x"})
    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_post_without_token_is_still_refused(test_pages):
    reader = Client(enforce_csrf_checks=True)
    reader.get(FORM_URL)
    assert reader.post(FORM_URL, {"text": "x"}).status_code == 403


def test_cached_page_with_a_csp_nonce_gets_this_responses_nonce(test_pages):
    csp = "django.middleware.csp.ContentSecurityPolicyMiddleware"
    if csp not in test_pages.MIDDLEWARE:
        test_pages.MIDDLEWARE = [csp, *test_pages.MIDDLEWARE]
    test_pages.SECURE_CSP = {"script-src": ["'self'", "<CSP_NONCE_SENTINEL>"]}
    Client().get("/pagecache-test/nonce/")

    response = Client().get("/pagecache-test/nonce/")

    assert response[HEADER] == "hit"
    nonce = re.search(r'nonce="([^"]+)"', response.text).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "ETag" not in response  # a 304 would pair an old page with a new nonce


# -- invalidation -----------------------------------------------------------------------


def test_publishing_an_article_shows_it_on_the_cached_home_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    ArticleFactory(title="Already out")
    draft = ArticleFactory(draft=True, title="Fresh news")
    home = reverse("blog:article-list")
    client.get(home)
    assert "Fresh news" not in client.get(home).text

    with django_capture_on_commit_callbacks(execute=True):
        article_publish(article=draft)

    response = client.get(home)
    assert response[HEADER] == "miss"
    assert "Fresh news" in response.text


def test_editing_an_article_changes_its_cached_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Old title")
    client.get(article.get_absolute_url())

    article.title = "New title"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)

    assert "New title" in client.get(article.get_absolute_url()).text


def test_editing_through_the_admin_changes_the_cached_page_at_once(
    page_cache, client, editor_client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Before the edit")
    reader = Client()
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


def test_adding_a_see_also_link_changes_the_cached_page_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    client.get(article.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        RelatedLinkFactory(article=article, target=ArticleFactory(title="Linked piece"))

    assert "Linked piece" in client.get(article.get_absolute_url()).text


def test_changing_site_settings_changes_every_cached_page_at_once(
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


def test_deleting_an_article_removes_it_from_the_cached_pages_at_once(
    page_cache, client, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Soon gone")
    client.get(article.get_absolute_url())
    client.get(reverse("blog:article-list"))

    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=article.pk).delete()

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Soon gone" not in client.get(reverse("blog:article-list")).text


def test_scheduled_article_appears_on_the_cached_home_page_when_its_time_comes(
    page_cache, client, monkeypatch
):
    ArticleFactory(title="Out now")
    ArticleFactory(scheduled=True, title="Tomorrow's story")
    home = reverse("blog:article-list")
    client.get(home)
    assert client.get(home)[HEADER] == "hit"

    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("core.caching.time.time", lambda: later.timestamp())

    response = client.get(home)
    assert response[HEADER] == "miss"
    assert "Tomorrow&#x27;s story" in response.text


def test_pending_writes_rolled_back_leave_the_cache_alone(page_cache, client):
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    # Inside the test's transaction nothing commits, so nothing is bumped yet.
    article.title = "Uncommitted"
    article_save(article=article)

    assert client.get(article.get_absolute_url())[HEADER] == "hit"


# -- conditional GET --------------------------------------------------------------------


def test_cached_page_answers_304_to_its_etag(page_cache, client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())

    again = client.get(article.get_absolute_url(), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""


def test_cached_page_answers_304_to_if_modified_since(page_cache, client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())

    again = client.get(
        article.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]}
    )

    assert again.status_code == 304


def test_etag_changes_when_the_page_changes(page_cache, client, django_capture_on_commit_callbacks):
    article = ArticleFactory()
    etag = client.get(article.get_absolute_url())["ETag"]
    article.title = "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)

    response = client.get(article.get_absolute_url(), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_same_page_has_the_same_etag_cached_or_not(page_cache, client):
    article = ArticleFactory()
    miss = client.get(article.get_absolute_url())
    hit = client.get(article.get_absolute_url())
    assert hit[HEADER] == "hit"
    assert miss["ETag"] == hit["ETag"]


def test_uncached_render_answers_304_to_its_etag(settings, client):
    settings.PAGE_CACHE = False
    ArticleFactory()
    first = client.get(reverse("blog:article-list"))

    again = client.get(reverse("blog:article-list"), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304


def test_page_with_a_form_gets_a_new_etag_when_the_readers_csrf_cookie_changes(test_pages):
    reader = Client()
    etag = reader.get(FORM_URL)["ETag"]
    reader.cookies["csrftoken"] = "x" * 32

    response = reader.get(FORM_URL, headers={"if-none-match": etag})

    assert response.status_code == 200


# -- query budget ---------------------------------------------------------------------


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


def test_feed_answers_304_to_its_etag_and_to_if_modified_since(test_pages, client):
    ArticleFactory(title="In the feed")
    first = client.get("/pagecache-test/feed/")
    assert "In the feed" in first.text
    assert first["Last-Modified"]

    by_etag = client.get("/pagecache-test/feed/", headers={"if-none-match": first["ETag"]})
    by_date = client.get(
        "/pagecache-test/feed/", headers={"if-modified-since": first["Last-Modified"]}
    )

    assert by_etag.status_code == 304
    assert by_date.status_code == 304


def test_uncached_feed_answers_304_too(test_pages, client):
    test_pages.PAGE_CACHE = False
    ArticleFactory()
    first = client.get("/pagecache-test/feed/")

    again = client.get("/pagecache-test/feed/", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 304


def test_head_request_is_answered_from_cache_without_a_body(page_cache, client):
    article = ArticleFactory()
    client.get(article.get_absolute_url())

    response = client.head(article.get_absolute_url())

    assert response.status_code == 200
    assert response[HEADER] == "hit"
    assert response.content == b""


def test_a_page_that_sets_its_own_cookie_is_never_stored(test_pages, client):
    Client().get("/pagecache-test/personal/")

    response = Client().get("/pagecache-test/personal/")

    assert response[HEADER] == "bypass"
    assert response.cookies["seen"].value == "1"


def test_page_with_a_token_outside_an_attribute_is_never_stored(test_pages):
    """Else every reader would get the token (so the secret) of whoever filled the cache."""
    first = Client().get("/pagecache-test/stray-token/")
    second = Client().get("/pagecache-test/stray-token/")

    assert first[HEADER] == second[HEADER] == "bypass"


def test_cached_page_is_sent_gzipped_to_a_browser_that_accepts_it(page_cache, client):
    article = ArticleFactory(title="Compressed once")
    plain = client.get(article.get_absolute_url())

    zipped = client.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, br"})

    assert zipped[HEADER] == "hit"
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content)
    unzipped = gzip.decompress(zipped.content).decode()
    assert TOKEN_FIELD.sub("", unzipped) == TOKEN_FIELD.sub("", plain.text)  # masks differ
    assert "Compressed once" in unzipped
    assert zipped["ETag"] == plain["ETag"]


def test_gzipped_cached_form_still_passes_csrf(test_pages):
    Client().get(FORM_URL)
    reader = Client(enforce_csrf_checks=True)

    page = reader.get(FORM_URL, headers={"accept-encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip"
    token = TOKEN_FIELD.search(gzip.decompress(page.content).decode()).group(1)

    assert reader.post(FORM_URL, {"csrfmiddlewaretoken": token, "text": "z"}).text == "got z"


def test_masked_tokens_are_valid_for_their_secret_and_all_different():
    from django.middleware.csrf import _check_token_format, _get_new_csrf_string

    from core.csrf import mask_token

    secret = _get_new_csrf_string()
    tokens = {mask_token(secret) for _ in range(200)}

    assert len(tokens) == 200
    for token in tokens:
        _check_token_format(token)  # raises if not 64 characters of the alphabet
        assert _unmask_cipher_token(token) == secret


def test_new_secrets_for_readers_without_one_are_valid_and_all_different():
    from django.middleware.csrf import _check_token_format

    from core.csrf import mask_token, new_csrf_secret

    secrets = {new_csrf_secret() for _ in range(200)}

    assert len(secrets) == 200
    for secret in secrets:
        assert len(secret) == 32
        token = mask_token(secret)
        _check_token_format(token)
        assert _unmask_cipher_token(token) == secret


def test_new_secrets_draw_every_letter_of_the_alphabet_evenly():
    from collections import Counter

    from django.middleware.csrf import CSRF_ALLOWED_CHARS

    from core.csrf import new_csrf_secret

    counts = Counter("".join(new_csrf_secret() for _ in range(6000)))

    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    # Bytes mapped onto 62 letters modulo 62 without dropping the last 8 values would
    # draw the first 8 letters a quarter more often; evenly drawn, they come within a
    # few percent of the others (about 3,100 each, one sd about 55).
    first = sum(counts[c] for c in CSRF_ALLOWED_CHARS[:8]) / 8
    rest = sum(counts[c] for c in CSRF_ALLOWED_CHARS[8:]) / 54
    assert 0.93 < first / rest < 1.07, counts


def test_page_rendered_while_a_change_commits_is_not_served_as_current(test_pages, client):
    client.get("/pagecache-test/racing/")  # rendered under a version that moved meanwhile

    assert client.get("/pagecache-test/racing/")[HEADER] == "miss"


class _Shape:
    """A class whose pickles a later deploy can no longer load (the test deletes it)."""


def test_entry_a_deploy_can_no_longer_read_is_a_miss_not_an_error(page_cache, client, monkeypatch):
    from django.test import RequestFactory

    from core import pagecache

    article = ArticleFactory(title="After the deploy")
    url = article.get_absolute_url()
    key = pagecache._page_key(RequestFactory().get(url))
    caches["default"].set(key, _Shape())
    monkeypatch.delattr(__import__(__name__, fromlist=["_Shape"]), "_Shape")

    response = client.get(url)

    assert response.status_code == 200
    assert "After the deploy" in response.text
    assert client.get(url)[HEADER] == "hit"  # the unreadable entry was replaced


def test_migrate_makes_every_cached_page_stale(page_cache, client):
    from django.apps import apps
    from django.db.models.signals import post_migrate

    article = ArticleFactory()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())[HEADER] == "hit"

    post_migrate.send(sender=apps.get_app_config("core"), app_config=apps.get_app_config("core"))

    assert client.get(article.get_absolute_url())[HEADER] == "miss"
