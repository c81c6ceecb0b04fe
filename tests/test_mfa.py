"""Two-factor authentication: required before any identifiable page, and hard to get round."""

import re
import runpy
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from django.utils import timezone

import peersupport.settings
from peersupport.middleware import MFA_SETUP_URL_NAMES
from peersupport.models import AuditEvent
from peersupport.roles import Role
from tests.access_table import ACCESS, POST_ONLY, URL_KWARGS
from tests.conftest import PASSWORD, CsrfClient
from tests.totp import code_for, give_authenticator, give_recovery_codes

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def empty_cache():
    # allauth keeps used codes and rate-limit counts in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True


def log_in(client, user, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def enter_code(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


def confirm(client, user):
    """allauth asks for the password again before an authenticator is added."""
    response = client.get(SETUP)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"] == SETUP


def logged_in_as(client, user) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


class _AnyObject:
    def __getattr__(self, name):
        return type("Obj", (), {"pk": 1})()


def _url(name):
    kwargs = URL_KWARGS[name](_AnyObject()) if name in URL_KWARGS else None
    return reverse(name, kwargs=kwargs)


def _is_public(url) -> bool:
    return getattr(resolve(url).func, "login_required", True) is False


def test_setup_url_is_the_one_the_middleware_sends_to():
    assert reverse("mfa_activate_totp") == SETUP


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TEAM, Role.SUPPORTER, Role.MANAGER, Role.ADMINISTRATOR])
def test_without_an_authenticator_every_page_but_setup_and_public_ones_sends_to_setup(
    mfa_on, make_user, client_for, role
):
    client = client_for(make_user(role))
    opened = []
    for name in ACCESS:
        url = _url(name)
        response = client.post(url) if name in POST_ONLY else client.get(url)
        sent_to_setup = response.status_code == 302 and response["Location"] == SETUP
        if not sent_to_setup:
            opened.append(name)
            assert _is_public(url) or name in MFA_SETUP_URL_NAMES, (
                f"{name} answered {response.status_code} to a user without an authenticator"
            )
    for private in ("home", "dashboard", "alerts", "admin:index", "mfa_index"):
        assert private not in opened


@pytest.mark.django_db
def test_identifiable_pages_send_to_setup(mfa_on, client_for, team_user, person, supporter):
    for url in (
        reverse("incidents:person_detail", args=[person.pk]),
        reverse("supporters:supporter_detail", args=[supporter.pk]),
        reverse("incidents:work_queue"),
    ):
        response = client_for(team_user).get(url)
        assert (response.status_code, response["Location"]) == (302, SETUP), url


@pytest.mark.django_db
def test_with_an_authenticator_pages_open(mfa_on, client_for, team_user):
    give_authenticator(team_user)
    assert client_for(team_user).get(reverse("incidents:work_queue")).status_code == 200


@pytest.mark.django_db
def test_nothing_is_required_when_switched_off(client_for, team_user):
    assert client_for(team_user).get(reverse("incidents:work_queue")).status_code == 200


@pytest.mark.django_db
def test_admin_without_mfa_lands_on_the_setup_page(mfa_on, client, admin_user):
    assert log_in(client, admin_user).status_code == 302
    response = client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, SETUP)
    response = client.get("/admin/peersupport/user/")
    assert (response.status_code, response["Location"]) == (302, SETUP)
    confirm(client, admin_user)
    assert client.get(SETUP).status_code == 200


