"""Pages rendered for one reader (they carry a cookie of their own) reuse the parts that are
the same for everyone, kept per site version, and still show what changed at once."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from blog.services import article_save, article_unpublish
from comments.models import Comment, DiscussionSettings
from comments.services import comment_approve
from core import caching, fragments
from core.caching import VERSION_KEY, bump_site_version
from core.pagecache import HEADER
from tests.factories.blog import ArticleFactory, RelatedLinkFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_reader(page_cache):
    """A reader whose pages are rendered for them: they carry a cookie of their own."""
    client = Client()
    client.cookies["preferences"] = "dark"
    return client


@pytest.fixture
def article():
    article = ArticleFactory(title="Drones over the Baltic")
    CommentFactory.create_batch(3, article=article, status=Comment.Status.APPROVED)
    RelatedLinkFactory(article=article, target=ArticleFactory(title="Baltic air policing"))
    return article


def test_second_render_of_an_article_needs_no_query(own_reader, article, django_assert_num_queries):
    first = own_reader.get(article.get_absolute_url())
    assert first[HEADER] == "bypass"

    with django_assert_num_queries(0):
        again = own_reader.get(article.get_absolute_url())

    assert again.status_code == 200
    assert again.text.count('class="comment depth-1"') == 3
    assert "Baltic air policing" in again.text
    assert again.text == first.text.replace(_token(first.text), _token(again.text)), (
        "the kept parts render exactly as before"
    )


def test_a_rendered_page_reads_all_its_kept_parts_in_one_round_trip(
    own_reader, article, cache_reads
):
    own_reader.get(article.get_absolute_url())  # renders and keeps the parts
    caching.forget_local_state()  # as another app server, which holds no copies
    cache_reads.clear()

    again = own_reader.get(article.get_absolute_url())

    assert again.status_code == 200
    assert again.text.count('class="comment depth-1"') == 3
    assert len(cache_reads) == 1, cache_reads
    assert any(":comments:" in key for key in cache_reads[0]), "the comment section too"
    assert any(":site:" in key for key in cache_reads[0]), "and the site's name"


def test_a_process_holding_the_parts_reads_only_the_version(own_reader, article, cache_reads):
    first = own_reader.get(article.get_absolute_url())
    cache_reads.clear()

    again = own_reader.get(article.get_absolute_url())

    assert cache_reads == [[VERSION_KEY]]
    assert again.text == first.text.replace(_token(first.text), _token(again.text))


def test_a_change_made_on_another_app_server_shows_at_once(own_reader, article):
    own_reader.get(article.get_absolute_url())
    # Another server's write: the rows change and the shared version moves, and this
    # process hears of it only through the version.
    Comment.objects.filter(article=article).update(body_html="<p>Edited elsewhere.</p>")
    bump_site_version()

    page = own_reader.get(article.get_absolute_url()).text

    assert page.count("Edited elsewhere.") == 3


def test_each_process_keeps_a_bounded_number_of_copies(own_reader, monkeypatch):
    monkeypatch.setattr(caching, "LOCAL_COPIES", 2)
    for article in ArticleFactory.create_batch(3):
        assert own_reader.get(article.get_absolute_url()).status_code == 200

    assert len(caching.local_copies.entries) == 2


def test_each_process_remembers_a_bounded_number_of_pages(own_reader, monkeypatch):
    monkeypatch.setattr(fragments, "REMEMBERED_PAGES", 2)
    monkeypatch.setattr(fragments, "_keys_by_page", {})
    ArticleFactory.create_batch(21)

    for page in (1, 2, 3):
        assert own_reader.get(f"/?page={page}").status_code == 200
    own_reader.get("/?page=3&" + "x" * 200)

    assert list(fragments._keys_by_page) == ["/?page=2", "/?page=3"]


def test_only_reader_pages_are_remembered(own_reader, monkeypatch):
    """Not 404s a crawler makes up, nor pages whose address holds a secret (a newsletter
    or privacy confirmation link): the form pages outside the blog are not remembered."""
    monkeypatch.setattr(fragments, "_keys_by_page", {})

    own_reader.get(reverse("blog:article-list"))
    own_reader.get(reverse("privacy:request"))
    own_reader.get("/no-such-page/")

    assert list(fragments._keys_by_page) == ["/"]


def test_a_page_not_remembered_takes_its_kept_parts_from_the_process_copies(
    own_reader, cache_reads
):
    own_reader.get(reverse("privacy:request"))  # the site's name and the kept frame
    cache_reads.clear()

    assert own_reader.get(reverse("privacy:request")).status_code == 200

    assert cache_reads == [[VERSION_KEY]]


def test_remembering_pages_from_many_threads_keeps_its_bound(monkeypatch):
    import threading

    monkeypatch.setattr(fragments, "REMEMBERED_PAGES", 8)
    monkeypatch.setattr(fragments, "_keys_by_page", {})
    errors = []

    def remember(thread):
        try:
            for n in range(300):
                reads = fragments._Reads(f"/{thread}/{n}/")
                reads.asked = ["key"]
                reads._remember()
        except Exception as error:  # what an unlocked dict raises, out of a page
            errors.append(error)

    threads = [threading.Thread(target=remember, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(fragments._keys_by_page) <= 8


def test_second_render_of_the_home_page_needs_no_query(own_reader, django_assert_num_queries):
    ArticleFactory.create_batch(3)
    own_reader.get(reverse("blog:article-list"))

    with django_assert_num_queries(0):
        response = own_reader.get(reverse("blog:article-list"))

    assert response.status_code == 200
    assert response.text.count('class="entry entry-summary"') == 3


def test_approved_comment_appears_at_once_on_a_rendered_page(
    own_reader, article, django_capture_on_commit_callbacks
):
    own_reader.get(article.get_absolute_url())
    held = CommentFactory(article=article, body="A late, approved reply.")

    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=held)

    page = own_reader.get(article.get_absolute_url()).text
    assert "A late, approved reply." in page
    assert "4 comments on" in page


def test_edited_title_and_new_article_appear_at_once(
    own_reader, article, django_capture_on_commit_callbacks
):
    own_reader.get(article.get_absolute_url())
    own_reader.get(reverse("blog:article-list"))

    article.title = "Drones over the Baltic, revised"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(title="A brand new story")

    assert "Drones over the Baltic, revised</h1>" in own_reader.get(article.get_absolute_url()).text
    home = own_reader.get(reverse("blog:article-list")).text
    assert "A brand new story" in home
    assert "Drones over the Baltic, revised" in home


def test_renamed_site_shows_at_once_on_rendered_pages(
    own_reader, article, django_capture_on_commit_callbacks
):
    own_reader.get(article.get_absolute_url())
    site = SiteSettings.load()
    site.name = "Defence Talks"
    with django_capture_on_commit_callbacks(execute=True):
        site.save()

    page = own_reader.get(article.get_absolute_url()).text
    assert "<title>Drones over the Baltic – Defence Talks</title>" in page
    # The kept stretches of the page's frame (masthead, feed links, footer) too.
    assert 'rel="home">Defence Talks</a>' in page
    assert 'title="Defence Talks – RSS"' in page
    assert "Defence Talks · <a" in page


def test_unpublished_or_renamed_article_leaves_the_kept_page_at_once(
    own_reader, article, django_capture_on_commit_callbacks
):
    old_url = article.get_absolute_url()
    own_reader.get(old_url)

    article.slug = "baltic-drones"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)
    renamed = own_reader.get(old_url)
    assert renamed.status_code == 301
    assert renamed["Location"] == article.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(article=article)
    assert own_reader.get(article.get_absolute_url()).status_code == 404


def test_home_page_numbers_are_kept_once_and_bad_ones_refused_alike(own_reader):
    from django.core.cache import cache

    from core.fragments import FRAGMENT_KEY_PREFIX

    ArticleFactory.create_batch(3)
    home = reverse("blog:article-list")
    assert own_reader.get(f"{home}?page=").status_code == 404  # nothing kept yet
    own_reader.get(home)
    for page in ("01", "001", "0001"):
        assert own_reader.get(f"{home}?page={page}").status_code == 200

    kept = [key for key in cache._cache if FRAGMENT_KEY_PREFIX + "home:" in key]
    assert len(kept) == 1
    assert own_reader.get(f"{home}?page=").status_code == 404  # page 1 is kept now
    assert own_reader.get(f"{home}?page=x1").status_code == 404


def test_kept_article_holds_no_private_author_data(own_reader, article):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from core.fragments import FRAGMENT_KEY_PREFIX

    article.author = get_user_model().objects.create_user(
        "ada", email="ada@example.net", password="correct horse battery", first_name="Ada"
    )
    article.save()
    page = own_reader.get(article.get_absolute_url()).text
    assert "by <a" in page and ">Ada<" in page

    _, (kept, _) = cache.get(f"{FRAGMENT_KEY_PREFIX}article:{article.slug}")
    assert kept.author.get_username() == "ada"
    assert "password" not in kept.author.__dict__
    assert "email" not in kept.author.__dict__


class _Shape:
    """A class whose pickles a later deploy can no longer load (the test deletes it)."""


def test_kept_part_a_deploy_can_no_longer_read_is_rendered_again(own_reader, monkeypatch):
    from django.core.cache import cache

    from core.fragments import FRAGMENT_KEY_PREFIX

    ArticleFactory(title="Still here")
    cache.set(f"{FRAGMENT_KEY_PREFIX}home:1", ("token", _Shape()))
    monkeypatch.delattr(__import__(__name__, fromlist=["_Shape"]), "_Shape")

    response = own_reader.get(reverse("blog:article-list"))

    assert response.status_code == 200
    assert "Still here" in response.text


def test_readers_own_pending_comment_shows_only_to_them(page_cache, article):
    commenter = Client()
    commenter.get(article.get_absolute_url())  # the shared thread is now kept
    token = _token(commenter.get(article.get_absolute_url()).text)
    commenter.post(
        reverse("comments:post", args=[article.pk]),
        {
            "csrfmiddlewaretoken": token,
            "comment": "My words, awaiting an editor.",
            "author": "Ada Reader",
            "email": "ada@example.net",
            "comment_parent": "0",
        },
    )

    assert "My words, awaiting an editor." in commenter.get(article.get_absolute_url()).text
    stranger = Client()
    stranger.cookies["preferences"] = "dark"
    assert "My words, awaiting an editor." not in stranger.get(article.get_absolute_url()).text


def test_comments_closing_with_age_close_the_kept_thread_too(own_reader, monkeypatch):
    settings_row = DiscussionSettings.load()
    settings_row.is_auto_close_on = True
    settings_row.close_after_days = 14
    settings_row.save()
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=14, minutes=-30))
    CommentFactory(article=article, status=Comment.Status.APPROVED)
    before = own_reader.get(article.get_absolute_url()).text
    assert "comment-reply-link" in before
    assert 'id="commentform"' in before

    # An hour later the article is past 14 days: no write announced it.
    later = timezone.now() + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    after = own_reader.get(article.get_absolute_url()).text
    assert "Comments are closed." in after
    assert "comment-reply-link" not in after
    assert 'id="commentform"' not in after


def test_kept_parts_are_not_used_with_the_page_cache_off(settings, article):
    settings.PAGE_CACHE = False
    reader = Client()
    reader.get(article.get_absolute_url())
    Comment.objects.filter(article=article).update(body_html="<p>Changed underneath.</p>")

    assert "Changed underneath." in reader.get(article.get_absolute_url()).text


def _token(page: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = page.index(marker) + len(marker)
    return page[start : start + 64]
