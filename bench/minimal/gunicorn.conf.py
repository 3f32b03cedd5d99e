"""The site's gunicorn settings (config/gunicorn.conf.py), serving the minimal project.

Run from bench/minimal/ with DJANGO_SETTINGS_MODULE=minimal.settings. Everything is the
site's (workers, worker class, preloading, timeouts, logs, what headers it trusts) except
the application, and the start-up hook, which reads the site's cache settings.
"""

import runpy
from pathlib import Path

from gunicorn.config import Config

_site = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"))
globals().update(
    {
        name: value
        for name, value in _site.items()
        if name in Config().settings and name != "when_ready"
    }
)
wsgi_app = "minimal.wsgi:application"
