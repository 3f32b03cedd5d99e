"""Print the bench's seed article as WordPress would store it: JSON {"title", "content"}.

setup.sh runs this to give WordPress the same article `make bench` serves: the first
seed in seeds/ (the one bench_site.py's site is built around), parsed by our own
importer so that both sites show the same title and paragraphs. A "See also" line,
which our site renders as a link to the article of that title, stays a paragraph of
its own where it stands, as the saved WordPress page had it.
"""

import html
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    # Only the parser runs: no database, no secrets, nothing read from .env.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        READ_DOT_ENV="false",
        DEBUG="true",
        DATABASE_URL="sqlite://:memory:",
    )
    import django

    django.setup()
    from blog import importers

    path = importers.seed_files([ROOT / "seeds"])[0]
    parsed = importers.read_seed(path)
    see_also = {}
    for link in parsed.links:
        see_also.setdefault(link.after_paragraph, []).append(link.title)
    blocks = []
    for n, paragraph in enumerate([*parsed.paragraphs, None]):
        blocks += [
            f"<p>See also\u00a0 {html.escape(title, quote=False)}</p>"
            for title in see_also.get(n, [])
        ]
        if paragraph is not None:
            blocks.append(f"<p>{html.escape(paragraph, quote=False)}</p>")
    print(json.dumps({"title": parsed.title, "content": "\n\n".join(blocks), "seed": path.name}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
