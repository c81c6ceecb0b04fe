"""The measures dashboard with hand-built data whose answers are known: each measure's
numerator and denominator, month boundaries in UK time, the exclusions, small-number
suppression (and attempts to get round it), the CSV against the page, and bounded queries."""

import csv
import io
import random
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
from incidents.deadlines import working_days_between
from incidents.models import AffectedPerson, ConsentRecord, Nation
from peersupport import measures
from peersupport.measures import ANY, FAMILIES, STAFF, Filters
from peersupport.roles import Role
from peersupport.views_dashboard import SIGNALS
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
    """Threshold 1: nothing is small, so hand-built numbers can be read exactly."""
    settings.SMALL_NUMBER_THRESHOLD = 1


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


def test_people_offered_by_the_month_their_consent_was_recorded_in_uk_time(world, no_suppression):
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
    # Left out: no consent, consent not asked, asking not to be contacted, and consent given
    # then withdrawn.
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

    built = measures.build(PERIOD)
    assert figures(built, "offered", MAR) == ("2", "4", "50.0%")
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
    for who, opened, made in pairs:
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
    built = measures.build(PERIOD)
    days = month_of(built, "days_to_offer", APR)
    assert days.numerator.number == sum(expected) == 6
    assert days.denominator.number == 6
    assert days.value == pytest.approx(1.0)


def test_working_days_for_many_dates_and_nations(world, no_suppression):
    rng = random.Random(7)
    expected = {}
    for _ in range(40):
        who = person(world, at(2025, 1, 2), service=rng.choice([world.wards, world.glen]))
        opened = at(2025, 1, 1) + timedelta(hours=rng.randrange(0, 24 * 140))
        made = opened + timedelta(hours=rng.randrange(0, 24 * 20))
        if made >= at(2025, 6, 1):
            continue
        offer(who, opened, made)
        month = made.astimezone(UK).date().replace(day=1)
        days = working_days_between(
            opened.astimezone(UK).date(), made.astimezone(UK).date(), who.organisation.nation
        )
        expected[month] = expected.get(month, 0) + days
    built = measures.build(PERIOD)
    found = {
        m.month: m.numerator.number
        for m in series_of(built, "days_to_offer").months
        if m.denominator.number
    }
    assert found == expected


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

    built = measures.build(PERIOD)
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

    built = measures.build(PERIOD)
    assert figures(built, "contacts", APR) == ("3", None, "3")
    assert figures(built, "accessing", APR) == ("2", None, "2")
    assert figures(built, "staff_accessing", APR) == ("1", None, "1")
    assert figures(built, "contacts", MAY) == ("1", None, "1")

    staff_only = measures.build(Filters(JAN, MAY, group=STAFF))
    assert figures(staff_only, "contacts", APR) == ("1", None, "1")
    families = measures.build(Filters(JAN, MAY, group=FAMILIES))
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

    built = measures.build(PERIOD)
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

    built = measures.build(PERIOD)
    assert figures(built, "satisfaction", APR) == ("3", "5", "60.0%")
    assert figures(built, "engage_with_review", APR) == ("3", "4", "75.0%")
    assert figures(built, "not_supported", APR) == ("2", "4", "50.0%")
    # "Don't know" is left out of the Friends and Family Test.
    assert figures(built, "fft_positive", APR) == ("2", "3", "66.7%")
    assert figures(built, "staff_perception", APR) == ("1", "1", "100.0%")
    assert figures(built, "satisfaction", MAR) == ("0", "0", "")

    staff = measures.build(Filters(JAN, MAY, group=STAFF))
    assert figures(staff, "satisfaction", APR) == ("0", "1", "0.0%")
    families = measures.build(Filters(JAN, MAY, group=FAMILIES))
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

    built = measures.build(PERIOD)
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
    # Check-ins (5, 3) and the survey (5) on being empowered; (2, 4) and (2) on coping.
    assert figures(built, "empowered", APR) == ("2", "3", "66.7%")
    assert figures(built, "coping", APR) == ("1", "3", "33.3%")

    # One organisation: the supporters serving it (the first serves both, counted in each).
    england = measures.build(Filters(JAN, MAY, organisation_id=world.england.pk))
    assert figures(england, "supervision", APR) == ("1", "1", "100.0%")
    assert figures(england, "pausing", APR) == ("1", "2", "50.0%")
    scotland = measures.build(Filters(JAN, MAY, organisation_id=world.scotland.pk))
    assert figures(scotland, "supervision", APR) == ("1", "2", "50.0%")
    # Supporters are not split by service or group: those filters leave them alone.
    staff = measures.build(Filters(JAN, MAY, group=STAFF, service_id=None))
    assert figures(staff, "supervision", APR) == ("1", "2", "50.0%")


