"""Playwright fixtures: Debian's chromium drives a live server; every page is checked by axe-core.

Never downloads a browser. Outside CI a machine without chromium skips these tests; in CI it
fails them.
"""

import os
import shutil
from pathlib import Path

import axe_playwright_python
import pytest

from tests.conftest import PASSWORD, skip_or_fail

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (creating users and records) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = {"width": 375, "height": 740}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and page.csp_violations.append(msg.text),
    )
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    yield page
    context.close()


def assert_accessible(page):
    """Run axe-core (WCAG 2.2 A and AA rules) on the current page: zero violations allowed.

    Injected through the DevTools protocol, so the page's own CSP still applies to everything
    the page itself loads.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe-core found problems on {page.url}:\n" + "\n".join(problems)
    assert page.csp_violations == [], page.csp_violations


def log_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("link", name="Log out").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


SMALL_PHONE = {"width": 375, "height": 667}


def assert_accessible_on_phone_too(page):
    """axe-core on the current page as it is, then again at a small phone's viewport (375x667),
    where nothing may be wider than the screen (WCAG 1.4.10 reflow). The viewport is restored
    afterwards, so a journey can carry on at a desk."""
    assert_accessible(page)
    size = page.viewport_size
    if size == SMALL_PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
        return
    page.set_viewport_size(SMALL_PHONE)
    try:
        _settle_layout(page)
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SMALL_PHONE["width"], f"{page.url} is {width}px wide on a phone"
    finally:
        page.set_viewport_size(size)
        _settle_layout(page)


def _settle_layout(page):
    """Wait for the frame after a resize: the NHS.UK header moves the links that no longer fit
    into its "More" menu in a requestAnimationFrame callback, and until then they overflow."""
    # A ResizeObserver fires after layout and only then schedules the header's frame: wait
    # for three frames, which covers the observer, the resize event and the update.
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() =>"
        " requestAnimationFrame(() => requestAnimationFrame(r))))"
    )
