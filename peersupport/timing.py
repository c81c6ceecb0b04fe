"""Turn a timing rule into a due time: plain clock delays, or working days and working hours
in the organisation's nation."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from peersupport.models import DelayUnit, TimingRule
from peersupport.timing_defaults import DEFAULTS
from peersupport.working_days import add_working_days, is_working_day

WORKDAY_START, WORKDAY_END = time(9, 0), time(17, 0)


def rule(key: str) -> TimingRule:
    """The rule as the administrators set it; restored from the defaults if its row is gone."""
    timing = TimingRule.objects.filter(key=key).first()
    if timing is None:
        key, description, delay, unit = next(d for d in DEFAULTS if d[0] == key)
        timing, _ = TimingRule.objects.get_or_create(
            key=key, defaults={"description": description, "delay": delay, "unit": unit}
        )
    return timing


def due_after(key: str, start: datetime, nation: str = "england") -> datetime | None:
    """When the rule `key` falls due, counted from `start` (after it, or before it for a rule
    such as a milestone nudge); None if an administrator switched the rule off."""
    timing = rule(key)
    if not timing.enabled:
        return None
    if timing.before:
        return subtract_delay(start, timing.delay, timing.unit, nation)
    return add_delay(start, timing.delay, timing.unit, nation)


def subtract_delay(end: datetime, amount: int, unit: str, nation: str) -> datetime:
    """`amount` units before `end`; working days step back over weekends and bank holidays."""
    if unit in (DelayUnit.WORKING_DAYS, DelayUnit.WORKING_HOURS):
        local = timezone.localtime(end)
        day, counted = local.date(), 0
        days = amount if unit == DelayUnit.WORKING_DAYS else -(-amount // 8)
        while counted < days:
            day -= timedelta(days=1)
            if is_working_day(day, nation):
                counted += 1
        return timezone.make_aware(datetime.combine(day, local.time()))
    return end - (add_delay(end, amount, unit, nation) - end)


def add_delay(start: datetime, amount: int, unit: str, nation: str) -> datetime:
    if unit == DelayUnit.MINUTES:
        return start + timedelta(minutes=amount)
    if unit == DelayUnit.HOURS:
        return start + timedelta(hours=amount)
    if unit == DelayUnit.DAYS:
        return start + timedelta(days=amount)
    local = timezone.localtime(start)
    if unit == DelayUnit.WORKING_DAYS:
        day = add_working_days(local.date(), amount, nation)
        return timezone.make_aware(datetime.combine(day, local.time()))
    if unit == DelayUnit.WORKING_HOURS:
        remaining = timedelta(hours=amount)
        cursor = local
        while True:
            day_start = timezone.make_aware(datetime.combine(cursor.date(), WORKDAY_START))
            day_end = timezone.make_aware(datetime.combine(cursor.date(), WORKDAY_END))
            if is_working_day(cursor.date(), nation) and cursor < day_end:
                cursor = max(cursor, day_start)
                available = day_end - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
            next_day = cursor.date() + timedelta(days=1)
            cursor = timezone.make_aware(datetime.combine(next_day, WORKDAY_START))
    raise ValueError(f"Unknown delay unit {unit!r}")