def test_a_supporter_with_no_status_history_counts_from_when_they_were_added(world, no_suppression):
    supporter = PeerSupporterFactory(organisations=[world.england], status="active")
    type(supporter).objects.filter(pk=supporter.pk).update(created_at=at(2025, 2, 10))
    built = measures.build(PERIOD)
    assert figures(built, "supervision", JAN) == ("0", "0", "")
    assert figures(built, "supervision", FEB) == ("0", "1", "0.0%")


# Small numbers --------------------------------------------------------------------------------


def _people_offered(world, month_day, count, **kwargs):
    for _ in range(count):
        who = person(world, at(2025, *month_day), **kwargs)
        offer(who, at(2025, *month_day), at(2025, *month_day))


def test_counts_from_1_to_4_are_fewer_than_5_with_no_rate(world):
    _people_offered(world, (3, 10), 3)
    built = measures.build(PERIOD)
    march = month_of(built, "offered", MAR)
    assert (march.numerator.text, march.denominator.text) == ("fewer than 5", "fewer than 5")
    assert march.value is None and march.point is None
    rows = [
        r for r in measures.csv_rows(built) if r[0] == "People offered a trained peer supporter"
    ]
    assert rows[2][:5] == [
        "People offered a trained peer supporter",
        "2025-03",
        "fewer than 5",
        "fewer than 5",
        "",
    ]


def test_the_threshold_is_a_setting(world, settings):
    settings.SMALL_NUMBER_THRESHOLD = 3
    _people_offered(world, (3, 10), 3)
    _people_offered(world, (4, 10), 2)
    built = measures.build(PERIOD)
    assert figures(built, "offered", MAR) == ("3", "3", "100.0%")
    assert figures(built, "offered", APR) == ("fewer than 3", "fewer than 3", "")


def test_suppressed_months_are_left_out_of_the_mean_and_limits(world):
    _people_offered(world, (1, 10), 6)
    _people_offered(world, (2, 10), 8)
    _people_offered(world, (3, 10), 2)
    _people_offered(world, (4, 10), 10)
    built = measures.build(PERIOD)
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


def _shown(world, slug):
    """What every view shows for one measure in March: cell -> (numerator, denominator),
    with None for a figure not shown."""
    seen = {}
    for key, filters in _every_view(world):
        m = month_of(measures.build(filters, [measures.BY_SLUG[slug]]), slug, MAR)
        seen[key] = tuple(
            figure.number if figure.shown else None for figure in (m.numerator, m.denominator)
        )
    return seen


def _recoverable(seen, index):
    """Cells whose hidden figure some view's total gives away: a shown total less its shown
    parts leaves one hidden part, or hidden parts adding up to less than 5."""
    found = []
    for total, parts in measures._partitions(seen):
        if seen[total][index] is None:
            continue
        hidden = [key for key in parts if seen[key][index] is None]
        if not hidden:
            continue
        rest = seen[total][index] - sum(seen[key][index] for key in parts if key not in hidden)
        if len(hidden) == 1 or rest < 5:
            found.append((hidden, rest))
    return found


