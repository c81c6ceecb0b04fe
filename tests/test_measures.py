"""The measures dashboard with hand-built data whose answers are known: each measure's
numerator and denominator, month boundaries in UK time, the exclusions, small-number
suppression (and attempts to get round it), the CSV against the page, and bounded queries."""

import csv
import io
import random
import re
import statistics
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models import Answer, Invitation, Question, Questionnaire, Response
from incidents.models import AffectedPerson, ConsentRecord, Nation
from peersupport.dashboard import export, spc
from peersupport.dashboard.cells import ANY
from peersupport.dashboard.definitions import BY_SLUG, MEASURES, SHARE
from peersupport.dashboard.figures import build
from peersupport.dashboard.filters import FAMILIES, STAFF, Filters
from peersupport.dashboard.measure import SECTIONS
from peersupport.dashboard.models import MonthlyFigures, PublishedFigures
from peersupport.dashboard.views import SIGNALS
from peersupport.roles import Role
from peersupport.working_days import working_days_between
from supporters.models import (
    Contact,
    OfferStatusChange,
    SupervisionSession,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)
from tests.factories import (
    AffectedPersonFactory,
    OrganisationFactory,
    PeerSupporterFactory,
    ReviewFactory,
    ServiceFactory,
    TeamMemberFactory,
    UserFactory,
)

UK = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
JAN, FEB, MAR, APR, MAY = (date(2025, m, 1) for m in range(1, 6))
PERIOD = Filters(JAN, MAY)


def at(year, month, day, hour=12, minute=0, tz=UK):
    return datetime(year, month, day, hour, minute, tzinfo=tz)


