"""The dashboard's stored monthly figures (peersupport.dashboard.stored): what the marks left by
changes and the refresh job keep is what a rebuild from scratch counts, the refresh job
recounts only what moved, and a page reads them without counting anything again."""

import json
import random
import re
from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Response
from incidents.models import AffectedPerson, ConsentRecord
from incidents.services import record_consent
from peersupport.dashboard import stored
from peersupport.dashboard.models import MonthlyFigures
from peersupport.dashboard.recount import (
    open_months,
    rebuild_figures,
    recount_every_month,
    refresh_figures,
)
from supporters.models import Contact, PeerSupporter, SupportOffer
from supporters.services import close_support
from tests import test_measures as hand
from tests.factories import UserFactory
from tests.test_measures import _grow, _respond, at

# The hand-made world and the fixed day (16 June 2025) of tests/test_measures.py.
world, june_2025, fresh_figures = hand.world, hand.june_2025, hand.fresh_figures
manager_client = hand.manager_client

JAN, FEB, MAR, APR, JUN = (date(2025, m, 1) for m in (1, 2, 3, 4, 6))


def _rows_sorted(value):
    if isinstance(value, list):
        return sorted((_rows_sorted(item) for item in value), key=json.dumps)
    if isinstance(value, dict):
        return {name: _rows_sorted(item) for name, item in value.items()}
    return value


def _table() -> dict:
    """Every stored figure, in an order that does not depend on the query's plan."""
    return {(f.query, f.month): _rows_sorted(f.result) for f in MonthlyFigures.objects.all()}


def _changes(world):
    """Changes made as the pages make them, each to a month long closed: an old person
    withdraws consent, old support ends, a contact is logged late, a survey response is
    entered late, a supporter's places change."""
    team = UserFactory()
    logged_in_feb = AffectedPerson.objects.filter(created_at__month=2).order_by("pk").first()
    record_consent(logged_in_feb, ConsentRecord.Kind.CONTACT, "refused", "phone", by=team)
    open_in_march = SupportOffer.objects.filter(person__created_at__month=3).order_by("pk")
    close_support(open_in_march.first(), "specialist", by=team)
    contact = Contact.objects.filter(offer__person__created_at__month=1).first()
    Contact.objects.create(
        offer=contact.offer,
        supporter=contact.supporter,
        happened_on=date(2025, 1, 30),
        mode="phone",
        minutes=20,
    )
    _respond(world, "family", at(2025, 4, 2), {"satisfaction": 5, "fft": 1})
    supporter = PeerSupporter.objects.get()
    supporter.capacity = 9
    supporter.save()


