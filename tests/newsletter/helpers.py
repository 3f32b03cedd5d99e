import re

from django.conf import settings


def links_in(text: str) -> list[str]:
    """The site's links in an email body, as paths the test client can follow."""
    site = re.escape(settings.SITE_URL)
    return [match for match in re.findall(rf"{site}(/[^\s\"<>]*)", text)]


def link_to(text: str, fragment: str) -> str:
    (path,) = {link for link in links_in(text) if fragment in link}
    return path


def html_part(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html
