"""The session timeout warning (static/js/session-timeout.js), with the limits shortened to
seconds: the warning shows, "Stay logged in" works, and what was typed survives a logout."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PASSWORD

FORM = "/reviews/new/"


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_IDLE_TIMEOUT = 10
    settings.SESSION_WARNING_SECONDS = 6


@pytest.mark.django_db(transaction=True)
def test_warning_stay_logged_in_and_typing_kept_over_a_logout(
    page, team_user, service, short_sessions
):
    log_in(page, team_user.email)
    page.goto(FORM)
    dialog = page.locator("#session-timeout")

    dialog.wait_for(state="visible", timeout=8_000)
    assert "You will be logged out soon" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Stay logged in"
    assert_accessible(page)
    page.get_by_role("button", name="Stay logged in").click()
    dialog.wait_for(state="hidden")
    assert page.url.endswith(FORM)

    page.fill("#id_reference", "SI-2025-0042")
    page.fill("#id_summary", "Typed just before the session ended.")

    # Left alone: the page keeps the answers and goes to the login page.
    page.wait_for_url("**/accounts/login/**", timeout=20_000)
    assert "logged out because you had not used the service" in page.content()
    kept = page.evaluate("JSON.stringify(sessionStorage)")
    assert "SI-2025-0042" in kept
    assert "csrfmiddlewaretoken" not in kept  # hidden fields and passwords are never kept
    page.fill("#id_login", team_user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{FORM}")

    assert page.input_value("#id_reference") == "SI-2025-0042"
    assert page.input_value("#id_summary") == "Typed just before the session ended."
    assert page.locator("#session-restored").is_visible()
    assert_accessible(page)
    kept = page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('session-'))")
    assert kept == []
