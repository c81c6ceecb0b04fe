import json

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from peersupport import audit
from peersupport.demo.accounts import DEMO_USERS
from peersupport.jobs import record_job_run
from peersupport.models import AuditEvent, User
from peersupport.roles import Role, group_name, primary_role, roles_of
from peersupport.tasks import HEARTBEAT, heartbeat


@pytest.mark.django_db
def test_migration_creates_a_group_for_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {group_name(r) for r in Role}


@pytest.mark.django_db
def test_roles_come_from_groups_and_superusers_are_administrators(make_user, django_user_model):
    team = make_user(Role.TEAM)
    assert roles_of(team) == {Role.TEAM}
    root = django_user_model.objects.create_superuser("root@example.org", "a-long-password-1")
    assert roles_of(root) == {Role.ADMINISTRATOR}
    assert primary_role(root) == Role.ADMINISTRATOR


@pytest.mark.django_db
def test_healthz_reports_database_broker_and_scheduler(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["broker"] == "ok"
    assert body["scheduler_last_seen_seconds"] is None
    heartbeat()
    assert client.get(reverse("healthz")).json()["scheduler_last_seen_seconds"] <= 5


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, monkeypatch):
    from peersupport.celery import app

    real = app.connection_for_write
    monkeypatch.setattr(
        app, "connection_for_write", lambda *a, **k: real(url="redis://127.0.0.1:1/0")
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content) | {} == {
        "status": "unavailable",
        "database": "ok",
        "broker": "unavailable",
        "scheduler_last_seen_seconds": None,
    }


@pytest.mark.django_db
def test_job_run_is_one_row_per_job():
    record_job_run(HEARTBEAT)
    record_job_run(HEARTBEAT)
    from peersupport.models import JobRun

    assert JobRun.objects.filter(name=HEARTBEAT).count() == 1


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice_and_every_demo_user_can_log_in(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    users = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == users
    for email, role, _, _ in DEMO_USERS:
        user = User.objects.get(email=email)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert primary_role(user) == role


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    call_command("seed_demo", force=True)
    assert User.objects.filter(email="team@example.org").exists()


@pytest.mark.django_db
def test_login_by_email_lands_on_the_role_home(client, team_user):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("account_login"), {"login": "Team.Member@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("incidents:work_queue")
    assert AuditEvent.objects.filter(action="login", actor=team_user).exists()


@pytest.mark.django_db
def test_failed_login_is_audited_without_the_password(client, team_user):
    response = client.post(
        reverse("account_login"), {"login": team_user.email, "password": "wrong-one"}
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="login.failed")
    assert "wrong-one" not in json.dumps(event.detail)


@pytest.mark.django_db
def test_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_password_reset_sends_an_email_with_a_link(client, team_user):
    response = client.post(reverse("account_reset_password"), {"email": team_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


@pytest.mark.django_db
def test_csrf_is_enforced_for_posts_without_a_token(team_user):
    from tests.conftest import PASSWORD

    raw = Client(enforce_csrf_checks=True)
    response = raw.post(reverse("account_login"), {"login": team_user.email, "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(client_for, make_user):
    import re

    for role, name in [
        (Role.TEAM, "incidents:work_queue"),
        (Role.SUPPORTER, "supporters:my_people"),
        (Role.MANAGER, "dashboard"),
    ]:
        html = client_for(make_user(role)).get(reverse(name)).content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, name
        assert "<style" not in html and " style=" not in html, name


@pytest.mark.django_db
def test_audit_record_keeps_who_what_where_and_never_the_data(rf, team_user):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    request.user = team_user
    event = audit.record("person.viewed", request=request, obj=team_user, fields=["email"])
    assert event.actor == team_user and event.actor_label == team_user.email
    assert event.object_type == "peersupport.user" and event.object_id == str(team_user.pk)
    assert event.ip_address == "203.0.113.9"
    assert event.detail == {"fields": ["email"]}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_proxy_takes_the_last_hop(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    assert audit.client_ip(request) == "203.0.113.5"


def test_client_ip_ignores_forwarded_header_without_a_trusted_proxy(rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert audit.client_ip(request) == "203.0.113.9"


@pytest.mark.django_db
def test_admin_invites_a_new_user_who_sets_their_own_password(client_for, admin_user):
    client = client_for(admin_user)
    team_group = Group.objects.get(name=group_name(Role.TEAM))
    response = client.post(
        reverse("admin:peersupport_user_add"),
        {
            "email": "new.colleague@example.org",
            "first_name": "New",
            "last_name": "Colleague",
            "groups": [team_group.pk],
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new.colleague@example.org")
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.TEAM}
    response = client.post(
        reverse("admin:peersupport_user_changelist"),
        {"action": "invite", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new.colleague@example.org"]]
    assert AuditEvent.objects.filter(action="account.invited", object_id=str(user.pk)).exists()
