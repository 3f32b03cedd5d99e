import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wordpress import importer, wxr

PLAIN_PROGRESS_EVERY = 100  # items between two progress lines in a log


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, from Tools > Export): posts, pages, categories, "
        "tags, authors, pictures and comments. Running it again updates what it imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="the WXR file")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="a copy of the old site's wp-content/uploads, read before downloading",
        )
        parser.add_argument(
            "--no-download",
            action="store_true",
            help="take pictures only from --media-dir, never from their URLs",
        )
        parser.add_argument(
            "--allow-host",
            action="append",
            default=[],
            metavar="HOST",
            help="download pictures from HOST even though it is a private or loopback "
            "address (repeatable)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would be imported; store nothing"
        )

    def handle(self, *args, export, media_dir, no_download, allow_host, dry_run, **options):
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a folder.")
        progress = _Progress(self.stdout, self.stderr)
        try:
            report = importer.import_wxr(
                export,
                media_dir=media_dir,
                download=not no_download,
                allowed_hosts=frozenset(host.lower() for host in allow_host),
                dry_run=dry_run,
                progress=progress.step,
                on_start=progress.start,
            )
        except wxr.WXRError as error:
            raise CommandError(str(error)) from None
        finally:
            progress.close()
        for message in report.messages:
            self.stderr.write(message)
        self.stdout.write(_table(report, dry_run=dry_run))
        if report.failed:
            rest = "nothing was stored" if dry_run else "the rest were imported"
            raise CommandError(
                f"{report.failed} items could not be imported (listed above); {rest}."
            )


class _Progress:
    """A progress bar on a terminal, a line every PLAIN_PROGRESS_EVERY items in a log."""

    def __init__(self, stdout, stderr):
        self.stdout, self.stderr = stdout, stderr
        self.bar = None
        self.done = 0
        self.total = 0

    def start(self, total: int) -> None:
        self.total = total
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="item", file=sys.stderr)

    def step(self, label: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update()
        elif self.done % PLAIN_PROGRESS_EVERY == 0 or self.done == self.total:
            self.stdout.write(f"{self.done}/{self.total} items: {label}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _table(report: importer.Report, *, dry_run: bool) -> str:
    heading = ("kind", *importer.ACTIONS)
    rows = [heading, *[tuple(map(str, row)) for row in report.rows()]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(heading))]
    lines = ["Dry run: nothing was stored." if dry_run else "Import finished."]
    for row in rows:
        cells = [
            row[0].ljust(widths[0]),
            *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells))
    return "\n".join(lines)