@pytest.mark.django_db
def test_admin_login_goes_through_allauth_and_asks_for_the_code(mfa_on, client, admin_user):
    give_authenticator(admin_user)
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = log_in(client, admin_user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(client, admin_user)


@pytest.mark.django_db
def test_a_new_user_sets_up_an_app_and_then_carries_on(mfa_on, client, team_user):
    assert log_in(client, team_user)["Location"] == "/"
    response = client.get("/")
    assert response["Location"] == SETUP
    confirm(client, team_user)
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret">([A-Z2-7]+)<', page.content.decode()).group(1)
    response = client.post(SETUP, {"code": code_for(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert client.get(reverse("mfa_view_recovery_codes")).status_code == 200
    assert Authenticator.objects.filter(user=team_user, type="totp").exists()
    assert client.get(reverse("incidents:work_queue")).status_code == 200


@pytest.mark.django_db
def test_setup_page_lets_a_user_log_out(mfa_on, client_for, team_user):
    client = client_for(team_user)
    assert client.get(reverse("account_logout")).status_code == 200
    client.post(reverse("account_logout"))
    assert not logged_in_as(client, team_user)


@pytest.mark.django_db
def test_a_replayed_code_is_refused(client, team_user):
    secret = give_authenticator(team_user)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        code = code_for(secret)
        assert log_in(client, team_user)["Location"] == reverse("mfa_authenticate")
        assert enter_code(client, code).status_code == 302
        assert logged_in_as(client, team_user)

        replay = CsrfClient()
        log_in(replay, team_user)
        response = enter_code(replay, code)
        assert response.status_code == 200
        assert "Incorrect code" in response.content.decode()
        assert not logged_in_as(replay, team_user)

        # The next code the app shows works: the refusal was the replay, nothing else.
        clock.shift(timedelta(seconds=30))
        assert enter_code(replay, code_for(secret)).status_code == 302
        assert logged_in_as(replay, team_user)


@pytest.mark.django_db
def test_a_used_recovery_code_is_refused(client, team_user):
    give_authenticator(team_user)
    codes = give_recovery_codes(team_user)
    log_in(client, team_user)
    assert enter_code(client, codes[0]).status_code == 302
    assert logged_in_as(client, team_user)

    again = CsrfClient()
    log_in(again, team_user)
    response = enter_code(again, codes[0])
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not logged_in_as(again, team_user)
    assert enter_code(again, codes[1]).status_code == 302
    assert logged_in_as(again, team_user)


@pytest.mark.django_db
def test_a_password_reset_does_not_bypass_mfa(client, team_user):
    give_authenticator(team_user)
    client.post(reverse("account_reset_password"), {"email": team_user.email})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    new_password = "a-brand-new-long-password-9"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert not logged_in_as(client, team_user)

    response = log_in(client, team_user, new_password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert not logged_in_as(client, team_user)
    assert client.get(reverse("incidents:work_queue")).status_code == 302


@pytest.mark.django_db
def test_an_administrator_resets_a_users_mfa(mfa_on, client_for, admin_user, team_user):
    give_authenticator(team_user)
    give_recovery_codes(team_user)
    admin_client = client_for(admin_user)
    give_authenticator(admin_user)
    their_client = client_for(team_user)
    assert their_client.get(reverse("incidents:work_queue")).status_code == 200

    response = admin_client.post(
        reverse("admin:peersupport_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [team_user.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=team_user).exists()
    event = AuditEvent.objects.get(action="account.mfa_reset", object_id=str(team_user.pk))
    assert event.actor == admin_user
    assert event.detail == {"removed": 2, "sessions_ended": 1}
    # Logged out at once; at the next login they set up a new app before anything else.
    assert their_client.get(reverse("incidents:work_queue"))["Location"].startswith(
        reverse("account_login")
    )
    fresh = CsrfClient()
    assert log_in(fresh, team_user)["Location"] == "/"
    assert fresh.get("/")["Location"] == SETUP


def _settings_with(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("RUN_DIR", str(tmp_path))
    monkeypatch.delenv("MFA_REQUIRED", raising=False)
    monkeypatch.delenv("DEMO_MODE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(peersupport.settings.__file__)


def test_mfa_is_required_by_default_in_production(monkeypatch, tmp_path):
    assert _settings_with(monkeypatch, tmp_path, DEBUG="false")["MFA_REQUIRED"] is True


def test_production_refuses_to_start_with_mfa_switched_off(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"^MFA_REQUIRED=false is only allowed with"):
        _settings_with(monkeypatch, tmp_path, DEBUG="false", MFA_REQUIRED="false")


def test_a_misspelt_mfa_setting_is_an_error(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="MFA_REQUIRED must be one of"):
        _settings_with(monkeypatch, tmp_path, DEBUG="true", MFA_REQUIRED="flase")


def test_the_local_demo_has_mfa_off_unless_asked(monkeypatch, tmp_path):
    assert _settings_with(monkeypatch, tmp_path, DEBUG="true")["MFA_REQUIRED"] is False
    assert (
        _settings_with(monkeypatch, tmp_path, DEBUG="true", MFA_REQUIRED="true")["MFA_REQUIRED"]
        is True
    )
    assert (
        _settings_with(monkeypatch, tmp_path, DEBUG="true", DEMO_MODE="false")["MFA_REQUIRED"]
        is True
    )
