"""WordPress's theme unit test export (58 posts, 21 pages, 37 attachments, 33 comments),
read from the shared folder. Its pictures are not included: every attachment goes down
the "cannot be had" path, and every post still imports."""

import pytest
from django.contrib.auth import get_user_model

from blog.models import Article, Category, Tag
from comments.models import Comment
from pages.models import Page
from wordpress import importer
from wordpress.models import ImportedItem, LegacyPath

pytestmark = pytest.mark.django_db


def stored_rows() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "pages": Page.objects.count(),
        "comments": Comment.objects.count(),
        "categories": Category.objects.count(),
        "tags": Tag.objects.count(),
        "users": get_user_model().objects.count(),
        "imported": ImportedItem.objects.count(),
        "legacy": LegacyPath.objects.count(),
    }


def test_the_sample_site_imports_whole_and_a_dry_run_said_so_first(sample_export):
    dry = importer.import_wxr(sample_export, download=False, dry_run=True)
    assert set(stored_rows().values()) == {0}

    report = importer.import_wxr(sample_export, download=False)

    assert report.rows() == dry.rows()
    assert report.failed == 0
    rows = {kind: counts for kind, *counts in report.rows()}
    assert rows["post"] == [58, 0, 0, 0]
    assert rows["page"] == [21, 0, 0, 0]
    assert rows["attachment"] == [0, 0, 37, 0]
    # 33 comments: 24 on posts, 5 on pages (which take none here), 4 pings.
    assert rows["comment"] == [24, 0, 5, 0]
    assert rows["pingback"] == [0, 0, 4, 0]

    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses["Draft"] == Article.Status.DRAFT
    assert Article.objects.get(title="Scheduled").is_scheduled
    assert Article.objects.published().count() == 56
    assert list(Article.objects.filter(is_sticky=True).values_list("title", flat=True)) == [
        "Template: Sticky"
    ]
    assert Page.objects.get(title="Level 3").path == "level-1/level-2/level-3"
    assert Page.objects.get(title="Page with comments").path == "about/page-with-comments"
    assert Page.objects.get(title="Επίπεδο 3").path == "greek/epipedo-2/epipedo-3"
    assert Page.objects.get(title="About The Tests").menu_order == 1
    discussed = Article.objects.get(title="Template: Comments")
    assert discussed.comments.count() == 20
    assert discussed.comments.pending().count() == 1
    assert discussed.comments.filter(parent__isnull=False).exists()  # threads kept
    greek = LegacyPath.objects.get(path="/greek/επίπεδο-2/επίπεδο-3/")
    assert greek.target == Page.objects.get(title="Επίπεδο 3")


def test_importing_the_sample_again_changes_nothing(sample_export):
    importer.import_wxr(sample_export, download=False)
    before = stored_rows()

    report = importer.import_wxr(sample_export, download=False)

    assert stored_rows() == before
    rows = {kind: counts for kind, *counts in report.rows()}
    assert rows["post"] == [0, 58, 0, 0]
    assert rows["page"] == [0, 21, 0, 0]
    assert rows["comment"] == [0, 24, 5, 0]