@pytest.fixture(autouse=True)
def june_2025():
    with time_machine.travel(at(2025, 6, 16, 9), tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_figures():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_suppression(settings):
    """Nothing withheld or rounded, so hand-built numbers can be read exactly."""
    settings.SUPPRESS_COUNTS_UP_TO = 0
    settings.SUPPRESS_ROUND_TO = 1


@pytest.fixture
def world(db):
    england = OrganisationFactory(name="Northshire NHS Trust", nation=Nation.ENGLAND)
    scotland = OrganisationFactory(name="Glenmoor Health Board", nation=Nation.SCOTLAND)
    wards = ServiceFactory(organisation=england, name="Adult wards")
    maternity = ServiceFactory(organisation=england, name="Maternity")
    glen = ServiceFactory(organisation=scotland, name="Community")
    lead = UserFactory()

    class World:
        pass

    w = World()
    w.england, w.scotland = england, scotland
    w.wards, w.maternity, w.glen = wards, maternity, glen
    w.reviews = {
        service.pk: ReviewFactory(
            organisation=service.organisation, service=service, lead_investigator=lead
        )
        for service in (wards, maternity, glen)
    }
    return w


def person(world, created, *, service=None, kind="family", consent="given", dnc=False, **kw):
    service = service or world.wards
    made = AffectedPersonFactory(
        review=world.reviews[service.pk],
        kind=kind,
        consent_to_contact=consent,
        do_not_contact=dnc,
        **kw,
    )
    AffectedPerson.objects.filter(pk=made.pk).update(created_at=created)
    if consent != "not_asked":  # as incidents.services.record_consent does
        ConsentRecord.objects.create(
            person=made, kind="contact", decision=consent, method="phone", recorded_at=created
        )
    return made


def offer(who, opened, offered=None, *, supporter=None, statuses=(), previous=None, **fields):
    """An offer opened at `opened`, offered at `offered`, with status rows `statuses`:
    (status, when) pairs."""
    made = SupportOffer.objects.create(
        person=who,
        supporter=supporter,
        created_at=opened,
        offered_at=offered,
        previous=previous,
        status=statuses[-1][0] if statuses else ("offered" if offered else "needs_supporter"),
        **fields,
    )
    for status, when in statuses:
        OfferStatusChange.objects.create(offer=made, to_status=status, changed_at=when)
    return made


def series_of(built, slug):
    return next(s for s in built if s.measure.slug == slug)


def month_of(built, slug, month):
    return next(m for m in series_of(built, slug).months if m.month == month)


def figures(built, slug, month):
    m = month_of(built, slug, month)
    return (
        m.numerator.text,
        m.denominator.text if m.denominator is not None else None,
        series_of(built, slug).format(m.value),
    )


# Process measures -----------------------------------------------------------------------------


def test_people_offered_by_the_month_they_were_logged_in_uk_time(world, no_suppression):
    offered = [person(world, at(2025, 3, d)) for d in (10, 12)]
    for who in offered:
        offer(who, at(2025, 3, 14), at(2025, 3, 15))
    person(world, at(2025, 3, 14))  # not offered yet
    # 00:30 on 1 March, GMT: March. 23:59 UTC on 28 February, GMT: February.
    person(world, datetime(2025, 3, 1, 0, 30, tzinfo=UTC))
    person(world, datetime(2025, 2, 28, 23, 59, tzinfo=UTC))
    # 23:30 UTC on 31 March is 00:30 on 1 April in British Summer Time: April.
    april = person(world, datetime(2025, 3, 31, 23, 30, tzinfo=UTC))
    offer(april, at(2025, 4, 1), at(2025, 4, 2))
    # Counted too (the cohort is everyone logged): no consent, consent not asked, asking not to
    # be contacted (offered in time, so offered), and consent given then withdrawn.
    person(world, at(2025, 3, 11), consent="refused")
    person(world, at(2025, 3, 11), consent="not_asked")
    offer(person(world, at(2025, 3, 11), dnc=True), at(2025, 3, 14), at(2025, 3, 15))
    withdrawn = person(world, at(2025, 3, 11), consent="refused")
    ConsentRecord.objects.create(
        person=withdrawn,
        kind="contact",
        decision="given",
        method="phone",
        recorded_at=at(2025, 3, 1),
    )
    # Consent given again in the same month counts the person once.
    ConsentRecord.objects.create(
        person=offered[0],
        kind="contact",
        decision="given",
        method="phone",
        recorded_at=at(2025, 3, 20),
    )

    built = build(PERIOD)
    # Logged in March: 2 offered, 1 not yet, 00:30 on 1 March, and the 4 on 11 March: 8.
    # Offered within 10 working days: the 2 and the one asking not to be contacted: 3.
    assert figures(built, "offered", MAR) == ("3", "8", "37.5%")
    assert figures(built, "offered", APR) == ("1", "1", "100.0%")
    assert figures(built, "offered", FEB) == ("0", "1", "0.0%")
    assert figures(built, "offered", JAN) == ("0", "0", "")


def test_working_days_from_logging_to_offer_match_the_deadlines_module(world, no_suppression):
    england = person(world, at(2025, 4, 1))
    scotland = person(world, at(2025, 4, 1), service=world.glen)
    pairs = [
        # Thursday before Easter to the Tuesday after: Good Friday and Easter Monday are bank
        # holidays in England; in Scotland Easter Monday is not.
        (england, at(2025, 4, 17, 10), at(2025, 4, 22, 9)),
        (scotland, at(2025, 4, 17, 10), at(2025, 4, 22, 9)),
        # A weekend.
        (england, at(2025, 4, 11, 16), at(2025, 4, 14, 9)),
        # 23:30 UTC on Wednesday 23 April is Thursday in the UK: one working day to Friday.
        (england, datetime(2025, 4, 23, 23, 30, tzinfo=UTC), at(2025, 4, 25, 9)),
        # The same day.
        (scotland, at(2025, 4, 28, 9), at(2025, 4, 28, 15)),
    ]
    for index, (who, opened, made) in enumerate(pairs):
        service = world.glen if who == scotland else world.wards
        who = person(world, opened, service=service)  # logged when the wait began
        pairs[index] = (who, opened, made)
        offer(who, opened, made)
    # The new offer made when a supporter is reassigned is not a wait for a supporter.
    first = offer(england, at(2025, 4, 1), at(2025, 4, 2))
    offer(england, at(2025, 4, 9), at(2025, 4, 30), previous=first)

    expected = [
        working_days_between(
            opened.astimezone(UK).date(), made.astimezone(UK).date(), who.organisation.nation
        )
        for who, opened, made in pairs
    ] + [1]
    assert expected == [1, 2, 1, 1, 0, 1]
    built = build(PERIOD)
    days = month_of(built, "days_to_offer", APR)
    # The waits of the 5 people logged in April and the first offer to `england`: the middle
    # of 0, 1, 1, 1, 1, 2 is 1. `scotland`, logged but never offered, waits from 1 April
    # to today (16 June); so 7 waits in April: 0, 1, 1, 1, 1, 2, and a long one: middle 1.
    assert days.denominator.number == 7
    assert days.value == pytest.approx(1.0)


def test_working_days_for_many_dates_and_nations(world, no_suppression):
    rng = random.Random(7)
    expected = {}
    for _ in range(40):
        opened = at(2025, 1, 1) + timedelta(hours=rng.randrange(0, 24 * 140))
        who = person(world, opened, service=rng.choice([world.wards, world.glen]))
        made = opened + timedelta(hours=rng.randrange(0, 24 * 20))
        if made >= at(2025, 6, 1):
            continue
        offer(who, opened, made)
        month = opened.astimezone(UK).date().replace(day=1)  # the month logged
        days = working_days_between(
            opened.astimezone(UK).date(), made.astimezone(UK).date(), who.organisation.nation
        )
        expected.setdefault(month, []).append(days)
    built = build(PERIOD)
    found = {
        m.month: m.value for m in series_of(built, "days_to_offer").months if m.denominator.number
    }
    assert found == {month: statistics.median(days) for month, days in expected.items()}


def test_offers_accepted_and_declined(world, no_suppression):
    people = [person(world, at(2025, 3, 20)) for _ in range(4)]
    opened, made = at(2025, 4, 1), at(2025, 4, 2)
    answers = [
        ("accepted", at(2025, 4, 5)),
        ("accepted", at(2025, 5, 2)),
        ("declined", at(2025, 4, 9)),
    ]
    made_offers = [
        offer(who, opened, made, statuses=[("offered", made), answer], answered_at=answer[1])
        for who, answer in zip(people, answers, strict=False)
    ]
    offer(people[3], opened, made, statuses=[("offered", made)])  # no answer yet
    # A reassignment, answered again: neither a new offer nor a new answer.
    offer(
        people[0],
        at(2025, 4, 20),
        at(2025, 4, 20),
        previous=made_offers[0],
        statuses=[("accepted", at(2025, 4, 20))],
        answered_at=at(2025, 4, 20),
    )

    built = build(PERIOD)
    assert figures(built, "accepted", APR) == ("2", "4", "50.0%")
    # Declines by the month of the answer.
    assert figures(built, "declined", APR) == ("1", "2", "50.0%")
    assert figures(built, "declined", MAY) == ("0", "1", "0.0%")


def test_contacts_people_and_staff_accessing_support(world, no_suppression):
    family = person(world, at(2025, 3, 1))
    staff = person(world, at(2025, 3, 1), kind="staff")
    quiet = person(world, at(2025, 3, 1), dnc=True)
    supporter = PeerSupporterFactory()
    offers = {
        who.pk: offer(who, at(2025, 3, 2), at(2025, 3, 3), supporter=supporter)
        for who in (family, staff, quiet)
    }

    def contact(who, day):
        Contact.objects.create(
            offer=offers[who.pk], supporter=supporter, happened_on=day, mode="phone", minutes=30
        )

    contact(family, date(2025, 4, 1))
    contact(family, date(2025, 4, 30))
    contact(family, date(2025, 5, 1))
    contact(staff, date(2025, 4, 15))
    contact(quiet, date(2025, 4, 15))  # asked not to be contacted: left out

    built = build(PERIOD)
    assert figures(built, "contacts", APR) == ("3", None, "3")
    assert figures(built, "accessing", APR) == ("2", None, "2")
    assert figures(built, "staff_accessing", APR) == ("1", None, "1")
    assert figures(built, "contacts", MAY) == ("1", None, "1")

    staff_only = build(Filters(JAN, MAY, group=STAFF))
    assert figures(staff_only, "contacts", APR) == ("1", None, "1")
    families = build(Filters(JAN, MAY, group=FAMILIES))
    assert figures(families, "accessing", APR) == ("1", None, "1")
    assert not series_of(families, "staff_accessing").applicable


def test_support_ended_specialist_tier_and_median_contacts(world, no_suppression):
    supporter = PeerSupporterFactory()
    started = [
        ("offered", at(2025, 3, 2)),
        ("accepted", at(2025, 3, 3)),
        ("active", at(2025, 3, 4)),
    ]

    def ended(day, reason, contacts, *, statuses=started, previous=None):
        who = previous.person if previous else person(world, at(2025, 3, 1))
        o = offer(
            who,
            at(2025, 3, 1),
            at(2025, 3, 2),
            supporter=supporter,
            statuses=[*statuses, ("closed", at(2025, 5, day))],
            previous=previous,
            close_reason=reason,
            closed_at=at(2025, 5, day),
        )
        for n in range(contacts):
            Contact.objects.create(
                offer=o,
                supporter=supporter,
                happened_on=date(2025, 4, 1 + n),
                mode="phone",
                minutes=20,
            )
        return o

    ended(10, "specialist", 1)
    ended(12, "persons_choice", 2)
    ended(20, "review_closed", 5)
    # Reassigned: that assignment ends, the support goes on with the new supporter, who had
    # one more contact: the person's support ends with 3 + 1 contacts.
    old = ended(14, "reassigned", 3)
    ended(25, "persons_choice", 1, statuses=[("active", at(2025, 5, 14))], previous=old)
    # Closed before it ever started: left out.
    ended(26, "review_closed", 0, statuses=[("offered", at(2025, 3, 2))])

    built = build(PERIOD)
    assert figures(built, "specialist", MAY) == ("1", "4", "25.0%")
    # Contacts per person: 1, 2, 5 and 4; the median is 3.
    assert figures(built, "median_contacts", MAY) == ("3.0", "4", "3.0")


# Outcome measures ---------------------------------------------------------------------------


def _respond(
    world, group, submitted, answers, *, service=None, questionnaire="families-and-service-users"
):
    q = Questionnaire.objects.get(slug=questionnaire)
    version = q.current_version
    invitation = Invitation.objects.create(
        questionnaire=q,
        organisation=world.england,
        expires_at=submitted + timedelta(days=28),
        completed_at=submitted,
    )
    response = Response.objects.create(
        invitation=invitation,
        version=version,
        submitted_at=submitted,
        group=group,
        organisation=world.england,
        service=service or world.wards,
    )
    for code, value in answers.items():
        Answer.objects.create(
            response=response,
            question=Question.objects.get(version=version, code=code),
            value=value,
        )


def test_outcome_measures_from_the_surveys(world, no_suppression):
    april = at(2025, 4, 10)
    _respond(
        world,
        "family",
        april,
        {"satisfaction": 5, "engage_with_review": 4, "supported_by_process": 1, "fft": 1},
    )
    _respond(
        world,
        "family",
        april,
        {"satisfaction": 2, "engage_with_review": 3, "supported_by_process": 2, "fft": 6},
    )
    _respond(
        world,
        "service_user",
        april,
        {"satisfaction": 4, "engage_with_review": 5, "supported_by_process": 5, "fft": 4},
    )
    _respond(
        world,
        "staff",
        april,
        {
            "satisfaction": 1,
            "engage_with_review": 4,
            "supported_by_process": 4,
            "staff_perception": 4,
            "fft": 2,
        },
        questionnaire="staff",
    )
    # 23:30 UTC on 31 March is April in the UK.
    _respond(world, "family", datetime(2025, 3, 31, 23, 30, tzinfo=UTC), {"satisfaction": 5})
    # Supporters' own survey is a balancing measure, never an outcome.
    _respond(
        world, "supporter", april, {"empowered": 5, "coping": 2}, questionnaire="peer-supporters"
    )

    built = build(PERIOD)
    assert figures(built, "satisfaction", APR) == ("3", "5", "60.0%")
    assert figures(built, "engage_with_review", APR) == ("3", "4", "75.0%")
    assert figures(built, "not_supported", APR) == ("2", "4", "50.0%")
    # "Don't know" is left out of the Friends and Family Test.
    assert figures(built, "fft_positive", APR) == ("2", "3", "66.7%")
    assert figures(built, "staff_perception", APR) == ("1", "1", "100.0%")
    assert figures(built, "satisfaction", MAR) == ("0", "0", "")

    staff = build(Filters(JAN, MAY, group=STAFF))
    assert figures(staff, "satisfaction", APR) == ("0", "1", "0.0%")
    families = build(Filters(JAN, MAY, group=FAMILIES))
    assert figures(families, "satisfaction", APR) == ("3", "4", "75.0%")
    assert not series_of(families, "staff_perception").applicable


# Balancing measures ---------------------------------------------------------------------------


def _supporter(organisations, capacity, changes):
    supporter = PeerSupporterFactory(organisations=organisations, capacity=capacity)
    previous = ""
    for status, when in changes:
        SupporterStatusChange.objects.create(
            supporter=supporter, from_status=previous, to_status=status, changed_at=when
        )
        previous = status
    supporter.status = previous
    supporter.save()
    return supporter


def test_supporters_supervision_caseload_pausing_and_feelings(world, no_suppression):
    joined = [("in_training", at(2024, 12, 1)), ("active", at(2025, 1, 5))]
    one = _supporter([world.england, world.scotland], 3, joined)
    two = _supporter([world.england], 2, [*joined, ("paused", at(2025, 4, 10))])
    three = _supporter([world.scotland], 4, joined)
    supervisor = UserFactory()
    for supporter, day in (
        (one, date(2025, 3, 1)),
        (one, date(2025, 4, 1)),
        (two, date(2025, 1, 10)),
    ):
        SupervisionSession.objects.create(supporter=supporter, supervisor=supervisor, held_on=day)
    someone = person(world, at(2025, 1, 2))
    offer(someone, at(2025, 3, 1), at(2025, 3, 15), supporter=one)
    offer(someone, at(2025, 3, 1), at(2025, 3, 15), supporter=one)
    offer(someone, at(2025, 1, 20), at(2025, 2, 1), supporter=one, closed_at=at(2025, 4, 20))
    offer(someone, at(2025, 3, 20), at(2025, 4, 1), supporter=three)
    for supporter, empowered, coping in ((one, 5, 2), (two, 3, 4)):
        WellbeingCheckIn.objects.create(
            supporter=supporter, empowered=empowered, coping=coping, created_at=at(2025, 4, 20)
        )
    _respond(
        world,
        "supporter",
        at(2025, 4, 2),
        {"empowered": 5, "coping": 2},
        questionnaire="peer-supporters",
    )

    built = build(PERIOD)
    # End of March: all three active; only the first was supervised in the 6 weeks before.
    assert figures(built, "supervision", MAR) == ("1", "3", "33.3%")
    # End of April: the second has paused; the first was supervised on 1 April.
    assert figures(built, "supervision", APR) == ("1", "2", "50.0%")
    # People assigned at the month's end against the places of the supporters active then:
    # March, 3 (first) + 0 (third's offer came in April) of 3 + 2 + 4 places; April, 2 + 1 of
    # 3 + 4 (the second paused, and one offer closed on 20 April).
    assert figures(built, "caseload", MAR) == ("3", "9", "33.3%")
    assert figures(built, "caseload", APR) == ("3", "7", "42.9%")
    # Active at the start of April: all three; the second paused during it.
    assert figures(built, "pausing", APR) == ("1", "3", "33.3%")
    assert figures(built, "pausing", MAR) == ("0", "3", "0.0%")
    # Check-ins, one supporter each: (5, 3) on being empowered, (2, 4) on coping. The
    # anonymous survey (5 and 2) is left out.
    assert figures(built, "empowered", APR) == ("1", "2", "50.0%")
    assert figures(built, "coping", APR) == ("1", "2", "50.0%")

    # One organisation: the supporters serving it (the first serves both, counted in each).
    england = build(Filters(JAN, MAY, organisation_id=world.england.pk))
    assert figures(england, "supervision", APR) == ("1", "1", "100.0%")
    assert figures(england, "pausing", APR) == ("1", "2", "50.0%")
    scotland = build(Filters(JAN, MAY, organisation_id=world.scotland.pk))
    assert figures(scotland, "supervision", APR) == ("1", "2", "50.0%")
    # Supporters are not split by service or group: those filters leave them alone.
    staff = build(Filters(JAN, MAY, group=STAFF, service_id=None))
    assert figures(staff, "supervision", APR) == ("1", "2", "50.0%")


def test_a_supporter_with_no_status_history_counts_from_when_they_were_added(world, no_suppression):
    supporter = PeerSupporterFactory(organisations=[world.england], status="active")
    type(supporter).objects.filter(pk=supporter.pk).update(created_at=at(2025, 2, 10))
    built = build(PERIOD)
    assert figures(built, "supervision", JAN) == ("0", "0", "")
    assert figures(built, "supervision", FEB) == ("0", "1", "0.0%")


# Small numbers --------------------------------------------------------------------------------


def _people_offered(world, month_day, count, **kwargs):
    for _ in range(count):
        who = person(world, at(2025, *month_day), **kwargs)
        offer(who, at(2025, *month_day), at(2025, *month_day))


def test_counts_from_1_to_7_are_withheld_with_no_rate_and_the_rest_rounded_to_5(world):
    _people_offered(world, (2, 10), 7)
    _people_offered(world, (3, 10), 8)
    _people_offered(world, (4, 10), 13)
    built = build(PERIOD)
    february = month_of(built, "offered", FEB)
    assert (february.numerator.text, february.denominator.text) == ("withheld", "withheld")
    assert february.value is None and february.point is None
    assert figures(built, "offered", MAR) == ("10", "10", "100.0%")
    assert figures(built, "offered", APR) == ("15", "15", "100.0%")
    rows = [r for r in export.csv_rows(built) if r[0] == "People offered a trained peer supporter"]
    assert rows[1][:5] == [
        "People offered a trained peer supporter",
        "2025-02",
        "withheld",
        "withheld",
        "",
    ]
    assert rows[1][-1] == (
        "counts rounded to the nearest 5, rates from the rounded counts; "
        "counts of 1 to 7 and what would reveal them withheld"
    )


def test_the_limit_and_the_rounding_are_settings(world, settings):
    settings.SUPPRESS_COUNTS_UP_TO = 3
    _people_offered(world, (3, 10), 4)
    _people_offered(world, (4, 10), 2)
    built = build(PERIOD)
    assert figures(built, "offered", MAR) == ("5", "5", "100.0%")
    assert figures(built, "offered", APR) == ("withheld", "withheld", "")
    settings.SUPPRESS_ROUND_TO = 1
    cache.clear()
    built = build(PERIOD)
    assert figures(built, "offered", MAR) == ("4", "4", "100.0%")


def test_suppressed_months_are_left_out_of_the_mean_and_limits(world):
    _people_offered(world, (1, 10), 9)
    _people_offered(world, (2, 10), 8)
    _people_offered(world, (3, 10), 2)
    _people_offered(world, (4, 10), 10)
    built = build(PERIOD)
    chart = series_of(built, "contacts").chart  # no contacts at all: every month a zero
    assert chart.values == (0, 0, 0, 0, 0)
    offered = series_of(built, "offered")
    assert offered.chart.values == (100.0, 100.0, 100.0)  # January, February, April
    assert [m.point is None for m in offered.months] == [False, False, True, False, True]


def _every_view(world):
    """Every view the filters allow: each organisation or all, each of its services or all,
    each group or everyone."""
    for org in (None, world.england, world.scotland):
        services = [None] + (list(org.services.all()) if org else [])
        for service in services:
            for group in ("", FAMILIES, STAFF):
                yield (
                    (
                        org.pk if org else ANY,
                        service.pk if service else ANY,
                        group or ANY,
                    ),
                    Filters(
                        JAN,
                        MAY,
                        organisation_id=org.pk if org else None,
                        service_id=service.pk if service else None,
                        group=group,
                    ),
                )


def _attack(world, slugs, months=(MAR,)):
    """Read every view of the measures, with the figures that cannot be hidden from a
    reader (what is true is read with suppression off), and try every sum and difference:
    the small counts some view's figures give away."""
    from django.test import override_settings

    from tests.recovery import Reader

    chosen = [BY_SLUG[slug] for slug in slugs]
    seen, truth = {}, {}
    for key, filters in _every_view(world):
        for exact, into in ((False, seen), (True, truth)):
            cache.clear()
            with override_settings(
                **({"SUPPRESS_COUNTS_UP_TO": 0, "SUPPRESS_ROUND_TO": 1} if exact else {})
            ):
                built = build(filters, chosen)
            for series in built:
                if not series.applicable:
                    continue
                for m in series.months:
                    if m.month in months:
                        into[(series.measure.slug, m.month, key)] = m
    reader = Reader()
    for (slug, month, key), m in seen.items():
        numerator_name, denominator_name = BY_SLUG[slug].names
        exact = truth[(slug, month, key)]
        if slug == "staff_accessing":  # the staff's figure of people accessing support
            key = (key[0], key[1], STAFF)
        for name, figure, true in (
            (numerator_name, m.numerator, exact.numerator),
            (denominator_name, m.denominator, exact.denominator),
        ):
            if name is not None:
                reader.read(
                    (name, month, key), figure.number if figure.shown else None, true.number
                )
        measure = BY_SLUG[slug]
        if measure.kind == SHARE and measure.part_of_whole:
            reader.rate((numerator_name, month, key), (denominator_name, month, key))
    for name, month, _ in list(reader.shown):
        reader.cells(name, month)
    return reader.recovered()


def test_a_small_group_is_withheld_and_rounding_hides_it_from_everyone_less_the_other(world):
    _people_offered(world, (3, 10), 10)  # families on the wards
    _people_offered(world, (3, 10), 3, kind="staff")
    wards = (world.england.pk, world.wards.pk)
    built = build(
        Filters(JAN, MAY, organisation_id=world.england.pk, service_id=world.wards.pk, group=STAFF)
    )
    assert figures(built, "offered", MAR) == ("withheld", "withheld", "")
    built = build(
        Filters(
            JAN, MAY, organisation_id=world.england.pk, service_id=world.wards.pk, group=FAMILIES
        )
    )
    assert figures(built, "offered", MAR) == ("10", "10", "100.0%")
    built = build(Filters(JAN, MAY, organisation_id=world.england.pk, service_id=world.wards.pk))
    # 15 less 10: the staff could be anything from 1 to 9.
    assert figures(built, "offered", MAR) == ("15", "15", "100.0%")
    assert wards and _attack(world, ["offered"]) == []


def test_where_rounding_would_give_a_one_away_another_figure_is_withheld(world):
    """8 and 8 show as 10 and 10 beside a total of 17 shown as 15: a third part would be at
    most 17 - 8 - 8 = 1, and it is at least 1, so it is 1. One more figure goes."""
    theatres = ServiceFactory(organisation=world.england, name="Theatres")
    world.reviews[theatres.pk] = ReviewFactory(
        organisation=world.england, service=theatres, lead_investigator=UserFactory()
    )
    _people_offered(world, (3, 10), 8)
    _people_offered(world, (3, 10), 8, service=world.maternity)
    _people_offered(world, (3, 10), 1, service=theatres)
    shown = {
        service: figures(
            build(Filters(JAN, MAY, organisation_id=world.england.pk, service_id=service.pk)),
            "offered",
            MAR,
        )[0]
        for service in (world.wards, world.maternity, theatres)
    }
    england = figures(build(Filters(JAN, MAY, organisation_id=world.england.pk)),
                      "offered", MAR)[0]  # fmt: skip
    assert england == "15" and shown[theatres] == "withheld"
    assert list(shown.values()).count("withheld") == 2  # the 1, and one of the 8s
    assert _attack(world, ["offered"]) == []


def test_a_recovery_attempt_across_every_view_and_related_measures_finds_nothing(world):
    """The attack: read every view of the dashboard, with the measures that share a count,
    and try totals less their parts, groups, complements, for every month."""
    rng = random.Random(3)
    supporter = PeerSupporterFactory()
    for _ in range(60):
        service = rng.choice([world.wards, world.maternity, world.glen])
        kind = rng.choice(["family", "family", "service_user", "staff"])
        day = (rng.randint(1, 5), rng.randint(1, 28))
        who = person(world, at(2025, *day), service=service, kind=kind)
        o = offer(who, at(2025, *day), at(2025, *day), supporter=supporter,
                  statuses=[("accepted", at(2025, *day))] if rng.random() < 0.7 else ())  # fmt: skip
        for _ in range(rng.randint(0, 3)):
            Contact.objects.create(
                offer=o, supporter=supporter, happened_on=date(2025, *day), mode="phone", minutes=30
            )
    slugs = ["offered", "accepted", "days_to_offer", "contacts", "accessing", "staff_accessing"]
    assert _attack(world, slugs, months=(JAN, FEB, MAR, APR, MAY)) == []
    for _, filters in _every_view(world):
        built = build(filters, [BY_SLUG[slug] for slug in slugs])
        for row in export.csv_rows(built):
            assert not re.fullmatch(r"[1-7]", row[2]) and not re.fullmatch(r"[1-7]", row[3])


# The page and the CSV ---------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table's rows on a page, by table id, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "span" and "nhsuk-table-responsive__heading" in (attrs.get("class") or ""):
            self.cell_skip = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "span" and getattr(self, "cell_skip", False):
            self.cell_skip = False

    def handle_data(self, data):
        if self.cell is not None and not getattr(self, "cell_skip", False):
            self.cell.append(data)


@pytest.fixture
def manager_client(make_user, client_for):
    return client_for(make_user(Role.MANAGER))


def test_the_csv_matches_the_table(world, manager_client):
    _people_offered(world, (2, 10), 9)
    _people_offered(world, (3, 10), 3)
    _people_offered(world, (4, 10), 12)
    query = "period=custom&from_month=2025-01&to_month=2025-05"
    page = manager_client.get(f"{reverse('dashboard')}?{query}")
    assert page.status_code == 200
    # Every month's figures are on the measure's own page.
    tables = Tables()
    for measure in MEASURES:
        shown = manager_client.get(f"{reverse('dashboard_measure', args=[measure.slug])}?{query}")
        tables.feed(shown.content.decode())
    download = manager_client.get(f"{reverse('dashboard_csv')}?{query}")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == export.CSV_HEADER
    by_measure = {}
    for row in rows[1:]:
        by_measure.setdefault(row[0], []).append(row)
    compared = 0
    for measure in MEASURES:
        table = tables.tables.get(f"table-{measure.slug}")
        if table is None:
            continue  # not shown for this view
        header, *body = table
        csv_rows = by_measure[measure.name]
        assert len(body) == len(csv_rows) == 5
        for cells, row in zip(body, csv_rows, strict=True):
            month = datetime.strptime(row[1], "%Y-%m").strftime("%b %Y")
            assert cells[0] == month
            shown = dict(zip(header[1:-1], cells[1:-1], strict=True))
            wanted = {
                "Number": row[2],
                "Count": row[2],
                "Days": row[2],
                "Out of": row[3],
                "Offers": row[3],
                "People": row[3],
                "Per cent": row[4],
                "Average": row[4],
                "Median": row[4],
            }
            for column, text in shown.items():
                assert text.replace(",", "").rstrip("%") == wanted[column], (measure.slug, column)
            signal = {short: long.label for long, short in SIGNALS.items()}.get(cells[-1], "")
            assert signal == row[8], (measure.slug, row[1])
            compared += 1
    assert compared == 5 * len([m for m in MEASURES if m.applies_to(PERIOD)])
    offered = by_measure["People offered a trained peer supporter"]
    assert offered[1][2:5] == ["10", "10", "100.0"]
    assert offered[2][2:5] == ["withheld", "withheld", ""]
    assert offered[3][2:5] == ["10", "10", "100.0"]
    # The mean from the months shown only: February and April, both 100%. No limits: two
    # points are fewer than spc.MINIMUM_POINTS, and a flat series has no variation to set
    # them by (issue 16, finding 7), so the CSV leaves them blank as the chart draws none.
    assert offered[3][5:8] == ["100.0", "", ""]
    assert spc.MINIMUM_POINTS > 2
    # The page says the same beside the chart: the mean, and why there are no limits.
    html = " ".join(page.content.decode().split())
    assert (
        "Mean 100.0%, from 2 months charted. No process limits: they need at least "
        f"{spc.MINIMUM_POINTS} months" in html
    )


def test_every_measure_is_on_the_page_with_its_explanation(world, manager_client):
    pages = {
        section: manager_client.get(reverse("dashboard"), {"section": section}).content.decode()
        for section in SECTIONS
    }
    for measure in MEASURES:
        shown = pages[measure.section]
        assert measure.name in shown
        assert f'id="measure-{measure.slug}"' in shown
        # Its months and definition are a link away, on its own page.
        assert reverse("dashboard_measure", args=[measure.slug]) in shown
        for section, other in pages.items():
            assert section == measure.section or f'id="measure-{measure.slug}"' not in other
    # The page opens on the process measures.
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert 'id="measure-offered"' in page and 'id="measure-satisfaction"' not in page
    # No data yet: nothing can be charted, and each chart says so.
    assert f"Fewer than {spc.MINIMUM_POINTS} months charted" in page
    assert "No month can be charted yet." in page
    # No limits are drawn, rather than provisional ones (issue 16, finding 7).
    assert (
        f"No process limits are drawn with fewer than {spc.MINIMUM_POINTS} months charted, "
        "or when every month has the same figure" in page
    )
    assert "limits are provisional" not in page


def test_managers_see_aggregates_only(world, manager_client):
    who = person(world, at(2025, 3, 3), full_name="Margaret Okonjo")
    supporter = PeerSupporterFactory()
    o = offer(who, at(2025, 3, 3), at(2025, 3, 4), supporter=supporter)
    Contact.objects.create(
        offer=o,
        supporter=supporter,
        happened_on=date(2025, 3, 5),
        mode="phone",
        minutes=30,
        note="Talked about the inquest",
    )
    sections = [f"{reverse('dashboard')}?section={section}&" for section in SECTIONS]
    for url in (*sections, f"{reverse('dashboard_csv')}?"):
        body = manager_client.get(url + "period=24").content.decode()
        assert "Margaret" not in body and "Okonjo" not in body
        assert "Talked about" not in body
        assert "/people/" not in body and "/reviews/" not in body


def test_a_team_member_sees_their_own_organisation(world, make_user, client_for):
    user = make_user(Role.TEAM)
    TeamMemberFactory(user=user, organisation=world.scotland)
    response = client_for(user).get(reverse("dashboard") + f"?organisation={world.england.pk}")
    assert response.status_code == 200
    assert response.context["filters"].organisation_id == world.scotland.pk
    assert "organisation" not in response.context["form"].fields
    csv_response = client_for(user).get(reverse("dashboard_csv"))
    assert csv_response.status_code == 200


def test_a_team_member_without_an_organisation_is_refused(make_user, client_for):
    user = make_user(Role.TEAM)
    assert client_for(user).get(reverse("dashboard")).status_code == 403


def test_filters_are_checked(world, manager_client):
    url = reverse("dashboard")
    response = manager_client.get(f"{url}?period=custom&from_month=2025-05&to_month=2025-01")
    assert response.status_code == 200
    assert "The last month must be the same as or after the first" in response.content.decode()
    assert response.context["filters"] == Filters.last(12)
    response = manager_client.get(
        f"{url}?organisation={world.scotland.pk}&service={world.wards.pk}"
    )
    assert "Choose a service of the organisation chosen" in response.content.decode()
    response = manager_client.get(f"{url}?service={world.glen.pk}&group=staff&period=24")
    filters = response.context["filters"]
    assert (filters.organisation_id, filters.service_id, filters.group) == (
        world.scotland.pk,
        world.glen.pk,
        STAFF,
    )
    assert len(filters.months) == 24


def test_the_export_is_audited(world, manager_client):
    from peersupport.models import AuditEvent

    manager_client.get(reverse("dashboard_csv") + f"?organisation={world.england.pk}")
    event = AuditEvent.objects.get(action="dashboard.exported")
    assert event.detail["organisation"] == world.england.pk


# Speed ------------------------------------------------------------------------------------------


def _grow(world, size, rng):
    supporter = _supporter([world.england], 3, [("active", at(2025, 1, 1))])
    for n in range(size):
        service = rng.choice([world.wards, world.maternity, world.glen])
        day = (rng.randint(1, 5), rng.randint(1, 28))
        who = person(world, at(2025, *day), service=service, kind=rng.choice(["family", "staff"]))
        o = offer(
            who,
            at(2025, *day),
            at(2025, *day),
            supporter=supporter,
            statuses=[("accepted", at(2025, *day))],
        )
        for _ in range(3):
            Contact.objects.create(
                offer=o, supporter=supporter, happened_on=date(2025, *day), mode="phone", minutes=30
            )
        if n % 3 == 0:
            WellbeingCheckIn.objects.create(
                supporter=supporter, empowered=4, coping=4, created_at=at(2025, *day)
            )
            _respond(world, "family", at(2025, *day), {"satisfaction": 4, "fft": 1})


def test_the_dashboard_runs_a_bounded_number_of_queries(
    world, manager_client, django_assert_max_num_queries
):
    rng = random.Random(11)
    counts = []
    for size in (5, 60):
        _grow(world, size, rng)
        MonthlyFigures.objects.all().delete()
        PublishedFigures.objects.all().delete()
        cache.clear()
        with django_assert_max_num_queries(60), CaptureQueriesContext(connection) as queries:
            assert manager_client.get(reverse("dashboard") + "?period=24").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # From the stored figures, every count is read in one query: what is left is the page's.
    cache.clear()
    with CaptureQueriesContext(connection) as warm:
        manager_client.get(reverse("dashboard") + "?period=24")
    assert len(warm) <= counts[0] - 15
