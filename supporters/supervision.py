"""How often a supporter is supervised: the administrators' `supervision-due` timing rule.

That rule is the one source. The reminders schedule from it (supporters.reminders); the roster,
the shortlist (supporters.matching), the oversight pages and the measures read it through
`supervision_interval()`, so changing the rule moves all of them together.
"""

from datetime import timedelta
from math import ceil

from peersupport.models import DelayUnit
from peersupport.timing import rule

RULE = "supervision-due"

_WORKING_DAY_HOURS = 8


def supervision_interval() -> timedelta:
    """The `supervision-due` rule as a span of calendar time.

    Switching the rule off stops the reminders only: supervision is still due this often.
    Working days count five to a calendar week (and working hours eight to a working day),
    rounded up to whole days, so a due date never comes early.
    """
    timing = rule(RULE)
    if timing.unit == DelayUnit.MINUTES:
        return timedelta(minutes=timing.delay)
    if timing.unit == DelayUnit.HOURS:
        return timedelta(hours=timing.delay)
    if timing.unit == DelayUnit.WORKING_HOURS:
        working_days = ceil(timing.delay / _WORKING_DAY_HOURS)
    elif timing.unit == DelayUnit.WORKING_DAYS:
        working_days = timing.delay
    else:
        return timedelta(days=timing.delay)
    return timedelta(days=ceil(working_days * 7 / 5))


def in_words(interval: timedelta) -> str:
    """The interval as the pages and reasons say it: "6 weeks", "30 days", "1 day"."""
    days = interval.days
    if days and days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week" if weeks == 1 else f"{weeks} weeks"
    return "1 day" if days == 1 else f"{days} days"
