import contextlib
import io
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wordpress.export import export_wordpress

CANNOT_WRITE = "Cannot write {path}: {reason}."


class _CommandOutput(io.TextIOBase):
    """The command's stdout as a text stream, without the newline it adds to each write."""

    def __init__(self, stdout):
        self.stdout = stdout

    def writable(self):
        return True

    def write(self, text):
        self.stdout.write(text, ending="")
        return len(text)


class Command(BaseCommand):
    help = (
        "Write the whole site as a WordPress export (WXR 1.2): posts, pages, categories, "
        "tags, authors (without passwords), comments and pictures by URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="The file to write, or - for standard output.")

    def handle(self, *args, out, **options):
        if out == "-":
            counts = export_wordpress(out=_CommandOutput(self.stdout))
            self.stderr.write(f"Exported {counts}.")
            return
        path = Path(out)
        # Written beside the target and renamed at the end: a failed export leaves no
        # half file under the name asked for.
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("w", encoding="utf-8") as stream:
                counts = export_wordpress(out=stream)
            os.replace(partial, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            reason = error.strerror or str(error)
            raise CommandError(CANNOT_WRITE.format(path=out, reason=reason)) from None
        except BaseException:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise
        self.stdout.write(f"Exported {counts} to {out}.")
