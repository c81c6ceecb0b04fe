"""Each measure's definition, on a small hand-made population whose figures are worked out by
hand in the comments. Suppression is off (SUPPRESS_COUNTS_UP_TO=0, SUPPRESS_ROUND_TO=1) so the
hand figures are exact; one test puts it back to check that small cells are still hidden."""

import re
from datetime import date
from pathlib import Path

import pytest

from incidents.models import ConsentRecord, Review
from incidents.services import set_do_not_contact
from peersupport.dashboard.definitions import BY_SLUG, MEASURES
from peersupport.dashboard.figures import build
from peersupport.dashboard.filters import Filters
from peersupport.dashboard.spc import Improvement
from peersupport.privacy.anonymise import anonymise_person
from peersupport.working_days import working_days_between
from tests import test_measures as hand
from tests.test_measures import APR, JAN, MAR, MAY, PERIOD, at, figures, month_of, offer, person

# The hand-made world and the fixed day (16 June 2025) of tests/test_measures.py.
world, june_2025, fresh_figures = hand.world, hand.june_2025, hand.fresh_figures

JUN = date(2025, 6, 1)
DOCS = Path(__file__).resolve().parent.parent / "docs" / "measures.md"


@pytest.fixture(autouse=True)
def exact(settings):
    settings.SUPPRESS_COUNTS_UP_TO = 0
    settings.SUPPRESS_ROUND_TO = 1


def march_cohort(world):
    """Seven people logged on Monday 3 March 2025 at noon (England; window: 10 working days,
    to Monday 17 March). Today is 16 June 2025."""
    logged = at(2025, 3, 3)
    people = {}
    # A: offered on Monday 10 March, 5 working days after being logged.
    people["a"] = person(world, logged)
    offer(people["a"], logged, at(2025, 3, 10))
    # B: offered on Monday 17 March, 10 working days: just in time.
    people["b"] = person(world, logged)
    offer(people["b"], logged, at(2025, 3, 17))
    # C: offered on Tuesday 18 March, 11 working days: too late; consent given, so at the
    # end of the window C was waiting for a supporter.
    people["c"] = person(world, logged)
    offer(people["c"], logged, at(2025, 3, 18))
    # D: never asked about consent.
    people["d"] = person(world, logged, consent="not_asked")
    # E: consent refused.
    people["e"] = person(world, logged, consent="refused")
    # F: offered on Wednesday 5 March (2 working days) and declined on the 6th: offered.
    people["f"] = person(world, logged)
    offer(
        people["f"],
        logged,
        at(2025, 3, 5),
        statuses=[("offered", at(2025, 3, 5)), ("declined", at(2025, 3, 6))],
        answered_at=at(2025, 3, 6),
    )
    # G: consent given, but the team had been asked not to contact them from the start.
    people["g"] = person(world, logged, dnc=True)
    return people


def test_offered_counts_everyone_logged_in_the_month_within_10_working_days(world):
    march_cohort(world)
    # A decline on its own is also an offer: H, logged 3 March, answered (declined) on
    # 4 March with no offer day recorded.
    h = person(world, at(2025, 3, 3))
    offer(
        h, at(2025, 3, 3), None, statuses=[("declined", at(2025, 3, 4))], answered_at=at(2025, 3, 4)
    )
    built = build(PERIOD)
    # Logged: A to H, 8. Offered within 10 working days: A, B, F, H = 4, so 50.0%.
    assert figures(built, "offered", MAR) == ("4", "8", "50.0%")
    # Declined: F and H, 2 of 8 = 25.0%.
    assert figures(built, "declined_offer", MAR) == ("2", "8", "25.0%")
    # Not offered, by reason: D not yet asked (1); C waiting for a supporter (1); E refused
    # and G not to be contacted: the team decided not to contact (2). 4 + 1 + 1 + 2 = 8.
    assert figures(built, "not_offered_not_asked", MAR) == ("1", "8", "12.5%")
    assert figures(built, "not_offered_waiting", MAR) == ("1", "8", "12.5%")
    assert figures(built, "not_offered_not_contacted", MAR) == ("2", "8", "25.0%")
    # Within 5 working days: A (5), F (2), H (1) = 3 of 8 = 37.5%.
    assert figures(built, "offered_in_5", MAR) == ("3", "8", "37.5%")


