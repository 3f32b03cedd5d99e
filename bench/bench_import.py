"""What `import_wordpress` costs: its rate and its memory on a big export.

Target (issue 15): a synthetic export built from the shapes of WordPress's theme unit
test data (/work/shared/wxr/themeunittestdata.wordpress.xml: block-editor and classic
posts, nested categories, tags, several authors, threaded comments in every status,
the odd pingback) is imported at 1,000 and at 100,000 comments; the rate is at least
1,000 comments per second on SQLite, and memory is flat between the two sizes.

The export is written here, to a temporary folder (tmpfs when there is one), with
COMMENTS_PER_POST comments under each post, so the big file has a hundred times the
posts too. It holds no attachments: fetching pictures is not what this measures.

Each size is imported in a process of its own (this script, run again), on a new SQLite
database on tmpfs with the production settings, through `wordpress.importer.import_wxr`
(what the command calls, without its progress bar). The child reports the wall time,
its CPU time, the resident memory before the import and its peak (VmHWM: the import is
the last thing the process does, so the peak is the import's unless setting Django up
took more), and the rows it made. With BENCH_IMPORT_PROFILE=1 the child also prints
where the time goes (cProfile, the 25 costliest functions by cumulative time).

    python bench/bench_import.py        # BENCH_IMPORT_SIZES=1000,100000 by default

Written to bench/results/import.json.
"""

import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import XMLGenerator

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import.json"
DEFAULT_SIZES = (1_000, 100_000)
COMMENTS_PER_POST = 20
TARGET_RATE = 1_000  # comments per second
SITE = "https://synthetic.example.com"
NAMESPACES = {
    "xmlns:excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
    "xmlns:wfw": "http://wellformedweb.org/CommentAPI/",
    "xmlns:dc": "http://purl.org/dc/elements/1.1/",
    "xmlns:wp": "http://wordpress.org/export/1.2/",
}
AUTHORS = [("themedemos", "Theme Buster"), ("themereviewteam", "Theme Reviewer"), ("jane", "")]
WORDS = [
    "harbour", "frigate", "council", "minister", "budget", "vote", "river", "bridge",
    "market", "strike", "winter", "port", "election", "treaty", "border", "coast", "rail",
    "freight", "grain", "energy", "court", "ruling", "summit", "fleet",
]  # fmt: skip
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15",
]
# WordPress's comment_approved values, in the proportions of a moderated site.
STATUSES = ["1"] * 16 + ["0", "0", "spam", "trash"]


# --- The synthetic export ----------------------------------------------------------------


class _Writer:
    def __init__(self, out):
        self.xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)

    def start(self, name, attrs=None):
        self.xml.startElement(name, attrs or {})
        self.xml.ignorableWhitespace("\n")

    def end(self, name):
        self.xml.endElement(name)
        self.xml.ignorableWhitespace("\n")

    def element(self, name, text="", attrs=None):
        self.xml.startElement(name, attrs or {})
        if text:
            self.xml.characters(str(text))
        self.xml.endElement(name)
        self.xml.ignorableWhitespace("\n")


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _block_body(rng: random.Random) -> str:
    """A block-editor post: paragraphs, a heading, a list, a quote, as the sample's."""
    parts = []
    for _ in range(3):
        parts.append(f"<!-- wp:paragraph -->\n<p>{_sentence(rng)}</p>\n<!-- /wp:paragraph -->")
    parts.append(f"<!-- wp:heading -->\n<h2>{_sentence(rng, 4)}</h2>\n<!-- /wp:heading -->")
    items = "".join(f"<li>{_sentence(rng, 3)}</li>" for _ in range(3))
    parts.append(f"<!-- wp:list -->\n<ul>{items}</ul>\n<!-- /wp:list -->")
    parts.append(
        f'<!-- wp:quote -->\n<blockquote class="wp-block-quote"><p>{_sentence(rng)}</p>'
        "</blockquote>\n<!-- /wp:quote -->"
    )
    return "\n\n".join(parts)


def _classic_body(rng: random.Random) -> str:
    """A classic-editor post: text with blank lines, <!--more-->, for wpautop."""
    paragraphs = [_sentence(rng, 20) for _ in range(4)]
    paragraphs.insert(1, "<!--more-->")
    return "\n\n".join(paragraphs)


