"""`manage.py import_wordpress`: what the person running it sees, and the exit status."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from blog.models import Article, Tag
from comments.models import Comment
from tests.factories import wordpress as wp
from wordpress import attachments

pytestmark = pytest.mark.django_db


def test_the_summary_counts_by_kind(tmp_path, capsys):
    path = wp.write_wxr(tmp_path, wp.item(1, "Hello", comments=[wp.comment(100)]))

    call_command("import_wordpress", str(path), "--no-download")

    out = capsys.readouterr().out
    assert "1/1 items: post 1 “Hello”" in out  # not a terminal: plain progress lines
    assert "Import finished." in out
    assert "kind     imported  updated  skipped  failed" in out
    assert "post            1        0        0       0" in out
    assert "comment         1        0        0       0" in out


def test_a_malformed_item_is_named_skipped_and_the_exit_status_is_not_zero(tmp_path, capsys):
    path = wp.write_wxr(
        tmp_path,
        wp.item(1, "Good one"),
        wp.item(
            2, "Broken one", date_gmt="31/12/2024", date="31/12/2024", comments=[wp.comment(9)]
        ),
        wp.item(3, "Good too"),
    )

    with pytest.raises(CommandError, match="1 items could not be imported"):
        call_command("import_wordpress", str(path), "--no-download")

    err = capsys.readouterr().err
    assert "failed: post 2 “Broken one”: its date “31/12/2024” is not a date; skipped." in err
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Good one", "Good too"]
    assert not Comment.objects.exists()


def test_a_post_that_cannot_be_saved_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    def refuse(article, *args, **kwargs):
        raise ValueError("the body is refused")

    path = wp.write_wxr(
        tmp_path, wp.item(1, "Refused", comments=[wp.comment(100)]), wp.item(2, "Kept")
    )
    real_save = Article.save

    def save(article, *args, **kwargs):
        if article.title == "Refused":
            refuse(article)
        real_save(article, *args, **kwargs)

    monkeypatch.setattr(Article, "save", save)

    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), "--no-download")

    assert (
        "failed: post 1 “Refused”: ValueError: the body is refused; skipped."
        in capsys.readouterr().err
    )
    assert list(Article.objects.values_list("title", flat=True)) == ["Kept"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<not xml", "is not a readable XML file"),
        # The first post is whole: a file cut short is refused before any post is stored.
        (wp.wxr_document(wp.item(1), wp.item(2))[:-300], "cut short"),
        (
            wp.wxr_document(wp.item(1)).replace('encoding="UTF-8"', 'encoding="x-bogus"'),
            "is not a readable XML file: unknown encoding",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_stops_before_writing(tmp_path, text, expected):
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError, match=expected):
        call_command("import_wordpress", str(path))

    assert not Article.objects.exists()


def test_a_dry_run_says_so(tmp_path, capsys):
    path = wp.write_wxr(tmp_path, wp.item(1))

    call_command("import_wordpress", str(path), "--dry-run", "--no-download")

    assert "Dry run: nothing was stored." in capsys.readouterr().out
    assert not Article.objects.exists()


def test_a_dry_run_that_meets_a_failure_says_nothing_was_stored(tmp_path, capsys):
    path = wp.write_wxr(tmp_path, wp.item(1, "Broken", date_gmt="31/12/2024", date="31/12/2024"))

    with pytest.raises(CommandError) as raised:
        call_command("import_wordpress", str(path), "--dry-run", "--no-download")

    assert str(raised.value) == "1 items could not be imported (listed above); nothing was stored."


def test_the_picture_options_reach_the_fetcher(tmp_path, monkeypatch):
    made = []
    real = attachments.AttachmentSource

    def source(**options):
        made.append(options)
        return real(**options)

    monkeypatch.setattr(attachments, "AttachmentSource", source)
    path = wp.write_wxr(tmp_path, wp.item(1))

    call_command("import_wordpress", str(path), "--media-dir", str(tmp_path),
                 "--allow-host", "Media.Internal", "--allow-host", "10.0.0.5")  # fmt: skip

    assert made == [{"media_dir": tmp_path, "download": True,
                     "allowed_hosts": frozenset({"media.internal", "10.0.0.5"})}]  # fmt: skip


def test_a_picture_at_a_private_address_is_reported_and_the_post_imported(tmp_path, capsys):
    path = wp.write_wxr(
        tmp_path,
        wp.item(50, "Inside", post_type="attachment", status="inherit",
                attachment_url="http://127.0.0.1/wp-content/uploads/inside.jpg"),
        wp.item(1, "Outside", meta={"_thumbnail_id": "50"}),
    )  # fmt: skip

    call_command("import_wordpress", str(path))

    err = capsys.readouterr().err
    assert "attachment 50 “Inside”: cannot be had" in err
    assert Article.objects.get().featured_image is None


def test_a_missing_media_folder_is_refused(tmp_path):
    path = wp.write_wxr(tmp_path, wp.item(1))

    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_wordpress", str(path), "--media-dir", str(tmp_path / "nope"))


def test_a_term_that_cannot_be_saved_is_reported_and_the_rest_imported(
    tmp_path, capsys, monkeypatch
):
    real_save = Tag.save

    def save(tag, *args, **kwargs):
        if tag.slug == "cursed":
            raise ValueError("no such word here")
        real_save(tag, *args, **kwargs)

    monkeypatch.setattr(Tag, "save", save)
    path = wp.write_wxr(tmp_path, wp.tag("cursed", wp_id=5), wp.tag("fine", wp_id=6), wp.item(1))

    with pytest.raises(CommandError):
        call_command("import_wordpress", str(path), "--no-download")

    assert "failed: tag cursed: ValueError: no such word here; skipped." in capsys.readouterr().err
    assert list(Tag.objects.values_list("slug", flat=True)) == ["fine"]
    assert Article.objects.count() == 1
