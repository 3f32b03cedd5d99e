"""Broadsheet settings: every value comes from the environment (or a `.env` file).

The README's "Settings" table lists each variable with its default. The defaults make a
laptop run work with nothing installed (SQLite, local-memory cache, console email, tasks
run immediately); production secrets have no default, so a missing one stops start-up.
"""

from importlib.util import find_spec
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(only DEBUG=true runs fall back to a development key)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-with-debug-off"  # noqa: S105

# The public base URL, for absolute links built where no request is at hand
# (emails sent by a worker or a command, feeds).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# By default the site answers to the host of SITE_URL (and localhost names when DEBUG).
_site_host = urlsplit(SITE_URL).hostname or "localhost"
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[_site_host, *(["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "security.refused.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "core",
    "blog",
    "pages",
    "comments",
    "newsletter",
    # Always installed so its queue table exists whichever TASKS_BACKEND is chosen.
    "django_tasks_db",
    "anymail",  # mail providers' backends and webhooks (bounces, complaints)
    "media",
    "wordpress",
    "privacy",
    "axes",  # admin login lock-out (see "Security headers and abuse limits")
    "security",
    "django_prose_editor",  # the article body's visual editor (blog/admin_forms.py)
]

MIDDLEWARE = [
    # Outermost, so every response (redirects and error pages included) carries the CSP.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files skip everything below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses an oversized body with 413 before anything reads it, and a NUL byte in
    # the path with 400 before it reaches a database query.
    "security.middleware.RequestBodyLimitMiddleware",
    "security.middleware.RejectNulBytesMiddleware",
    # ETags and 304s for every GET, pages served from the page cache included.
    "django.middleware.http.ConditionalGetMiddleware",
    # Reader pages: who may keep them, and Django's copy of them (core/pagecache.py).
    # Outside GZip, so that a kept page is kept compressed; before sessions, so that a
    # hit touches none.
    "core.pagecache.PageCacheMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    # A lost database answers 503 with a plain page.
    "core.middleware.DatabaseUnavailableMiddleware",
    # An imported WordPress site's old addresses (/?p=12, old permalinks): 301 to the
    # new ones. Costs no query unless the site would answer 404 or the query names one.
    "wordpress.redirects.LegacyRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's token check stays on for the admin (and any view not marked otherwise);
    # the public forms carry no token and are exempt from it, and every unsafe request
    # is checked by the browser's Fetch Metadata (security/crossorigin.py, README: Security).
    "django.middleware.csrf.CsrfViewMiddleware",
    "security.crossorigin.CrossOriginProtectionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

# Sections other apps add to blog's pages, in order ({% page_sections %} in blog_tags).
# Blog's templates name no other app: this is where the project wires them in.
PAGE_SECTIONS = {
    "article_feeds": ["comments/_article_feeds.html"],
    "article_end": [
        "newsletter/_subscribe_section.html",
        "blog/_related.html",
        "comments/_article_section.html",
    ],
    "list_end": ["newsletter/_subscribe_section.html"],
    # Under every page: the menu of top-level pages (About, Contact…).
    "footer": ["pages/_footer.html"],
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
                "django.template.context_processors.csp",  # {{ csp_nonce }}, admin only
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Persistent connections with a health check, so a restarted database server costs one
# failed ping rather than a failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-us")
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")


# Email. Django 6.1 configures mail through MAILERS and deprecates EMAIL_BACKEND and
# friends; django-environ still speaks the old keys, so its answer is translated here.
# Every form it documents works (smtp, smtps and smtp+tls: STARTTLS, smtp+ssl: TLS from
# the first byte, consolemail, filemail:///folder, memorymail, dummymail), and
# anymail+<provider>://<api key>@<api host> sends through django-anymail's backend for
# that provider (each query parameter is another option of it). A URL that cannot work
# stops start-up here rather than failing every email later, inside a task.
def _email_url_refused(url: str, why: str) -> ImproperlyConfigured:
    parts = urlsplit(url)  # shown without its user part: it may hold a password or key
    shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    return ImproperlyConfigured(f"EMAIL_URL {shown!r} cannot be used: {why}")


def _anymail_mailer(url: str) -> dict:
    parts = urlsplit(url)
    provider = parts.scheme.removeprefix("anymail+")
    if not provider.isidentifier() or find_spec(f"anymail.backends.{provider}") is None:
        raise _email_url_refused(url, f"django-anymail has no provider named {provider!r}.")
    options = {key.lower(): value for key, value in parse_qsl(parts.query)}
    if parts.username:
        options["api_key"] = unquote(parts.username)
    if parts.hostname:
        options["api_url"] = f"https://{parts.netloc.rpartition('@')[2]}{parts.path or '/'}"
    return {"BACKEND": f"anymail.backends.{provider}.EmailBackend", "OPTIONS": options}


def _mailer_from_email_url(url: str) -> dict:
    if urlsplit(url).scheme.startswith("anymail+"):
        return _anymail_mailer(url)
    try:
        config = env.email_url_config(url)
    except ImproperlyConfigured as error:  # an unknown scheme
        raise _email_url_refused(url, str(error)) from None
    backend = config["EMAIL_BACKEND"]
    if backend.endswith("filebased.EmailBackend"):
        # django-environ drops the leading slash of the path; the folder is the URL's
        # path as written (filemail:///var/spool/broadsheet-mail).
        folder = urlsplit(url).path
        if not folder.startswith("/"):
            raise _email_url_refused(url, "filemail needs a folder: filemail:///path/to/folder.")
        return {"BACKEND": backend, "OPTIONS": {"file_path": folder}}
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend, "OPTIONS": {}}
    if not config.get("EMAIL_HOST"):
        raise _email_url_refused(url, "an SMTP URL needs a host: smtp+tls://user:pass@host:587.")
    options = {
        "host": config.get("EMAIL_HOST"),
        "port": config.get("EMAIL_PORT"),
        "username": config.get("EMAIL_HOST_USER"),
        "password": config.get("EMAIL_HOST_PASSWORD"),
        "use_tls": config.get("EMAIL_USE_TLS"),
        "use_ssl": config.get("EMAIL_USE_SSL"),
        "timeout": env.int("EMAIL_TIMEOUT", default=10) or None,
    }
    return {
        "BACKEND": backend,
        "OPTIONS": {key: value for key, value in options.items() if value not in (None, "")},
    }


MAILERS = {"default": _mailer_from_email_url(env.str("EMAIL_URL", default="consolemail://"))}
# django-anymail's settings, each from an ANYMAIL_<NAME> variable (ANYMAIL_WEBHOOK_SECRET,
# ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, …): see the README's "Bounces and complaints".
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_")
}
# The secret path segment of the mail provider's webhook URLs
# (SITE_URL/newsletter/mail-events/<it>/<provider>/tracking/); empty: no webhook.
MAIL_WEBHOOK_PATH = env.str("MAIL_WEBHOOK_PATH", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Broadsheet <noreply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who hears about held comments when no editor account has an email address.
MANAGERS = [("", address) for address in env.list("MANAGERS", default=[])]

# Background work (newsletter fan-out, notifications) goes through Django's Tasks
# framework: "immediate" runs each task in the request, "database" queues it for the
# `db_worker` command of django-tasks-db.
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env.str("TASKS_BACKEND", default="immediate")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}


def _rate_limit(name: str, *, default: int) -> int:
    """A hit count for core.ratelimit, which counts up to 999,999 hits a window: a larger
    one would fail every request it applies to, so it stops start-up instead."""
    value = env.int(name, default=default)
    if not 0 <= value <= 999_999:
        raise ImproperlyConfigured(f"{name} must be between 0 (no limit) and 999999, not {value}.")
    return value


# Client addresses (rate limits, flood control, what editors see): REMOTE_ADDR, unless
# the site runs behind a reverse proxy that sets this header (e.g. HTTP_X_FORWARDED_FOR).
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="")

# --- Comments (comments/) ---------------------------------------------------------
# A second comment from the same IP address or email within this many seconds is
# refused (HTTP 429); 0 turns flood control off. The moderation rules themselves are
# editors' settings, kept in the database (Comments > Discussion settings in the admin).
COMMENT_FLOOD_SECONDS = env.int("COMMENT_FLOOD_SECONDS", default=15)

# --- Newsletter (newsletter/) -------------------------------------------------------
NEWSLETTER_UNSUBSCRIBE_MAILTO = env.str("NEWSLETTER_UNSUBSCRIBE_MAILTO", default="")
# Newsletter emails show the site's name (Site settings) as the From name, with the address
# of DEFAULT_FROM_EMAIL; by default only while DEFAULT_FROM_EMAIL is not set in the
# environment (an operator's explicit From is kept as it is).
NEWSLETTER_FROM_NAME_FROM_SITE = env.bool(
    "NEWSLETTER_FROM_NAME_FROM_SITE", default="DEFAULT_FROM_EMAIL" not in env.ENVIRON
)
# How long a confirmation link works, and how often a pending address may ask for another.
NEWSLETTER_CONFIRM_MAX_AGE = env.int("NEWSLETTER_CONFIRM_MAX_AGE", default=3 * 24 * 3600)
NEWSLETTER_RESEND_SECONDS = env.int("NEWSLETTER_RESEND_SECONDS", default=5 * 60)
# Sign-ups allowed per client address in a window (0 turns the limit off).
NEWSLETTER_SIGNUP_RATE = _rate_limit("NEWSLETTER_SIGNUP_RATE", default=5)
NEWSLETTER_SIGNUP_RATE_SECONDS = env.int("NEWSLETTER_SIGNUP_RATE_SECONDS", default=3600)
# Fan-out: messages sent over one SMTP connection, and how far back the sweep looks for
# published articles whose emails have not gone out.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=500)
NEWSLETTER_CATCH_UP_DAYS = env.int("NEWSLETTER_CATCH_UP_DAYS", default=7)
# A sending worker refreshes a heartbeat on the emails it holds every third of this many
# seconds; emails whose heartbeat is older belong to a dead worker, and the next run
# (queued by the task itself, this long after it starts) sends them.
NEWSLETTER_CLAIM_TIMEOUT = env.int("NEWSLETTER_CLAIM_TIMEOUT", default=30)
if NEWSLETTER_CLAIM_TIMEOUT < 3:
    raise ImproperlyConfigured(
        f"NEWSLETTER_CLAIM_TIMEOUT must be at least 3 (seconds), not {NEWSLETTER_CLAIM_TIMEOUT}."
    )

# --- Pictures (media/) --------------------------------------------------------------
# Uploaded pictures and their renditions live in STORAGES["default"]: MEDIA_ROOT on local
# disk, or an S3-compatible bucket when MEDIA_BUCKET names one (several app servers then
# share it). Every stored name carries a hash of its bytes, so it can be cached forever.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
# Uploads larger than this many megabytes or megapixels are refused before decoding.
MEDIA_MAX_UPLOAD_MB = env.int("MEDIA_MAX_UPLOAD_MB", default=25)
MEDIA_MAX_MEGAPIXELS = env.int("MEDIA_MAX_MEGAPIXELS", default=40)
# Rendition widths (never wider than the original) and formats, best first; JPEG is
# always made, as the fallback every browser and mail client shows.
MEDIA_RENDITION_WIDTHS = sorted(
    env.list("MEDIA_RENDITION_WIDTHS", cast=int, default=[480, 800, 1200, 1600])
)
MEDIA_RENDITION_FORMATS = env.list("MEDIA_RENDITION_FORMATS", default=["avif"])
if _unknown_formats := set(MEDIA_RENDITION_FORMATS) - {"avif", "webp", "jpeg"}:
    raise ImproperlyConfigured(
        "MEDIA_RENDITION_FORMATS takes avif, webp and jpeg, "
        f"not {', '.join(sorted(_unknown_formats))}."
    )

# --- Production serving (gunicorn, whitenoise, caching) -----------------------------
# Static files are served by the app itself through whitenoise. With STATIC_MANIFEST on
# (`make serve` and config/gunicorn.conf.py turn it on) they come from `collectstatic`'s
# output, with hashed names, compressed, cached for a year by browsers; off (the
# default: runserver, tests) straight from static/, so nothing needs collecting first.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},  # or S3, below
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Files served at the site's root rather than under STATIC_URL: /favicon.ico.
WHITENOISE_ROOT = BASE_DIR / "root_files"
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST

# Pictures in object storage (see "Pictures" above).
MEDIA_BUCKET = env.str("MEDIA_BUCKET", default="")
if MEDIA_BUCKET:
    # django-storages' S3 backend; credentials come from the environment as boto3 reads
    # them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or from the machine's role.
    _media_s3_options = {
        "bucket_name": MEDIA_BUCKET,
        "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("MEDIA_S3_REGION", default="") or None,
        "custom_domain": env.str("MEDIA_CUSTOM_DOMAIN", default="") or None,
        "default_acl": env.str("MEDIA_S3_ACL", default="public-read") or None,
        # Public URLs without signatures: the pages holding them are shared by everyone.
        "querystring_auth": False,
        "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in _media_s3_options.items() if value is not None},
    }

# SQLite under several gunicorn workers: write transactions take the lock when they
# begin (instead of failing with "database is locked" when a reader upgrades), wait up
# to 20 s for it, and readers do not block the writer (WAL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# A Redis cache that fails soft: while Redis is down the site serves from the database
# (core/cache.py). Short timeouts, so an unreachable server costs little.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.cache.FailSoftRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
        }
    )
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="broadsheet"))