def test_a_closed_cohort_does_not_change_later(world):
    """Not asking, a later do-not-contact, a later refusal and an anonymisation change nothing
    in a month whose window has closed."""
    people = march_cohort(world)
    before = build(PERIOD)
    keys = ["offered", "declined_offer", "not_offered_waiting", "not_offered_not_asked"]
    expected = {slug: figures(before, slug, MAR) for slug in keys}
    assert expected["offered"] == ("3", "7", "42.9%")
    for who in people.values():  # as the pages would load them, logged in March
        who.refresh_from_db()
    # Today (16 June): C and D asked not to be contacted; A is anonymised; B refuses consent.
    set_do_not_contact(people["c"], True, by=None)
    set_do_not_contact(people["d"], True, by=None)
    anonymise_person(people["a"], reason="erasure_request")
    ConsentRecord.objects.create(
        person=people["b"], kind="contact", decision="refused", method="phone"
    )
    from django.core.cache import cache

    cache.clear()
    after = build(PERIOD)
    assert {slug: figures(after, slug, MAR) for slug in keys} == expected


def test_a_cohort_is_provisional_until_its_window_closes(world):
    # May's window closes 10 working days after Saturday 31 May: Friday 13 June. Today is
    # 16 June, so May is final and June is provisional.
    person(world, at(2025, 6, 2))
    person(world, at(2025, 5, 2))
    built = build(Filters(JAN, JUN))
    assert getattr(month_of(built, "offered", JUN), "provisional", None) is True
    assert getattr(month_of(built, "offered", MAY), "provisional", None) is False
    assert getattr(month_of(built, "contacts", JUN), "provisional", None) is False


def test_time_to_offer_counts_people_still_waiting(world):
    march_cohort(world)
    # The waits, in working days from being logged: F 2, A 5, B 10, C 11, and D, never
    # asked and still waiting today, at the length of its wait so far. E (refused) and G (not
    # to be contacted) are not waiting. The middle of 2, 5, 10, 11 and D's wait is 10.
    d_wait = working_days_between(date(2025, 3, 3), date(2025, 6, 16), "england")
    assert d_wait > 11
    built = build(PERIOD)
    days = month_of(built, "days_to_offer", MAR)
    assert days.denominator.number == 5
    assert days.value == 10


def test_working_days_from_the_review_to_logging(world):
    # The review of the adult wards was logged on Monday 24 February; its people on Monday
    # 3 March: 5 working days each, so the mean is 35 / 7 = 5.0.
    Review.objects.filter(pk=world.reviews[world.wards.pk].pk).update(created_at=at(2025, 2, 24))
    march_cohort(world)
    built = build(PERIOD)
    assert figures(built, "review_to_logged", MAR) == ("35", "7", "5.0")


def test_acceptance_follows_the_person_not_the_offer_row(world):
    logged = at(2025, 3, 20)
    p1, p2, p3 = (person(world, logged) for _ in range(3))
    # P1: offered 2 April; the supporter left, a new one was given and P1 accepted them.
    first = offer(
        p1,
        logged,
        at(2025, 4, 2),
        statuses=[("offered", at(2025, 4, 2))],
        close_reason="reassigned",
    )
    offer(
        p1,
        at(2025, 4, 8),
        at(2025, 4, 8),
        previous=first,
        statuses=[("accepted", at(2025, 4, 9))],
        answered_at=at(2025, 4, 9),
    )
    # P2: offered 3 April, asked to be contacted later; offered again on 5 May and accepted.
    offer(
        p2, logged, at(2025, 4, 3), statuses=[("later", at(2025, 4, 4))], answered_at=at(2025, 4, 4)
    )
    offer(p2, at(2025, 5, 5), at(2025, 5, 5), statuses=[("accepted", at(2025, 5, 6))])
    # P3: offered 4 April, no answer yet.
    offer(p3, logged, at(2025, 4, 4))
    built = build(PERIOD)
    # First offered in April: P1, P2, P3. Accepted: P1 and P2. 2 of 3 = 66.7%.
    assert figures(built, "accepted", APR) == ("2", "3", "66.7%")
    # P2's second offer in May is not a second person offered.
    assert figures(built, "accepted", MAY) == ("0", "0", "")


