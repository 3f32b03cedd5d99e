"""A page with its breadcrumbs, its subpages and the footer menu is valid HTML5 (the W3C
Nu validator, as tests/test_html_validity.py runs it for blog's pages)."""

import shutil
import subprocess

import pytest

from tests.factories.pages import PageFactory
from tests.test_html_validity import VNU_JAR

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="needs Java for the Nu validator: apt-get install -y default-jre-headless",
    ),
]


def test_page_and_preview_are_valid_html(client, editor_client, tmp_path):
    about = PageFactory(title="About", slug="about", menu_order=1)
    PageFactory(title="Contact", slug="contact", menu_order=2)
    team = PageFactory(title="The team", slug="team", parent=about)
    PageFactory(title="Editors", slug="editors", parent=team)
    draft = PageFactory(title="Plans", slug="plans", parent=about, draft=True)
    responses = {
        "page": client.get(team.get_absolute_url()),
        "preview": editor_client.get(draft.get_absolute_url()),
    }
    files = []
    for name, response in responses.items():
        assert response.status_code == 200, name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    # The arguments are ours; java is whatever the machine's PATH finds.
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu", *files]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603

    assert result.returncode == 0, result.stderr or result.stdout