# Reader pages are the same for every anonymous reader (core/pagecache.py): they are
# marked `public` with this lifetime in shared caches (nginx, a CDN), and kept whole in
# Django's cache under the site version, so a change shows there at once. Kept only
# with a cache all processes share (a per-process one would never hear the changes made
# in another): on by default with Redis, off with the local-memory default.
SHARED_CACHE_SECONDS = env.int("SHARED_CACHE_SECONDS", default=5)
PAGE_CACHE = env.bool("PAGE_CACHE", default="LocMemCache" not in CACHES["default"]["BACKEND"])
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 3600)
# The URL namespaces whose pages are shared: the reader's site, its feeds and its pages.
SHARED_PAGE_NAMESPACES = ["blog", "comments", "pages"]

# The site lives at the root of its host. A SCRIPT_NAME the client sends (gunicorn reads
# one from a header) is never believed; a site under a path prefix sets it here.
FORCE_SCRIPT_NAME = env.str("FORCE_SCRIPT_NAME", default="")

# --- Security headers and abuse limits ----------------------------------------------
# Headers every response carries. Django's defaults already send most of them; they are
# spelled out so `check --deploy` and a reader of this file see the same policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # the admin too: nothing here is meant to be framed
# Content Security Policy: our own scripts and styles only. The admin's templates mark
# theirs with the response's nonce ({{ csp_nonce }}); reader pages have no inline script
# or style and never ask for a nonce, so their header carries none (Django adds it only
# once asked) and they stay the same bytes for every reader. Images may
# come from any https host because editors embed them in articles (the article
# sanitizer allows http/https <img src>); images cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# HTTPS follows the scheme of SITE_URL: an https site gets HSTS, the redirect to https
# and Secure cookies; a plain-http one (a laptop, a DEBUG-off test run) gets none of them,
# so it keeps working there.
SITE_IS_HTTPS = urlsplit(SITE_URL).scheme == "https"
if SITE_IS_HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # Behind a proxy that terminates TLS, the request Django sees is plain http; the
    # proxy says what the client used in a header, named here in request.META form
    # (e.g. HTTP_X_FORWARDED_PROTO), whose value is "https" for a secure request. Only
    # name a header the proxy always sets (overwriting what the client sent).
    if _tls_header := env.str("TLS_PROXY_HEADER", default=""):
        if not _tls_header.startswith("HTTP_"):
            raise ImproperlyConfigured(
                f"TLS_PROXY_HEADER must name a header in request.META form, such as "
                f"HTTP_X_FORWARDED_PROTO, not {_tls_header!r}."
            )
        SECURE_PROXY_SSL_HEADER = (_tls_header, "https")
