"""The bench's reference: the least a Django page costs on this machine.

A project of its own, apart from Broadsheet's: only what Django needs to answer, the
middleware `startproject` writes (Django's defaults, none of ours), one view rendering a
small template, no database, no cache. bench/bench_site.py serves it with the site's own
gunicorn settings (minimal/gunicorn.conf.py) and measures the site's pages against it.
"""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Used by nothing here (no session, no signed value); Django refuses to start without one.
SECRET_KEY = "bench-minimal-project-not-a-secret-" + "x" * 20
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "minimal.urls"
WSGI_APPLICATION = "minimal.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
    }
]
# No database: a query anywhere would fail the request, and the bench would see it.
DATABASES = {}
USE_TZ = True
TIME_ZONE = "UTC"
