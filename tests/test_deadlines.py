from datetime import date

import pytest

from incidents.deadlines import compute_deadlines
from incidents.models import DeadlineKind, DeadlineRule, Nation, ResponseType
from peersupport.working_days import add_working_days, is_working_day, working_days_between
from tests.factories import ReviewFactory

ENGLAND, WALES, SCOTLAND = Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND


def test_a_weekend_is_skipped():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1, ENGLAND) == date(2026, 11, 23)


def test_easter_2025_spans_good_friday_and_easter_monday_in_england_and_wales():
    thursday = date(2025, 4, 17)
    for nation in (ENGLAND, WALES):
        assert not is_working_day(date(2025, 4, 18), nation)
        assert not is_working_day(date(2025, 4, 21), nation)
        assert add_working_days(thursday, 1, nation) == date(2025, 4, 22)


def test_easter_monday_is_a_working_day_in_scotland():
    assert is_working_day(date(2025, 4, 21), SCOTLAND)
    assert add_working_days(date(2025, 4, 17), 1, SCOTLAND) == date(2025, 4, 21)


def test_christmas_2026_with_boxing_day_substitute_on_monday():
    christmas_eve = date(2026, 12, 24)
    # 25 Dec is Friday; Boxing Day falls on Saturday so Monday 28 Dec is the substitute day.
    assert add_working_days(christmas_eve, 1, ENGLAND) == date(2026, 12, 29)
    assert add_working_days(christmas_eve, 1, WALES) == date(2026, 12, 29)


def test_working_days_between_counts_after_start_up_to_end():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 23), ENGLAND) == 1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 20), ENGLAND) == -1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23), ENGLAND) == 0


def test_zero_days_rolls_forward_to_a_working_day():
    assert add_working_days(date(2026, 11, 21), 0, ENGLAND) == date(2026, 11, 23)


@pytest.mark.django_db
def test_duty_of_candour_is_10_working_days_in_england_and_30_in_wales():
    reported = date(2025, 4, 14)  # Monday before Easter
    english = ReviewFactory.build(reported_date=reported, organisation__nation=ENGLAND)
    welsh = ReviewFactory.build(reported_date=reported, organisation__nation=WALES)
    # England: 15-17, 22-25, 28-30 April (Good Friday and Easter Monday skipped).
    assert compute_deadlines(english)["candour_due_on"] == date(2025, 4, 30)
    # Wales: 30 working days, skipping Easter and the 5 and 26 May bank holidays:
    # April 10, May 1-2 (12), 6-9 (16), 12-16 (21), 19-23 (26), 27-30 (30).
    assert compute_deadlines(welsh)["candour_due_on"] == date(2025, 5, 30)


@pytest.mark.django_db
def test_serious_incident_framework_reports_over_christmas():
    review = ReviewFactory.build(
        reported_date=date(2026, 12, 23),
        response_type=ResponseType.SI_CONCISE,
        organisation__nation=ENGLAND,
    )
    due = compute_deadlines(review)
    # 24 Dec, 29 Dec, 30 Dec: Christmas Day and the Boxing Day substitute skipped.
    assert due["initial_report_due_on"] == date(2026, 12, 30)
    assert due["report_due_on"] == add_working_days(date(2026, 12, 23), 60, ENGLAND)


@pytest.mark.django_db
def test_psirf_reviews_use_the_timeframe_agreed_with_the_family():
    agreed = date(2027, 3, 1)
    review = ReviewFactory.build(
        reported_date=date(2026, 11, 2),
        response_type=ResponseType.PSII,
        family_agreed_due_on=agreed,
    )
    due = compute_deadlines(review)
    assert due["report_due_on"] == agreed
    assert due["initial_report_due_on"] is None


@pytest.mark.django_db
def test_an_administrator_changing_a_rule_moves_the_deadline():
    review = ReviewFactory.build(reported_date=date(2026, 11, 2), organisation__nation=ENGLAND)
    before = compute_deadlines(review)["candour_due_on"]
    DeadlineRule.objects.filter(kind=DeadlineKind.CANDOUR, nation="").update(working_days=5)
    after = compute_deadlines(review)["candour_due_on"]
    assert before == date(2026, 11, 16) and after == date(2026, 11, 9)
