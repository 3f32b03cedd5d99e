"""Importing small hand-built exports: what each WordPress object becomes here."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Category, Tag
from comments.models import Comment
from media.models import Image
from newsletter import services as newsletter_services
from pages.models import Page
from tests.factories import wordpress as wp
from tests.factories.blog import UserFactory
from tests.factories.media import picture_bytes
from tests.factories.newsletter import SubscriberFactory
from wordpress import importer
from wordpress.models import ImportedItem, LegacyPath

User = get_user_model()
pytestmark = pytest.mark.django_db


@pytest.fixture
def run(tmp_path, django_capture_on_commit_callbacks):
    """Import an export made of `elements`, running what waits for the commit."""

    def run(*elements, media_dir=None, dry_run=False, **document):
        path = wp.write_wxr(tmp_path, *elements, **document)
        with django_capture_on_commit_callbacks(execute=True):
            return importer.import_wxr(path, media_dir=media_dir, download=False, dry_run=dry_run)

    return run


def counts(report, kind):
    return {action: n for action, n in report.counts[kind].items() if n}


def test_posts_keep_their_status_and_time(run):
    now = timezone.now()
    future = (now + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    report = run(
        wp.item(1, "Published", date_gmt="2024-03-01 09:30:00"),
        wp.item(2, "Draft", status="draft", date_gmt="0000-00-00 00:00:00"),
        wp.item(3, "Pending", status="pending"),
        wp.item(4, "Scheduled", status="future", date_gmt=future),
        wp.item(5, "Private", status="private"),
        wp.item(6, "Binned", status="trash"),
    )

    by_title = {a.title: a for a in Article.objects.all()}
    assert set(by_title) == {"Published", "Draft", "Pending", "Scheduled", "Private"}
    assert by_title["Published"].status == Article.Status.PUBLISHED
    assert by_title["Published"].published_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert by_title["Published"].is_live
    assert by_title["Draft"].status == Article.Status.DRAFT
    assert by_title["Pending"].status == Article.Status.PENDING
    assert by_title["Scheduled"].is_scheduled
    assert by_title["Private"].status == Article.Status.PRIVATE
    assert counts(report, "post") == {"imported": 5, "skipped": 1}
    assert any("post 6 “Binned”: status “trash”; skipped." in m for m in report.messages)


def test_a_post_trashed_since_the_last_run_becomes_a_draft(run, client):
    run(wp.item(1, "Regretted"), wp.item(2, "Kept"))
    url = Article.objects.get(title="Regretted").get_absolute_url()

    report = run(wp.item(1, "Regretted", status="trash"), wp.item(2, "Kept"))

    regretted = Article.objects.get(title="Regretted")
    assert regretted.status == Article.Status.DRAFT
    assert client.get(url).status_code == 404
    assert counts(report, "post") == {"updated": 2}
    assert "post 1 “Regretted”: status “trash”; imported before, a draft here now." in (
        report.messages
    )


def test_sticky_excerpt_and_more(run):
    run(
        wp.item(1, "Lead", sticky=True, excerpt="<p>The <b>short</b> of it.</p>"),
        wp.item(2, "Teaser", body="<p>Before the fold.</p><!--more--><p>After it.</p>"),
    )

    lead, teaser = Article.objects.get(title="Lead"), Article.objects.get(title="Teaser")
    assert lead.is_sticky and not teaser.is_sticky
    assert Article.objects.published().lead() == lead
    assert lead.excerpt == "The short of it."
    assert teaser.excerpt == "Before the fold."
    assert "<!--more-->" not in teaser.body


def test_categories_nest_and_tags_keep_slugs_and_descriptions(run):
    run(
        wp.category("europe-balkans", "Balkans", wp_id=12, parent="europe"),
        wp.category("europe", "Europe", wp_id=11, description="The continent"),
        wp.category("cafe", "Cafe", wp_id=13),
        wp.category("caf%c3%a9", "Café", wp_id=14),
        wp.tag("drones", "Drones", wp_id=20, description="Unmanned aircraft"),
        wp.item(1, "Tagged", terms=[("category", "europe-balkans", "Balkans"),
                                    ("post_tag", "drones", "Drones"),
                                    ("post_tag", "undeclared", "Undeclared")]),
    )  # fmt: skip

    balkans = Category.objects.get(slug="europe-balkans")
    assert Category.objects.get(name="Café").slug == "cafe-2"  # "cafe" was taken by Cafe
    assert balkans.parent == Category.objects.get(slug="europe", description="The continent")
    assert Tag.objects.get(slug="drones").description == "Unmanned aircraft"
    article = Article.objects.get(title="Tagged")
    assert list(article.categories.all()) == [balkans]
    assert sorted(article.tags.values_list("slug", flat=True)) == ["drones", "undeclared"]


def test_authors_become_staff_who_cannot_sign_in(run, client):
    run(
        wp.item(1, "Bylined", creator="sam"),
        authors=[wp.author("sam", wp_id=7, display_name="Samantha Q. Reporter",
                           first_name="Sam", last_name="Reporter")],
    )  # fmt: skip

    sam = User.objects.get(username="sam")
    assert sam.is_staff and not sam.has_usable_password()
    assert sam.get_full_name() == "Samantha Q. Reporter"
    assert list(sam.groups.values_list("name", flat=True)) == ["Authors"]
    assert not sam.has_perm("blog.publish_article")
    article = Article.objects.get(title="Bylined")
    assert article.author == sam
    assert "Samantha Q. Reporter" in client.get(article.get_absolute_url()).text


def test_an_undeclared_author_is_reported_and_made(run):
    report = run(wp.item(1, "Orphan", creator="ghost"))

    assert Article.objects.get(title="Orphan").author.username == "ghost"
    assert any("its author ghost is not declared" in m for m in report.messages)


def test_an_existing_account_with_the_login_is_linked_not_changed(run):
    chief = UserFactory(username="jo", is_superuser=True, first_name="Chief")

    report = run(wp.item(1, "Theirs"))

    chief.refresh_from_db()
    assert chief.has_usable_password() and chief.first_name == "Chief"
    assert Article.objects.get(title="Theirs").author == chief
    assert any("an account named jo exists" in m for m in report.messages)


def test_comments_keep_threads_statuses_and_their_facts(run):
    reader = wp.author("reader", wp_id=9, display_name="Reader")
    report = run(
        wp.item(1, "Discussed", comments=[
            wp.comment(100, author_name="Ann", email="ann@example.net", url="https://ann.example",
                       ip="198.51.100.4", date_gmt="2024-03-02 10:00:00"),
            wp.comment(101, parent=100, approved="0", user_id=9),
            wp.comment(102, approved="spam"),
            wp.comment(103, approved="trash"),
            wp.comment(104, parent=999),
            wp.comment(105, comment_type="pingback", author_name="Other blog"),
            wp.comment(106, comment_type="trackback"),
        ]),
        authors=[wp.author(), reader],
    )  # fmt: skip

    by_id = {
        item.wp_id: Comment.objects.get(pk=item.object_id)
        for item in ImportedItem.objects.filter(kind="comment")
    }
    assert set(by_id) == {100, 101, 102, 103, 104}
    ann = by_id[100]
    assert (ann.author_name, ann.author_email, ann.author_url, ann.ip_address) == (
        "Ann", "ann@example.net", "https://ann.example", "198.51.100.4"
    )  # fmt: skip
    assert ann.created_at == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert ann.status == Comment.Status.APPROVED
    assert by_id[101].parent == ann and by_id[101].depth == 2
    assert by_id[101].status == Comment.Status.PENDING
    assert by_id[101].user == User.objects.get(username="reader")
    assert by_id[102].status == Comment.Status.SPAM
    assert by_id[103].status == Comment.Status.TRASH
    assert by_id[104].parent is None
    assert any("comment 104: the comment it replies to (999) is not in the export" in m
               for m in report.messages)  # fmt: skip
    assert counts(report, "pingback") == {"skipped": 2}


def test_an_import_sends_no_mail(run, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(editor=True)
    SubscriberFactory(confirmed=True)
    yesterday = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")

    run(wp.item(1, "Yesterday's news", date_gmt=yesterday,
                comments=[wp.comment(100), wp.comment(101, approved="0")]))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_services.newsletters_send_due()  # the catch-up sweep

    assert Article.objects.published().count() == 1
    assert Comment.objects.count() == 2
    assert mailoutbox == []


def test_running_again_updates_and_duplicates_nothing(run):
    elements = [
        wp.category("world", wp_id=3),
        wp.item(1, "Once", terms=[("category", "world", "World")], comments=[wp.comment(100)]),
        wp.item(2, "About", post_type="page", link=f"{wp.OLD_SITE}/about-us/"),
    ]
    run(*elements)
    Article.objects.filter(title="Once").update(title="Edited meanwhile")

    report = run(*elements)

    assert Article.objects.get().title == "Once"
    assert (Category.objects.count(), Comment.objects.count(), Page.objects.count()) == (1, 1, 1)
    assert counts(report, "post") == {"updated": 1}
    assert counts(report, "comment") == {"updated": 1}
    assert counts(report, "page") == {"updated": 1}
    assert report.failed == 0


def test_a_dry_run_stores_nothing_and_reports_the_same(run):
    elements = [wp.category("world", wp_id=3), wp.item(1, comments=[wp.comment(100)]),
                wp.item(2, "About", post_type="page")]  # fmt: skip

    dry = run(*elements, dry_run=True)

    assert not Article.objects.exists() and not Comment.objects.exists()
    assert not Category.objects.exists() and not ImportedItem.objects.exists()
    assert not User.objects.exists() and not LegacyPath.objects.exists()
    assert dry.rows() == run(*elements).rows()


def test_an_empty_title_and_a_taken_slug_are_made_good(run):
    report = run(
        wp.item(1, "", slug="same", body="<p>Words without a title above them here.</p>"),
        wp.item(2, "Second", slug="same"),
    )

    untitled = Article.objects.get(slug="same")
    assert untitled.title == "Words without a title above them here."
    assert Article.objects.get(title="Second").slug == "same-2"
    assert any("post 1 “(no title)”: it has no title" in m for m in report.messages)
    assert any("its slug same is taken; imported as same-2" in m for m in report.messages)


def test_old_addresses_lead_to_the_new_objects(run):
    run(
        wp.category("europe", wp_id=2),
        wp.category("balkans", wp_id=3, parent="europe"),
        wp.tag("%c3%bcber", "über", wp_id=4),
        wp.item(1, "Moved", slug="moved", link=f"{wp.OLD_SITE}/news/moved/", creator="Jo.Smith",
                meta={"_wp_old_slug": "was-here"}),
        wp.item(2, "Same place", slug="same-place",
                link=f"{wp.OLD_SITE}/2024/03/01/same-place/"),
        authors=[wp.author("Jo.Smith")],
    )  # fmt: skip

    article = Article.objects.get(title="Moved")
    targets = {legacy.path: legacy.target for legacy in LegacyPath.objects.all()}
    assert targets["/news/moved/"] == article
    assert targets["/news/was-here/"] == article
    assert targets["/category/europe/balkans/"] == Category.objects.get(slug="balkans")
    assert targets["/tag/über/"] == Tag.objects.get(slug="uber")
    assert targets["/author/jo-smith/"] == User.objects.get(username="Jo.Smith")
    # Where the address is the same here, nothing needs to lead there.
    same_place = Article.objects.get(title="Same place")
    assert same_place.get_absolute_url() == "/2024/03/01/same-place/"
    assert same_place.get_absolute_url() not in targets
    assert "/category/europe/" not in targets


def test_old_address_holding_a_nul_is_not_kept_and_the_post_imports(run):
    report = run(wp.item(1, "Odd link", slug="odd-link", link=f"{wp.OLD_SITE}/a%00b/"))

    assert Article.objects.filter(title="Odd link").exists()
    assert not LegacyPath.objects.exists()
    assert report.failed == 0


def test_pages_nest_in_any_order(run):
    report = run(
        wp.item(3, "Team", post_type="page", slug="team", parent=2, menu_order=4),
        wp.item(2, "About", post_type="page", slug="about"),
        wp.item(4, "Lost", post_type="page", slug="lost", parent=404),
    )

    team = Page.objects.get(slug="team")
    assert team.path == "about/team" and team.menu_order == 4
    assert Page.objects.get(slug="lost").path == "lost"
    assert counts(report, "page") == {"imported": 3}
    assert any("its parent page 404 is not in the export" in m for m in report.messages)


def test_a_featured_picture_comes_with_its_alt_text_and_caption(run, tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "2024/03").mkdir(parents=True)
    (uploads / "2024/03/harbour.jpg").write_bytes(picture_bytes(640, 480))
    url = f"{wp.OLD_SITE}/wp-content/uploads/2024/03/harbour.jpg"
    report = run(
        wp.item(50, "Harbour", post_type="attachment", status="inherit", attachment_url=url,
                excerpt="The harbour at dawn.", meta={"_wp_attachment_image_alt": "Boats"}),
        wp.item(1, "With picture", meta={"_thumbnail_id": "50"}),
        wp.item(2, "Missing picture", meta={"_thumbnail_id": "51"},
                body=f'<p>Text.</p><img src="{wp.OLD_SITE}/gone.jpg">'),
        wp.item(51, "Gone", post_type="attachment", status="inherit",
                attachment_url=f"{wp.OLD_SITE}/wp-content/uploads/gone.jpg"),
        media_dir=uploads,
    )  # fmt: skip

    picture = Article.objects.get(title="With picture").featured_image
    assert (picture.alt_text, picture.caption) == ("Boats", "The harbour at dawn.")
    missing = Article.objects.get(title="Missing picture")
    assert missing.featured_image is None and "<img" not in missing.body
    assert counts(report, "attachment") == {"imported": 1, "skipped": 1}
    assert any("attachment 51 “Gone”: cannot be had" in m for m in report.messages)
    assert report.failed == 0


def test_a_deep_thread_keeps_its_order_and_a_second_run_brings_moderation_along(run):
    thread = [wp.comment(100 + n, parent=100 + n - 1 if n else 0, approved="0") for n in range(12)]
    run(wp.item(1, "Deep", comments=thread))
    deepest = Comment.objects.get(parent__isnull=False, replies__isnull=True)
    assert deepest.depth == 10  # the most a thread shows; the chain of parents is whole
    chain = 1
    while deepest.parent is not None:
        deepest, chain = deepest.parent, chain + 1
    assert chain == 12

    thread = [wp.comment(100 + n, parent=100 + n - 1 if n else 0) for n in range(12)]
    run(wp.item(1, "Deep", comments=thread))

    assert Comment.objects.count() == 12
    assert Comment.objects.approved().count() == 12


def test_a_picture_imported_before_is_not_fetched_again(run, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "harbour.jpg").write_bytes(picture_bytes(320, 240))
    url = f"{wp.OLD_SITE}/wp-content/uploads/harbour.jpg"

    def export(alt):
        return [
            wp.item(50, "Harbour", post_type="attachment", status="inherit", attachment_url=url,
                    meta={"_wp_attachment_image_alt": alt}),
            wp.item(1, "With picture", meta={"_thumbnail_id": "50"}),
        ]  # fmt: skip

    run(*export("Boats"), media_dir=uploads)
    (uploads / "harbour.jpg").unlink()  # a second run without the files

    report = run(*export("Boats at dawn"), media_dir=uploads)

    assert counts(report, "attachment") == {"updated": 1}
    assert Article.objects.get().featured_image.alt_text == "Boats at dawn"


def test_a_dry_run_checks_pictures_but_stores_no_file(run, tmp_path, settings):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "harbour.jpg").write_bytes(picture_bytes(320, 240))
    (uploads / "notes.jpg").write_bytes(b"not a picture at all")
    attachment = "{}/wp-content/uploads/{}".format

    report = run(
        wp.item(50, "Harbour", post_type="attachment", status="inherit",
                attachment_url=attachment(wp.OLD_SITE, "harbour.jpg")),
        wp.item(51, "Notes", post_type="attachment", status="inherit",
                attachment_url=attachment(wp.OLD_SITE, "notes.jpg")),
        media_dir=uploads, dry_run=True,
    )  # fmt: skip

    assert counts(report, "attachment") == {"imported": 1, "skipped": 1}
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_a_dry_run_notes_of_pictures_what_the_real_run_does(run, tmp_path, settings):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "harbour.jpg").write_bytes(picture_bytes(320, 240))
    url = f"{wp.OLD_SITE}/wp-content/uploads/harbour.jpg"
    export = [
        wp.item(50, "Harbour", post_type="attachment", status="inherit", attachment_url=url),
        wp.item(1, "With picture", meta={"_thumbnail_id": "50"},
                body=f'<p>Text.</p><img src="{url}">'),
    ]  # fmt: skip

    dry = run(*export, media_dir=uploads, dry_run=True)
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
    assert not Image.objects.exists()
    real = run(*export, media_dir=uploads)

    assert dry.messages == real.messages
    assert not any("cannot be had" in m for m in dry.messages)
    assert dict(dry.counts) == dict(real.counts)


def test_a_sound_file_is_not_taken_for_a_picture_and_stays_linked(run):
    url = f"{wp.OLD_SITE}/wp-content/uploads/interview.mp3"
    report = run(
        wp.item(60, "Interview", post_type="attachment", status="inherit", attachment_url=url),
        wp.item(1, "Listen", body=f'<p><a href="{url}">The interview</a></p>'),
    )

    assert f'href="{url}"' in Article.objects.get(title="Listen").body
    assert counts(report, "attachment") == {"skipped": 1}
    assert report.messages == [
        f"attachment 60 “Interview”: not a picture; posts link to it at its old address, "
        f"{url}, which goes away with the old site."
    ]


def test_a_gallery_shows_the_pictures_it_names(run, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    for name in ("one.jpg", "two.jpg"):
        (uploads / name).write_bytes(picture_bytes(320, 240))
    url = "{}/wp-content/uploads/{}".format

    run(
        wp.item(50, "One", post_type="attachment", status="inherit",
                attachment_url=url(wp.OLD_SITE, "one.jpg")),
        wp.item(51, "Two", post_type="attachment", status="inherit",
                attachment_url=url(wp.OLD_SITE, "two.jpg")),
        wp.item(1, "Gallery", body='<p>Pictures.</p>\n\n[gallery ids="51,50"]'),
        media_dir=uploads,
    )  # fmt: skip

    body = Article.objects.get().body
    shown = [int(pk) for pk in re.findall(r'data-media-id="(\d+)"', body)]
    by_title = {image.pk: image.title for image in Image.objects.all()}
    assert [by_title[pk] for pk in shown] == ["Two", "One"]


def test_an_import_makes_one_page_cache_version_and_the_kept_pages_show_it(
    run, page_cache, client, versions_made
):
    home = reverse("blog:article-list")
    client.get(home)
    versions_made.clear()

    run(
        wp.item(1, "First imported", comments=[wp.comment(1)]),
        wp.item(2, "Second imported", terms=[("category", "news", "News")]),
        wp.item(3, "About", post_type="page", slug="about"),
    )

    assert len(versions_made) == 1
    page = client.get(home).text
    assert "First imported" in page and "Second imported" in page


def test_a_post_costs_the_same_queries_whatever_its_old_addresses_and_comments(
    tmp_path, django_capture_on_commit_callbacks
):
    """Its ImportedItem and LegacyPath rows are written in one query each."""

    def queries_to_import(wp_id, *, old_slugs, comments):
        path = wp.write_wxr(
            tmp_path,
            wp.item(wp_id, f"Post {wp_id}", link=f"{wp.OLD_SITE}/news/post-{wp_id}/",
                    meta={"_wp_old_slug": [f"was-{wp_id}-{n}" for n in range(old_slugs)]},
                    comments=[wp.comment(wp_id * 100 + n) for n in range(comments)]),
        )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            importer.import_wxr(path, download=False)
        return len(queries)

    queries_to_import(1, old_slugs=1, comments=1)  # the author and what is made once
    few = queries_to_import(2, old_slugs=1, comments=1)
    many = queries_to_import(3, old_slugs=6, comments=6)

    assert many == few
    assert LegacyPath.objects.filter(path__startswith="/news/was-3-").count() == 6
    assert ImportedItem.objects.filter(kind=ImportedItem.Kind.COMMENT).count() == 8


def test_a_scheduled_page_is_published_at_its_time_to_come(run, client):
    future = timezone.now().replace(microsecond=0) + timedelta(days=3)
    report = run(
        wp.item(7, "Opening hours", post_type="page", slug="hours", status="future",
                date_gmt=future.strftime("%Y-%m-%d %H:%M:%S")),
    )  # fmt: skip

    page = Page.objects.get(slug="hours")
    assert page.status == Page.Status.PUBLISHED
    assert page.published_at == future
    assert page.is_scheduled
    assert client.get(page.get_absolute_url()).status_code == 404
    assert counts(report, "page") == {"imported": 1}
    assert not any("draft" in message for message in report.messages)


def test_a_page_pending_review_comes_in_as_a_draft_and_the_report_says_so(run, client):
    report = run(wp.item(8, "Ethics policy", post_type="page", slug="ethics", status="pending"))

    page = Page.objects.get(slug="ethics")
    assert page.status == Page.Status.DRAFT
    assert page.published_at is None
    assert client.get("/ethics/").status_code == 404
    assert any("Ethics policy" in m and "a draft" in m for m in report.messages)


def test_a_failed_post_takes_the_author_and_category_it_made_with_it(run):
    # A comment id beyond what the database holds fails the post's own transaction.
    terms = [("category", "harbour", "Harbour")]
    report = run(
        wp.item(1, "Fails", creator="ghost", terms=terms, comments=[wp.comment(10**20)]),
        wp.item(2, "Second", creator="ghost", terms=terms),
        wp.item(3, "Third", creator="ghost", terms=terms),
        authors=[],
    )

    assert sorted(Article.objects.values_list("title", flat=True)) == ["Second", "Third"]
    ghost, harbour = User.objects.get(username="ghost"), Category.objects.get(slug="harbour")
    for article in Article.objects.all():
        assert article.author == ghost
        assert list(article.categories.all()) == [harbour]
    assert counts(report, "post") == {"imported": 2, "failed": 1}
    assert counts(report, "author") == {"imported": 1}
    assert counts(report, "category") == {"imported": 1}
    assert any(m.startswith("failed: post 1 “Fails”") for m in report.messages)
    assert [m for m in report.messages if "its author ghost is not declared" in m] == [
        "post 2 “Second”: its author ghost is not declared in the export; an account was "
        "made with that login only."
    ]
