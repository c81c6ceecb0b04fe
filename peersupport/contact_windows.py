"""When a message to a person may go: never on a date they asked us to avoid, only inside the
window of safe times they gave, and a text message only from 08:00 to 20:00 UK time.

A message due at a forbidden moment is deferred to the next allowed one, never dropped. Times
are reckoned in UK local time (settings.TIME_ZONE is Europe/London), so the window holds on
both sides of the clock changes.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

SMS_FROM, SMS_UNTIL = time(8, 0), time(20, 0)
LOOK_AHEAD_DAYS = 400


def _window(person, channel) -> tuple[time, time]:
    start, end = time(0, 0), time(23, 59, 59)
    if person is not None:
        start = person.safe_from or start
        end = person.safe_until or end
    if channel == "sms":
        start, end = max(start, SMS_FROM), min(end, SMS_UNTIL)
    return start, end


def next_allowed(person, channel: str, at: datetime) -> tuple[datetime, str]:
    """The first moment at or after `at` when this message may go, and why it waits (empty
    when it may go now). Letters and in-app alerts to staff keep no window."""
    if channel == "in_app":
        return at, ""
    avoid = set(person.avoid_dates.values_list("date", flat=True)) if person is not None else set()
    start, end = _window(person if channel != "letter" else None, channel)
    if start >= end:  # a window that allows nothing must not hold a message for ever
        start, end = (SMS_FROM, SMS_UNTIL) if channel == "sms" else (time(0, 0), time(23, 59, 59))
    local = timezone.localtime(at)
    reason = ""
    outside = (
        "Outside the person's safe times, or the hours for text messages (08:00 to 20:00)."
        if channel == "sms"
        else "Outside the times the person said are safe."
    )
    for _ in range(LOOK_AHEAD_DAYS):
        day = local.date()
        if day in avoid:
            reason = reason or "A date the person asked us to avoid."
        elif local.time() < start:
            reason = reason or outside
            return timezone.make_aware(datetime.combine(day, start)), reason
        elif local.time() <= end:
            return (at if not reason else local), reason
        else:
            reason = reason or outside
        local = timezone.make_aware(datetime.combine(day + timedelta(days=1), start))
    return timezone.localtime(local), reason
