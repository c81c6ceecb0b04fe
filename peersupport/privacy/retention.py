"""Retention: how long each record is kept (`RETENTION_YEARS`, after the NHS Records Management
Code of Practice; settings may change them) and the daily job that anonymises, never deletes,
what is past it (`apply_retention`, run by Celery beat and `manage.py apply_retention`)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    AffectedPerson,
    HarmLevel,
    ResponseType,
    SelfReferral,
)
from peersupport import restore_ledger
from peersupport.models import Anonymisation
from peersupport.privacy.anonymise import (
    anonymise_person,
    anonymise_referral,
    anonymise_supporter,
)
from supporters.models import ASSIGNED_STATUSES, PeerSupporter, SupporterStatus

# Years from the start date. Settings may change them (RETENTION_YEARS = {"supporter": 7}).
RETENTION_YEARS = {
    "serious_incident": 20,
    "incident": 10,
    "self_referral": 10,
    "supporter": 6,
    "audit": 20,  # the audit log's own rows: as long as the longest-kept record they are about
}


def retention_years(rule: str) -> int:
    """Years a record under `rule` is kept, settings' RETENTION_YEARS first."""
    return {**RETENTION_YEARS, **getattr(settings, "RETENTION_YEARS", {})}[rule]


def add_years(day: date, years: int) -> date:
    """`day` moved by whole years (29 February becomes the 28th in a year without it)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def is_serious(review) -> bool:
    """Kept 20 years: a Serious Incident Framework investigation, a PSII (its successor under
    PSIRF), or an incident that caused death or severe harm."""
    return (
        review.response_type in SERIOUS_INCIDENT_FRAMEWORK
        or review.response_type == ResponseType.PSII
        or review.harm_level in (HarmLevel.DEATH, HarmLevel.SEVERE)
    )


@dataclass
class Due:
    """One record whose retention period has ended, and what the job does (or would do)."""

    obj: models.Model
    rule: str
    since: date
    due_on: date
    kept_because: str = ""

    def describe(self) -> str:
        years = retention_years(self.rule)
        what = {
            "serious_incident": "serious incident, {} years from the incident",
            "incident": "incident, {} years from the incident",
            "self_referral": "no review, {} years from the end of support",
            "supporter": "supporter, {} years after they left",
        }[self.rule].format(years)
        return (
            f"{self.obj._meta.verbose_name} {self.obj.pk}: {what} on {self.since:%d %B %Y}, "
            f"due {self.due_on:%d %B %Y}"
        )


def _not_anonymised(queryset):
    done = Anonymisation.objects.filter(object_type=queryset.model._meta.label_lower)
    return queryset.exclude(pk__in=[int(i) for i in done.values_list("object_id", flat=True)])


def _end_of_support(person) -> date:
    closed = [o.closed_at for o in person.offers.all() if o.closed_at]
    return timezone.localdate(max(closed)) if closed else timezone.localdate(person.created_at)


def _person_due(person, today) -> Due | None:
    if person.review_id:
        rule = "serious_incident" if is_serious(person.review) else "incident"
        since = person.review.incident_date
    else:
        rule, since = "self_referral", _end_of_support(person)
    due_on = add_years(since, retention_years(rule))
    if due_on > today:
        return None
    kept = ""
    if any(o.status in ASSIGNED_STATUSES for o in person.offers.all()):
        kept = "their support is still open"
    return Due(person, rule, since, due_on, kept)


def due_for_retention(today: date | None = None) -> list[Due]:
    """Every record past its retention period and not anonymised yet."""
    today = today or timezone.localdate()
    due: list[Due] = []
    shortest = min(retention_years("serious_incident"), retention_years("incident"))
    people = _not_anonymised(AffectedPerson.objects.all()).filter(
        Q(review__isnull=True) | Q(review__incident_date__lte=add_years(today, -shortest))
    )
    for person in people.select_related("review").prefetch_related("offers").order_by("pk"):
        item = _person_due(person, today)
        if item is not None:
            due.append(item)
    years = retention_years("self_referral")
    referrals = _not_anonymised(SelfReferral.objects.unconverted())
    for referral in referrals.order_by("pk"):
        since = timezone.localdate(referral.created_at)
        if add_years(since, years) <= today:
            due.append(Due(referral, "self_referral", since, add_years(since, years)))
    years = retention_years("supporter")
    left = _not_anonymised(PeerSupporter.objects.filter(status=SupporterStatus.LEFT))
    for supporter in left.prefetch_related("status_changes").order_by("pk"):
        changes = [c.changed_at for c in supporter.status_changes.all() if c.to_status == "left"]
        since = timezone.localdate(max(changes) if changes else supporter.created_at)
        if add_years(since, years) <= today:
            due.append(Due(supporter, "supporter", since, add_years(since, years)))
    return due


def apply_retention(*, today: date | None = None, dry_run: bool = False) -> list[Due]:
    """Anonymise (never delete) every record past its retention period; with `dry_run`, only
    say what would be done. Returns the records found, each with why it was kept, if it was."""
    found = due_for_retention(today)
    if dry_run:
        return found
    restore_ledger.prune()
    reason = Anonymisation.Reason.RETENTION
    for item in found:
        if item.kept_because:
            continue
        if isinstance(item.obj, AffectedPerson):
            anonymise_person(item.obj, reason=reason)
        elif isinstance(item.obj, SelfReferral):
            anonymise_referral(item.obj, reason=reason)
        else:
            anonymise_supporter(item.obj, reason=reason)
    return found
