from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blog import importers


class Command(BaseCommand):
    help = "Import seed articles (plain-text documents); by default every *.txt in seeds/."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="seed files or directories")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would happen; store nothing"
        )
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="the byline (a staff account's login name) of the articles this creates, "
            "and of those imported before without one",
        )

    def handle(self, *args, paths, dry_run, author, **options):
        try:
            author = importers.author_named(author) if author is not None else None
        except importers.SeedError as error:
            raise CommandError(str(error)) from None
        files = importers.seed_files(list(paths) or [settings.BASE_DIR / "seeds"])
        if not files:
            raise CommandError("No seed files found.")
        refused = 0
        seen_names = set()
        for path in files:
            if path.name in seen_names:
                # A seed is known by its file name: a second file of the same name would
                # overwrite the first one's article.
                refused += 1
                self.stderr.write(
                    f"refused: {path}: another file named {path.name} was imported in this "
                    "run; seeds are identified by file name"
                )
                continue
            seen_names.add(path.name)
            try:
                if dry_run:
                    parsed = importers.read_seed(path)
                    action = importers.plan(
                        parsed, source=importers.source_name(path), author=author
                    )
                    self.stdout.write(f"would be {action}: {path.name}: {parsed.title}")
                else:
                    result = importers.import_path(path, author=author)
                    self.stdout.write(
                        f"{result.action}: {path.name}: {result.article.title} "
                        f"({result.article.get_absolute_url()})"
                    )
            except importers.SeedError as error:
                refused += 1
                self.stderr.write(f"refused: {path}: {error}")
        if refused:
            raise CommandError(f"{refused} of {len(files)} seed files could not be imported.")