def test_a_small_group_cannot_be_worked_out_from_everyone_less_the_other_group(world):
    _people_offered(world, (3, 10), 10)  # families on the wards
    _people_offered(world, (3, 10), 3, kind="staff")
    seen = _shown(world, "offered")
    wards = (world.england.pk, world.wards.pk)
    # The staff's 3 is a small number; everyone less families would give it away, so the
    # families' figure is held back too, wherever it would.
    assert seen[(*wards, STAFF)] == (None, None)
    assert seen[(*wards, FAMILIES)] == (None, None)
    assert seen[(ANY, ANY, FAMILIES)] == (None, None)
    assert seen[(ANY, ANY, ANY)] == (13, 13)
    assert _recoverable(seen, 0) == [] and _recoverable(seen, 1) == []
    built = measures.build(Filters(JAN, MAY, group=FAMILIES))
    assert figures(built, "offered", MAR) == ("not shown", "not shown", "")
    built = measures.build(Filters(JAN, MAY, group=STAFF))
    assert figures(built, "offered", MAR) == ("fewer than 5", "fewer than 5", "")


def test_a_small_organisation_or_service_cannot_be_worked_out_from_the_total(world):
    _people_offered(world, (3, 10), 8)  # England, wards
    _people_offered(world, (3, 10), 6, service=world.maternity)
    _people_offered(world, (3, 10), 2, service=world.glen)  # Scotland
    seen = _shown(world, "offered")
    assert seen[(world.scotland.pk, ANY, ANY)] == (None, None)
    assert seen[(world.england.pk, ANY, ANY)] == (None, None)
    assert seen[(ANY, ANY, ANY)] == (16, 16)
    assert _recoverable(seen, 0) == [] and _recoverable(seen, 1) == []


def test_a_small_service_cannot_be_worked_out_from_its_organisation(world):
    _people_offered(world, (3, 10), 8)  # England, wards
    _people_offered(world, (3, 10), 2, service=world.maternity)
    _people_offered(world, (3, 10), 6, service=world.glen)  # Scotland
    seen = _shown(world, "offered")
    england = world.england.pk
    assert seen[(england, world.maternity.pk, ANY)] == (None, None)
    assert seen[(england, world.wards.pk, ANY)] == (None, None)
    assert seen[(england, ANY, ANY)] == (10, 10)
    assert _recoverable(seen, 0) == [] and _recoverable(seen, 1) == []


def test_a_recovery_attempt_across_every_view_and_the_csv_finds_nothing(world):
    """The attack: read every view of the dashboard and its CSV, and try totals less their
    parts, for every measure and month."""
    rng = random.Random(3)
    supporter = PeerSupporterFactory()
    for _ in range(60):
        service = rng.choice([world.wards, world.maternity, world.glen])
        kind = rng.choice(["family", "family", "service_user", "staff"])
        day = (rng.randint(1, 5), rng.randint(1, 28))
        who = person(world, at(2025, *day), service=service, kind=kind)
        o = offer(who, at(2025, *day), at(2025, *day), supporter=supporter)
        for _ in range(rng.randint(0, 3)):
            Contact.objects.create(
                offer=o, supporter=supporter, happened_on=date(2025, *day), mode="phone", minutes=30
            )
    for slug in ("offered", "contacts", "accessing", "days_to_offer"):
        for month in (JAN, FEB, MAR, APR, MAY):
            seen = {}
            for key, filters in _every_view(world):
                m = month_of(measures.build(filters, [measures.BY_SLUG[slug]]), slug, month)
                seen[key] = tuple(
                    f.number if f is not None and f.shown else None
                    for f in (m.numerator, m.denominator or m.numerator)
                )
                # Whatever is shown, the CSV shows the same.
                row = next(
                    r
                    for r in measures.csv_rows(measures.build(filters, [measures.BY_SLUG[slug]]))
                    if r[1] == month.strftime("%Y-%m")
                )
                assert row[2] == m.numerator.plain
            if slug != "days_to_offer":  # its numerator is days, not people
                assert _recoverable(seen, 0) == [], (slug, month)
            assert _recoverable(seen, 1) == [], (slug, month)
            small = [k for k, v in seen.items() if v[0] is None]
            assert all(v[0] is None or v[0] == 0 or v[0] >= 5 for v in seen.values()), small


