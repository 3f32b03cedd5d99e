"""`make bench`: page delivery under load, each figure against a reference run beside it.

For each configuration (PostgreSQL, SQLite) the script builds a fresh database — the
seed article, 200 approved threaded comments under it, 1,000 other articles — starts
the site under gunicorn with the production settings and 2 workers on 127.0.0.1, and
drives it with wrk (Debian's `wrk` package; a small Python load generator if wrk is
missing), every client accepting gzip, for a few seconds per scenario:

  nginx-static     reference: the article page's bytes saved as a file under /static/,
                   served by the same nginx (gzip_static, the .gz beside it)
  nginx-article    the article through deploy/nginx/broadsheet.conf in front of the site
                   (what readers get: nginx's cache, refreshed every SHARED_CACHE_SECONDS)
  minimal          reference: bench/minimal/, a Django project of its own (one view, a
                   small template, Django's default middleware, no database) under the
                   same gunicorn settings
  django-cached    the article from gunicorn alone, out of Django's page cache (Redis)
  django-fragment  the article rendered for every request (PAGE_CACHE=false), with the
                   comment thread's {% cache %} fragment warm in Redis
  django-cold      the article with every cache off (CACHE_URL=dummycache://)
  wordpress        reference: WordPress serving the same article with no page cache,
                   when bench/wordpress/setup.sh has set it up
  comment-post     a new comment on the article (no CSRF token, no Origin or
                   Sec-Fetch-Site, as a non-browser client posts), on each database

The page scenarios run once, on the first configuration (PostgreSQL + Redis by default);
comment-post runs on every one. Other work on this shared machine comes and goes, so each
scenario is measured in turns with its reference (BENCH_ROUNDS rounds, default 2) and its
ratio is the median of the rounds' ratios; django-cold takes turns with WordPress itself
when it is set up (with the minimal view otherwise, for information). A reference's own
line shows the median of its runs. Nothing here asserts: the figures, ratios and targets
are printed in a table and written to bench/results/site.json.

Environment: BENCH_SECONDS (per scenario, default 4), BENCH_ROUNDS (default 2),
BENCH_CONNECTIONS (default 16), BENCH_CONFIGS (default "postgres,sqlite"),
BENCH_DATABASE_URL (a PostgreSQL database the bench may drop and re-create, default
postgres://postgres@127.0.0.1:5432/bench_site), BENCH_CACHE_URL (Redis; the bench uses
keys of its own prefix there and deletes them afterwards, default
redis://127.0.0.1:6379/15), BENCH_WORDPRESS_URL (the WordPress article; default: the URL
setup.sh wrote to bench/wordpress/.url), BENCH_NGINX (default /usr/sbin/nginx),
BENCH_DRIVER=python (the fallback even where wrk exists).
"""

import gzip
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
MINIMAL = ROOT / "bench" / "minimal"
RESULTS = ROOT / "bench" / "results" / "site.json"
PYTHON = sys.executable

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
# Each pair (reference, scenario) is measured in this many alternating rounds.
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "2")))
WARMUP_SECONDS = 1.0
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = 2
OTHER_ARTICLES = 1000
COMMENTS = 200
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_site")
REDIS_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
CONFIGS = [c.strip() for c in os.environ.get("BENCH_CONFIGS", "postgres,sqlite").split(",")]
NGINX = Path(os.environ.get("BENCH_NGINX", "/usr/sbin/nginx"))
WORDPRESS_URL = os.environ.get("BENCH_WORDPRESS_URL", "")
WORDPRESS_URL_FILE = ROOT / "bench" / "wordpress" / ".url"  # written by setup.sh
STATIC_COPY = "/static/bench/article.html"  # nginx-static's file, under STATIC_ROOT

# core/ before the cache redesign: the size its rewrite is measured against.
CORE_BEFORE_COMMIT = "5b11471"
CORE_BEFORE_LINES = 1541

