"""A batch of writes in `bumps_collapsed()` makes one site version, at its end, and the
kept pages show what it wrote from then on."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from core import invalidation
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db


def test_several_saves_in_a_block_make_one_version(
    page_cache, client, versions_made, django_capture_on_commit_callbacks
):
    articles = ArticleFactory.create_batch(3)
    home = reverse("blog:article-list")
    client.get(home)
    versions_made.clear()

    with django_capture_on_commit_callbacks(execute=True), invalidation.bumps_collapsed():
        for n, article in enumerate(articles):
            article.title = f"Rewritten {n}"
            article.save()
        with invalidation.bumps_collapsed():  # nested: still the outer block's bump
            articles[0].title = "Rewritten again"
            articles[0].save()

    assert len(versions_made) == 1
    page = client.get(home).text
    assert "Rewritten again" in page and "Rewritten 1" in page and "Rewritten 2" in page


def test_without_a_block_each_save_makes_a_version(
    page_cache, versions_made, django_capture_on_commit_callbacks
):
    articles = ArticleFactory.create_batch(3)
    versions_made.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for article in articles:
            article.title = "Rewritten"
            article.save()

    assert len(versions_made) == 3


def test_a_block_that_writes_nothing_makes_no_version(page_cache, client, versions_made):
    client.get(reverse("blog:article-list"))
    before = cache.get(invalidation.VERSION_KEY)
    versions_made.clear()

    with invalidation.bumps_collapsed():
        client.get(reverse("blog:article-list"))

    assert versions_made == []
    assert cache.get(invalidation.VERSION_KEY) == before


def test_a_block_inside_a_transaction_rolled_back_makes_no_version(page_cache, versions_made):
    article = ArticleFactory()
    versions_made.clear()

    with transaction.atomic():
        with invalidation.bumps_collapsed():
            article.title = "Never committed"
            article.save()
        transaction.set_rollback(True)

    assert versions_made == []


@pytest.mark.django_db(transaction=True)
def test_kept_pages_stay_until_the_block_ends_then_show_what_it_committed(page_cache, client):
    article = ArticleFactory(title="Before the batch")
    url = article.get_absolute_url()
    # Twice: the first rendering writes (the discussion's row), so keeps nothing current.
    client.get(url)
    client.get(url)
    before = cache.get(invalidation.VERSION_KEY)

    with invalidation.bumps_collapsed():
        article.title = "After the batch"
        article.save()  # committed at once (autocommit), its bump held back
        assert cache.get(invalidation.VERSION_KEY) == before
        assert "Before the batch" in client.get(url).text

    assert cache.get(invalidation.VERSION_KEY) != before
    assert "After the batch" in client.get(url).text


@pytest.mark.django_db(transaction=True)
def test_a_block_that_fails_still_shows_what_it_committed(page_cache, client):
    article = ArticleFactory(title="Before the failure")
    url = article.get_absolute_url()
    client.get(url)
    client.get(url)

    with pytest.raises(RuntimeError), invalidation.bumps_collapsed():
        article.title = "Committed before the failure"
        article.save()
        raise RuntimeError("the batch stops half-way")

    assert "Committed before the failure" in client.get(url).text