def test_the_suppression_rule_on_its_own():
    values = {
        (ANY, ANY, ANY): 13,
        (ANY, ANY, FAMILIES): 10,
        (ANY, ANY, STAFF): 3,
        (1, ANY, ANY): 13,
        (1, ANY, FAMILIES): 10,
        (1, ANY, STAFF): 3,
    }
    small, hidden = measures.suppress(values, 5)
    assert small == {(ANY, ANY, STAFF), (1, ANY, STAFF)}
    assert hidden == small | {(ANY, ANY, FAMILIES), (1, ANY, FAMILIES)}
    # Two small parts adding up to under 5: the total goes too.
    values = {(ANY, ANY, ANY): 3, (ANY, ANY, FAMILIES): 2, (ANY, ANY, STAFF): 1}
    small, hidden = measures.suppress(values, 5)
    assert hidden == set(values)
    # Nothing small: everything shown.
    assert measures.suppress({(ANY, ANY, ANY): 0, (1, ANY, ANY): 7}, 5) == (set(), set())


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
    _people_offered(world, (2, 10), 7)
    _people_offered(world, (3, 10), 3)
    _people_offered(world, (4, 10), 12)
    query = "period=custom&from_month=2025-01&to_month=2025-05"
    page = manager_client.get(f"{reverse('dashboard')}?{query}")
    assert page.status_code == 200
    tables = Tables()
    tables.feed(page.content.decode())
    download = manager_client.get(f"{reverse('dashboard_csv')}?{query}")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == measures.CSV_HEADER
    by_measure = {}
    for row in rows[1:]:
        by_measure.setdefault(row[0], []).append(row)
    compared = 0
    for measure in measures.MEASURES:
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
    assert compared == 5 * len([m for m in measures.MEASURES if m.applies_to(PERIOD)])
    offered = by_measure["People offered a trained peer supporter"]
    assert offered[2][2:5] == ["fewer than 5", "fewer than 5", ""]
    assert offered[3][2:5] == ["12", "12", "100.0"]
    # Mean and limits from the months shown only: February and April, both 100%.
    assert offered[3][5:8] == ["100.0", "100.0", "100.0"]


def test_every_measure_is_on_the_page_with_its_explanation(world, manager_client):
    page = manager_client.get(reverse("dashboard")).content.decode()
    for measure in measures.MEASURES:
        assert measure.name in page
        assert f'id="measure-{measure.slug}"' in page
    assert "How this is calculated" in page
    # No data yet: nothing can be charted, and each chart says so.
    assert "Fewer than 12 months charted" in page
    assert "No month can be charted yet." in page


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
    for url in (reverse("dashboard"), reverse("dashboard_csv")):
        body = manager_client.get(url + "?period=24").content.decode()
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
        cache.clear()
        with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as queries:
            assert manager_client.get(reverse("dashboard") + "?period=24").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # From the cache, the figures take no queries at all: what is left is the page's own.
    with CaptureQueriesContext(connection) as warm:
        manager_client.get(reverse("dashboard") + "?period=24")
    assert len(warm) <= counts[0] - 10


def test_the_refresh_job_counts_afresh_so_the_page_answers_from_the_cache(world, manager_client):
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert manager_client.get(reverse("dashboard")).status_code == 200
    cache.clear()
    from peersupport.tasks import refresh_measures

    refresh_measures()
    with CaptureQueriesContext(connection) as warmed:
        assert manager_client.get(reverse("dashboard")).status_code == 200
    assert len(warmed) < len(cold)
    # And the job replaces what the cache holds, rather than reading it back.
    keys = _measure_keys()
    assert keys
    for key in keys:
        cache.set(key, (cache.get(key)[0], "stale"))
    refresh_measures()
    assert all(cache.get(key)[1] != "stale" for key in keys)


def _measure_keys():
    filters = Filters.last(12)
    queries = measures.Queries(filters)
    return [
        queries._key(name, False)
        for name, value in vars(measures.Queries).items()
        if isinstance(value, property) and cache.get(queries._key(name, False)) is not None
    ]
