"""`make bench`: the site under gunicorn, on SQLite and on PostgreSQL + Redis, under load.

For each configuration the script builds a fresh database (the seed article, 200
approved threaded comments under it when the comments app is there, and other
articles), starts gunicorn with the production settings and 2 workers on 127.0.0.1,
and drives it with wrk (Debian's `wrk` package; a small Python load generator if wrk is
missing) for a few seconds per scenario:

  ceiling           a minimal Django view: a small template, no database, no cache
  article-cached    the seed article page, as an anonymous reader (page cache hit)
  article-rendered  the same page rendered for one reader (they carry a cookie of
                    their own, as a commenter does, so the page cache is bypassed;
                    the parts every reader shares come from the cache, core/fragments.py)
  article-nocache   the same page with the cache off (PAGE_CACHE=false, a server of
                    its own): everything rendered from the database
  home-cached / home-rendered / home-nocache
  archive / search  when the reader's site has them (month archive, /?s=)
  comment-post      a new comment on the seed article (CSRF, validation, moderation,
                    sanitizing, storage), when the comments app is there
  subscribe-post    a newsletter sign-up, when the newsletter app is there
  wordpress-nocache the reference the issue compares us with: WordPress (nginx, PHP-FPM
                    with 2 children, opcache, no page cache) serving the same article
                    with 100 threaded comments, when bench/wordpress/setup.sh has set it
                    up; measured in the SQLite run, next to article-nocache

It prints requests/s, p50 and p99 latency, each figure's ratio to the ceiling, peak
memory per worker (with 10 articles and with 1,000), and writes everything to
bench/results/site.json so that runs can be compared. The README's Production section
explains how to read it.

Environment: BENCH_SECONDS (per scenario, default 4), BENCH_CONNECTIONS (default 16),
BENCH_DATABASE_URL (PostgreSQL database the bench may drop and re-create, default
postgres://postgres@127.0.0.1:5432/bench_site), BENCH_CACHE_URL (Redis; the bench
uses keys of its own prefix there and deletes them afterwards, default
redis://127.0.0.1:6379/15), BENCH_CONFIGS (default "sqlite,postgres"),
BENCH_WORDPRESS_URL (the WordPress reference's article; default: the URL setup.sh wrote
to bench/wordpress/.url).
"""

import html.parser
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "site.json"
PYTHON = sys.executable

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
WARMUP_SECONDS = 1.0
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = 2
OTHER_ARTICLES = 1000
SMALL_SITE_ARTICLES = 10
COMMENTS = 200
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_site")
REDIS_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
CONFIGS = os.environ.get("BENCH_CONFIGS", "sqlite,postgres").split(",")
CEILING_PATH = "/bench/ceiling/"  # core.bench_urls.CEILING_PATH
NO_CACHE_COOKIE = "bench_reader=1"  # any cookie of the reader's own bypasses the page cache
WORDPRESS_URL = os.environ.get("BENCH_WORDPRESS_URL", "")
WORDPRESS_URL_FILE = ROOT / "bench" / "wordpress" / ".url"  # written by setup.sh

# The targets: (scenario, figure, reference scenario, bound, "min" or "max").
TARGETS = [
    ("article-cached", "rps", "ceiling", 0.8, "min"),
    ("article-cached", "p99_ms", "ceiling", 2.0, "max"),
    ("article-rendered", "rps", "ceiling", 0.25, "min"),
    ("article-nocache", "rps", "ceiling", 0.25, "min"),
    ("home-cached", "rps", "ceiling", 0.8, "min"),
    ("home-rendered", "rps", "ceiling", 0.3, "min"),
    ("home-nocache", "rps", "ceiling", 0.3, "min"),
    ("comment-post", "rps", "ceiling", 0.2, "min"),
    # "An order of magnitude ahead of WordPress with the cache off", when it is set up.
    ("article-nocache", "rps", "wordpress-nocache", 10, "min"),
]


# -- the database, in a child process with Django set up --------------------------------


