"""Whether a sign-up or a privacy request answers in the same time for every address.

The page validates, counts and enqueues one task whatever the address's state; the
decision is the task's. This measures, in-process with Django's test client on a fresh
SQLite database, the response time of pairs of requests, one for an address the site
knows (a confirmed subscriber with comments) and one for a new address, alternating
which goes first, and prints the median of each and their ratio (known / new):

- with TASKS_BACKEND=database, as in production: the page only queues the task, so the
  ratio should be about 1;
- with TASKS_BACKEND=immediate, the default for `make run`, where the task runs in the
  request: shown for comparison, it is what a page that decides inline would leak.

It writes the figures to bench/results/privacy.json.

    python bench/bench_privacy.py      # BENCH_PRIVACY_PAIRS=400 by default
"""

import json
import logging
import os
import statistics
import time
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "privacy.json"
PAIRS = int(os.environ.get("BENCH_PRIVACY_PAIRS", "400"))
KNOWN = "known@example.org"


def main() -> dict:
    logging.disable(logging.INFO)  # a line per task and per privacy request otherwise
    harness.django_on_a_new_database("bench-privacy-")
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    settings.NEWSLETTER_SIGNUP_RATE = 999_999
    settings.PRIVACY_REQUEST_RATE = 999_999
    settings.NEWSLETTER_RESEND_SECONDS = 0  # the known address is confirmed anyway

    from tests.factories.comments import CommentFactory
    from tests.factories.newsletter import SubscriberFactory

    SubscriberFactory(email=KNOWN, confirmed=True)
    CommentFactory.create_batch(5, author_email=KNOWN, approved=True)

    client = Client()
    forms = {
        "sign-up": (reverse("newsletter:subscribe"), lambda email: {"email": email}),
        "privacy request": (
            reverse("privacy:request"),
            lambda email: {"email": email, "kind": "export"},
        ),
    }
    figures = {}
    for backend, path in [
        ("database", "django_tasks_db.DatabaseBackend"),
        ("immediate", "django.tasks.backends.immediate.ImmediateBackend"),
    ]:
        tasks_setting = override_settings(TASKS={"default": {"BACKEND": path}})
        tasks_setting.enable()  # sends setting_changed, so the backend is made again
        for label, (url, data) in forms.items():

            def timed(email, url=url, data=data):
                started = time.perf_counter()
                response = client.post(url, data(email))
                elapsed = time.perf_counter() - started
                assert response.status_code == 303, response.status_code
                return elapsed

            for n in range(20):  # warm-up
                timed(KNOWN), timed(f"warm{n}-{backend}@example.org")
            known, new = [], []
            for n in range(PAIRS):
                fresh = f"new{n}-{label[0]}-{backend}@example.org"
                if n % 2:
                    known.append(timed(KNOWN))
                    new.append(timed(fresh))
                else:
                    new.append(timed(fresh))
                    known.append(timed(KNOWN))
            known_ms = statistics.median(known) * 1000
            new_ms = statistics.median(new) * 1000
            figures[f"{label}, TASKS_BACKEND={backend}"] = {
                "pairs": PAIRS,
                "known_median_ms": round(known_ms, 3),
                "new_median_ms": round(new_ms, 3),
                "known_over_new": round(known_ms / new_ms, 3),
            }
        tasks_setting.disable()
    return figures


if __name__ == "__main__":
    results = main()
    width = max(map(len, results))
    for label, figure in results.items():
        print(
            f"{label:<{width}}  known {figure['known_median_ms']:.2f} ms, "
            f"new {figure['new_median_ms']:.2f} ms (medians of {figure['pairs']}), "
            f"known/new {figure['known_over_new']:.2f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
