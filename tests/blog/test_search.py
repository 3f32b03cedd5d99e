import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from blog import search
from blog.models import Article, SiteSettings
from tests.factories.blog import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


def found(response):
    return [result.article.title for result in response.context["results"]]


def test_search_finds_published_articles_by_title_and_body(client):
    ArticleFactory(title="Erdogan talks trade with Putin", body="Ties between two nations.")
    ArticleFactory(title="A quiet week", body="Putin was not mentioned by anyone else.")
    ArticleFactory(title="Nothing relevant", body="Weather report.")
    ArticleFactory(title="Putin draft", draft=True)
    ArticleFactory(title="Putin scheduled", scheduled=True)

    response = client.get(reverse("blog:search"), {"s": "Putin"})

    assert response.status_code == 200
    assert sorted(found(response)) == ["A quiet week", "Erdogan talks trade with Putin"]
    page = response.content.decode()
    assert "Putin draft" not in page and "Putin scheduled" not in page
    assert "2 articles found." in page


def test_home_address_answers_searches_as_wordpress_does(client):
    ArticleFactory(title="Drones over the Black Sea")
    ArticleFactory(title="Tanks in the snow")

    response = client.get(reverse("blog:article-list"), {"s": "drones"})

    assert response.status_code == 200
    assert found(response) == ["Drones over the Black Sea"]
    assert '<meta name="robots" content="noindex, follow">' in response.content.decode()


def test_every_word_must_match(client):
    ArticleFactory(title="Drones and tanks")
    ArticleFactory(title="Drones alone")

    response = client.get(reverse("blog:search"), {"s": "drones tanks"})

    assert found(response) == ["Drones and tanks"]


def test_search_marks_the_words_after_escaping_the_text(client):
    ArticleFactory(
        title="Drones <b>&amp; radar</b>", body="<p>The drones flew &lt;low&gt; at night.</p>"
    )

    response = client.get(reverse("blog:search"), {"s": "drones"})

    page = response.content.decode()
    assert "<mark>Drones</mark> &lt;b&gt;&amp;amp; radar&lt;/b&gt;" in page
    assert "The <mark>drones</mark> flew &lt;low&gt; at night." in page


def test_highlight_never_lets_the_query_bring_markup():
    marked = search.highlight("amp & <script>", ["amp", "script"])

    assert marked == "<mark>amp</mark> &amp; &lt;<mark>script</mark>&gt;"


def test_highlight_marks_other_forms_of_a_word():
    assert search.highlight("Trading trades", ["trade"]) == (
        "<mark>Trading</mark> <mark>trades</mark>"
    )


@pytest.mark.parametrize("words", ["", "   ", "!!!", "\x00"])
def test_empty_search_asks_for_words(client, words):
    response = client.get(reverse("blog:search"), {"s": words})

    assert response.status_code == 200
    assert search.EMPTY_QUERY_MESSAGE in response.content.decode()
    assert list(response.context["articles"]) == []


def test_over_long_search_is_refused_and_keeps_what_was_typed(client):
    words = "drones " * 40

    response = client.get(reverse("blog:search"), {"s": words})

    assert response.status_code == 200
    page = response.content.decode()
    assert search.TOO_LONG_MESSAGE in page
    assert f'value="{words.strip()}"' in page


def test_search_without_results_says_so(client):
    ArticleFactory(title="Tanks")

    response = client.get(reverse("blog:search"), {"s": "submarines"})

    assert search.NO_RESULTS_MESSAGE in response.content.decode()


def test_search_page_without_words_shows_just_the_form(client):
    response = client.get(reverse("blog:search"))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="search"' in page
    assert search.EMPTY_QUERY_MESSAGE not in page


def test_search_results_are_paginated_and_keep_the_words(client):
    ArticleFactory.create_batch(12, title="Drone report")

    first = client.get(reverse("blog:search"), {"s": "drone report"})
    second = client.get(reverse("blog:search"), {"s": "drone report", "page": 2})

    assert len(found(first)) == 10
    assert len(found(second)) == 2
    assert 'href="?s=drone+report&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize("size", [1, 10])
def test_search_costs_the_same_queries_whatever_the_page_size(
    client, django_assert_num_queries, size
):
    SiteSettings.load()
    ArticleFactory.create_batch(size, title="Drone report", categories=[CategoryFactory()])

    # count, page, the page's categories, site settings, the sections in the header, the
    # pages in the footer
    with django_assert_num_queries(6):
        response = client.get(reverse("blog:search"), {"s": "drone"})
    assert len(found(response)) == size