def seed(total_articles: int) -> dict:
    """Run inside Django: the seed article, its comments, and other articles up to total."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.utils import timezone

    from blog import html
    from blog.models import Article

    if not Article.objects.filter(import_source__gt="").exists():
        call_command("import_seeds", verbosity=0)
    article = Article.objects.filter(import_source__gt="").order_by("pk").first()
    comments = _seed_comments(apps, article)
    others = Article.objects.exclude(pk=article.pk).count()
    body = "\n".join(
        f"<p>Paragraph {n} of a bench article, long enough to look like a news story "
        "about procurement, doctrine and the budgets behind them.</p>"
        for n in range(8)
    )
    blocks = html.split_blocks(html.clean_article_html(body))
    now = timezone.now()
    new = [
        Article(
            title=f"Bench article {n}",
            slug=f"bench-article-{n}",
            body=body,
            body_blocks=blocks,
            excerpt=f"Excerpt of bench article {n}.",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(others, total_articles - 1)
    ]
    Article.objects.bulk_create(new, batch_size=500)
    return {
        "article_url": article.get_absolute_url(),
        "articles": Article.objects.count(),
        "comments": comments,
    }


def _seed_comments(apps, article) -> int:
    """200 approved comments under the seed article, threaded four levels deep."""
    try:
        comment_model = apps.get_model("comments", "Comment")
    except LookupError:
        return 0
    existing = comment_model.objects.filter(article=article).count()
    if existing:
        return existing
    from django.utils import timezone

    fields = {field.name for field in comment_model._meta.get_fields()}
    parents: list = [None]
    made = 0
    level = 0
    per_level = COMMENTS // 4
    while made < COMMENTS:
        batch = []
        for n in range(per_level):
            parent = parents[n % len(parents)]
            values = {
                "article": article,
                "parent": parent,
                "author_name": f"Reader {made + n}",
                "author_email": f"reader{made + n}@example.org",
                "body": f"Comment {made + n}: a considered reply about the article.",
                "body_html": f"<p>Comment {made + n}: a considered reply about the article.</p>",
                "status": comment_model.Status.APPROVED,
                "created_at": timezone.now(),
            }
            if "depth" in fields:
                values["depth"] = level + 1
            batch.append(comment_model(**{k: v for k, v in values.items() if k in fields}))
        parents = comment_model.objects.bulk_create(batch)
        made += len(batch)
        level += 1
    return comment_model.objects.filter(article=article).count()


# -- the server -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603 (our own commands)


class Server:
    host = "127.0.0.1"

    def __init__(self, env: dict):
        self.env = env
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 (our own commands)
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.env["BENCH_LOG"], "a"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(self.url(CEILING_PATH))[0] == 200 and len(self.workers()) == WORKERS:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.env['BENCH_LOG']}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        children = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                children.append(int(status.parent.name))
        return children

    def peak_rss_mb(self) -> float:
        """The highest peak resident memory (VmHWM) among the workers, in MB."""
        peaks = []
        for pid in self.workers():
            match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else 0.0


class Site:
    """A server the bench did not start (the WordPress reference), as the drivers see it."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname, parts.port or 80, parts.netloc

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"


