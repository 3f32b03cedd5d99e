"""`export_wordpress` writes the whole site as a WordPress export (WXR 1.2)."""

import io
from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.core.management import CommandError, call_command
from django.utils import timezone

from blog.models import Article, OldSlug
from comments.models import Comment
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory
from tests.factories.comments import ArticleDiscussionFactory, CommentFactory
from tests.factories.media import ImageFactory
from tests.factories.pages import PageFactory
from wordpress import export

pytestmark = pytest.mark.django_db

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def exported(tmp_path):
    out = tmp_path / "site.xml"
    call_command("export_wordpress", str(out), stdout=io.StringIO())
    return ElementTree.parse(out).getroot().find("channel")


def items(channel, post_type):
    return {
        item.findtext("title"): item
        for item in channel.findall("item")
        if item.findtext("wp:post_type", namespaces=NS) == post_type
    }


def html_block(html):
    """`html` as WordPress's Custom HTML block, which WordPress shows as it is."""
    return f"<!-- wp:html -->\n{html}\n<!-- /wp:html -->"


def wp(element, name):
    return element.findtext(f"wp:{name}", namespaces=NS)


def test_export_is_wxr_1_2_of_the_site(tmp_path, settings):
    settings.SITE_URL = "https://news.example.org"

    channel = exported(tmp_path)

    assert wp(channel, "wxr_version") == "1.2"
    assert wp(channel, "base_site_url") == "https://news.example.org"
    assert channel.findtext("link") == "https://news.example.org"


def test_posts_are_exported_with_their_status_terms_and_dates(tmp_path, settings):
    settings.SITE_URL = "https://news.example.org"
    europe = CategoryFactory(name="Europe", slug="europe")
    ships = TagFactory(name="Ships", slug="ships")
    author = UserFactory(username="jane", first_name="Jane", last_name="Roe")
    published_at = timezone.now() - timedelta(days=2)
    live = ArticleFactory(
        title="Live", author=author, categories=[europe], tags=[ships], is_sticky=True,
        published_at=published_at, excerpt="The short of it.",
    )  # fmt: skip
    ArticleFactory(title="Draft", draft=True)
    ArticleFactory(title="Scheduled", scheduled=True)
    ArticleFactory(title="Waiting", status=Article.Status.PENDING, published_at=None)
    ArticleFactory(title="Newsroom", status=Article.Status.PRIVATE)

    posts = items(exported(tmp_path), "post")

    assert {title: wp(item, "status") for title, item in posts.items()} == {
        "Live": "publish",
        "Draft": "draft",
        "Scheduled": "future",
        "Waiting": "pending",
        "Newsroom": "private",
    }
    item = posts["Live"]
    assert item.findtext("link") == f"https://news.example.org{live.get_absolute_url()}"
    assert item.findtext("dc:creator", namespaces=NS) == "jane"
    assert wp(item, "post_name") == live.slug
    assert wp(item, "is_sticky") == "1"
    assert item.findtext("excerpt:encoded", namespaces=NS) == "The short of it."
    assert item.findtext("content:encoded", namespaces=NS) == html_block(live.body)
    assert wp(item, "post_date_gmt") == published_at.astimezone(timezone.UTC).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    terms = {(c.get("domain"), c.get("nicename"), c.text) for c in item.findall("category")}
    assert terms == {("category", "europe", "Europe"), ("post_tag", "ships", "Ships")}
    assert wp(posts["Draft"], "post_date_gmt") == export.NO_DATE


def test_post_ids_are_unique_across_posts_pages_and_pictures(tmp_path):
    ArticleFactory(title="A post")
    PageFactory(title="A page")
    ImageFactory(title="A picture")

    channel = exported(tmp_path)

    ids = [wp(item, "post_id") for item in channel.findall("item")]
    assert len(ids) == 3
    assert len(set(ids)) == 3


