"""Newsletter fan-out against the plain-smtplib floor, into an aiosmtpd sink on loopback.

For each list size (10,000 and 100,000 confirmed subscribers by default) this runs, each
in a fresh process so that peak memory is its own:

- floor:  plain `smtplib` sending N equal messages, already built, over one connection;
- fanout: the newsletter service for one article (delivery rows recorded first, then
          batches over one SMTP connection each, every delivery marked sent as it goes).

It prints the times, the peak memory of each process (ru_maxrss) and what the timed part
added to it, the ratios, and writes everything to bench/results/newsletter.json.

Then recovery: a real `manage.py db_worker` (TASKS_BACKEND=database) sends one article to
1,000 subscribers (BENCH_RECOVERY_SIZE) and is killed with SIGKILL once a third has
arrived at the sink, then started again: the seconds from the restart until every
subscriber has had the email, and how many got it twice (at most the one in flight at
the kill may), with the default NEWSLETTER_CLAIM_TIMEOUT unless the environment sets it.

    python bench/bench_newsletter.py                 # 10000 and 100000
    BENCH_NEWSLETTER_SIZES=1000,5000 python bench/bench_newsletter.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/...

The database is a fresh SQLite file in a temporary directory on tmpfs (so the figure shows
the code, not this machine's disk) unless BENCH_DATABASE_URL names another: use a
dedicated database, its subscribers and newsletter rows are deleted first.
"""

import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "newsletter.json"
DEFAULT_SIZES = (10_000, 100_000)
TARGET_RATIO = 3.0
RECOVERY_TARGET = 60  # seconds after the restart
RECOVERY_GIVE_UP = 180


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- The SMTP sink (its own process) --------------------------------------------------


