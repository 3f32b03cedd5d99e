from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Article, SiteSettings
from tests.factories.blog import (
    ArticleFactory,
    CategoryFactory,
    RelatedLinkFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def related_titles(article):
    return [related.title for related in Article.objects.published().related_to(article)]


def days_ago(n):
    return timezone.now() - timedelta(days=n)


def test_related_prefers_articles_sharing_the_most_tags_and_categories():
    europe, drones, nato, sea = CategoryFactory(), TagFactory(), TagFactory(), TagFactory()
    article = ArticleFactory(categories=[europe], tags=[drones, nato, sea])
    ArticleFactory(title="Shares one", tags=[drones], published_at=days_ago(1))
    ArticleFactory(title="Shares three", categories=[europe], tags=[drones, nato])
    ArticleFactory(title="Shares two", tags=[nato, sea], published_at=days_ago(3))
    ArticleFactory(title="Shares nothing", tags=[TagFactory()])

    assert related_titles(article) == ["Shares three", "Shares two", "Shares one"]


def test_related_gives_ties_to_the_newer_article_and_stops_at_three():
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    for n in range(5):
        ArticleFactory(title=f"{n + 1} days old", tags=[tag], published_at=days_ago(n + 1))

    assert related_titles(article) == ["1 days old", "2 days old", "3 days old"]


def test_related_leaves_out_the_article_its_see_also_targets_and_unpublished_ones():
    tag = TagFactory()
    article = ArticleFactory(tags=[tag])
    see_also = ArticleFactory(title="Already linked", tags=[tag])
    RelatedLinkFactory(article=article, target=see_also)
    ArticleFactory(title="A draft", tags=[tag], draft=True)
    ArticleFactory(title="Scheduled", tags=[tag], scheduled=True)
    ArticleFactory(title="Related", tags=[tag])

    assert related_titles(article) == ["Related"]


def test_article_without_tags_or_categories_has_no_related_section(client):
    ArticleFactory(tags=[TagFactory()])
    article = ArticleFactory()

    page = client.get(article.get_absolute_url()).content.decode()

    assert 'class="related-posts"' not in page


def test_article_page_shows_related_articles_under_the_article(client):
    tag = TagFactory(name="drones")
    article = ArticleFactory(tags=[tag])
    other = ArticleFactory(title="Drones over the Black Sea", tags=[tag])

    page = client.get(article.get_absolute_url()).content.decode()

    assert '<h2 id="related-heading" class="related-title">Related</h2>' in page
    assert f'<a href="{other.get_absolute_url()}">Drones over the Black Sea</a>' in page
    assert f'href="{tag.get_absolute_url()}" rel="tag">drones</a>' in page


def test_article_page_query_count_does_not_grow_with_related_articles(
    client, django_assert_num_queries
):
    SiteSettings.load()
    tags = TagFactory.create_batch(3)
    category = CategoryFactory()
    sparse = ArticleFactory(tags=[TagFactory()])
    ArticleFactory(tags=sparse.tags.all())
    crowded = ArticleFactory(tags=tags, categories=[category])
    ArticleFactory.create_batch(6, tags=tags, categories=[category])

    # the article page (see test_pages): 8 of its own, 2 for the comment section
    with django_assert_num_queries(10) as sparse_queries:
        client.get(sparse.get_absolute_url())
    with django_assert_num_queries(len(sparse_queries.captured_queries)):
        response = client.get(crowded.get_absolute_url())
    assert response.content.decode().count('class="related-item"') == 3


def test_article_without_terms_asks_nothing_for_related_articles(client, django_assert_num_queries):
    SiteSettings.load()
    ArticleFactory.create_batch(3, tags=[TagFactory()])
    lonely = ArticleFactory()

    with django_assert_num_queries(9):  # one fewer than an article with terms
        response = client.get(lonely.get_absolute_url())
    assert 'class="related-posts"' not in response.content.decode()


def test_related_dates_are_valid_html_datetimes_without_microseconds(client):
    tag = TagFactory(name="drones")
    article = ArticleFactory(tags=[tag])
    published = timezone.now().replace(microsecond=123456) - timedelta(days=1)
    ArticleFactory(title="Related", tags=[tag], published_at=published)

    page = client.get(article.get_absolute_url()).content.decode()
    related = page[page.index('class="related-posts"') :]

    expected = timezone.localtime(published).replace(microsecond=0).isoformat()
    assert f'<time datetime="{expected}">' in related
    assert ".123456" not in related