# HttpOnly and SameSite=Lax cookies always: no script of ours reads a cookie, and none
# goes along with a cross-site POST.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Request bodies: one cap on the whole body (the admin's longest article fits many
# times over); larger bodies are refused with 413 before anything reads them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
# The one endpoint taking files is the media library in the admin (see "Pictures"): its
# bodies may be an upload's size plus the form around it. Everywhere else the body cap
# covers multipart bodies too. Uploaded files above this size wait in a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
UPLOAD_BODY_PATHS = ["/admin/media/"]
UPLOAD_BODY_MAX_SIZE = MEDIA_MAX_UPLOAD_MB * 1024 * 1024 + 256 * 1024

# Admin login lock-out (django-axes): after AXES_FAILURE_LIMIT failed logins from one
# client address, logins from it are refused (429) for AXES_COOLOFF_HOURS; a success does
# not reset the count. Failures are counted in the database (AccessAttempt rows, visible
# in the admin), so they hold across app servers and restarts. Release early with
# `manage.py axes_reset` (everything), `axes_reset_ip ADDRESS` or `axes_reset_username
# NAME`, or by deleting the attempt in the admin.
AUTHENTICATION_BACKENDS = [
    "security.backends.LoginLockoutBackend",  # django-axes, see the class
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"  # honours TRUSTED_PROXY_HEADER
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "security.views.login_locked_out"  # 429 with Retry-After
AXES_VERBOSE = False

# Readers' privacy requests (privacy/): a reader's request is confirmed by a signed link
# mailed to the address, valid this long; requests per client address, and per email
# address, in a window; what a reader's erasure does with their comments.
PRIVACY_CONFIRM_MAX_AGE = env.int("PRIVACY_CONFIRM_MAX_AGE", default=24 * 3600)
PRIVACY_REQUEST_RATE = _rate_limit("PRIVACY_REQUEST_RATE", default=3)
PRIVACY_REQUEST_RATE_SECONDS = env.int("PRIVACY_REQUEST_RATE_SECONDS", default=3600)
PRIVACY_ERASE_COMMENTS = env.str("PRIVACY_ERASE_COMMENTS", default="anonymise")
if PRIVACY_ERASE_COMMENTS not in ("anonymise", "delete"):
    raise ImproperlyConfigured(
        f"PRIVACY_ERASE_COMMENTS must be anonymise or delete, not {PRIVACY_ERASE_COMMENTS!r}."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own default config also prints the "django" logger: print it once.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}
