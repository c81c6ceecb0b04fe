"""Sessions end after 30 minutes idle and 12 hours in all; deactivation ends them at once;
pages for logged-in people are never cached."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from peersupport.models import AuditEvent
from peersupport.roles import Role, group_name
from peersupport.services import end_sessions
from tests.conftest import PASSWORD

WORK_QUEUE = "/team/"


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def minutes(n):
    return timedelta(minutes=n)


def is_sent_to_login(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def sessions_of(user):
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


@pytest.mark.django_db
def test_thirty_minutes_idle_logs_out_with_a_message(clock, client_for, team_user):
    client = client_for(team_user)
    assert client.get(WORK_QUEUE).status_code == 200
    clock.shift(minutes(29))
    assert client.get(WORK_QUEUE).status_code == 200
    clock.shift(minutes(30))
    response = client.get(WORK_QUEUE)
    assert is_sent_to_login(response)
    assert "next=/team/" in response["Location"]
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "logged out because you had not used the service for 30 minutes" in page


@pytest.mark.django_db
def test_activity_keeps_a_session_going(clock, client_for, team_user):
    client = client_for(team_user)
    for _ in range(6):
        clock.shift(minutes(25))
        assert client.get(WORK_QUEUE).status_code == 200


@pytest.mark.django_db
def test_twelve_hours_logs_out_whatever_the_activity(clock, client_for, team_user):
    client = client_for(team_user)
    client.get(WORK_QUEUE)
    for _ in range(35):  # 11 h 40 min
        clock.shift(minutes(20))
        assert client.get(WORK_QUEUE).status_code == 200
    clock.shift(minutes(20))
    response = client.get(WORK_QUEUE)
    assert is_sent_to_login(response)
    assert (
        "you can stay logged in for 12 hours at most"
        in client.get(response["Location"]).content.decode()
    )


@pytest.mark.django_db
def test_the_status_check_does_not_count_as_activity_but_staying_does(clock, client_for, team_user):
    client = client_for(team_user)
    client.get(WORK_QUEUE)
    clock.shift(minutes(10))
    body = client.get(reverse("session_status")).json()
    assert body == {"authenticated": True, "seconds_left": 20 * 60, "can_extend": True}
    clock.shift(minutes(10))
    body = client.post(reverse("session_status")).json()  # "Stay logged in"
    assert body["seconds_left"] == 30 * 60
    clock.shift(minutes(29))
    assert client.get(reverse("session_status")).json()["seconds_left"] == 60
    clock.shift(minutes(1))
    assert client.get(reverse("session_status")).json()["authenticated"] is False
    assert is_sent_to_login(client.get(WORK_QUEUE))


@pytest.mark.django_db
def test_near_the_twelve_hours_staying_cannot_extend(clock, client_for, team_user):
    client = client_for(team_user)
    client.get(WORK_QUEUE)
    for _ in range(35):
        clock.shift(minutes(20))
        client.get(WORK_QUEUE)
    body = client.post(reverse("session_status")).json()
    assert body == {"authenticated": True, "seconds_left": 20 * 60, "can_extend": False}


def test_status_for_someone_not_logged_in(client):
    assert client.get(reverse("session_status")).json() == {
        "authenticated": False,
        "seconds_left": 0,
        "can_extend": False,
    }


@pytest.mark.django_db
def test_a_real_login_starts_the_twelve_hours(clock, client, team_user):
    response = client.post(
        reverse("account_login"), {"login": team_user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    clock.shift(minutes(5))
    body = client.get(reverse("session_status")).json()
    assert body == {"authenticated": True, "seconds_left": 25 * 60, "can_extend": True}


@pytest.mark.django_db
def test_pages_carry_the_warning_and_its_script_but_no_inline_script(client_for, team_user):
    with time_machine.travel(timezone.now(), tick=False):  # a slow page still has 30 minutes
        html = client_for(team_user).get(WORK_QUEUE).content.decode()
    dialog = re.search(r"<dialog[^>]*id=\"session-timeout\"[^>]*>", html).group(0)
    assert 'data-seconds-left="1800"' in dialog
    assert 'data-warning-seconds="120"' in dialog
    assert f'data-status-url="{reverse("session_status")}"' in dialog
    assert re.search(r'data-csrf-token="\w{32,}"', dialog)
    assert '<script type="module" src="/static/js/session-timeout.js"></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None


def test_pages_for_people_not_logged_in_have_no_warning(client):
    assert "session-timeout" not in client.get(reverse("account_login")).content.decode()


# --- Deactivation ----------------------------------------------------------------------


@pytest.mark.django_db
def test_deactivating_in_the_admin_ends_their_sessions(client_for, admin_user, team_user):
    theirs = client_for(team_user)
    assert theirs.get(WORK_QUEUE).status_code == 200
    client_for(team_user)  # logged in on a second device too
    assert len(sessions_of(team_user)) == 2
    response = client_for(admin_user).post(
        reverse("admin:peersupport_user_change", args=[team_user.pk]),
        {
            "email": team_user.email,
            "first_name": team_user.first_name,
            "last_name": team_user.last_name,
            "groups": [Group.objects.get(name=group_name(Role.TEAM)).pk],
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    team_user.refresh_from_db()
    assert not team_user.is_active
    assert sessions_of(team_user) == []
    event = AuditEvent.objects.get(action="account.deactivated")
    assert (event.object_id, event.detail) == (str(team_user.pk), {"sessions_ended": 2})
    assert is_sent_to_login(theirs.get(WORK_QUEUE))


@pytest.mark.django_db
def test_saving_an_active_user_leaves_their_sessions(client_for, admin_user, team_user):
    client_for(team_user)
    client_for(admin_user).post(
        reverse("admin:peersupport_user_change", args=[team_user.pk]),
        {
            "email": team_user.email,
            "first_name": "Renamed",
            "last_name": team_user.last_name,
            "is_active": "on",
            "groups": [Group.objects.get(name=group_name(Role.TEAM)).pk],
            "_save": "Save",
        },
    )
    assert len(sessions_of(team_user)) == 1
    assert not AuditEvent.objects.filter(action="account.deactivated").exists()


@pytest.mark.django_db
def test_switched_off_any_other_way_the_next_request_ends_the_session(client_for, team_user):
    client = client_for(team_user)
    assert client.get(WORK_QUEUE).status_code == 200
    team_user.is_active = False
    team_user.save()
    assert is_sent_to_login(client.get(WORK_QUEUE))
    assert sessions_of(team_user) == []
    # Switched on again, the old session does not come back to life.
    team_user.is_active = True
    team_user.save()
    assert is_sent_to_login(client.get(WORK_QUEUE))


@pytest.mark.django_db
def test_end_sessions_leaves_other_people_logged_in(client_for, team_user, admin_user):
    client_for(team_user)
    admin = client_for(admin_user)
    assert end_sessions(team_user) == 1
    assert admin.get("/admin/").status_code == 200


# --- Caching ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_for_logged_in_people_are_never_stored(client_for, team_user, person):
    client = client_for(team_user)
    for url in (WORK_QUEUE, reverse("incidents:person_detail", args=[person.pk]), "/admin/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


@pytest.mark.django_db
def test_admin_pages_are_never_stored(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:peersupport_user_changelist"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_token_and_login_pages_are_never_stored(client):
    for url in (
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "not-a-key"}),
    ):
        assert "no-store" in client.get(url)["Cache-Control"], url