def run_sink(port: int) -> None:
    """Accept and discard every message; answer "count" on stdin with how many arrived."""
    from collections import Counter

    from aiosmtpd.controller import Controller

    class Sink:
        count = 0
        recipients = Counter()

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            Sink.recipients.update(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:  # until the driver closes it
        if line.strip() == "count":
            print(Sink.count, flush=True)
        elif line.strip() == "recipients":  # distinct recipients, and copies beyond one
            twice = sum(n - 1 for n in Sink.recipients.values())
            print(len(Sink.recipients), twice, flush=True)
        elif line.strip() == "reset":
            Sink.count = 0
            Sink.recipients.clear()
            print("ok", flush=True)
    controller.stop()


class SinkProcess:
    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(  # noqa: S603 (this script, fixed arguments)
            [sys.executable, __file__, "sink", str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def ask(self, command: str) -> str:
        self.process.stdin.write(f"{command}\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def recipients(self) -> tuple[int, int]:
        distinct, twice = self.ask("recipients").split()
        return int(distinct), int(twice)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


# --- The two measured runs (each in its own process) -----------------------------------


def run_floor(port: int, count: int, size: int) -> dict:
    """Plain smtplib: `count` copies of one prepared message of `size` bytes."""
    import smtplib
    from email import policy
    from email.message import EmailMessage

    def build(lines: int) -> bytes:
        message = EmailMessage()
        message["From"] = "Bench <bench@localhost>"
        message["To"] = "reader@example.org"
        message["Subject"] = "Bench: an article"
        message["List-Unsubscribe"] = "<http://127.0.0.1:8000/newsletter/unsubscribe/1:x/>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = "\n".join(["A line of an article about defence."] * lines)
        message.set_content(text)
        message.add_alternative(f"<p>{text}</p>", subtype="html")
        return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as Django sends

    lines = 0
    while len(payload := build(lines)) < size:  # as large as the newsletter's messages
        lines += 1
    before, cpu = _maxrss_mb(), _cpu_seconds()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _ in range(count):
            smtp.sendmail("bench@localhost", ["reader@example.org"], payload)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "cpu_seconds": _cpu_seconds() - cpu,
        "peak_rss_mb": _maxrss_mb(),
        "added_rss_mb": _maxrss_mb() - before,
        "message_bytes": len(payload),
    }


def _django_env(port: int, database_url: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key-not-used-anywhere-else",
        "DEBUG": "false",
        "READ_DOT_ENV": "false",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "SITE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": "WARNING",
    }


def _django_setup(port: int, database_url: str, **extra: str) -> None:
    os.environ.update(_django_env(port, database_url) | extra)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill_database(count: int) -> None:
    """Migrate, empty the newsletter's tables and the task queue, add `count` confirmed
    subscribers."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from newsletter.models import Delivery, Mailing, Subscriber

    call_command("migrate", verbosity=0, interactive=False)
    # Emptied in SQL: the ORM's cascading delete would load every row into memory, and
    # the peak memory measured here is the fan-out's.
    with connection.cursor() as cursor:
        for model in (Delivery, Mailing, Subscriber, DBTaskResult):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    confirmed_at = timezone.now() - timedelta(days=1)
    for start in range(0, count, 5000):
        Subscriber.objects.bulk_create(
            Subscriber(
                email=f"reader{n}@example.org",
                status=Subscriber.Status.CONFIRMED,
                consent_at=confirmed_at,
                confirmed_at=confirmed_at,
            )
            for n in range(start, min(start + 5000, count))
        )


def run_recovery_setup(port: int, count: int, database_url: str) -> dict:
    """Subscribers, and an article published the way an editor does: its newsletter task
    waits in the database queue for the worker."""
    _django_setup(port, database_url, TASKS_BACKEND="database")
    from django.utils import timezone

    from blog.models import Article
    from blog.services import article_publish

    _fill_database(count)
    article = Article.objects.create(
        title=f"Breaking {time.time_ns()}",
        body="\n\n".join(["A paragraph of a breaking story. " * 8] * 4),
        status=Article.Status.DRAFT,
    )
    article_publish(article=article, at=timezone.now())
    return {"article": article.pk}


def run_recovery_check(port: int, database_url: str) -> dict:
    _django_setup(port, database_url)
    from newsletter.models import Delivery

    return {status: Delivery.objects.filter(status=status).count() for status in Delivery.Status}


def run_fanout(port: int, count: int, database_url: str) -> dict:
    _django_setup(port, database_url)
    from datetime import timedelta

    from django.utils import timezone

    from blog.models import Article
    from newsletter import services
    from newsletter.emails import ArticleEmail
    from newsletter.models import Delivery, Subscriber

    _fill_database(count)
    article = Article.objects.create(
        title=f"Bench article {time.time_ns()}",
        body="\n\n".join(["A paragraph of a news article about defence. " * 8] * 4),
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(minutes=1),
    )
    sample = ArticleEmail.for_article(article).to(Subscriber.objects.first())
    size = len(sample.message().as_bytes())

    before, cpu = _maxrss_mb(), _cpu_seconds()
    started = time.perf_counter()
    result = services.newsletter_send(article=article)
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    sent_rows = Delivery.objects.filter(status=Delivery.Status.SENT).count()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "peak_rss_mb": _maxrss_mb(),
        "added_rss_mb": _maxrss_mb() - before,
        "message_bytes": size,
        "sent": result.sent,
        "failed": result.failed,
        "sent_rows": sent_rows,
    }


def _worker(port: int, database_url: str) -> subprocess.Popen:
    """`manage.py db_worker` as production runs it: the only process beside the web."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--verbosity", "0"],
        cwd=ROOT,
        env=os.environ | _django_env(port, database_url) | {"TASKS_BACKEND": "database"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def recovery(sink: SinkProcess, count: int, database_url: str) -> dict:
    """Kill the sending worker (SIGKILL) at a third of the list, start it again, and time
    how long after the restart every subscriber has the email."""
    sink.ask("reset")
    _child("recovery-setup", str(sink.port), str(count), database_url)
    worker = _worker(sink.port, database_url)
    deadline = time.monotonic() + 120
    while sink.count() < count // 3:
        if time.monotonic() > deadline or worker.poll() is not None:
            worker.kill()
            raise SystemExit("recovery: the worker did not start sending")
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    arrived_at_kill = sink.recipients()[0]

    restarted = time.monotonic()
    worker = _worker(sink.port, database_url)
    try:
        while (delivered := sink.recipients())[0] < count:
            if time.monotonic() - restarted > RECOVERY_GIVE_UP:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - restarted
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    distinct, twice = delivered
    rows = _child("recovery-check", str(sink.port), database_url)
    return {
        "subscribers": count,
        "arrived_at_kill": arrived_at_kill,
        "seconds_after_restart": seconds,
        "delivered": distinct,
        "duplicates": twice,
        "rows": rows,
        "target_seconds": RECOVERY_TARGET,
    }


def _child(*args: str) -> dict:
    process = subprocess.run(  # noqa: S603 (this script, fixed arguments)
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT
    )
    if process.returncode:
        sys.stderr.write(process.stderr)
        raise SystemExit(f"bench child {args[0]} failed")
    return json.loads(process.stdout.strip().splitlines()[-1])


# --- The driver ------------------------------------------------------------------------


def main() -> int:
    sizes = [
        int(size)
        for size in os.environ.get("BENCH_NEWSLETTER_SIZES", "").split(",")
        if size.strip()
    ] or list(DEFAULT_SIZES)
    sink = SinkProcess()
    runs = []
    try:
        # SQLite on a memory file system by default, so that the figure shows the code
        # rather than this machine's disk; BENCH_DATABASE_URL for a real server.
        shm = Path("/dev/shm")  # noqa: S108 (a private directory is made inside it)
        scratch = str(shm) if shm.is_dir() else None
        with tempfile.TemporaryDirectory(dir=scratch) as tmp:
            for count in sizes:
                database_url = os.environ.get(
                    "BENCH_DATABASE_URL", f"sqlite:///{Path(tmp) / f'bench-{count}.sqlite3'}"
                )
                arrived_before = sink.count()
                fanout = _child("fanout", str(sink.port), str(count), database_url)
                arrived = sink.count() - arrived_before
                floor = _child("floor", str(sink.port), str(count), str(fanout["message_bytes"]))
                run = {
                    "subscribers": count,
                    "fanout": fanout,
                    "floor": floor,
                    "arrived_at_sink": arrived,
                    "time_ratio": fanout["seconds"] / floor["seconds"],
                    # The sender's own CPU time: less at the mercy of a busy machine.
                    "cpu_ratio": fanout["cpu_seconds"] / floor["cpu_seconds"],
                    "fanout_msgs_per_second": count / fanout["seconds"],
                    "floor_msgs_per_second": count / floor["seconds"],
                }
                runs.append(run)
                print(
                    f"{count:>7} subscribers: fan-out {fanout['seconds']:.1f} s "
                    f"({run['fanout_msgs_per_second']:.0f}/s, peak RSS "
                    f"{fanout['peak_rss_mb']:.0f} MB, +{fanout['added_rss_mb']:.1f} MB while "
                    f"sending), smtplib floor {floor['seconds']:.1f} s "
                    f"({run['floor_msgs_per_second']:.0f}/s) -> {run['time_ratio']:.2f}x "
                    f"(target <= {TARGET_RATIO}x; sender CPU {fanout['cpu_seconds']:.1f} s vs "
                    f"{floor['cpu_seconds']:.1f} s); {arrived} arrived, "
                    f"{fanout['sent_rows']} rows marked sent"
                )
            recovery_size = int(os.environ.get("BENCH_RECOVERY_SIZE", "1000"))
            database_url = os.environ.get(
                "BENCH_DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench-recovery.sqlite3'}"
            )
            recovered = recovery(sink, recovery_size, database_url)
            print(
                f"recovery: db_worker killed (SIGKILL) with {recovered['arrived_at_kill']} of "
                f"{recovery_size} delivered, restarted: all {recovered['delivered']} delivered "
                f"{recovered['seconds_after_restart']:.1f} s after the restart "
                f"(target <= {RECOVERY_TARGET} s), {recovered['duplicates']} delivered twice "
                f"(at most the one in flight); rows {recovered['rows']}"
            )
    finally:
        sink.stop()

    summary = {"runs": runs, "target_time_ratio": TARGET_RATIO, "recovery": recovered}
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        summary["memory_growth_ratio"] = (
            large["fanout"]["peak_rss_mb"] / small["fanout"]["peak_rss_mb"]
        )
        summary["list_growth_ratio"] = large["subscribers"] / small["subscribers"]
        print(
            f"memory: peak RSS {small['fanout']['peak_rss_mb']:.0f} MB at "
            f"{small['subscribers']} vs {large['fanout']['peak_rss_mb']:.0f} MB at "
            f"{large['subscribers']} (x{summary['memory_growth_ratio']:.2f} for a "
            f"x{summary['list_growth_ratio']:.0f} list)"
        )
    summary["python"] = platform.python_version()
    summary["machine"] = platform.machine()
    summary["database"] = os.environ.get("BENCH_DATABASE_URL", "sqlite (temporary file, tmpfs)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    ok = all(run["arrived_at_sink"] == run["subscribers"] for run in runs) and (
        recovered["delivered"] == recovered["subscribers"] and recovered["duplicates"] <= 1
    )
    return 0 if ok else 1


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["sink", port]:
            run_sink(int(port))
        case ["floor", port, count, size]:
            print(json.dumps(run_floor(int(port), int(count), int(size))))
        case ["fanout", port, count, database_url]:
            print(json.dumps(run_fanout(int(port), int(count), database_url)))
        case ["recovery-setup", port, count, database_url]:
            print(json.dumps(run_recovery_setup(int(port), int(count), database_url)))
        case ["recovery-check", port, database_url]:
            print(json.dumps(run_recovery_check(int(port), database_url)))
        case _:
            sys.exit(main())
