"""Working days in the organisation's nation: weekdays that are not bank holidays there.

A working day is a weekday that is not a bank holiday in that nation (the `holidays` package,
United Kingdom subdivisions). "N working days after" a date does not count that date itself.
The timing rules (peersupport.timing) and the review deadlines (incidents.deadlines) both
count with these. Nations are given by their stored value ("england", "wales", ...).
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

SUBDIVISION = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern_ireland": "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    calendar = holidays.country_holidays("GB", subdiv=SUBDIVISION[str(nation)], years=year)
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
