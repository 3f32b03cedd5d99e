import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=clean | {"READ_DOT_ENV": "false"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run_check(DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_with_a_development_key():
    assert run_check(DEBUG="true").returncode == 0


@pytest.mark.parametrize("value", ["celery", ""])
def test_unknown_tasks_backend_is_refused_by_name(value):
    result = run_check(DEBUG="true", TASKS_BACKEND=value)

    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of immediate, database" in result.stderr


def test_email_url_is_mapped_to_mailers_without_deprecation_warnings():
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.MAILERS['default'])",
        ],
        cwd=PROJECT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EMAIL_URL": "smtp+tls://mailer:s3cret@mail.example.org:587",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "'host': 'mail.example.org'" in result.stdout
    assert "'port': 587" in result.stdout
    assert "'use_tls': True" in result.stdout
    assert "'username': 'mailer'" in result.stdout


@pytest.mark.parametrize("name", ["NEWSLETTER_SIGNUP_RATE", "PRIVACY_REQUEST_RATE"])
@pytest.mark.parametrize("value", ["1000000", "-1"])
def test_rate_limit_beyond_what_can_be_counted_stops_start_up_by_name(name, value):
    result = run_check(DEBUG="true", **{name: value})

    assert result.returncode != 0
    assert f"{name} must be between 0 (no limit) and 999999, not {value}." in result.stderr
    assert run_check(DEBUG="true", **{name: "999999"}).returncode == 0