def test_supporters_feelings_count_supporters_by_their_latest_check_in(world):
    """Finding 4: one supporter checks in three times in April, low each time (2); another
    once, high (5). Each supporter counts once, by their latest check-in: 1 of 2, not 1 of 4
    answers (nor 2 of 5 with the survey's answer): the anonymous quarterly survey is left out."""
    from feedback.models import Answer, Invitation, Question, Questionnaire, Response
    from supporters.models import WellbeingCheckIn
    from tests.factories import PeerSupporterFactory

    often = PeerSupporterFactory(organisations=[world.england])
    once = PeerSupporterFactory(organisations=[world.england])
    for day in (3, 10, 17):
        WellbeingCheckIn.objects.create(
            supporter=often, empowered=2, coping=2, created_at=at(2025, 4, day)
        )
    WellbeingCheckIn.objects.create(
        supporter=once, empowered=5, coping=5, created_at=at(2025, 4, 8)
    )
    # In May, the first answers high on 2 May, then low on 20 May: their latest is low.
    WellbeingCheckIn.objects.create(
        supporter=often, empowered=5, coping=5, created_at=at(2025, 5, 2)
    )
    WellbeingCheckIn.objects.create(
        supporter=often, empowered=1, coping=1, created_at=at(2025, 5, 20)
    )
    # The anonymous quarterly survey in April: one supporter answers 5 to both (left out).
    questionnaire = Questionnaire.objects.get(slug="peer-supporters")
    version = questionnaire.current_version
    invitation = Invitation.objects.create(
        questionnaire=questionnaire,
        organisation=world.england,
        expires_at=at(2025, 5, 20),
        sent_at=at(2025, 4, 1),
        completed_at=at(2025, 4, 22),
    )
    response = Response.objects.create(
        invitation=invitation,
        version=version,
        submitted_at=at(2025, 4, 22),
        group="supporter",
        organisation=world.england,
    )
    for code in ("empowered", "coping"):
        Answer.objects.create(
            response=response, question=Question.objects.get(version=version, code=code), value=5
        )
    built = build(PERIOD)
    for slug in ("empowered", "coping"):
        # April: the first's latest (17 April) is low, the second's is high: 1 of 2.
        assert figures(built, slug, APR) == ("1", "2", "50.0%")
        # May: only the first checked in; their latest (20 May) is low: 0 of 1.
        assert figures(built, slug, MAY) == ("0", "1", "0.0%")


def test_caseload_has_a_direction_and_a_capacity_ceiling():
    caseload = BY_SLUG["caseload"]
    assert caseload.improvement == Improvement.DECREASE
    assert getattr(caseload, "ceiling", None) == 100


def test_suppression_still_hides_the_small_cells(world, settings):
    settings.SUPPRESS_COUNTS_UP_TO, settings.SUPPRESS_ROUND_TO = 7, 5
    march_cohort(world)
    built = build(PERIOD)
    for slug in ("offered", "not_offered_waiting", "not_offered_not_contacted"):
        month = month_of(built, slug, MAR)
        assert not month.numerator.shown
        assert month.value is None


def test_every_measure_has_its_definition_written_down():
    text = DOCS.read_text() if DOCS.exists() else ""
    sections = set(re.findall(r"^## .*`([a-z0-9_]+)`", text, flags=re.M))
    assert {measure.slug for measure in MEASURES} <= sections
    for measure in MEASURES:
        section = text.split(f"`{measure.slug}`", 1)[1].split("\n## ", 1)[0]
        for label in ("Numerator", "Denominator", "Placed in a month by", "Exclusions"):
            assert f"**{label}**" in section, (measure.slug, label)


def test_tier_reached_counts_each_person_once_at_the_highest_tier(world):
    """Finding 6: tier reached is a measure of people, not of offers. In May: A's support
    came to a natural end on 6 May; A came back and moved on to specialist support on 20 May.
    B's ended at the person's choice, C's when the review closed, and D's after D was given a
    new supporter. Four people: A reached specialist support (1 of 4, 25.0%); B, C and D
    peer support only (3 of 4, 75.0%). Counting offers would give 1 of 5."""
    from tests.factories import PeerSupporterFactory

    supporter = PeerSupporterFactory()
    started = [("offered", at(2025, 4, 2)), ("accepted", at(2025, 4, 3))]

    def ended(who, day, reason, *, previous=None):
        return offer(
            who,
            at(2025, 4, 1),
            at(2025, 4, 2),
            supporter=supporter,
            statuses=[*started, ("closed", at(2025, 5, day))],
            previous=previous,
            close_reason=reason,
            closed_at=at(2025, 5, day),
        )

    logged = at(2025, 3, 31)
    a, b, c, d = (person(world, logged) for _ in range(4))
    ended(a, 6, "natural_end")
    ended(a, 20, "specialist")
    ended(b, 12, "persons_choice")
    ended(c, 15, "review_closed")
    ended(d, 22, "natural_end", previous=ended(d, 9, "reassigned"))

    built = build(PERIOD)
    assert figures(built, "specialist", MAY) == ("1", "4", "25.0%")
    assert figures(built, "tier_peer_only", MAY) == ("3", "4", "75.0%")
    assert BY_SLUG["tier_peer_only"].section == BY_SLUG["specialist"].section
