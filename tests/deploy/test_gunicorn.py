"""config/gunicorn.conf.py: what gunicorn makes of a request's headers before Django sees it.

The request is parsed by gunicorn's own parser and turned into a WSGI environment as its
workers do, with the settings the config file gives, from a peer on 127.0.0.1 (where a
proxy on the same machine, or any other local process, connects from).
"""

import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi
from gunicorn.http.parser import RequestParser

CONFIG_FILE = Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py"
LOOPBACK_PEER = ("127.0.0.1", 40000)


@pytest.fixture
def gunicorn_config(monkeypatch):
    # The file sets defaults in os.environ: let them vanish with the test.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    config = Config()
    for name, value in runpy.run_path(str(CONFIG_FILE)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def wsgi_environ(config: Config, request: bytes) -> dict:
    parsed = next(RequestParser(config, iter([request]), LOOPBACK_PEER))
    _, environ = wsgi.create(parsed, None, LOOPBACK_PEER, ("127.0.0.1", "8000"), config)
    return environ


def test_a_client_sent_script_name_header_is_not_honoured(gunicorn_config):
    environ = wsgi_environ(
        gunicorn_config,
        b"GET /evil/2024/01/02/story/ HTTP/1.1\r\nHost: 127.0.0.1\r\nSCRIPT_NAME: /evil\r\n\r\n",
    )

    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/evil/2024/01/02/story/"


@pytest.mark.parametrize(
    "header", [b"X-Forwarded-Proto: https", b"X-Forwarded-Ssl: on", b"X-Forwarded-Protocol: ssl"]
)
def test_forwarded_scheme_headers_leave_the_scheme_to_django(gunicorn_config, header):
    environ = wsgi_environ(
        gunicorn_config, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + b"\r\n\r\n"
    )

    # Django reads the header itself only where TLS_PROXY_HEADER names it.
    assert environ["wsgi.url_scheme"] == "http"


def test_conflicting_forwarded_scheme_headers_do_not_fail_the_request(gunicorn_config):
    # gunicorn refuses a request whose trusted scheme headers disagree: a client could
    # have added X-Forwarded-Ssl beside the proxy's X-Forwarded-Proto to break its pages.
    environ = wsgi_environ(
        gunicorn_config,
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
        b"X-Forwarded-Ssl: on\r\n\r\n",
    )

    assert environ["wsgi.url_scheme"] == "http"