@on_postgres
def test_postgres_search_is_stemmed_and_ranks_titles_first(client):
    ArticleFactory(title="Weekly digest", body="Among other things, drones were discussed.")
    ArticleFactory(title="Drone makers meet", body="A meeting.")

    response = client.get(reverse("blog:search"), {"s": "drones"})

    assert found(response) == ["Drone makers meet", "Weekly digest"]


@on_postgres
def test_postgres_search_ignores_markup_in_the_body(client):
    ArticleFactory(title="Plain", body="<p><strong>Bold</strong> words.</p>")

    response = client.get(reverse("blog:search"), {"s": "strong"})

    assert found(response) == []


@on_postgres
def test_postgres_search_document_follows_edits_to_title_and_body(client):
    article = ArticleFactory(title="Tanks", body="About armour.")
    article.title, article.body = "Frigates", "About ships."
    article.save()

    assert found(client.get(reverse("blog:search"), {"s": "frigate ships"})) == ["Frigates"]
    assert found(client.get(reverse("blog:search"), {"s": "armour"})) == []


@on_postgres
def test_postgres_search_uses_the_full_text_index():
    from blog.models import Article

    ArticleFactory.create_batch(3)
    # Without the published filter, whose own index would win on a table this small.
    queryset = Article.objects.search("drones")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

    assert "article_search_idx" in plan


@pytest.mark.parametrize("words", ["the", "a an of", '"', "drones -drones", "or"])
def test_odd_searches_answer_without_an_error(client, words):
    ArticleFactory(title="The drones of the north")

    response = client.get(reverse("blog:search"), {"s": words})

    assert response.status_code == 200


def test_search_reads_the_text_not_the_markup(client):
    ArticleFactory(
        title="A bold claim", body="<p>The <strong>bold</strong> claim, <em>bravely</em>.</p>"
    )

    assert found(client.get(reverse("blog:search"), {"s": "strong"})) == []
    assert found(client.get(reverse("blog:search"), {"s": "em"})) == []
    assert found(client.get(reverse("blog:search"), {"s": "bravely"})) == ["A bold claim"]


def test_plain_text_of_the_body_is_kept_on_save_and_filled_for_older_rows():
    article = ArticleFactory(body="<p>The <strong>bold</strong> &amp; brave.</p>")
    assert article.body_text == "The bold & brave."

    Article.objects.update(body_text="")
    migration = importlib.import_module("blog.migrations.0007_article_body_text")
    migration.fill_body_text(apps, None)

    article.refresh_from_db()
    assert article.body_text == "The bold & brave."


@pytest.mark.parametrize(
    ("title", "typed"),
    [
        ("Erdogan talks trade with Türkiye's partners", "turkiye"),
        ("Erdogan talks trade with Turkiye's partners", "Türkiye"),
        ("Über-drones take off", "über"),
        ("ÜBER-DRONES TAKE OFF", "uber"),
    ],
)
def test_search_ignores_accents_and_case_both_ways(client, title, typed):
    ArticleFactory(title=title, body="Trade and more.")
    ArticleFactory(title="Tanks in the snow", body="Nothing else.")

    assert found(client.get(reverse("blog:search"), {"s": typed})) == [title]


def test_search_finds_a_word_typed_without_accents_in_the_body(client):
    ArticleFactory(title="Trade ties", body="<p>Ankara and Moscow: Türkiye’s plans.</p>")

    response = client.get(reverse("blog:search"), {"s": "turkiye plans"})

    assert found(response) == ["Trade ties"]
    assert "Ankara and Moscow: <mark>Türkiye</mark>’s <mark>plans</mark>." in (
        response.content.decode()
    )


def test_folded_search_text_is_kept_on_save_and_filled_for_older_rows():
    article = ArticleFactory(title="Türkiye", body="<p>Straße in <em>Łódź</em></p>")
    assert article.search_text == "turkiye\nstrasse in lodz"

    Article.objects.update(search_text="")
    migration = importlib.import_module("blog.migrations.0009_search_folding")
    migration.fill_search_text(apps, None)

    article.refresh_from_db()
    assert article.search_text == "turkiye\nstrasse in lodz"


def test_highlight_marks_a_word_whatever_its_accents():
    assert search.highlight("Türkiye & TURKIYE", ["turkiye"]) == (
        "<mark>Türkiye</mark> &amp; <mark>TURKIYE</mark>"
    )