def get(url: str, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


# -- forms: what a browser would post ---------------------------------------------------


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif self.forms and tag in ("input", "select") and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif self.forms and tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self.forms[-1]["fields"][self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def find_forms(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def post_scenarios(server: Server, article_url: str) -> list[dict]:
    """The comment and subscription forms on the article page, as wrk POST scenarios."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar)
    with opener.open(server.url(article_url), timeout=10) as response:
        page = response.read().decode()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar.cookiejar)
    scenarios = []
    for form in find_forms(page):
        fields = form["fields"]
        action = urllib.parse.urljoin(article_url, form["action"] or article_url)
        if "comment" in fields:
            fields.update(
                comment="Bench comment {n}: a fair point about procurement, well argued.",
                author="Bench reader {n}",
                email="bench{n}@example.org",
            )
            fields.pop("wp-comment-cookies-consent", None)
            name = "comment-post"
        elif "email" in fields:
            fields["email"] = "subscriber{n}@example.org"
            name = "subscribe-post"
        else:
            continue
        body = urllib.parse.urlencode(fields).replace("%7Bn%7D", "{n}")
        scenarios.append(
            {
                "name": name,
                "method": "POST",
                "path": action,
                "body": body,
                "headers": {
                    "Cookie": cookies,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": server.url(article_url),
                },
            }
        )
    return scenarios


# -- load -------------------------------------------------------------------------------

WRK_SCRIPT = """
local method, path, body = %(method)s, %(path)s, %(body)s
local run = %(run)s  -- unique per wrk run: a warm-up's posts are not repeated
local headers = %(headers)s
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
request = function()
  counter = counter + 1
  local b = nil
  if body ~= nil then
    b = string.gsub(body, "{n}", string.format("%%sx%%dx%%d", run, id or 0, counter))
  end
  return wrk.format(method, path, headers, b)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"errors\\": %%d, \\"status_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _lua(value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)  # a JSON string is a valid Lua string here


def drive_wrk(server: Server, scenario: dict, seconds: float) -> dict:
    script = WRK_SCRIPT % {
        "method": _lua(scenario.get("method", "GET")),
        "path": _lua(scenario["path"]),
        "body": _lua(scenario.get("body")),
        "headers": _lua(scenario.get("headers", {})),
        "run": _lua(str(time.time_ns())),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(  # noqa: S603 (our own commands)
            [  # noqa: S607 (wrk from PATH)
                "wrk",
                "-t2",
                f"-c{CONNECTIONS}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                server.url("/"),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    raw = json.loads(output.split("BENCH_JSON", 1)[1].strip().splitlines()[0])
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["errors"],
        "non_2xx_3xx": raw["status_errors"],
    }


def drive_python(server: Server, scenario: dict, seconds: float) -> dict:
    """The fallback: CONNECTIONS threads, each one request at a time, for `seconds`."""
    latencies: list[float] = []
    counts = {"errors": 0, "bad": 0, "n": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(thread_id):
        conn = HTTPConnection(server.host, server.port, timeout=10)
        while time.monotonic() < deadline:
            with lock:
                counts["n"] += 1
                n = counts["n"]
            body = scenario.get("body")
            if body:
                body = body.replace("{n}", f"{thread_id}{n}{time.monotonic_ns()}")
            started = time.perf_counter()
            try:
                conn.request(
                    scenario.get("method", "GET"),
                    scenario["path"],
                    body=body,
                    headers=scenario.get("headers", {}),
                )
                response = conn.getresponse()
                response.read()
                if response.will_close:
                    conn.close()
            except OSError:
                conn.close()
                with lock:
                    counts["errors"] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status >= 400:
                    counts["bad"] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONNECTIONS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - began
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000, 2)

    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / duration, 1),
        "p50_ms": pct(0.5) if latencies else 0.0,
        "p99_ms": pct(0.99) if latencies else 0.0,
        "errors": counts["errors"],
        "non_2xx_3xx": counts["bad"],
    }


_USE_WRK = shutil.which("wrk") and os.environ.get("BENCH_DRIVER") != "python"
DRIVER = drive_wrk if _USE_WRK else drive_python


def measure(server: Server, scenario: dict) -> dict:
    DRIVER(server, scenario, WARMUP_SECONDS)
    settle(server, scenario)
    result = DRIVER(server, scenario, SECONDS)
    settle(server, scenario)
    print(
        f"  {scenario['name']:<18} {result['rps']:>9.1f} req/s   p50 {result['p50_ms']:>7.2f} ms"
        f"   p99 {result['p99_ms']:>7.2f} ms"
        + (f"   ({result['non_2xx_3xx']} non-2xx/3xx)" if result["non_2xx_3xx"] else "")
        + (f"   ({result['errors']} socket errors)" if result["errors"] else ""),
        flush=True,
    )
    return result


def settle(server, scenario: dict) -> None:
    """Wait until the requests a wrk run left queued have been served.

    When wrk stops it hangs up on the requests in flight, but gunicorn and PHP-FPM still
    serve what they have accepted. One more request of the same page waits behind them:
    the next run then starts on an idle server, instead of a slow page (WordPress's) paying
    for the last run's queue, or the next ceiling run sharing the CPUs with it. A GET only:
    a POST would add a row.
    """
    if scenario.get("method", "GET") == "GET":
        one_request(server, scenario, timeout=120)


def one_request(server, scenario: dict, timeout: float = 10) -> int | str:
    """The status of one request of the scenario, as wrk sends it: no redirect followed."""
    conn = HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request("GET", scenario["path"], headers=scenario.get("headers", {}))
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return f"nothing ({error})"
    finally:
        conn.close()


# -- one configuration ------------------------------------------------------------------


def prepare_postgres(url: str) -> bool:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            # The bench measures the app, not how fast this machine's disk flushes.
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    except psycopg.Error as error:
        print(f"  PostgreSQL unavailable ({error}); skipped.")
        return False
    return True


# The bench's cache keys start with this (a prefix per phase, see run_config): nothing
# else in that Redis database is read, flushed or deleted.
KEY_PREFIX = f"broadsheet-bench-{os.getpid()}"


def prepare_redis(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        print(f"  Redis unavailable ({error}); skipped.")
        return False
    return True


def forget_redis_keys(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        for key in client.scan_iter(match=f"{KEY_PREFIX}-*", count=1000):
            client.delete(key)
    except redis.RedisError:
        pass


def run_config(name: str, base_env: dict, memdir: Path, wordpress=None) -> dict | None:
    env = dict(base_env)
    if name == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{memdir / 'bench.sqlite3'}"
        env["CACHE_URL"] = "locmemcache://"
        env["PAGE_CACHE"] = "true"  # per worker: fine for a bench that changes no page
        label = "SQLite, local-memory cache per worker"
    else:
        if not (prepare_postgres(PG_URL) and prepare_redis(REDIS_URL)):
            return None
        env["DATABASE_URL"] = PG_URL
        env["CACHE_URL"] = REDIS_URL
        label = "PostgreSQL + Redis"
    print(f"== {name}: {label}", flush=True)
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env)

    def seed_to(total):
        out = run([PYTHON, __file__, "--seed", str(total)], env, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    # Memory with a small site first, then the same pages with 1,000 articles. The seed
    # step writes in bulk (no signals, no version bump), so each phase gets fresh keys.
    small = seed_to(SMALL_SITE_ARTICLES)
    env["CACHE_KEY_PREFIX"] = f"{KEY_PREFIX}-{name}-small"
    env["GUNICORN_BIND"] = f"127.0.0.1:{free_port()}"
    with Server(env) as server:
        for scenario in basic_scenarios(small["article_url"]):
            DRIVER(server, scenario, WARMUP_SECONDS)
        rss_small = server.peak_rss_mb()

    site = seed_to(OTHER_ARTICLES + 1)
    print(f"  {site['articles']} articles, {site['comments']} comments on the seed article")
    env["CACHE_KEY_PREFIX"] = f"{KEY_PREFIX}-{name}-large"
    env["GUNICORN_BIND"] = f"127.0.0.1:{free_port()}"
    results = {}
    with Server(env) as server:
        status, _, _ = get(server.url(site["article_url"]))
        assert status == 200, f"the seed article answered {status}"
        scenarios = [
            {"name": "ceiling", "path": CEILING_PATH, "headers": BROWSER},
            *basic_scenarios(site["article_url"]),
            *optional_scenarios(server, site["article_url"]),
            *post_scenarios(server, site["article_url"]),
        ]
        # Other work on the machine comes and goes: each scenario is measured right after
        # a run of the ceiling, and its ratios are to that run (the pair sees the same
        # moment). The ceiling reported is the median of those runs.
        ceiling_runs = [measure(server, scenarios[0])]
        for scenario in scenarios[1:]:
            reference = DRIVER(server, scenarios[0], SECONDS)
            ceiling_runs.append(reference)
            result = measure(server, scenario)
            result["ceiling_rps"], result["ceiling_p99_ms"] = reference["rps"], reference["p99_ms"]
            results[scenario["name"]] = result
        rss_large = server.peak_rss_mb()

    # The cache off (PAGE_CACHE=false): neither whole pages nor their shared parts are
    # kept, every page is rendered from the database. Same site, a server of its own.
    env["PAGE_CACHE"] = "false"
    env["GUNICORN_BIND"] = f"127.0.0.1:{free_port()}"
    with Server(env) as server:
        ceiling = {"name": "ceiling", "path": CEILING_PATH, "headers": BROWSER}
        for scenario in nocache_scenarios(site["article_url"]):
            reference = DRIVER(server, ceiling, SECONDS)
            ceiling_runs.append(reference)
            result = measure(server, scenario)
            result["ceiling_rps"], result["ceiling_p99_ms"] = reference["rps"], reference["p99_ms"]
            results[scenario["name"]] = result
        # WordPress while our server idles, right after a ceiling run of this server: the
        # same reference as article-nocache's, on the same site seed.
        if wordpress:
            wordpress_site, scenario = wordpress
            reference = DRIVER(server, ceiling, SECONDS)
            ceiling_runs.append(reference)
            try:
                result = measure(wordpress_site, scenario)
            except (OSError, subprocess.CalledProcessError, ValueError, IndexError) as error:
                # A reference, not our site: its failing never fails the bench.
                print(f"  wordpress-nocache: not measured ({error})")
            else:
                result["ceiling_rps"] = reference["rps"]
                result["ceiling_p99_ms"] = reference["p99_ms"]
                result["url"] = wordpress_site.url(scenario["path"])
                results[scenario["name"]] = result
    ceiling_runs.sort(key=lambda run: run["rps"])
    results = {"ceiling": ceiling_runs[len(ceiling_runs) // 2], **results}
    results["ceiling"]["runs_rps"] = [run["rps"] for run in ceiling_runs]

    for result in results.values():
        ceiling_rps = result.get("ceiling_rps", results["ceiling"]["rps"])
        ceiling_p99 = result.get("ceiling_p99_ms", results["ceiling"]["p99_ms"])
        result["rps_ratio"] = round(result["rps"] / ceiling_rps, 2) if ceiling_rps else None
        result["p99_ratio"] = round(result["p99_ms"] / ceiling_p99, 2) if ceiling_p99 else None
    if "wordpress-nocache" in results and results["wordpress-nocache"]["ceiling_rps"]:
        # A few thousandths of the ceiling: to two decimals that would read 0.
        measured = results["wordpress-nocache"]
        measured["rps_ratio"] = round(measured["rps"] / measured["ceiling_rps"], 4)
    print(
        "  ceiling runs (req/s): "
        + ", ".join(f"{rps:.0f}" for rps in results["ceiling"]["runs_rps"])
        + "; ratios are to the run just before each scenario"
    )
    memory = {
        "peak_rss_mb_per_worker_10_articles": rss_small,
        "peak_rss_mb_per_worker_1000_articles": rss_large,
        "growth_ratio": round(rss_large / rss_small, 2) if rss_small else None,
    }
    print(f"  peak RSS per worker: {rss_small} MB with 10 articles, {rss_large} MB with 1,000")
    return {
        "label": label,
        "articles": site["articles"],
        "comments_on_article": site["comments"],
        "scenarios": results,
        "memory": memory,
        "targets": check_targets(results),
    }


# Every browser sends it; cached pages are kept gzipped and sent as they are.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def basic_scenarios(article_url: str) -> list[dict]:
    own_cookie = {**BROWSER, "Cookie": NO_CACHE_COOKIE}
    return [
        {"name": "article-cached", "path": article_url, "headers": BROWSER},
        {"name": "article-rendered", "path": article_url, "headers": own_cookie},
        {"name": "home-cached", "path": "/", "headers": BROWSER},
        {"name": "home-rendered", "path": "/", "headers": own_cookie},
    ]


def nocache_scenarios(article_url: str) -> list[dict]:
    return [
        {"name": "article-nocache", "path": article_url, "headers": BROWSER},
        {"name": "home-nocache", "path": "/", "headers": BROWSER},
    ]


def optional_scenarios(server: Server, article_url: str) -> list[dict]:
    """Archive and search pages, if the reader's site has them (not the home page again)."""
    year, month = article_url.strip("/").split("/")[:2]
    home = _without_tokens(get(server.url("/"))[2])
    found = []
    for name, path in [("archive", f"/{year}/{month}/"), ("search", "/?s=defence")]:
        status, _, page = get(server.url(path))
        if status == 200 and _without_tokens(page) != home:
            found.append({"name": name, "path": path, "headers": BROWSER})
    return found


def wordpress_scenario() -> tuple[Site, dict] | None:
    """The WordPress reference, if bench/wordpress/setup.sh (or the person) names one.

    It is optional: a machine without it skips it with one line saying how to add it.
    """
    url = WORDPRESS_URL
    if not url and WORDPRESS_URL_FILE.is_file():
        url = WORDPRESS_URL_FILE.read_text().strip()
    if not url:
        print(
            "wordpress-nocache: no WordPress reference; skipped "
            "(`sudo make bench-wordpress-setup` sets it up, see the README)"
        )
        return None
    site = Site(url)
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # The Host header the site knows itself by, port included: WordPress redirects any
    # other to its own address, and a redirect is a cheap answer that wrk counts as good.
    scenario = {
        "name": "wordpress-nocache",
        "path": path,
        "headers": {**BROWSER, "Host": site.netloc},
    }
    status = one_request(site, scenario)
    if status != 200:
        print(
            f"wordpress-nocache: {url} answered {status}, not 200; skipped "
            "(`sudo make bench-wordpress-setup` sets it up, or starts it again)"
        )
        return None
    return site, scenario


def _without_tokens(page: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}|nonce=\"[^\"]*\"", "", page)


def check_targets(results: dict) -> list[dict]:
    checks = []
    for scenario, figure, reference, bound, kind in TARGETS:
        if scenario not in results or reference not in results:
            continue
        if reference == "ceiling":
            ratio = results[scenario][{"rps": "rps_ratio", "p99_ms": "p99_ratio"}[figure]]
        else:
            # The two were measured at different moments, and other work on the machine
            # moves raw figures by half between them: each is taken over the ceiling run
            # just before it (the same server's), then one over the other.
            value, base = (
                _to_ceiling(results[scenario], figure),
                _to_ceiling(results[reference], figure),
            )
            ratio = round(value / base, 2) if base else None
        met = ratio is not None and (ratio >= bound if kind == "min" else ratio <= bound)
        check = {
            "target": f"{scenario} {figure} {'>=' if kind == 'min' else '<='} "
            f"{bound} x {reference}",
            "ratio": ratio,
            "met": met,
        }
        if reference != "ceiling" and results[reference][figure]:
            check["raw_ratio"] = round(results[scenario][figure] / results[reference][figure], 2)
        checks.append(check)
    return checks


def _to_ceiling(result: dict, figure: str) -> float:
    """A scenario's figure over that of the ceiling run just before it (as it is, if none)."""
    ceiling = result.get(f"ceiling_{figure}")
    return result[figure] / ceiling if ceiling else result[figure]


def main() -> int:
    if "--seed" in sys.argv:
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        print(json.dumps(seed(int(sys.argv[sys.argv.index("--seed") + 1]))))
        return 0
    print(
        f"driver: {'wrk' if DRIVER is drive_wrk else 'Python fallback (install wrk)'}, "
        f"{CONNECTIONS} connections, {SECONDS:g} s per scenario, {WORKERS} gunicorn workers",
        flush=True,
    )
    load_before = round(os.getloadavg()[0], 2)
    if load_before > (os.cpu_count() or 1) / 2:
        print(f"note: load average {load_before} before the run; figures will be noisy")
    workdir = Path(tempfile.mkdtemp(prefix="broadsheet-bench-"))
    # SQLite in memory when the machine has /dev/shm: the app's work, not the disk's.
    shm = Path("/dev/shm")  # noqa: S108 (a private folder made inside it by mkdtemp)
    memdir = workdir
    if shm.is_dir():
        memdir = Path(tempfile.mkdtemp(prefix="broadsheet-bench-", dir=shm))
    base_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CACHE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "true",
        "STATIC_ROOT": str(workdir / "static"),
        "EMAIL_URL": "dummymail://",
        # As in production: a post queues its emails for the worker (none runs here).
        "TASKS_BACKEND": "database",
        "BENCH_CEILING_VIEW": "true",
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
        "BENCH_LOG": str(workdir / "gunicorn.log"),
        # Every post comes from 127.0.0.1: flood control off, and the sign-up limit so
        # high that it still counts each post (its one cache round trip) but never refuses.
        "COMMENT_FLOOD_SECONDS": "0",
        "NEWSLETTER_SIGNUP_RATE": "999999",  # the most core.ratelimit counts
    }
    run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
        {**base_env, "DATABASE_URL": f"sqlite:///{workdir / 'static.sqlite3'}"},
    )
    configs = {}
    names = [name.strip() for name in CONFIGS]
    wordpress = wordpress_scenario() if "sqlite" in names else None
    try:
        for name in CONFIGS:
            result = run_config(
                name.strip(), base_env, memdir, wordpress if name.strip() == "sqlite" else None
            )
            if result:
                configs[name.strip()] = result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(memdir, ignore_errors=True)
        if "postgres" in configs or any(c.strip() == "postgres" for c in CONFIGS):
            forget_redis_keys(REDIS_URL)

    print("\n== targets")
    for name, config in configs.items():
        for check in config["targets"]:
            mark = "met" if check["met"] else "MISSED"
            print(f"  {name:<9} {check['target']:<48} {check['ratio']:>6}  {mark}")
        growth = config["memory"]["growth_ratio"]
        print(f"  {name:<9} {'memory 1,000 vs 10 articles (flat: ~1.0)':<48} {growth:>6}")
        if "wordpress-nocache" in config["scenarios"]:
            ratio = config["scenarios"]["wordpress-nocache"]["rps_ratio"]
            print(f"  {name:<9} {'wordpress-nocache rps vs ceiling (reference)':<48} {ratio:>6}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    # Other work on the machine skews every figure: the 1-minute load
                    # average before and after the run says how much there was.
                    "load_before": load_before,
                    "load_after": round(os.getloadavg()[0], 2),
                },
                "driver": "wrk" if DRIVER is drive_wrk else "python",
                "connections": CONNECTIONS,
                "seconds_per_scenario": SECONDS,
                "gunicorn_workers": WORKERS,
                "configs": configs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
