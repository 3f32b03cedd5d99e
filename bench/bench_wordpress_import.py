"""How fast `import_wordpress` goes, and whether its memory stays flat as exports grow.

A synthetic export is built in the shapes of WordPress's theme unit test data (posts of
a few paragraphs with categories and tags, threaded comments with every field filled,
some held, some spam, a few pingbacks) at each size of BENCH_WXR_COMMENTS, and imported
in a process of its own on a new SQLite database, so that each peak memory (the
process's maximum resident size) is its own. It prints the comments per second and the
peak for each size and writes them to bench/results/wordpress_import.json.

    python bench/bench_wordpress_import.py   # BENCH_WXR_COMMENTS=1000,100000 by default

Targets (issue 15): at least 1,000 comments per second on SQLite; the peak at the
largest size about the peak at the smallest (flat).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "wordpress_import.json"
SIZES = [int(n) for n in os.environ.get("BENCH_WXR_COMMENTS", "1000,100000").split(",")]
COMMENTS_PER_POST = 20

PARAGRAPH = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer nec odio. Praesent "
    "libero. Sed cursus ante dapibus diam. Sed nisi. Nulla quis sem at nibh elementum "
    "imperdiet. Duis sagittis ipsum. Praesent mauris. Fusce nec tellus sed augue semper porta."
)


def write_export(path: Path, comments: int) -> None:
    """Written element by element, so that the bench itself stays small too."""
    sys.path.insert(0, str(ROOT))
    from tests.factories import wordpress as wp

    categories = [wp.category(f"section-{n}", f"Section {n}", wp_id=n) for n in range(1, 11)]
    tags = [wp.tag(f"tag-{n}", f"Tag {n}", wp_id=100 + n) for n in range(1, 31)]
    head, tail = wp.wxr_document("@@ITEMS@@").split("@@ITEMS@@")
    with path.open("w", encoding="utf-8") as out:
        out.write(head.replace("</wp:author>", "</wp:author>" + "".join(categories + tags), 1))
        posts = max(1, comments // COMMENTS_PER_POST)
        comment_id = 1
        for n in range(1, posts + 1):
            thread = []
            for k in range(min(COMMENTS_PER_POST, comments - comment_id + 1)):
                approved = "spam" if k % 17 == 16 else "0" if k % 9 == 8 else "1"
                kind = "pingback" if k % 25 == 24 else ""
                parent = comment_id - 1 if k % 3 == 2 else 0
                fields = {
                    "author_name": f"Reader {k}",
                    "email": f"r{k}@example.net",
                    "url": "https://reader.example.net",
                    "parent": parent,
                    "approved": approved,
                    "comment_type": kind,
                    "text": f"Comment {comment_id}. " + PARAGRAPH[:200],
                }
                thread.append(wp.comment(comment_id, **fields))
                comment_id += 1
            body = "\n\n".join([PARAGRAPH] * 5)
            terms = [("category", f"section-{n % 10 + 1}", "Section"),
                     ("post_tag", f"tag-{n % 30 + 1}", "Tag")]  # fmt: skip
            title, slug = f"Post number {n}", f"post-number-{n}"
            out.write(
                wp.item(
                    100_000 + n,
                    title,
                    slug=slug,
                    body=body,
                    terms=terms,
                    comments=thread,
                    sticky=n == 1,
                )
            )
        out.write(tail)


def run_one(comments: int) -> dict:
    """In a process of its own: import an export of `comments` comments."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness

    workdir = harness.django_on_a_new_database("bench-wxr-")
    export = workdir / "export.xml"
    write_export(export, comments)
    from wordpress import importer

    started, cpu_started = time.perf_counter(), time.process_time()
    report = importer.import_wxr(export, download=False)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    imported = report.counts["comment"]["imported"]
    return {
        "comments": imported,
        "posts": report.counts["post"]["imported"],
        "file_mb": round(export.stat().st_size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "comments_per_second": round(imported / elapsed),
        # What the import itself costs, whatever else the machine is running.
        "cpu_seconds": round(cpu, 2),
        "comments_per_cpu_second": round(imported / cpu),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> list[dict]:
    figures = []
    for size in SIZES:
        with tempfile.TemporaryFile() as out:
            # This very script with a number: no input of anyone's reaches the command.
            subprocess.run([sys.executable, __file__, str(size)], stdout=out, check=True)  # noqa: S603
            out.seek(0)
            figure = json.loads(out.read().decode().strip().splitlines()[-1])
        figures.append(figure)
        print(
            f"{figure['comments']:>7} comments ({figure['posts']} posts, {figure['file_mb']} MB): "
            f"{figure['seconds']} s, {figure['comments_per_second']} comments/s "
            f"({figure['comments_per_cpu_second']} per CPU second), "
            f"peak {figure['peak_rss_mb']} MB"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run_one(int(sys.argv[1]))))
    else:
        main()
