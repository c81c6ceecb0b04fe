"""Login and token pages are rate limited (allauth's limits, counted in the cache), by the
client's real address behind our proxy, and a locked-out person is told what to do."""

import runpy
from datetime import timedelta

import pytest
import time_machine
from allauth.core.internal.httpkit import get_client_ip
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

import peersupport.settings
from peersupport import audit
from tests.conftest import PASSWORD, CsrfClient
from tests.totp import code_for, give_authenticator

LOCKED = "logging in to this account is locked for 5 minutes"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(client, email, password, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, team_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            response = log_in(client, team_user.email, "not-the-password")
            assert LOCKED not in response.content.decode()
        response = log_in(client, team_user.email, PASSWORD)
        assert response.status_code == 200
        page = response.content.decode()
        assert LOCKED in page
        assert "nhsuk-error-summary" in page
        # From another address too: the lock is on the account, not the network.
        other = log_in(CsrfClient(REMOTE_ADDR="198.51.100.20"), team_user.email, PASSWORD)
        assert LOCKED in other.content.decode()
        clock.shift(timedelta(minutes=5, seconds=1))
        assert log_in(client, team_user.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_wrong_authenticator_codes_lock_too(client, team_user):
    secret = give_authenticator(team_user)
    with time_machine.travel(timezone.now(), tick=False):
        log_in(client, team_user.email, PASSWORD)
        wrong = str((int(code_for(secret)) + 1) % 1_000_000).zfill(6)
        for _ in range(5):
            client.post(reverse("mfa_authenticate"), {"code": wrong})
        response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
        assert response.status_code == 200
        assert LOCKED in response.content.decode()


@pytest.mark.django_db
def test_too_many_logins_from_one_address_get_the_nhs_page(client):
    for n in range(30):
        log_in(client, f"nobody{n}@example.org", "not-the-password")
    response = log_in(client, "nobody@example.org", "not-the-password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Too many attempts</h1>" in page
    assert "nhsuk-header" in page


@pytest.mark.django_db
def test_password_reset_links_and_requests_are_limited(client, team_user):
    # allauth counts the posts (opening a link only checks an unguessable HMAC token).
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "guess"})
    for _ in range(20):
        assert client.post(url, {"password1": "x", "password2": "x"}).status_code == 200
    assert client.post(url, {"password1": "x", "password2": "x"}).status_code == 429
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": team_user.email})
    response = client.post(reverse("account_reset_password"), {"email": team_user.email})
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_our_proxy_each_client_is_counted_separately(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.66", "REMOTE_ADDR": "10.0.0.2"}
    colleague = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.2"}
    for n in range(10):
        log_in(client, f"guess{n}@example.org", "not-the-password", **attacker)
    assert LOCKED in log_in(client, "guess@example.org", "x", **attacker).content.decode()
    response = log_in(CsrfClient(), "guess@example.org", "x", **colleague)
    assert LOCKED not in response.content.decode()


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_header_does_not_reset_the_count(client):
    for n in range(10):
        log_in(client, f"guess{n}@example.org", "x", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = log_in(client, "guess@example.org", "x", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert LOCKED in response.content.decode()


def test_allauth_and_the_audit_log_agree_on_the_client_address(rf, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    assert get_client_ip(request) == audit.client_ip(request) == "203.0.113.5"


def test_allauth_trusts_the_same_proxy_count_as_the_audit_log(monkeypatch, tmp_path):
    monkeypatch.setenv("RUN_DIR", str(tmp_path))
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    values = runpy.run_path(peersupport.settings.__file__)
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == values["TRUSTED_PROXY_COUNT"] == 2


def test_limits_are_counted_in_the_shared_cache_when_there_is_one(monkeypatch, tmp_path):
    monkeypatch.setenv("RUN_DIR", str(tmp_path))
    monkeypatch.setenv("CACHE_URL", "redis://redis.example:6379/1")
    values = runpy.run_path(peersupport.settings.__file__)
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["ACCOUNT_RATE_LIMITS"]["login_failed"] == "10/m/ip,5/5m/key"