def test_pages_are_exported_with_their_hierarchy(tmp_path):
    about = PageFactory(title="About", slug="about", menu_order=3)
    PageFactory(title="Team", slug="team", parent=about)
    PageFactory(title="Unfinished", draft=True)
    PageFactory(title="Next week", scheduled=True)

    pages = items(exported(tmp_path), "page")

    assert wp(pages["Team"], "post_parent") == wp(pages["About"], "post_id")
    assert wp(pages["About"], "post_parent") == "0"
    assert wp(pages["About"], "menu_order") == "3"
    assert wp(pages["Unfinished"], "status") == "draft"
    assert wp(pages["About"], "status") == "publish"
    assert wp(pages["Next week"], "status") == "future"


def test_categories_come_parents_first_and_tags_with_descriptions(tmp_path):
    child = CategoryFactory(name="Balkans", slug="balkans")
    parent = CategoryFactory(name="Europe", slug="europe", description="The continent.")
    child.parent = parent
    child.save()
    TagFactory(name="Ships", slug="ships", description="About ships.")

    channel = exported(tmp_path)

    categories = [
        (wp(c, "category_nicename"), wp(c, "category_parent"))
        for c in channel.findall("wp:category", NS)
    ]
    assert categories == [("europe", ""), ("balkans", "europe")]
    (europe,) = [c for c in channel.findall("wp:category", NS) if wp(c, "cat_name") == "Europe"]
    assert wp(europe, "category_description") == "The continent."
    (tag,) = channel.findall("wp:tag", NS)
    assert (wp(tag, "tag_slug"), wp(tag, "tag_name"), wp(tag, "tag_description")) == (
        "ships",
        "Ships",
        "About ships.",
    )


def test_authors_are_exported_with_email_and_never_a_password(tmp_path):
    author = UserFactory(username="jane", first_name="Jane", last_name="Roe")
    ArticleFactory(author=author)
    UserFactory(username="reader-without-anything")

    channel = exported(tmp_path)
    text = (tmp_path / "site.xml").read_text()

    (exported_author,) = channel.findall("wp:author", NS)
    assert wp(exported_author, "author_login") == "jane"
    assert wp(exported_author, "author_email") == "jane@example.org"
    assert wp(exported_author, "author_display_name") == "Jane Roe"
    assert author.password not in text
    assert "pass" not in {child.tag.split("}")[-1][:4] for child in exported_author}
    assert "reader-without-anything" not in text


def test_comments_are_exported_with_status_threading_ip_and_user_agent(tmp_path):
    article = ArticleFactory(title="Discussed")
    parent = CommentFactory(
        article=article, approved=True, author_name="Ann", author_email="ann@example.net",
        author_url="https://ann.example.net/", ip_address="198.51.100.7",
        user_agent="Mozilla/5.0 (X11)",
    )  # fmt: skip
    reply = CommentFactory(article=article, parent=parent, depth=2, approved=True)
    CommentFactory(article=article)  # pending
    CommentFactory(article=article, spam=True)
    CommentFactory(article=article, trashed=True)

    item = items(exported(tmp_path), "post")["Discussed"]

    comments = item.findall("wp:comment", NS)
    assert [wp(c, "comment_approved") for c in comments] == ["1", "1", "0", "spam", "trash"]
    first, second = comments[:2]
    assert wp(first, "comment_author") == "Ann"
    assert wp(first, "comment_author_email") == "ann@example.net"
    assert wp(first, "comment_author_url") == "https://ann.example.net/"
    assert wp(first, "comment_author_IP") == "198.51.100.7"
    assert wp(first, "comment_agent") == "Mozilla/5.0 (X11)"
    assert wp(first, "comment_content") == parent.body
    assert wp(first, "comment_parent") == "0"
    assert wp(second, "comment_id") == str(reply.pk)
    assert wp(second, "comment_parent") == wp(first, "comment_id")
    assert Comment.objects.count() == 5


def test_closed_discussion_and_old_slugs_are_exported(tmp_path):
    article = ArticleFactory(title="Closed")
    ArticleDiscussionFactory(article=article, is_open=False)
    OldSlug.objects.create(article=article, slug="the-first-title")

    item = items(exported(tmp_path), "post")["Closed"]

    assert wp(item, "comment_status") == "closed"
    metas = {
        wp(meta, "meta_key"): wp(meta, "meta_value") for meta in item.findall("wp:postmeta", NS)
    }
    assert metas["_wp_old_slug"] == "the-first-title"


