"""The demo's 18 months of history, as a plan: how many people were logged each month, how
quickly they were offered a supporter and what became of their support. `peersupport.demo.history`
turns the plan into records. Seeds nothing itself.

The story, oldest first (months counted back from the current one):

- most months, everyone logged is asked within a working day and offered a supporter within
  2 to 6 working days; nearly everyone accepts;
- 8 months ago supporters were short (two off sick at once, `SHORT_MONTH`): offers slowed and
  more than half the people logged that month waited over 10 working days;
- from 6 months ago the team phones people the day they are logged (`CHANGE_MONTH`): offers
  come within 0 to 2 working days;
- a few months have declines, or people moving on to specialist support (small numbers,
  which the dashboard withholds).

Each month is either everyone offered in time or many people late, never a handful: a handful
(1 to 7) is withheld by the dashboard's suppression, and the headline should have a figure in
every month.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from peersupport.working_days import add_working_days

MONTHS = 18
SHORT_MONTH = 8  # months ago: supporters short, offers slow
CHANGE_MONTH = 6  # months ago and since: people phoned the day they are logged
LATE_IN_SHORT_MONTH = 10  # people that month offered after more than 10 working days
DECLINE_MONTHS = {16, 13, 11, 4, 2}  # months ago with a few declines (withheld: 1 to 7)
SPECIALIST_MONTHS = {15, 10, 5, 3}  # months ago with someone moving on to specialist support
# People logged a month in each organisation, by group (staff, or families and service users).
PER_MONTH = {"england": {"staff": 6, "family": 10}, "wales": {"staff": 2, "family": 4}}


@dataclass
class Plan:
    """What happened to one person, as moments in time (None: did not happen)."""

    logged: datetime
    consented: datetime
    offered: datetime
    answered: datetime | None
    outcome: str  # accepted or declined
    active: datetime | None = None
    closed: datetime | None = None
    close_reason: str = ""
    still_supported: bool = False  # support planned to go on past today


def month_start(today: date, months_ago: int) -> date:
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def working_day_in(rng: random.Random, first: date, nation: str, today: date) -> date:
    """A working day in the month beginning `first`, before today."""
    last = min(date(first.year + first.month // 12, first.month % 12 + 1, 1), today)
    for _ in range(20):
        day = first + timedelta(days=rng.randrange(max((last - first).days, 1)))
        if add_working_days(day - timedelta(days=1), 1, nation) == day and day < today:
            return day
    return first


def offer_lag(rng: random.Random, months_ago: int, late: bool) -> int:
    """Working days from consent to the offer."""
    if late:
        return rng.randint(11, 16)
    if months_ago <= CHANGE_MONTH:
        return rng.choice([0, 1, 1, 1, 2])
    return rng.randint(2, 6)


def plan_person(
    rng: random.Random, logged: datetime, months_ago: int, nation: str, staff: bool, **flags
) -> Plan:
    """One person's story from the moment they were logged. `flags`: late (offered after
    more than 10 working days), declines, specialist."""
    now = timezone.now()
    logged_day = timezone.localdate(logged)
    consent_day = add_working_days(logged_day, rng.choice([0, 0, 0, 1]), nation)
    consented = max(at(consent_day, 11, rng.randrange(60)), logged + timedelta(minutes=30))
    offer_day = add_working_days(consent_day, offer_lag(rng, months_ago, flags.get("late")), nation)
    offered = max(at(offer_day, 14, rng.randrange(60)), consented + timedelta(minutes=30))
    answered = offered + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 3))
    if answered > now - timedelta(hours=2):
        answered = None
    plan = Plan(logged, consented, offered, answered, "accepted")
    same_month = (offered.year, offered.month) == (logged.year, logged.month)
    if flags.get("declines") and same_month:  # declines stay in the month they belong to
        plan.outcome = "declined"
        return plan
    if answered is None:
        return plan
    plan.active = answered + timedelta(days=rng.randint(1, 5))
    weeks = rng.randint(2, 4) if staff else rng.randint(3, 8)
    closed = plan.active + timedelta(weeks=weeks, days=rng.randint(0, 6))
    plan.close_reason = "specialist" if flags.get("specialist") else "natural_end"
    if plan.active > now - timedelta(days=1):
        plan.active = None
    elif closed > now - timedelta(days=2):
        plan.still_supported = True
    else:
        plan.closed = closed
    return plan
