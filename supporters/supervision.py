"""Supervision: how often a supporter is supervised, and a supervisor's follow-up to a
wellbeing check-in that needed attention.

How often is the administrators' `supervision-due` timing rule, the one source. The reminders
schedule from it (supporters.reminders); the roster, the shortlist (supporters.matching), the
oversight pages and the measures read it through `supervision_interval()`, so changing the rule
moves all of them together.

A check-in that needs attention alerts the supporter's supervisor
(supporters.practice.services.record_checkin). `record_checkin_follow_up` records what the
supervisor did and closes that alert. What they wrote is about the supporter's own wellbeing:
only the supporter's supervisors see it (`supervised_checkins`), never the wider team, and the
administration site never shows or searches it (peersupport.admin_wall).
"""

from datetime import timedelta
from math import ceil

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peersupport import audit, outbox
from peersupport.access import is_team
from peersupport.models import Alert, DelayUnit, Message
from peersupport.timing import rule
from supporters.access import supervised_supporters
from supporters.models import WellbeingCheckIn

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


# Following up a check-in ------------------------------------------------------------------

WELLBEING_ALERT = "wellbeing_alert"
FOLLOW_UP_MAX = 1000
ALREADY_FOLLOWED_UP = "already_followed_up"

# The same test as WellbeingCheckIn.needs_attention, as a query.
NEEDS_ATTENTION = Q(empowered__lte=2) | Q(coping__lte=2) | Q(wants_debrief=True)


def supervised_checkins(user):
    """The check-ins of the supporters this team member supervises (as their main supervisor or
    for an organisation: supporters.access.supervised_supporters). Nobody else's: not the wider
    team's, a manager's or the supporter's own, because a follow-up is written here."""
    if not getattr(user, "is_authenticated", False) or not is_team(user):
        return WellbeingCheckIn.objects.none()
    return WellbeingCheckIn.objects.filter(supporter__in=supervised_supporters(user))


def awaiting_follow_up(checkins):
    """Those of `checkins` that need attention and have no follow-up yet."""
    return checkins.filter(NEEDS_ATTENTION, followed_up_at__isnull=True)


@transaction.atomic
def record_checkin_follow_up(checkin, *, by, follow_up, request=None) -> WellbeingCheckIn:
    """A supervisor records what they did about a check-in that needed attention.

    Only the supporter's supervisors may (`supervised_checkins`), once per check-in: the row is
    locked, so two supervisors saving at once cannot both record one. It closes the alert for
    everyone it went to (`close_wellbeing_alert`). The audit row says who and when, never the
    text, which is about the supporter's own wellbeing.
    """
    if not supervised_checkins(by).filter(pk=checkin.pk).exists():
        raise ValidationError(
            "Only the peer supporter's supervisor can record a follow-up to their check-in."
        )
    text = follow_up.strip()
    if not text:
        raise ValidationError({"follow_up": "Enter what you did after their check-in"})
    if len(text) > FOLLOW_UP_MAX:
        raise ValidationError(
            {"follow_up": f"What you did must be {FOLLOW_UP_MAX} characters or fewer"}
        )
    # scoped: the check-in allowed above, re-read under a lock
    locked = WellbeingCheckIn.objects.select_for_update().get(pk=checkin.pk)
    if not locked.needs_attention:
        raise ValidationError("This check-in did not need attention, so there is no follow-up.")
    if locked.followed_up_at is not None:
        raise ValidationError(
            "A follow-up has already been recorded for this check-in.", code=ALREADY_FOLLOWED_UP
        )
    locked.followed_up_at = timezone.now()
    locked.followed_up_by = by
    locked.follow_up = text
    locked.save(update_fields=["followed_up_at", "followed_up_by", "follow_up"])
    closed = close_wellbeing_alert(locked, when=locked.followed_up_at)
    audit.record(
        "wellbeing.followed_up",
        request=request,
        actor=by,
        obj=locked,
        supporter=locked.supporter_id,
        **closed,
    )
    checkin.followed_up_at, checkin.followed_up_by, checkin.follow_up = (
        locked.followed_up_at,
        by,
        text,
    )
    return locked


def close_wellbeing_alert(checkin, *, when=None) -> dict:
    """The check-in's wellbeing alert is dealt with: every unread in-app alert it made, for
    every recipient, is marked read, and any copy still waiting to go is cancelled."""
    cause_type, cause_id = outbox.cause_of(checkin)
    # scoped: the messages this one check-in caused
    caused = Message.objects.filter(kind=WELLBEING_ALERT, cause_type=cause_type, cause_id=cause_id)
    read = Alert.objects.filter(message__in=caused, read_at__isnull=True).update(
        read_at=when or timezone.now()
    )
    cancelled = outbox.cancel_pending(
        cause=checkin,
        kinds=[WELLBEING_ALERT],
        reason="The supervisor recorded a follow-up to the check-in.",
    )
    return {"alerts_closed": read, "messages_cancelled": cancelled}
