"""Every EMAIL_URL form django-environ documents sends a real message; an unusable one
stops start-up naming the setting. Settings are read at import, so each case runs in a
subprocess with EMAIL_URL set; SMTP cases send to an aiosmtpd server started here (with
a certificate authority made by trustme for the TLS forms)."""

import os
import socket
import ssl
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller

PROJECT = Path(__file__).resolve().parents[2]
SEND = (
    "import django; django.setup()\n"
    "from django.core import mail\n"
    "sent = mail.send_mail('Hello from Broadsheet', 'The body.', 'news@example.org',"
    " ['reader@example.org'])\n"
    "print('sent', sent)\n"
    "print('outbox', len(getattr(mail, 'outbox', [])))\n"
)


def run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (this interpreter, code written here)
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def send_through(email_url: str, **env) -> subprocess.CompletedProcess:
    result = run(SEND, EMAIL_URL=email_url, **env)
    assert result.returncode == 0, result.stderr
    assert "sent 1" in result.stdout
    return result


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def authority(tmp_path):
    """A certificate authority, its certificate in a file the client trusts
    (SSL_CERT_FILE), and a server context for 127.0.0.1 it signed."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    return ca_file, server_context


def smtp_server(**kwargs):
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller, collector


def assert_arrived(collector):
    (message,) = collector.messages
    assert message["Subject"] == "Hello from Broadsheet"
    assert message["To"] == "reader@example.org"


def test_smtp_url_sends_through_the_server():
    controller, collector = smtp_server()
    try:
        send_through(f"smtp://127.0.0.1:{controller.port}")
    finally:
        controller.stop()
    assert_arrived(collector)


@pytest.mark.parametrize("scheme", ["smtp+tls", "smtps"])
def test_starttls_urls_send_over_a_verified_encrypted_connection(scheme, authority):
    ca_file, server_context = authority
    controller, collector = smtp_server(tls_context=server_context, require_starttls=True)
    try:
        send_through(f"{scheme}://127.0.0.1:{controller.port}", SSL_CERT_FILE=str(ca_file))
    finally:
        controller.stop()
    assert_arrived(collector)


def test_smtp_ssl_url_sends_over_tls_from_the_first_byte(authority):
    ca_file, server_context = authority
    controller, collector = smtp_server(ssl_context=server_context)
    try:
        send_through(f"smtp+ssl://127.0.0.1:{controller.port}", SSL_CERT_FILE=str(ca_file))
    finally:
        controller.stop()
    assert_arrived(collector)


def test_starttls_url_refuses_a_server_whose_certificate_is_not_trusted(authority):
    _, server_context = authority
    controller, collector = smtp_server(tls_context=server_context, require_starttls=True)
    try:
        result = run(SEND, EMAIL_URL=f"smtp+tls://127.0.0.1:{controller.port}")
    finally:
        controller.stop()
    assert result.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert collector.messages == []


def test_filemail_url_writes_the_message_into_the_folder(tmp_path):
    folder = tmp_path / "mail"

    send_through(f"filemail://{folder}")

    (written,) = folder.iterdir()
    assert "Subject: Hello from Broadsheet" in written.read_text()


def test_consolemail_url_prints_the_message():
    result = send_through("consolemail://")

    assert "Subject: Hello from Broadsheet" in result.stdout


def test_memorymail_url_keeps_the_message_in_the_outbox():
    assert "outbox 1" in send_through("memorymail://").stdout


def test_dummymail_url_accepts_and_drops_the_message():
    assert "outbox 0" in send_through("dummymail://").stdout


def test_anymail_url_sends_through_the_providers_backend():
    # anymail's test backend records what it would have sent to the provider's API.
    assert "outbox 1" in send_through("anymail+test://").stdout


@pytest.mark.parametrize(
    ("email_url", "reason"),
    [
        ("filemail://", "filemail needs a folder"),
        ("smtp://", "an SMTP URL needs a host"),
        ("carrier-pigeon://coop", "Invalid email schema carrier-pigeon"),
        ("anymail+nowhere://secret-key@", "django-anymail has no provider named 'nowhere'"),
    ],
)
def test_unusable_email_url_stops_start_up_naming_the_setting(email_url, reason):
    result = run("import django; django.setup()", EMAIL_URL=email_url)

    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_URL" in result.stderr
    assert reason in result.stderr
    assert "secret-key" not in result.stderr
