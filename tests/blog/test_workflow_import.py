"""`import_seeds --author`: imported articles get a byline (issue 14: "an imported
article has no author, so no byline")."""

import pytest
from django.core.management import CommandError, call_command

from blog.models import Article
from tests.factories.blog import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed(tmp_path):
    path = tmp_path / "harbour.txt"
    path.write_text("Harbour reopens\n\nShips are moving again.\n", encoding="utf-8")
    return path


def test_imported_article_is_signed_by_the_author_named(seed, capsys):
    editor = UserFactory(editor=True, username="jane")

    call_command("import_seeds", str(seed), "--author", "jane")

    article = Article.objects.get()
    assert article.author == editor
    assert "created: harbour.txt: Harbour reopens" in capsys.readouterr().out


@pytest.mark.parametrize("username", ["nobody", "reader@example.org"])
def test_unknown_or_reader_account_is_refused_before_anything_is_imported(seed, username):
    UserFactory(username="reader@example.org")  # an account, but not the newsroom's

    with pytest.raises(CommandError, match=f"--author {username}: no staff account"):
        call_command("import_seeds", str(seed), "--author", username)

    assert not Article.objects.exists()


def test_importing_again_with_an_author_fills_a_missing_byline_only(seed, capsys):
    call_command("import_seeds", str(seed))
    jane = UserFactory(editor=True, username="jane")
    UserFactory(editor=True, username="omar")

    call_command("import_seeds", str(seed), "--author", "jane")
    call_command("import_seeds", str(seed), "--author", "omar")

    assert Article.objects.get().author == jane
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("updated: harbour.txt")
    assert out[2].startswith("unchanged: harbour.txt")


def test_dry_run_says_a_missing_byline_would_be_filled(seed, capsys):
    call_command("import_seeds", str(seed))
    UserFactory(editor=True, username="jane")

    call_command("import_seeds", str(seed), "--author", "jane", "--dry-run")

    assert "would be updated: harbour.txt" in capsys.readouterr().out
    assert Article.objects.get().author is None
