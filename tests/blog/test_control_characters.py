"""Control characters pasted into stored text: removed where text enters, and never able
to break a feed (XML 1.0 cannot hold them) or a page."""

import pytest
from django.urls import reverse

from blog import html, importers
from blog.models import Article, Category
from tests.blog.test_admin import ADD_URL, article_form
from tests.factories.blog import ArticleFactory, CategoryFactory, UserFactory
from tests.feeds import fetch_feed

pytestmark = pytest.mark.django_db

HOSTILE = "\x00\x01\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85\ud800\udfff\ufffe\uffff"


def test_remove_control_characters_keeps_tab_newlines_and_ordinary_text():
    text = f"Tab\there,\nlines\r\nand Ünïcödé “quotes” — {HOSTILE}done"

    assert html.remove_control_characters(text) == (
        "Tab\there,\nlines\r\nand Ünïcödé “quotes” — done"
    )


def test_sanitizers_remove_control_characters():
    assert html.clean_article_html("Nice\x0bpost\x1b here") == "<p>Nicepost here</p>"
    assert html.clean_comment_html("Nice\x0bpost\x1b here") == "<p>Nicepost here</p>"


def test_article_saved_in_the_admin_loses_its_control_characters(editor_client):
    editor_client.post(
        ADD_URL,
        article_form(title="Pasted\x1b title", body="Vertical\x0btab\x1b body", excerpt="Ex\x07"),
    )

    article = Article.objects.get()
    assert (article.title, article.excerpt) == ("Pasted title", "Ex")
    assert article.body == "<p>Verticaltab body</p>"


def test_feeds_and_pages_of_articles_with_control_characters_work(client):
    author = UserFactory(username="jane")
    category = CategoryFactory(slug="europe")
    article = ArticleFactory(
        title="Pasted\x1b title", body="Vertical\x0btab body", author=author, categories=[category]
    )

    for url in (
        reverse("blog:feed"),
        reverse("blog:feed-atom"),
        reverse("blog:author-feed", kwargs={"username": "jane"}),
        reverse("blog:category-feed", kwargs={"slug": "europe"}),
    ):
        _, feed = fetch_feed(client, url)
        assert [entry.title for entry in feed.entries] == ["Pasted title"]
    for url in (article.get_absolute_url(), reverse("blog:article-list"), "/author/jane/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "\x1b" not in page.content.decode()


def test_rows_stored_before_the_rule_cannot_break_the_feeds(client):
    author = UserFactory(username="jane", first_name="Ja\x1bne")
    category = CategoryFactory(slug="europe")
    ArticleFactory(author=author, categories=[category])
    Article.objects.update(title="Old\x1b row", body="<p>Old\x0b body</p>", excerpt="\x0c")
    Category.objects.update(name="Eu\x1brope", description="Old\x0b description")

    for url in (
        reverse("blog:feed"),
        reverse("blog:feed-atom"),
        reverse("blog:author-feed", kwargs={"username": "jane"}),
        reverse("blog:category-feed", kwargs={"slug": "europe"}),
    ):
        _, feed = fetch_feed(client, url)
        assert [entry.title for entry in feed.entries] == ["Old row"]


def test_seed_importer_removes_control_characters():
    parsed = importers.parse("Pasted\x1b title\n\nFirst\x0b paragraph.\n")

    assert parsed.title == "Pasted title"
    assert parsed.paragraphs == ["First paragraph."]
