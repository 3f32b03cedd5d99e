from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog import importers
from blog.models import SiteSettings
from tests.factories.blog import ArticleFactory, RelatedLinkFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed_article(seed_path):
    return importers.import_path(seed_path).article


def test_home_lists_published_articles_newest_first(client):
    older = ArticleFactory(title="Older story", published_at=timezone.now() - timedelta(days=2))
    newer = ArticleFactory(title="Newer story", published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(title="Draft story", draft=True)
    ArticleFactory(title="Scheduled story", scheduled=True)

    response = client.get(reverse("blog:article-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert newer.excerpt in html
    assert "Draft story" not in html
    assert "Scheduled story" not in html


def test_front_page_has_a_lead_then_twenty_teasers_a_page(client):
    ArticleFactory.create_batch(23)

    first = client.get(reverse("blog:article-list"))
    second = client.get(reverse("blog:article-list"), {"page": 2})
    beyond = client.get(reverse("blog:article-list"), {"page": 99})

    assert first.content.decode().count('<article class="teaser') == 1 + 20
    assert second.content.decode().count('<article class="teaser') == 2  # the lead is not repeated
    assert 'aria-label="Top story"' not in second.content.decode()
    assert "Older articles" in first.content.decode()
    assert beyond.status_code == 404


def test_home_title_names_the_page_like_the_archives(client):
    SiteSettings.objects.create(pk=1, name="Defence Talks", tagline="Defense News")
    ArticleFactory.create_batch(1 + 20 * 2 + 1)  # the lead, two pages of teasers, one more

    first = client.get(reverse("blog:article-list")).content.decode()
    third = client.get(reverse("blog:article-list"), {"page": 3}).content.decode()

    assert "<title>Defence Talks – Defense News</title>" in first
    assert "<title>Defence Talks – Page 3 – Defense News</title>" in third


@pytest.mark.parametrize("page", ["\u0661", "\u0663", "\uff11", "\u00b9", "x", "0", "-1"])
@pytest.mark.parametrize(
    "url", ["blog:article-list", "blog:search", "blog:tag"], ids=["home", "search", "tag"]
)
def test_page_numbers_other_than_ascii_digits_are_not_found(client, url, page):
    tag = TagFactory(slug="drones")
    ArticleFactory.create_batch(22, title="Drone report", tags=[tag])
    address = reverse(url, kwargs={"slug": "drones"} if url == "blog:tag" else {})
    params = {"page": page, **({"s": "drone"} if url == "blog:search" else {})}

    assert client.get(address, params).status_code == 404
    assert client.get(address, {**params, "page": "2"}).status_code == 200


@pytest.mark.parametrize("url", ["blog:article-list", "blog:tag"], ids=["home", "tag"])
def test_page_one_of_a_list_has_one_address(client, url):
    tag = TagFactory(slug="drones")
    ArticleFactory.create_batch(22, tags=[tag])
    address = reverse(url, kwargs={"slug": "drones"} if url == "blog:tag" else {})

    response = client.get(address, {"page": "1"})

    assert response.status_code == 301
    assert response["Location"] == address


def test_a_page_number_on_a_page_without_pages_leads_to_the_page(client, seed_article):
    address = seed_article.get_absolute_url()

    response = client.get(address, {"page": "7"})

    assert response.status_code == 301
    assert response["Location"] == address


def test_seed_article_page_reads_like_the_original(client, seed_article):
    response = client.get(seed_article.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert f'<h1 class="entry-title">{seed_article.title}</h1>' in html
    assert f"<title>{seed_article.title} – Defence Talks</title>" in html
    assert "Defence Talks" in html and "Defense News Military Pictures" in html
    # The eleven paragraphs in order, the "See also" line between the 7th and the 8th.
    positions = [html.index(block) for block in seed_article.body_blocks]
    assert positions == sorted(positions)
    see_also = html.index('class="see-also"')
    assert positions[6] < see_also < positions[7]
    assert "Trump&#x27;s new administration could bring transformative change" in html


def test_see_also_to_a_missing_article_is_plain_text_never_a_dead_link(client):
    link = RelatedLinkFactory(dangling=True)

    html = client.get(link.article.get_absolute_url()).content.decode()

    assert '<span class="see-also-pending">An article not written yet</span>' in html


def test_see_also_becomes_a_link_once_its_target_is_published(client):
    link = RelatedLinkFactory(dangling=True)
    target = ArticleFactory(title="An article not written yet", scheduled=True)
    link.refresh_from_db()
    assert link.target == target

    before = client.get(link.article.get_absolute_url()).content.decode()
    target.published_at = timezone.now() - timedelta(minutes=1)
    target.save()
    after = client.get(link.article.get_absolute_url()).content.decode()

    assert f'href="{target.get_absolute_url()}"' not in before
    assert f'<a href="{target.get_absolute_url()}">An article not written yet</a>' in after


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_article_is_not_found_by_readers(client, trait):
    article = ArticleFactory(**{trait: True})

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_editor_previews_an_unpublished_article(editor_client, trait):
    article = ArticleFactory(**{trait: True})

    response = editor_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "Readers cannot see it yet" in response.content.decode()


def test_scheduled_article_appears_when_its_time_comes_with_nothing_run(client):
    article = ArticleFactory(scheduled=True)
    assert client.get(article.get_absolute_url()).status_code == 404

    # Time is moved, not waited for: the publication time is now in the past.
    article.published_at = timezone.now() - timedelta(seconds=1)
    article.save(update_fields=["published_at"])

    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.title in client.get(reverse("blog:article-list")).content.decode()


def test_renamed_slug_redirects_permanently_to_the_new_permalink(client):
    article = ArticleFactory(title="First title")
    old_url = article.get_absolute_url()

    article.slug = "a-better-slug"
    article.save()
    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_wrong_date_in_permalink_redirects_to_the_canonical_one(client):
    article = ArticleFactory(published_at=timezone.now() - timedelta(days=3))

    response = client.get(
        reverse(
            "blog:article-detail",
            kwargs={"year": 1999, "month": "01", "day": "01", "slug": article.slug},
        )
    )

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_unknown_url_gets_the_sites_404_page(client):
    SiteSettings.objects.create(pk=1, name="Defence Talks")

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    assert "Defence Talks" in response.content.decode()


def test_article_page_query_count_does_not_grow_with_related_links(
    client, django_assert_num_queries
):
    tag = TagFactory()  # so that "Related" is looked for
    few = ArticleFactory(tags=[tag])
    RelatedLinkFactory(article=few)
    many = ArticleFactory(tags=[tag])
    RelatedLinkFactory.create_batch(20, article=many)
    RelatedLinkFactory.create_batch(5, article=many, dangling=True)
    # The site settings row is created, and each comment thread kept, outside the count.
    client.get(few.get_absolute_url())
    client.get(many.get_absolute_url())

    # Site settings, the sections in the header, the article, its links, its categories,
    # its tags, "Related", the pages in the footer; the comment section adds its
    # settings (the thread is kept).
    with django_assert_num_queries(9) as few_queries:
        client.get(few.get_absolute_url())
    with django_assert_num_queries(len(few_queries.captured_queries)):
        response = client.get(many.get_absolute_url())
    assert response.content.decode().count('class="see-also"') == 25


def test_pages_show_only_the_sections_the_project_wires_in(client, settings):
    article = ArticleFactory()
    settings.PAGE_SECTIONS = {"article_end": ["blog/_related.html"]}

    html = client.get(article.get_absolute_url()).content.decode()
    home = client.get(reverse("blog:article-list")).content.decode()

    assert "Leave a Reply" not in html
    assert "Discover more from" not in html and "Discover more from" not in home
    assert article.title in html


def test_article_page_has_subscription_box_then_comments(client):
    article = ArticleFactory()

    html = client.get(article.get_absolute_url()).content.decode()

    assert html.index("Discover more from") < html.index("Leave a Reply")
