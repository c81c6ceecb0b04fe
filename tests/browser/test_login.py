import pytest

from peersupport.roles import Role
from tests.browser.conftest import assert_accessible_on_phone_too, log_in, log_out

HOMES = [
    (Role.TEAM, "/team/", "Work queue"),
    (Role.SUPPORTER, "/my-people/", "My people"),
    (Role.MANAGER, "/dashboard/", "Measures"),
    (Role.ADMINISTRATOR, "/admin/", "administration"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("role", "path", "heading"), HOMES, ids=[r.value for r, _, _ in HOMES])
def test_each_role_logs_in_lands_home_and_logs_out(
    page, make_user, live_server, role, path, heading
):
    user = make_user(role)
    log_in(page, user.email)
    assert page.url == live_server.url + path
    assert heading.lower() in page.locator("h1").first.inner_text().lower()
    if role != Role.ADMINISTRATOR:
        assert_accessible_on_phone_too(page)
        log_out(page)
    else:
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/accounts/login/**")
    page.goto(path)
    assert "/accounts/login/" in page.url


@pytest.mark.django_db(transaction=True)
def test_wrong_password_gets_a_clear_accessible_error(page, make_user):
    user = make_user(Role.TEAM)
    log_in(page, user.email, password="not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".nhsuk-error-summary").is_visible()
    assert_accessible_on_phone_too(page)


@pytest.mark.django_db(transaction=True)
def test_public_account_pages_are_accessible_on_a_phone(phone_page):
    for path in ["/accounts/login/", "/accounts/password/reset/", "/this-page-does-not-exist/"]:
        phone_page.goto(path)
        assert_accessible_on_phone_too(phone_page)