def test_a_rebuild_and_the_marks_of_changes_agree(world, django_capture_on_commit_callbacks):
    _grow(world, 40, random.Random(5))
    rebuild_figures()
    assert open_months() == [JUN]  # so only the marks can bring February to May up to date
    before = _table()
    assert len({month for _, month in before}) == 60  # every month a view may show
    later = time_machine.travel(at(2025, 6, 16, 9, 5), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        _changes(world)
    moved = set(stored.changed())
    assert {("cohort", FEB), ("offers", MAR), ("contacts", JAN), ("answers", APR)} <= moved
    assert ("supporters", FEB) in moved

    with time_machine.travel(at(2025, 6, 16, 9, 10), tick=False):
        refresh_figures()
        assert stored.changed() == []
        kept = _table()
        assert kept != before
        rebuild_figures()
        assert _table() == kept


def test_the_refresh_job_recounts_open_and_moved_months_and_the_nightly_job_the_rest(world):
    _grow(world, 10, random.Random(7))
    rebuild_figures()
    truth = _table()
    for month in (FEB, JUN):
        MonthlyFigures.objects.filter(query="cohort", month=month).update(result=[])
    refresh_figures()
    assert _table()[("cohort", JUN)] == truth[("cohort", JUN)]  # open: recounted
    assert _table()[("cohort", FEB)] == []  # closed and not marked: kept as it was
    recount_every_month()
    assert _table() == truth


def test_a_page_reads_stored_figures_without_counting_again(world, manager_client):
    _grow(world, 10, random.Random(3))
    call_command("rebuild_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert MonthlyFigures.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        assert manager_client.get(reverse("dashboard") + "?period=24").status_code == 200
    counted = [q["sql"] for q in queries if "supporters_contact" in q["sql"]]
    assert counted == []
    assert any("dashboard_monthlyfigures" in q["sql"] for q in queries)


def test_a_month_never_counted_is_counted_when_read_and_kept(world, manager_client):
    _grow(world, 5, random.Random(1))
    assert not MonthlyFigures.objects.exists()
    assert manager_client.get(reverse("dashboard")).status_code == 200
    kept = set(MonthlyFigures.objects.values_list("query", "month"))
    assert {(name, FEB) for name in stored.QUERIES} <= kept
    assert not any(month > JUN for _, month in kept)  # a month not yet begun is never kept


def test_a_response_deleted_marks_its_month(world, django_capture_on_commit_callbacks):
    _respond(world, "family", at(2025, 3, 3), {"satisfaction": 4, "fft": 1})
    rebuild_figures()
    later = time_machine.travel(at(2025, 6, 16, 9, 5), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        Response.objects.get().delete()
    assert ("answers", MAR) in stored.changed()


@pytest.mark.parametrize("months", [[FEB], [FEB, MAR, JUN], [JUN, FEB, MAR, APR]])
def test_months_are_counted_in_runs(months):
    runs = stored.runs(months)
    covered = [m for first, last in runs for m in sorted(months) if first <= m <= last]
    assert covered == sorted(months)
    assert len(runs) == (1 if months == [FEB] else 2)


def test_what_suppression_published_is_kept_until_a_month_it_protects_is_recounted(
    world, monkeypatch
):
    from django.core.cache import cache

    from peersupport.dashboard import figures
    from peersupport.dashboard.filters import Filters

    _grow(world, 20, random.Random(9))
    calls = []
    real = figures.publish
    monkeypatch.setattr(figures, "publish", lambda *a: calls.append(1) or real(*a))
    first = figures.build(Filters(JAN, JUN))
    cache.clear()
    again = figures.build(Filters(JAN, JUN, organisation_id=world.england.pk))
    assert len(calls) == 1  # from the database, for another organisation's view too
    shown = [[m.numerator.text for m in s.months] for s in first]
    assert shown == [[m.numerator.text for m in s.months] for s in figures.build(Filters(JAN, JUN))]
    assert again[0].months  # the view was built
    later = time_machine.travel(at(2025, 6, 16, 9, 5), tick=False)
    with later:
        refresh_figures()  # recounts June: what protected the old June is not reused
        cache.clear()
        figures.build(Filters(JAN, JUN))
    assert len(calls) == 1 + 2 + 1  # the refresh job published its two views, then ours anew


def test_cached_html_never_shows_one_organisations_figures_to_another_team(
    world, manager_client, make_user, client_for, settings
):
    """The summary's table and a dashboard section are kept as HTML for the figures they show;
    a team member asking for another organisation gets their own, never the cached other."""
    from django.core.cache import cache

    from peersupport.roles import Role
    from tests.factories import TeamMemberFactory

    settings.SUPPRESS_COUNTS_UP_TO, settings.SUPPRESS_ROUND_TO = 0, 1  # figures that differ
    _grow(world, 30, random.Random(4))
    england = f"?organisation={world.england.pk}"
    for page in ("dashboard_summary", "dashboard"):
        shown = manager_client.get(reverse(page) + england)  # England's HTML now cached
        assert shown.status_code == 200
    user = make_user(Role.TEAM)
    TeamMemberFactory(user=user, organisation=world.scotland)
    for page in ("dashboard_summary", "dashboard"):
        theirs = client_for(user).get(reverse(page) + england)
        assert theirs.context["filters"].organisation_id == world.scotland.pk
        assert theirs.context["figures_key"] != shown.context["figures_key"]

    def table(query=""):
        page = client_for(user).get(reverse("dashboard_summary") + query).content.decode()
        return re.sub(r'href="[^"]*"', "", page[page.index("<table") : page.index("</table>")])

    asked_for_england = table(england)
    cache.clear()
    assert asked_for_england == table()  # Scotland's figures, as counted afresh
