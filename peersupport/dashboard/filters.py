"""What a view of the dashboard picks out: calendar months in UK time and, optionally, one
organisation, one service and one group (families and service users, or staff)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from django.utils import timezone

from incidents.models import PersonKind

UK = ZoneInfo("Europe/London")

FAMILIES, STAFF = "families", "staff"
GROUPS = {FAMILIES: "Families and service users", STAFF: "Staff"}
KINDS = {FAMILIES: [PersonKind.FAMILY, PersonKind.SERVICE_USER], STAFF: [PersonKind.STAFF]}
SURVEY_GROUPS = {FAMILIES: ["family", "service_user"], STAFF: ["staff"]}


MONTHS_OFFERED = 60  # how far back a view may go: the months the figures are stored for

# Months -----------------------------------------------------------------------------------------


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK)


def this_month() -> date:
    return timezone.localtime(timezone.now(), UK).date().replace(day=1)


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: months first_month to last_month (first days), and
    optionally one organisation, one service and one group."""

    first_month: date
    last_month: date
    organisation_id: int | None = None
    service_id: int | None = None
    group: str = ""

    @classmethod
    def last(cls, count: int = 12, **kwargs) -> Filters:
        """The last `count` complete months."""
        current = this_month()
        return cls(add_months(current, -count), add_months(current, -1), **kwargs)

    @cached_property
    def months(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start(self) -> datetime:
        return uk_midnight(self.first_month)

    @property
    def end(self) -> datetime:
        return uk_midnight(add_months(self.last_month, 1))

    @property
    def end_day(self) -> date:
        return add_months(self.last_month, 1)


def as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value, UK).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value