def test_pictures_are_attachments_by_url_and_featured_images_point_at_them(tmp_path, settings):
    settings.SITE_URL = "https://news.example.org"
    picture = ImageFactory(title="Harbour", alt_text="Boats at dawn", caption="Kiel.")
    ArticleFactory(title="Illustrated", featured_image=picture)

    channel = exported(tmp_path)

    attachment = items(channel, "attachment")["Harbour"]
    assert wp(attachment, "attachment_url") == f"https://news.example.org{picture.file.url}"
    assert attachment.findtext("excerpt:encoded", namespaces=NS) == "Kiel."
    metas = {
        wp(meta, "meta_key"): wp(meta, "meta_value")
        for meta in attachment.findall("wp:postmeta", NS)
    }
    assert metas["_wp_attachment_image_alt"] == "Boats at dawn"
    post = items(channel, "post")["Illustrated"]
    (thumbnail,) = [
        wp(meta, "meta_value")
        for meta in post.findall("wp:postmeta", NS)
        if wp(meta, "meta_key") == "_thumbnail_id"
    ]
    assert thumbnail == wp(attachment, "post_id")


def test_pictures_in_a_body_become_image_blocks_with_the_files_url(tmp_path, settings):
    settings.SITE_URL = "https://news.example.org"
    picture = ImageFactory(alt_text="Boats at dawn")
    ArticleFactory(title="Pictured", body=f"<p>Before.</p>\n{picture.body_marker}\n<p>After.</p>")

    body = items(exported(tmp_path), "post")["Pictured"].findtext("content:encoded", namespaces=NS)

    assert f'<img src="https://news.example.org{picture.file.url}"' in body
    assert 'alt="Boats at dawn"' in body
    assert "data-media-id" not in body
    assert body.startswith(html_block("<p>Before.</p>") + "\n\n<!-- wp:image ")
    assert body.endswith("<!-- /wp:image -->\n\n" + html_block("<p>After.</p>"))


def test_any_text_survives_cdata_ends_and_control_characters(tmp_path):
    ArticleFactory(title="Odd <title> & ]]> here", body="<p>a ]]> b &amp; c</p>")
    CommentFactory(
        article=Article.objects.get(), body="bell \x07 and ]]> and <b>tags</b>", approved=True
    )

    item = items(exported(tmp_path), "post")["Odd <title> & ]]> here"]

    assert item.findtext("content:encoded", namespaces=NS) == html_block(Article.objects.get().body)
    comment = wp(item.find("wp:comment", NS), "comment_content")
    assert comment == "bell  and ]]> and <b>tags</b>"


def test_control_characters_xml_cannot_hold_are_dropped():
    assert export.xml_text("a\x00b\x07c\x1fd\ufffee\tf\ng") == "abcde\tf\ng"


@pytest.mark.parametrize("articles", [2, 6])
def test_export_costs_the_same_queries_however_many_articles(
    tmp_path, articles, django_assert_num_queries
):
    for article in ArticleFactory.create_batch(articles):
        CommentFactory.create_batch(3, article=article, approved=True)
    exported(tmp_path)  # the site settings row is made on the first use

    # settings, authors, categories, tags, pictures, pages, comments, articles and the
    # articles' categories, tags and old slugs
    with django_assert_num_queries(11):
        exported(tmp_path)


def test_dash_writes_the_export_to_standard_output(tmp_path):
    ArticleFactory(title="To stdout")
    out, err = io.StringIO(), io.StringIO()

    call_command("export_wordpress", "-", stdout=out, stderr=err)

    channel = ElementTree.fromstring(out.getvalue()).find("channel")
    assert "To stdout" in items(channel, "post")
    assert "1 posts" in err.getvalue()


@pytest.mark.parametrize("where", ["missing-folder/site.xml", "."])
def test_unwritable_path_is_a_clear_error(tmp_path, where):
    target = tmp_path / where

    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_wordpress", str(target), stdout=io.StringIO())

    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_export_reports_what_it_wrote(tmp_path):
    ArticleFactory()
    out = io.StringIO()

    call_command("export_wordpress", str(tmp_path / "site.xml"), stdout=out)

    assert "1 posts" in out.getvalue()
    assert str(tmp_path / "site.xml") in out.getvalue()
