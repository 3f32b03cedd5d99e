"""Gunicorn settings: `make serve`, or `gunicorn -c config/gunicorn.conf.py` by hand.

Every value can be changed from the environment (the README's Production section lists
them). App servers keep no state of their own (sessions, cache and queue live in
PostgreSQL and Redis), so as many can run behind a load balancer as needed.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


# Production serves the collected, hashed and compressed static files (whitenoise).
os.environ.setdefault("STATIC_MANIFEST", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)
# Heroku's convention: WEB_CONCURRENCY processes; by default two per CPU plus one.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
# Threads per worker: 1 gives sync workers (best behind a buffering proxy such as
# nginx); more gives gthread workers, which also cope with slow clients directly.
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# Load Django once in the master: workers start fast and share its memory.
preload_app = True

# A request that takes longer than this is killed (and logged): no page should.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker after this many requests (0: never), with jitter so they do not all
# restart at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# Access log to stdout ("-"), a file path, or off (empty); errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# What a proxy says about the request is Django's to believe or not (TRUSTED_PROXY_HEADER
# and TLS_PROXY_HEADER in the settings), not gunicorn's. By default gunicorn maps
# SCRIPT_NAME and PATH_INFO request headers into the WSGI environment, and takes the
# scheme from X-Forwarded-Proto, -Protocol and -Ssl, from any peer in
# forwarded_allow_ips: 127.0.0.1, i.e. any process on the machine, and everyone on a
# Unix socket. A client-sent SCRIPT_NAME would then prefix every link the site writes.
# So no header is trusted that way, from anyone.
forwarder_headers = ""
secure_scheme_headers = {}
forwarded_allow_ips = ""
proc_name = "broadsheet"


def when_ready(server):
    """Warn when several workers would each keep a cache of their own."""
    from django.conf import settings

    backend = settings.CACHES["default"]["BACKEND"]
    if workers > 1 and settings.PAGE_CACHE and "LocMemCache" in backend:
        server.log.warning(
            "CACHE_URL is a per-process cache: each of the %s workers caches pages on its "
            "own and only sees its own invalidations. Use Redis (CACHE_URL=redis://...) "
            "or PAGE_CACHE=false.",
            workers,
        )
