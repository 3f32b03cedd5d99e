import pytest
from django.core.management import CommandError, call_command

from blog import importers
from blog.models import Article, RelatedLink, SiteSettings
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db

SEED_PARAGRAPHS_START = [
    "Turkish President Recep Tayyip Erdogan has committed",
    "In a statement issued after their discussion",
    "The Kremlin also released a statement",
    "Despite Türkiye’s membership",
    "According to World Bank data",
    "However, reports indicate that Ankara",
    "The term ‘dual-use’ refers to items",
    "At the same time, Türkiye continues",
    "This scenario is indeed surprising",
    "Since the onset of Russia’s military operation",
    "Lavrov informed Hurriyet",
]
SEE_ALSO_TITLE = (
    "Trump's new administration could bring transformative change to the U.S. and its citizens"
)
FURNITURE = [
    "Discover more from",
    "Subscribe to get the latest posts",
    "Leave a Reply",
    "Your email address will not be published",
]


def test_seed_document_imports_title_paragraphs_and_see_also_link(seed_path):
    result = importers.import_path(seed_path)

    article = result.article
    assert result.action == "created"
    assert article.title == (
        "Erdogan vowed to enhance trade ties between Türkiye and Russia "
        "following his talks with Putin"
    )
    assert article.slug == (
        "erdogan-vowed-to-enhance-trade-ties-between-turkiye-and-russia-following-his-talks-with-putin"
    )
    assert article.is_live
    assert len(article.body_blocks) == 11
    for block, start in zip(article.body_blocks, SEED_PARAGRAPHS_START, strict=True):
        assert block.startswith(f"<p>{start}")
    link = article.related_links.get()
    assert (link.target_title, link.after_paragraph, link.target) == (SEE_ALSO_TITLE, 7, None)
    for furniture in FURNITURE:
        assert furniture not in article.body


def test_seed_paragraph_text_is_kept_exactly(seed_path):
    article = importers.import_path(seed_path).article

    lines = [line for line in seed_path.read_text().splitlines() if line.strip()]
    assert article.body_blocks[6] == f"<p>{lines[7]}</p>"  # "The term ‘dual-use’ …"
    assert article.body_blocks[7] == f"<p>{lines[9]}</p>"  # after the "See also" line


def test_seed_fills_site_name_and_tagline_when_unset(seed_path):
    importers.import_path(seed_path)

    site = SiteSettings.load()
    assert (site.name, site.tagline) == ("Defence Talks", "Defense News Military Pictures")


def test_seed_leaves_site_name_an_editor_set_alone(seed_path):
    SiteSettings.objects.create(pk=1, name="Our Paper", tagline="Since 1851")

    importers.import_path(seed_path)

    site = SiteSettings.load()
    assert (site.name, site.tagline) == ("Our Paper", "Since 1851")


def test_importing_the_same_file_twice_keeps_one_article_and_its_permalink(seed_path):
    first = importers.import_path(seed_path).article
    url, published_at = first.get_absolute_url(), first.published_at

    second = importers.import_path(seed_path)

    assert second.action == "unchanged"
    assert Article.objects.count() == 1
    assert RelatedLink.objects.count() == 1
    assert second.article.get_absolute_url() == url
    assert second.article.published_at == published_at


def test_reimporting_an_edited_file_updates_the_article_in_place(tmp_path):
    seed = tmp_path / "story.txt"
    seed.write_text("A title\n\nFirst paragraph.\n\nSecond paragraph.\n")
    article = importers.import_path(seed).article
    url = article.get_absolute_url()

    seed.write_text("A better title\n\nFirst paragraph, revised.\n")
    result = importers.import_path(seed)

    assert result.action == "updated"
    assert Article.objects.count() == 1
    result.article.refresh_from_db()
    assert result.article.title == "A better title"
    assert result.article.body_blocks == ["<p>First paragraph, revised.</p>"]
    assert result.article.get_absolute_url() == url


def test_text_in_a_seed_is_text_not_markup(tmp_path):
    seed = tmp_path / "xss.txt"
    seed.write_text("Title <b>bold</b>\n\nA <script>alert(1)</script> paragraph & more.\n")

    article = importers.import_path(seed).article

    assert article.title == "Title <b>bold</b>"
    assert article.body == "<p>A &lt;script&gt;alert(1)&lt;/script&gt; paragraph &amp; more.</p>"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"   \n\n  \n", "the file is empty"),
        (b"\n\nA title after blank lines, and nothing else", "no body paragraphs"),
        (b"Only a title\n", "no body paragraphs"),
        (b"Title\n\nLeave a Reply\n", "no body paragraphs"),
        (b"Title\n\n\xff\xfe caf\xe9\n", "not UTF-8"),
        (b"Title\n\nNUL \x00 byte\n", "NUL bytes"),
        (b"T" * 400 + b"\n\nBody\n", "longer than 300 characters"),
    ],
)
def test_bad_seed_is_refused_with_its_reason_and_nothing_stored(tmp_path, content, reason):
    seed = tmp_path / "bad.txt"
    seed.write_bytes(content)

    with pytest.raises(importers.SeedError, match=reason):
        importers.import_path(seed)
    assert not Article.objects.exists()


def test_command_imports_good_files_reports_bad_ones_and_fails(tmp_path, capsys):
    (tmp_path / "a_good.txt").write_text("Good one\n\nA paragraph.\n")
    (tmp_path / "b_empty.txt").write_text("")
    (tmp_path / "c_good.txt").write_text("Another good one\n\nText.\n")

    with pytest.raises(CommandError, match="1 of 3 seed files could not be imported"):
        call_command("import_seeds", str(tmp_path))

    out, err = capsys.readouterr()
    assert "created: a_good.txt: Good one" in out
    assert "created: c_good.txt: Another good one" in out
    assert "b_empty.txt: the file is empty" in err
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Another good one",
        "Good one",
    ]


def test_command_reports_a_missing_file(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_seeds", str(tmp_path / "nope.txt"))

    assert "nope.txt: the file cannot be read" in capsys.readouterr().err


def test_dry_run_says_what_would_happen_and_stores_nothing(seed_path, capsys):
    call_command("import_seeds", str(seed_path), "--dry-run")

    assert "would be created: " in capsys.readouterr().out
    assert not Article.objects.exists()
    assert not SiteSettings.objects.exclude(name="").exists()


def test_command_defaults_to_the_seeds_folder(capsys):
    call_command("import_seeds")

    assert Article.objects.filter(title__startswith="Erdogan vowed").exists()


def test_see_also_link_resolves_when_its_target_is_published_later(seed_path):
    article = importers.import_path(seed_path).article

    target = ArticleFactory(title=SEE_ALSO_TITLE)

    link = article.related_links.get()
    assert link.target == target
    assert link.is_linkable


def test_two_files_of_the_same_name_in_one_run_refuse_the_second(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "story.txt").write_text("From folder a\n\nText.\n")
    (tmp_path / "b" / "story.txt").write_text("From folder b\n\nText.\n")

    with pytest.raises(CommandError):
        call_command("import_seeds", str(tmp_path / "a"), str(tmp_path / "b"))

    assert "another file named story.txt was imported in this run" in capsys.readouterr().err
    assert list(Article.objects.values_list("title", flat=True)) == ["From folder a"]


def test_white_space_lines_before_the_title_are_skipped():
    parsed = importers.parse("\n  \n\t\nThe title\n\nThe body.\n")

    assert (parsed.title, parsed.paragraphs) == ("The title", ["The body."])
