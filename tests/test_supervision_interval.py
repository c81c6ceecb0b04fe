"""The supervision interval has one source, the administrators' `supervision-due` timing rule:
change it and the roster, the shortlist, the oversight pages, the reminders and the measures
all move with it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.access import team_of
from peersupport.models import Message, TimingRule
from peersupport.roles import Role
from supporters import services
from supporters.matching import SUPERVISION_GRACE, why_not_eligible
from supporters.models import SupervisionSession
from supporters.supervision import in_words, supervision_interval
from tests.factories import SupervisionSessionFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def _set_rule(**fields):
    TimingRule.objects.filter(key="supervision-due").update(**fields)


def _last_supervised(supporter, days_ago, supervisor):
    SupervisionSession.objects.filter(supporter=supporter).delete()
    held_on = timezone.localdate() - timedelta(days=days_ago)
    SupervisionSessionFactory(supporter=supporter, supervisor=supervisor, held_on=held_on)
    return held_on


def _roster_row(client, supporter):
    page = client.get(reverse("supporters:roster"))
    return next(row for row in page.context["rows"] if row["supporter"] == supporter)


def _supervision_row(client, supporter):
    page = client.get(reverse("oversight:supervision"))
    return next(row for row in page.context["rows"] if row["supporter"] == supporter)


def test_the_default_rule_is_six_weeks():
    assert supervision_interval() == timedelta(weeks=6)
    assert in_words(supervision_interval()) == "6 weeks"


def test_changing_the_rule_moves_roster_matching_and_oversight(
    client_for, team_user, supporter, person
):
    supporter.supervisor = team_user
    supporter.save()
    held_on = _last_supervised(supporter, 50, team_user)
    client = client_for(team_user)

    # 42 days: overdue on the roster and the oversight pages, still on the shortlist (grace).
    assert _roster_row(client, supporter)["supervision_due"] == held_on + timedelta(days=42)
    assert _roster_row(client, supporter)["supervision_overdue"]
    assert _supervision_row(client, supporter)["supervision_overdue"]
    assert "Supervision is due every 6 weeks." in (
        client.get(reverse("oversight:supervision")).content.decode()
    )
    assert why_not_eligible(supporter, person) == []

    _set_rule(delay=8, unit="days")  # any unit, not only weeks: 8 days plus 14 days' grace
    assert _roster_row(client, supporter)["supervision_due"] == held_on + timedelta(days=8)
    why = why_not_eligible(supporter, person)
    assert why == [f"Supervision overdue: last held {held_on:%-d %B %Y} (due every 8 days)"]

    _set_rule(delay=10, unit="days", enabled=False)  # off: no reminders, the interval stands
    assert supervision_interval() == timedelta(days=10)

    _set_rule(delay=60, unit="days", enabled=True)
    due = held_on + timedelta(days=60)
    assert _roster_row(client, supporter)["supervision_due"] == due
    assert not _roster_row(client, supporter)["supervision_overdue"]
    assert _supervision_row(client, supporter)["supervision_due"] == due
    assert not _supervision_row(client, supporter)["supervision_overdue"]
    supervisee = client.get(reverse("oversight:supervisee", args=[supporter.pk]))
    assert supervisee.context["supervision_due"] == due
    assert "Supervision is due every 60 days." in (
        client.get(reverse("oversight:supervision")).content.decode()
    )
    assert why_not_eligible(supporter, person) == []


def test_the_shortlist_grace_counts_from_the_rule(supporter, person, team_user):
    _set_rule(delay=28, unit="days")
    limit = supervision_interval() + SUPERVISION_GRACE
    _last_supervised(supporter, limit.days, team_user)
    assert why_not_eligible(supporter, person) == []
    _last_supervised(supporter, limit.days + 1, team_user)
    assert why_not_eligible(supporter, person) != []


def test_the_reminder_follows_the_same_rule(supporter, team_user):
    _set_rule(delay=30, unit="days")
    held_on = timezone.localdate()
    services.record_supervision(supporter, team_user, held_on, by=team_user)
    due = Message.objects.filter(kind="supervision_due", user=supporter.user).get(channel="in_app")
    assert timezone.localtime(due.due_at).date() == held_on + supervision_interval()


@pytest.mark.parametrize(
    ("delay", "unit", "expected"),
    [
        (42, "days", timedelta(days=42)),
        (30, "working_days", timedelta(days=42)),
        (31, "working_days", timedelta(days=44)),
        (80, "working_hours", timedelta(days=14)),
        (36, "hours", timedelta(hours=36)),
    ],
)
def test_working_units_count_as_calendar_time_never_early(delay, unit, expected):
    _set_rule(delay=delay, unit=unit)
    assert supervision_interval() == expected


def test_a_missing_rule_row_is_restored_from_the_defaults():
    TimingRule.objects.filter(key="supervision-due").delete()
    assert supervision_interval() == timedelta(weeks=6)


@pytest.mark.parametrize(
    ("days", "words"),
    [(7, "1 week"), (42, "6 weeks"), (1, "1 day"), (30, "30 days")],
)
def test_the_interval_in_words(days, words):
    assert in_words(timedelta(days=days)) == words


def test_team_of_is_the_organisations_active_team(make_user, organisation, other_organisation):
    active = make_user(Role.TEAM, "active@example.org")
    TeamMemberFactory(user=active, organisation=organisation)
    gone = make_user(Role.TEAM, "gone@example.org")
    TeamMemberFactory(user=gone, organisation=organisation)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    elsewhere = make_user(Role.TEAM, "elsewhere@example.org")
    TeamMemberFactory(user=elsewhere, organisation=other_organisation)
    assert team_of(organisation) == [active]
