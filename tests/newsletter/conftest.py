import contextlib
import socket
import threading
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from blog.models import Article
from blog.services import article_publish


class _Collector:
    """An aiosmtpd handler keeping what arrives: (envelope recipients, parsed message),
    and in `raw` the bytes as they came."""

    def __init__(self):
        self.received = []
        self.raw = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message))
            self.raw.append(envelope.original_content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving_smtp(settings, handler):
    """A real SMTP server on loopback, answering with `handler`, that the default mailer
    sends to while the block runs."""
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback that the default mailer sends to."""
    with serving_smtp(settings, _Collector()) as collector:
        yield collector


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish an article the way every writer does, running what happens after commit."""

    def publish(article: Article, **kwargs) -> Article:
        with django_capture_on_commit_callbacks(execute=True):
            return article_publish(article=article, **kwargs)

    return publish


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs the on-commit callbacks (tasks) of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
