"""What rate limiting and the admin lock-out cost a request, in round trips.

Rate limits and lock-out must add at most one cache round trip to a request. This
counts, in-process with Django's test client on a fresh SQLite database:

- cache operations made by `core.ratelimit` (every call to the cache it uses) for a
  comment post and a newsletter sign-up, the first in a window and a later one;
- database queries on django-axes' tables for an ordinary page, the admin login page,
  a failed login and a login while locked out.

It prints the figures and writes them to bench/results/security.json. Counts, not
timings: they do not depend on the machine.

    python bench/bench_security.py
"""

import json
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "security.json"


class CountingCache:
    """A stand-in for the cache that counts each operation (one round trip with Redis)."""

    def __init__(self, cache):
        self._cache = cache
        self.calls = []

    def __getattr__(self, name):
        attribute = getattr(self._cache, name)
        if not callable(attribute):
            return attribute

        def counted(*args, **kwargs):
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


def main() -> dict:
    harness.django_on_a_new_database("bench-security-")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    settings.COMMENT_FLOOD_SECONDS = 15

    from core import ratelimit
    from tests.factories.blog import ArticleFactory, UserFactory

    counting = CountingCache(ratelimit.cache)
    ratelimit.cache = counting
    article = ArticleFactory()
    UserFactory(username="chief", is_staff=True, is_superuser=True)
    figures = {}

    def cache_ops(label, send):
        counting.calls.clear()
        response = send()
        figures[label] = {"status": response.status_code, "cache_ops": list(counting.calls)}

    client = Client()
    post = reverse("comments:post", args=[article.pk])
    comment = {"comment": "A remark", "author": "Ada", "email": "ada@example.net", "url": ""}
    cache_ops("comment post, first in window", lambda: client.post(post, comment))
    cache_ops(
        "comment post, again within the window (refused 429)",
        lambda: client.post(post, {**comment, "comment": "Another remark"}),
    )
    signup = reverse("newsletter:subscribe")
    cache_ops("sign-up, first in window", lambda: client.post(signup, {"email": "a@example.org"}))
    cache_ops("sign-up, second in window", lambda: client.post(signup, {"email": "b@example.org"}))

    def axes_queries(label, send):
        with CaptureQueriesContext(connection) as queries:
            response = send()
        axes = [q["sql"] for q in queries.captured_queries if '"axes_' in q["sql"]]
        figures[label] = {
            "status": response.status_code,
            "axes_queries": len(axes),
            "all_queries": len(queries.captured_queries),
        }

    login = reverse("admin:login")
    wrong = {"username": "chief", "password": "wrong"}
    axes_queries("article page", lambda: client.get(article.get_absolute_url()))
    axes_queries("admin login page", lambda: client.get(login))
    axes_queries("failed login", lambda: client.post(login, wrong))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, wrong)
    axes_queries("login while locked out", lambda: client.post(login, wrong))
    return figures


if __name__ == "__main__":
    results = main()
    width = max(map(len, results))
    for label, figure in results.items():
        detail = ", ".join(
            f"{key}={'+'.join(value) or 'none' if isinstance(value, list) else value}"
            for key, value in figure.items()
        )
        print(f"{label:<{width}}  {detail}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
