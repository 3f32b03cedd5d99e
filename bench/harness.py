"""What the in-process benches share: the project's Django, production settings, on a
new SQLite database of their own, migrated, with mail kept in memory."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_a_new_database(prefix: str, **environment: str) -> Path:
    """Set Django up for a bench (its settings from `environment` on top of the
    production ones) on a new database in a temporary folder; return that folder."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        SECRET_KEY="bench-only-secret-key-bench-only-secret-key-bench-only",  # noqa: S106
        DEBUG="false",
        READ_DOT_ENV="false",
        ALLOWED_HOSTS="testserver",
        **environment,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # mail to the in-memory outbox
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return workdir