def write_export(path: Path, comments: int) -> dict:
    """Write an export holding `comments` comments; return what it holds."""
    rng = random.Random(comments)  # noqa: S311 (made-up text, the same every run)
    posts = max(1, comments // COMMENTS_PER_POST)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        w = _Writer(out)
        w.xml.startDocument()
        w.start("rss", {"version": "2.0", **NAMESPACES})
        w.start("channel")
        w.element("title", "Synthetic Theme Unit Test Data")
        w.element("link", SITE)
        w.element("description", "Built from the shapes of the theme unit test export")
        w.element("pubDate", format_datetime(start))
        w.element("language", "en")
        w.element("wp:wxr_version", "1.2")
        w.element("wp:base_site_url", SITE)
        w.element("wp:base_blog_url", SITE)
        for n, (login, display) in enumerate(AUTHORS, 1):
            w.start("wp:author")
            w.element("wp:author_id", n)
            w.element("wp:author_login", login)
            w.element("wp:author_email", f"{login}@synthetic.example.com")
            w.element("wp:author_display_name", display or login)
            w.end("wp:author")
        categories = [("news", ""), ("europe", "news"), ("balkans", "europe"), ("sport", "")]
        categories += [(f"section-{n}", "") for n in range(6)]
        for n, (slug, parent) in enumerate(categories, 1):
            w.start("wp:category")
            w.element("wp:term_id", n)
            w.element("wp:category_nicename", slug)
            w.element("wp:category_parent", parent)
            w.element("wp:cat_name", slug.replace("-", " ").title())
            w.end("wp:category")
        tags = [f"tag-{n}" for n in range(20)]
        for n, slug in enumerate(tags, 100):
            w.start("wp:tag")
            w.element("wp:term_id", n)
            w.element("wp:tag_slug", slug)
            w.element("wp:tag_name", slug.replace("-", " "))
            w.end("wp:tag")
        for post in range(1, posts + 1):
            published = start + timedelta(hours=post)
            slug = f"post-{post}"
            login = AUTHORS[post % len(AUTHORS)][0]
            w.start("item")
            w.element("title", f"{_sentence(rng, 5)[:-1]} {post}")
            w.element("link", f"{SITE}/{published:%Y/%m/%d}/{slug}/")
            w.element("pubDate", format_datetime(published))
            w.element("dc:creator", login)
            w.element("guid", f"{SITE}/?p={post}", {"isPermaLink": "false"})
            w.element("description", "")
            body = _block_body(rng) if post % 2 else _classic_body(rng)
            w.element("content:encoded", body)
            w.element("excerpt:encoded", "")
            w.element("wp:post_id", post)
            stamp = published.strftime("%Y-%m-%d %H:%M:%S")
            w.element("wp:post_date", stamp)
            w.element("wp:post_date_gmt", stamp)
            w.element("wp:comment_status", "open")
            w.element("wp:ping_status", "open")
            w.element("wp:post_name", slug)
            w.element("wp:status", "publish" if post % 10 else "draft")
            w.element("wp:post_parent", 0)
            w.element("wp:menu_order", 0)
            w.element("wp:post_type", "post")
            w.element("wp:post_password", "")
            w.element("wp:is_sticky", int(post == 1))
            category = categories[post % len(categories)][0]
            w.element("category", category.title(), {"domain": "category", "nicename": category})
            for tag in rng.sample(tags, 2):
                w.element("category", tag, {"domain": "post_tag", "nicename": tag})
            w.start("wp:postmeta")
            w.element("wp:meta_key", "_edit_last")
            w.element("wp:meta_value", "1")
            w.end("wp:postmeta")
            first_of_post = comment_id + 1
            for n in range(COMMENTS_PER_POST):
                if comment_id >= comments:
                    break
                comment_id += 1
                # Every third comment answers an earlier one of the same post.
                parent = rng.randrange(first_of_post, comment_id) if n and n % 3 == 0 else 0
                is_ping = n == COMMENTS_PER_POST - 1 and post % 5 == 0
                when = published + timedelta(minutes=5 * (n + 1))
                w.start("wp:comment")
                w.element("wp:comment_id", comment_id)
                w.element("wp:comment_author", f"Reader {comment_id % 997}")
                w.element("wp:comment_author_email", f"reader{comment_id % 997}@example.net")
                w.element("wp:comment_author_url", "https://example.net/" if n % 4 == 0 else "")
                w.element("wp:comment_author_IP", f"198.51.100.{comment_id % 250 + 1}")
                w.element("wp:comment_date", when.strftime("%Y-%m-%d %H:%M:%S"))
                w.element("wp:comment_date_gmt", when.strftime("%Y-%m-%d %H:%M:%S"))
                w.element("wp:comment_content", _sentence(rng, 25))
                w.element("wp:comment_approved", rng.choice(STATUSES))
                w.element("wp:comment_type", "pingback" if is_ping else "comment")
                w.element("wp:comment_parent", parent)
                w.element("wp:comment_user_id", 0)
                w.element("wp:comment_agent", AGENTS[comment_id % len(AGENTS)])
                w.end("wp:comment")
            w.end("item")
        w.end("channel")
        w.end("rss")
        w.xml.endDocument()
    return {"posts": posts, "comments": comment_id, "bytes": path.stat().st_size}


# --- One import, in a process of its own ------------------------------------------------


def _kilobytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def run_import(path: Path, scratch: str) -> dict:
    import logging

    tempfile.tempdir = scratch  # the bench database on tmpfs too
    logging.disable(logging.WARNING)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness

    harness.django_on_a_new_database("bench-import-")
    from blog.models import Article
    from comments.models import Comment
    from wordpress import importer

    rss_before = _kilobytes("VmRSS")
    profile = os.environ.get("BENCH_IMPORT_PROFILE") == "1"
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu_started, started = time.process_time(), time.perf_counter()
    report = importer.import_wxr(path, download=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profile:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        sys.stderr.write(text.getvalue())
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_mb": rss_before / 1024,
        "peak_rss_mb": _kilobytes("VmHWM") / 1024,
        "articles": Article.objects.count(),
        "comments_stored": Comment.objects.count(),
        "failed": report.failed,
    }


def _child(*args: str) -> dict:
    process = subprocess.run(  # noqa: S603 (this script, fixed arguments)
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT
    )
    if os.environ.get("BENCH_IMPORT_PROFILE") == "1" or process.returncode:
        sys.stderr.write(process.stderr)
    if process.returncode:
        raise SystemExit(f"bench child {args} failed")
    return json.loads(process.stdout.strip().splitlines()[-1])


# --- The driver ------------------------------------------------------------------------


def main() -> int:
    sizes = [
        int(size) for size in os.environ.get("BENCH_IMPORT_SIZES", "").split(",") if size.strip()
    ] or list(DEFAULT_SIZES)
    shm = Path("/dev/shm")  # noqa: S108 (a private directory is made inside it)
    scratch = str(shm) if shm.is_dir() else None
    runs = []
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        for size in sizes:
            path = Path(tmp) / f"synthetic-{size}.xml"
            held = write_export(path, size)
            result = _child("import", str(path), tmp)
            path.unlink()
            run = {
                "comments": held["comments"],
                "posts": held["posts"],
                "file_mb": held["bytes"] / 1e6,
                **result,
                "comments_per_second": held["comments"] / result["seconds"],
                "posts_per_second": held["posts"] / result["seconds"],
            }
            runs.append(run)
            met = "met" if run["comments_per_second"] >= TARGET_RATE else "MISSED"
            print(
                f"{run['comments']:>7} comments, {run['posts']} posts "
                f"({run['file_mb']:.1f} MB): {run['seconds']:.1f} s "
                f"(CPU {run['cpu_seconds']:.1f} s), {run['comments_per_second']:.0f} comments/s "
                f"(target >= {TARGET_RATE}: {met}); peak RSS {run['peak_rss_mb']:.0f} MB "
                f"({run['rss_before_mb']:.0f} MB before the import); "
                f"{run['comments_stored']} comments stored, {run['failed']} failed"
            )
    summary = {"runs": runs, "target_comments_per_second": TARGET_RATE}
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        summary["memory_growth_ratio"] = large["peak_rss_mb"] / small["peak_rss_mb"]
        summary["size_growth_ratio"] = large["comments"] / small["comments"]
        print(
            f"memory: peak RSS {small['peak_rss_mb']:.0f} MB at {small['comments']} comments "
            f"vs {large['peak_rss_mb']:.0f} MB at {large['comments']} "
            f"(x{summary['memory_growth_ratio']:.2f} for x{summary['size_growth_ratio']:.0f} "
            "the comments)"
        )
    summary["python"] = platform.python_version()
    summary["database"] = "sqlite (temporary file, tmpfs)" if scratch else "sqlite (temporary)"
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0 if all(run["failed"] == 0 for run in runs) else 1


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["import", path, scratch]:
            print(json.dumps(run_import(Path(path), scratch)))
        case _:
            sys.exit(main())
