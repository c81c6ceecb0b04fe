"""Two-factor authentication in the browser: set up an app, log out, log in with its code.

The code is computed here from the setup key the page shows, as the person's phone would.
"""

import pytest

from peersupport.roles import Role
from tests.browser.conftest import assert_accessible_on_phone_too, log_in, log_out
from tests.conftest import PASSWORD
from tests.totp import fresh_code


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True


@pytest.mark.django_db(transaction=True)
def test_a_user_sets_up_an_authenticator_app_and_logs_in_with_it(page, make_user, mfa_on):
    user = make_user(Role.TEAM)
    log_in(page, user.email)

    # allauth asks for the password again before an authenticator is added.
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "Confirm it is you" in page.locator("h1").inner_text()
    assert_accessible_on_phone_too(page)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert_accessible_on_phone_too(page)
    # Nothing else opens until the app is set up.
    page.goto("/team/")
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").inner_text().strip()

    page.fill("#id_code", "000000" if fresh_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_load_state()
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible_on_phone_too(page)

    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert page.locator("#recovery_codes").input_value().strip()
    assert_accessible_on_phone_too(page)
    page.get_by_role("link", name="Continue to the service").click()
    page.wait_for_url("**/team/")

    page.goto("/accounts/2fa/")
    assert "Two-factor authentication" in page.locator("h1").inner_text()
    assert_accessible_on_phone_too(page)

    page.goto("/team/")
    log_out(page)
    log_in(page, user.email)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert "Enter your security code" in page.locator("h1").inner_text()
    assert_accessible_on_phone_too(page)
    page.fill("#id_code", fresh_code(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/team/")
    assert "work queue" in page.locator("h1").first.inner_text().lower()
