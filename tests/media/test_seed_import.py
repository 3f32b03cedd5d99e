"""A seed names its featured picture on the line after its title."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from blog import importers
from media import processing
from media.models import Image
from tests.factories.media import picture_bytes
from tests.media.test_stripping import TELL_TALES, _phone_exif

pytestmark = pytest.mark.django_db


def _seed(folder: Path, image_line: str, name="story.txt") -> Path:
    seed = folder / name
    seed.write_text(f"Frigates for the Baltic\n{image_line}\n\nThe navy ordered two ships.\n")
    return seed


def test_the_picture_of_a_seed_becomes_the_featured_image(tmp_path, settings):
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "frigate.jpg").write_bytes(
        picture_bytes(1600, 1000, exif=_phone_exif())
    )
    seed = _seed(
        tmp_path,
        "Image: pictures/frigate.jpg | A grey frigate at sea | Jane Roe / Agency | At Kiel.",
    )

    article = importers.import_path(seed).article

    image = article.featured_image
    assert (image.alt_text, image.credit, image.caption) == (
        "A grey frigate at sea",
        "Jane Roe / Agency",
        "At Kiel.",
    )
    assert "Image:" not in article.body
    stored = (Path(settings.MEDIA_ROOT) / image.file.name).read_bytes()
    for tell_tale in TELL_TALES:
        assert tell_tale not in stored


def test_importing_the_seed_again_keeps_one_picture(tmp_path):
    (tmp_path / "frigate.jpg").write_bytes(picture_bytes())
    seed = _seed(tmp_path, "Image: frigate.jpg | A grey frigate | Jane Roe")
    first = importers.import_path(seed)

    again = importers.import_path(seed)

    assert again.action == "unchanged"
    assert Image.objects.count() == 1
    assert again.article.featured_image == first.article.featured_image


def test_a_changed_credit_updates_the_picture(tmp_path):
    (tmp_path / "frigate.jpg").write_bytes(picture_bytes())
    importers.import_path(_seed(tmp_path, "Image: frigate.jpg | A grey frigate | Jane Roe"))

    result = importers.import_path(_seed(tmp_path, "Image: frigate.jpg | A grey frigate | AP"))

    assert result.action == "updated"
    assert Image.objects.get().credit == "AP"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Image: missing.jpg | Alt | Credit", "the picture missing.jpg cannot be read"),
        ("Image: page.jpg | Alt | Credit", processing.NOT_AN_IMAGE_MESSAGE),
        ("Image: frigate.jpg | | Credit", "needs alt text"),
        ("Image: frigate.jpg", "the Image line needs"),
        ("Image: /etc/passwd | Alt | Credit", "relative to the seed file"),
    ],
)
def test_a_bad_picture_refuses_the_seed_with_its_reason(tmp_path, line, reason, stored_files):
    (tmp_path / "page.jpg").write_bytes(b"<html><body>not a picture</body></html>")
    (tmp_path / "frigate.jpg").write_bytes(picture_bytes())

    with pytest.raises(importers.SeedError, match=reason):
        importers.import_path(_seed(tmp_path, line))

    assert not Image.objects.exists()
    assert stored_files() == set()


def test_the_command_imports_the_others_and_reports_the_bad_picture(tmp_path, capsys):
    (tmp_path / "frigate.jpg").write_bytes(picture_bytes())
    _seed(tmp_path, "Image: frigate.jpg | A grey frigate | Jane Roe", name="good.txt")
    _seed(tmp_path, "Image: nope.jpg | Alt | Credit", name="bad.txt")

    with pytest.raises(CommandError, match="1 of 2 seed files could not be imported"):
        call_command("import_seeds", str(tmp_path))

    assert "refused:" in capsys.readouterr().err
    assert Image.objects.count() == 1


def test_the_defence_talks_seed_has_no_picture_and_still_imports(seed_path):
    article = importers.import_path(seed_path).article

    assert article.featured_image is None
    assert not Image.objects.exists()


def test_a_dry_run_checks_the_picture_and_stores_nothing(tmp_path, capsys, stored_files):
    (tmp_path / "frigate.jpg").write_bytes(picture_bytes())
    (tmp_path / "page.jpg").write_bytes(b"<html></html>")
    _seed(tmp_path, "Image: frigate.jpg | A grey frigate | Jane Roe", name="good.txt")
    _seed(tmp_path, "Image: page.jpg | Alt | Credit", name="bad.txt")

    with pytest.raises(CommandError):
        call_command("import_seeds", str(tmp_path), "--dry-run")

    out, err = capsys.readouterr()
    assert "would be created: good.txt" in out
    assert "bad.txt" in err and processing.NOT_AN_IMAGE_MESSAGE in err
    assert not Image.objects.exists()
    assert stored_files() == set()
