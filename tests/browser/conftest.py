"""Headless Chromium (Debian's package) driven by Playwright against the live test server.

Playwright's own browser download cannot work on these machines, so the browser is
/usr/bin/chromium (`apt-get install chromium`); where it is absent the tests are skipped
and say why. axe-core comes from npm (`npm ci`, run by `make install`/`make test`).
"""

from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories.blog import UserFactory

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is absent: apt-get update && apt-get install -y chromium"
    )
    for item in items:
        if not CHROMIUM.exists() and here in Path(item.fspath).parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django refuses
    # ORM calls there unless told that this (test-only) code is not really async.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp: axe is injected as an inline script, which a strict policy would refuse.
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def check_accessibility(page) -> list[dict]:
    """Run axe-core in the page; return its serious and critical violations."""
    assert AXE_JS.is_file(), f"{AXE_JS} is missing: run `npm ci` (make install does)"
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# UserFactory's password.
PASSWORD = "correct horse battery staple"


def sign_in(page, user):
    """Sign `user` in through the admin's login form, as a person would."""
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.fixture
def signed_in_editor(page):
    # A superuser: the Editors group comes from a data migration, which a transactional
    # test flushes after its first use.
    editor = UserFactory(
        is_staff=True,
        is_superuser=True,
        username="desk-editor",
        first_name="Dana",
        last_name="Desk",
    )
    sign_in(page, editor)
    return editor
