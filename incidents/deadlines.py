"""Deadlines in working days, with the bank holidays of the organisation's nation.

A working day is a weekday that is not a bank holiday in that nation (the `holidays` package,
United Kingdom subdivisions). "N working days after" a date does not count that date itself.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    DeadlineKind,
    DeadlineRule,
    Nation,
    ResponseType,
)

SUBDIVISION = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv=SUBDIVISION[Nation(nation)], years=year)
    return frozenset(calendar.keys())


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def add_working_days(start: date, days: int, nation: str) -> date:
    """The date `days` working days after `start` (0 gives the next working day from start)."""
    day = start
    if days == 0:
        while not is_working_day(day, nation):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return day


def working_days_between(start: date, end: date, nation: str) -> int:
    """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start, nation)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), nation)
    )


def _best_rule(rules, kind, nation, response_type):
    matching = [
        r
        for r in rules
        if r.kind == kind and r.nation in ("", nation) and r.response_type in ("", response_type)
    ]
    return max(matching, key=lambda r: (bool(r.response_type), bool(r.nation)), default=None)


def compute_deadlines(review, rules=None) -> dict[str, date | None]:
    """The due dates for a review under the current rules; PSIRF reports use the agreed date."""
    rules = list(DeadlineRule.objects.all()) if rules is None else rules
    nation = review.organisation.nation
    due = {}
    for kind, field in [
        (DeadlineKind.CANDOUR, "candour_due_on"),
        (DeadlineKind.INITIAL_REPORT, "initial_report_due_on"),
        (DeadlineKind.REPORT, "report_due_on"),
    ]:
        rule = _best_rule(rules, kind, nation, review.response_type)
        due[field] = (
            add_working_days(review.reported_date, rule.working_days, nation) if rule else None
        )
    if review.response_type not in SERIOUS_INCIDENT_FRAMEWORK:
        due["report_due_on"] = review.family_agreed_due_on
    return due


def uses_agreed_timeframe(response_type: str) -> bool:
    return response_type != ResponseType.OTHER and response_type not in SERIOUS_INCIDENT_FRAMEWORK
