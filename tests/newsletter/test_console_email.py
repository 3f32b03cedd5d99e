"""Running locally (`make run`), emails are printed by the console backend: their links
must be whole there, so that a newcomer can copy one into the browser."""

import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from blog.models import SiteSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def console_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}


def printed_link(printed: str, path: str) -> str:
    """The link to `path` as it stands on one printed line."""
    (link,) = re.findall(rf"^{re.escape(django_settings.SITE_URL)}({path}\S+)$", printed, re.M)
    return link


@pytest.mark.parametrize("site_name", ["Defence Talks", "Défense & Co"])
def test_a_printed_confirmation_email_shows_its_link_whole(
    client, console_mail, capsys, django_capture_on_commit_callbacks, site_name
):
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": site_name})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletter:subscribe"), {"email": "new@example.org", "source": "/"})
    printed = capsys.readouterr().out

    assert "quoted-printable" not in printed
    link = printed_link(printed, "/newsletter/confirm/")
    response = client.get(link)
    assert response.status_code == 200
    assert "Confirm my subscription" in response.content.decode()


def test_a_printed_privacy_email_shows_its_link_whole(
    client, console_mail, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("privacy:request"), {"email": "me@example.org", "kind": "export"})
    printed = capsys.readouterr().out

    assert "quoted-printable" not in printed
    assert client.get(printed_link(printed, "/privacy/confirm/")).status_code == 200