# The targets: scenario >= bound x reference, in requests per second.
TARGETS = {
    "nginx-article": ("nginx-static", 0.8),
    "django-cached": ("minimal", 0.8),
    "django-fragment": ("minimal", 0.2),
    "django-cold": ("wordpress", 20),
    "comment-post": ("minimal", 0.15),
}

# Every browser sends it; wrk sends what it is told.
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


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


# -- the servers ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args, env, **kwargs):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603 (our own commands)


class Gunicorn:
    """gunicorn with the site's config file, for the site or (cwd=bench/minimal) the
    minimal project, on a free loopback port; stopped (workers too) on leaving."""

    host = "127.0.0.1"

    def __init__(self, env: dict, *, name: str, cwd: Path = ROOT, ready_path: str = "/"):
        self.port = free_port()
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.name, self.cwd, self.ready_path = name, cwd, ready_path
        # The site's config file; the minimal project's wraps it (same settings).
        self.config = "config/gunicorn.conf.py" if cwd == ROOT else "gunicorn.conf.py"
        self.process = None

    def __enter__(self):
        with open(self.env["BENCH_LOG"], "a") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own commands)
                [PYTHON, "-m", "gunicorn", "-c", self.config],
                env=self.env,
                cwd=self.cwd,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if get(self.url(self.ready_path))[0] == 200 and len(self.workers()) == WORKERS:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn ({self.name}) did not start; see {self.env['BENCH_LOG']}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

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
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if match := re.search(r"^VmHWM:\s+(\d+) kB", text, re.M):
                peaks.append(int(match.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else 0.0


class Nginx:
    """Debian's nginx with the shipped deploy/nginx files filled in, as
    deploy/serve-behind-nginx.sh fills them, in front of `upstream`."""

    host = "127.0.0.1"

    def __init__(self, upstream: Gunicorn, *, static_root: Path, run_dir: Path):
        self.port = free_port()
        self.upstream, self.static_root, self.run_dir = upstream, static_root, run_dir
        self.process = None

    def __enter__(self):
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        deploy = ROOT / "deploy" / "nginx"
        shutil.copy(deploy / "standalone.conf", self.run_dir / "nginx.conf")
        site = (deploy / "broadsheet.conf").read_text()
        for placeholder, value in {
            "@LISTEN@": f"127.0.0.1:{self.port}",
            "@SERVER_NAME@": "_",
            "@UPSTREAM@": f"127.0.0.1:{self.upstream.port}",
            "@STATIC_ROOT@": str(self.static_root),
            "@CACHE_DIR@": str(self.run_dir / "cache"),
        }.items():
            site = site.replace(placeholder, value)
        (self.run_dir / "broadsheet.conf").write_text(site)
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        self.process = subprocess.Popen(  # noqa: S603 (our own commands)
            [
                str(NGINX),
                "-p",
                f"{self.run_dir}/",
                "-c",
                str(self.run_dir / "nginx.conf"),
                "-e",
                str(self.run_dir / "error.log"),
                "-g",
                directives,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"nginx did not start; see {self.run_dir / 'error.log'}")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class Site:
    """A server the bench did not start (the WordPress reference), as the drivers see it."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.netloc = parts.hostname, parts.port or 80, parts.netloc

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"


def get(url: str, headers=None):
    """One GET: status, headers, body bytes (as sent: gzipped if they were)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (http://127.0.0.1 only)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _text(headers, body: bytes) -> str:
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode(errors="replace")


# -- the comment form, as a client posts it ---------------------------------------------


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif self.forms and tag in ("input", "select", "textarea") and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button"):
                self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def comment_post_scenario(server: Gunicorn, article_url: str) -> dict | None:
    """The article's comment form as a wrk POST: the fields the page gives, filled in,
    {n} made unique per request; no cookie, token, Origin or Sec-Fetch-Site."""
    _, headers, body = get(server.url(article_url), GZIP)
    parser = _Forms()
    parser.feed(_text(headers, body))
    for form in parser.forms:
        fields = form["fields"]
        if "comment" not in fields:
            continue
        fields.update(
            comment="Bench comment {n}: a fair point about procurement, well argued.",
            author="Bench reader {n}",
            email="bench{n}@example.org",
        )
        fields.pop("wp-comment-cookies-consent", None)
        return {
            "name": "comment-post",
            "method": "POST",
            "path": urllib.parse.urljoin(article_url, form["action"] or article_url),
            "body": urllib.parse.urlencode(fields).replace("%7Bn%7D", "{n}"),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }
    return None


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


def drive_wrk(server, scenario: dict, seconds: float) -> dict:
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


def drive_python(server, scenario: dict, seconds: float) -> dict:
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
                body = body.replace("{n}", f"{thread_id}x{n}x{time.monotonic_ns()}")
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


def _line(label: str, result: dict) -> None:
    print(
        f"  {label:<26} {result['rps']:>9.1f} req/s"
        f"   p50 {result['p50_ms']:>7.2f} ms   p99 {result['p99_ms']:>7.2f} ms"
        + (f"   ({result['non_2xx_3xx']} non-2xx/3xx)" if result["non_2xx_3xx"] else "")
        + (f"   ({result['errors']} socket errors)" if result["errors"] else ""),
        flush=True,
    )


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _combined(results: list[dict]) -> dict:
    """Several runs of one scenario as one: each figure the median of the runs'."""
    return {
        "requests": sum(r["requests"] for r in results),
        "rps": round(_median([r["rps"] for r in results]), 1),
        "p50_ms": round(_median([r["p50_ms"] for r in results]), 2),
        "p99_ms": round(_median([r["p99_ms"] for r in results]), 2),
        "errors": sum(r["errors"] for r in results),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in results),
        "runs_rps": [r["rps"] for r in results],
    }


def paired(reference: tuple, measured: tuple, runs: dict, *, seconds: float | None = None) -> dict:
    """The reference (server, scenario) and the scenario measured in turns, ROUNDS times,
    SECONDS in all for each (or `seconds` per run): both see the same moments of the
    machine, and a burst of other work spoils one round, not the figure. The ratio is
    the median of the rounds' ratios. Each side is warmed up first; each run is followed
    by settling."""
    (ref_server, ref_scenario), (server, scenario) = reference, measured
    for side_server, side_scenario in (reference, measured):
        DRIVER(side_server, side_scenario, WARMUP_SECONDS)
        settle(side_server, side_scenario)
    seconds = seconds or SECONDS / ROUNDS
    refs, ours, ratios = [], [], []
    for _ in range(ROUNDS):
        refs.append(DRIVER(ref_server, ref_scenario, seconds))
        settle(ref_server, ref_scenario)
        ours.append(DRIVER(server, scenario, seconds))
        settle(server, scenario)
        if refs[-1]["rps"]:
            ratios.append(ours[-1]["rps"] / refs[-1]["rps"])
    ref, result = _combined(refs), _combined(ours)
    _line(f"({ref_scenario['name']})", ref)
    _line(scenario["name"], result)
    runs.setdefault(ref_scenario["name"], []).append(ref)
    result["reference"] = ref_scenario["name"]
    result["reference_rps"] = ref["rps"]
    if ratios:
        result["ratio"] = round(_median(ratios), 2)
        result["round_ratios"] = [round(r, 3) for r in ratios]
    else:
        result["ratio"] = None
    return result


def settle(server, scenario: dict) -> None:
    """Wait until the requests a wrk run left queued have been served.

    When wrk stops it hangs up on the requests in flight, but gunicorn and PHP-FPM still
    serve what they have accepted. One more request of the same page waits behind them:
    the next run then starts on an idle server. A GET only: a POST would add a row.
    """
    if scenario.get("method", "GET") == "GET":
        one_request(server, scenario, timeout=120)


def one_request(server, scenario: dict, timeout: float = 10) -> int | str:
    """The status of one request of the scenario, as wrk sends it: no redirect followed."""
    conn = HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        body = scenario.get("body")
        if body:
            body = body.replace("{n}", f"check{time.time_ns()}")
        conn.request(
            scenario.get("method", "GET"),
            scenario["path"],
            body=body,
            headers=scenario.get("headers", {}),
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as error:
        return f"nothing ({error})"
    finally:
        conn.close()


# -- databases and caches ---------------------------------------------------------------


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


# The bench's cache keys start with this (a prefix per server, see run_config): nothing
# else in that Redis database is read, flushed or deleted.
KEY_PREFIX = f"broadsheet-bench-{os.getpid()}"


def redis_ready(url: str) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        print(f"Redis unavailable at {url} ({error}): the cached scenarios are skipped.")
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


# -- one configuration ------------------------------------------------------------------


def run_config(name: str, base_env: dict, ctx: dict, *, pages: bool) -> dict | None:
    """Build the database, then measure: the page scenarios when `pages`, and the post."""
    env = dict(base_env)
    if name == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{ctx['memdir'] / 'bench.sqlite3'}"
        label = "SQLite"
    elif name == "postgres":
        if not prepare_postgres(PG_URL):
            return None
        env["DATABASE_URL"] = PG_URL
        label = "PostgreSQL"
    else:
        print(f"== {name}: unknown configuration (sqlite, postgres); skipped")
        return None
    redis_url = REDIS_URL if ctx["redis"] else None
    cached = {"CACHE_URL": redis_url or "locmemcache://", "PAGE_CACHE": "true"}
    label += " + Redis" if redis_url else " + a local-memory cache per worker"
    print(f"== {name}: {label}", flush=True)
    run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env)
    out = run(
        [PYTHON, __file__, "--seed", str(OTHER_ARTICLES + 1)], env, capture_output=True, text=True
    )
    site = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  {site['articles']} articles, {site['comments']} comments on the seed article")
    article = {"name": "article", "path": site["article_url"], "headers": GZIP}
    minimal = (ctx["minimal"], {"name": "minimal", "path": "/", "headers": GZIP})
    runs: dict = {}
    results: dict = {}

    def server(phase: str, settings: dict) -> Gunicorn:
        return Gunicorn(
            {**env, **settings, "CACHE_KEY_PREFIX": f"{KEY_PREFIX}-{name}-{phase}"},
            name=f"{name} {phase}",
            ready_path=site["article_url"],
        )

    with server("cached", cached) as app:
        if pages and redis_url:
            if NGINX.exists():
                results.update(measure_nginx(app, article, ctx, runs))
            else:
                print(f"  nginx-article: not measured ({NGINX} is absent: apt-get install nginx)")
            results["django-cached"] = paired(
                minimal, (app, {**article, "name": "django-cached"}), runs
            )
        post = comment_post_scenario(app, site["article_url"])
        status = one_request(app, post) if post else None
        if post and isinstance(status, int) and status < 400:
            results["comment-post"] = paired(minimal, (app, post), runs)
        else:
            print(f"  comment-post: not measured (no comment form, or a post answered {status})")
        results["_peak_rss_mb_per_worker"] = app.peak_rss_mb()

    if pages and redis_url:
        fragment = {"CACHE_URL": redis_url, "PAGE_CACHE": "false"}
        with server("fragment", fragment) as app:
            results["django-fragment"] = paired(
                minimal, (app, {**article, "name": "django-fragment"}), runs
            )
    if pages:
        cold = {"CACHE_URL": "dummycache://", "PAGE_CACHE": "false"}
        with server("cold", cold) as app:
            scenario = (app, {**article, "name": "django-cold"})
            # In turns with WordPress, each idling while the other runs. WordPress takes
            # seconds a page under this load: each of its runs gets the full SECONDS.
            if ctx["wordpress"]:
                try:
                    results["django-cold"] = paired(
                        ctx["wordpress"], scenario, runs, seconds=SECONDS
                    )
                except (OSError, subprocess.CalledProcessError, ValueError, IndexError) as error:
                    # A reference, not our site: its failing never fails the bench.
                    print(f"  wordpress: not measured ({error})")
            if "django-cold" not in results:
                results["django-cold"] = paired(minimal, scenario, runs)

    for reference, reference_runs in runs.items():
        ordered = sorted(reference_runs, key=lambda r: r["rps"])
        results[reference] = {
            **ordered[len(ordered) // 2],
            "runs_rps": [r["rps"] for r in reference_runs],  # one per pair
        }
    peak = results.pop("_peak_rss_mb_per_worker")
    return {
        "label": label,
        "articles": site["articles"],
        "comments_on_article": site["comments"],
        "peak_rss_mb_per_worker": peak,
        "scenarios": results,
    }


def measure_nginx(app: Gunicorn, article: dict, ctx: dict, runs: dict) -> dict:
    """The article through the shipped nginx config, against the same bytes as a file."""
    static_root = ctx["static_root"]
    with Nginx(app, static_root=static_root, run_dir=ctx["workdir"] / "nginx") as proxy:
        get(proxy.url(article["path"]), GZIP)
        _, headers, body = get(proxy.url(article["path"]), GZIP)
        cache_status = headers.get("X-Cache-Status")
        if cache_status != "HIT":
            print(
                f"  note: the article's second request through nginx was {cache_status}, "
                f"not HIT (Cache-Control: {headers.get('Cache-Control')})"
            )
        plain = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
        copy = static_root / STATIC_COPY.removeprefix("/static/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(plain)
        copy.with_name(copy.name + ".gz").write_bytes(
            body if headers.get("Content-Encoding") == "gzip" else gzip.compress(plain)
        )
        static = {"name": "nginx-static", "path": STATIC_COPY, "headers": GZIP}
        result = paired((proxy, static), (proxy, {**article, "name": "nginx-article"}), runs)
        result["cache_status_before"] = cache_status
        result["bytes_gzip"] = len(body)
        return {"nginx-article": result}


def wordpress_scenario() -> tuple[Site, dict] | None:
    """The WordPress reference, if bench/wordpress/setup.sh (or the person) names one."""
    url = WORDPRESS_URL
    if not url and WORDPRESS_URL_FILE.is_file():
        url = WORDPRESS_URL_FILE.read_text().strip()
    if not url:
        print(
            "wordpress: no WordPress reference, not measured "
            "(`sudo make bench-wordpress-setup` sets it up, see the README)"
        )
        return None
    site = Site(url)
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    # The Host header the site knows itself by, port included: WordPress redirects any
    # other to its own address, and a redirect is a cheap answer that wrk counts as good.
    scenario = {"name": "wordpress", "path": path, "headers": {**GZIP, "Host": site.netloc}}
    status = one_request(site, scenario)
    if status != 200:
        print(f"wordpress: {url} answered {status}, not 200; not measured")
        return None
    return site, scenario


# -- the report -------------------------------------------------------------------------


def check_targets(scenarios: dict) -> dict:
    """Each target's ratio and whether it is met (None: its reference was not measured,
    e.g. WordPress not set up)."""
    checks = {}
    for name, (reference, bound) in TARGETS.items():
        if name not in scenarios:
            continue
        ratio = scenarios[name]["ratio"] if scenarios[name]["reference"] == reference else None
        checks[name] = {
            "target": f">= {bound:g} x {reference}",
            "ratio": ratio,
            "met": None if ratio is None else ratio >= bound,
        }
    return checks


def print_table(configs: dict) -> None:
    header = (
        f"{'scenario':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}  "
        f"{'target':<22} result"
    )
    print("\n" + header + "\n" + "-" * len(header))
    order = (
        "nginx-static",
        "nginx-article",
        "minimal",
        "django-cached",
        "django-fragment",
        "django-cold",
        "wordpress",
        "comment-post",
    )
    for config_name, config in configs.items():
        scenarios, checks = config["scenarios"], config["targets"]
        for name in order:
            label = f"{name} ({config_name})"
            if name not in scenarios:
                if name in checks:
                    blank = f"{'':>9} {'':>8} {'':>8} {'':>7}"
                    print(f"{label:<28} {blank}  {checks[name]['target']:<22} not measured")
                continue
            result = scenarios[name]
            check = checks.get(name)
            if check:
                ratio = "" if check["ratio"] is None else f"{check['ratio']:g}"
                verdicts = {True: "met", False: "MISSED", None: "not measured"}
                target, verdict = check["target"], verdicts[check["met"]]
            elif "runs_rps" in result:
                ratio, target, verdict = "", "reference", f"median of {len(result['runs_rps'])}"
            else:
                ratio, target, verdict = "", "", ""
            print(
                f"{label:<28} {result['rps']:>9.1f} {result['p50_ms']:>8.2f} "
                f"{result['p99_ms']:>8.2f} {ratio:>7}  {target:<22} {verdict}"
            )


def core_line_counts() -> dict:
    """Lines of core/'s .py files before the redesign (git, else the recorded figure)
    and in the current tree."""

    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 (our own commands)
            ["git", *args],  # noqa: S607 (git from PATH)
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    before = CORE_BEFORE_LINES
    try:
        names = git("ls-tree", "-r", "--name-only", CORE_BEFORE_COMMIT, "core/").split()
        before = sum(
            git("show", f"{CORE_BEFORE_COMMIT}:{name}").count("\n")
            for name in names
            if name.endswith(".py")
        )
    except (OSError, subprocess.CalledProcessError):
        pass  # not a git checkout: the figure recorded above
    after = sum(path.read_text().count("\n") for path in (ROOT / "core").rglob("*.py"))
    return {"before_commit": CORE_BEFORE_COMMIT, "before": before, "after": after}


def main() -> int:
    if "--seed" in sys.argv:
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        print(json.dumps(seed(int(sys.argv[sys.argv.index("--seed") + 1]))))
        return 0
    # A SIGTERM (or Ctrl-C) unwinds through every `with`, stopping what was started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
    memdir = (
        Path(tempfile.mkdtemp(prefix="broadsheet-bench-", dir=shm)) if shm.is_dir() else workdir
    )
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
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": "",
        # gunicorn 25's control socket is one path per user: several masters at once
        # (the site's and the minimal project's) would take it from each other.
        "GUNICORN_CMD_ARGS": "--no-control-socket",
        "LOG_LEVEL": "WARNING",
        "BENCH_LOG": str(workdir / "gunicorn.log"),
        # Every post comes from 127.0.0.1: flood control off.
        "COMMENT_FLOOD_SECONDS": "0",
    }
    minimal_env = {
        **base_env,
        "DJANGO_SETTINGS_MODULE": "minimal.settings",
        "PYTHONPATH": str(MINIMAL),
    }
    configs = {}
    try:
        run(
            [PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"],
            {**base_env, "DATABASE_URL": f"sqlite:///{workdir / 'static.sqlite3'}"},
        )
        ctx = {
            "workdir": workdir,
            "memdir": memdir,
            "static_root": workdir / "static",
            "redis": redis_ready(REDIS_URL),
            "wordpress": wordpress_scenario(),
        }
        with Gunicorn(minimal_env, name="minimal", cwd=MINIMAL) as minimal:
            ctx["minimal"] = minimal
            pages_done = False
            for name in CONFIGS:
                result = run_config(name, base_env, ctx, pages=not pages_done)
                if result:
                    result["targets"] = check_targets(result["scenarios"])
                    configs[name] = result
                    pages_done = pages_done or "django-cold" in result["scenarios"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(memdir, ignore_errors=True)
        forget_redis_keys(REDIS_URL)

    print_table(configs)
    print(
        "\npeak memory per gunicorn worker (cached site): "
        + ", ".join(f"{name} {c['peak_rss_mb_per_worker']} MB" for name, c in configs.items())
    )
    lines = core_line_counts()
    print(
        f"\ncore/: {lines['before']:,} lines of .py at {lines['before_commit']}, "
        f"{lines['after']:,} now ({lines['after'] - lines['before']:+,})"
    )
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
                "core_py_lines": lines,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
