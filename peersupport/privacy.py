"""Privacy operations for administrators: what is held about a person, anonymisation, retention.

Everything held about a person is found the same way for the subject access export and for
anonymisation (`held_about`): the person's row, every row that points to it and every row that
points to those (offers, contacts with their notes, concerns, consents, avoid-dates, the request
for support, survey invitations and answers, erasure refusals, links), the messages any of them
caused and the letters and alerts those made. A model added later that points to the person is
found too, so neither the export nor anonymisation has to be told about it.

Anonymising keeps every row, date, status and number (the measures still count the person) and
removes identity and free text: every text field that is not a code (`_free_text_fields`),
in the rows and in their change history. Records are anonymised, never deleted.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from peersupport import audit, outbox
from peersupport.models import Anonymisation, AuditEvent, ErasureRefusal, Message

ANONYMISED_NAME = "Anonymised person"
ANONYMISED_ALERT = "An alert about someone whose details have since been removed."

# Text fields that hold codes the service itself wrote, not anything typed about a person.
CODE_FIELDS = frozenset(
    {
        "object_type",
        "object_id",
        "cause_type",
        "cause_id",
        "kind",
        "nation",
        "link",
        "last_error",
        "cancelled_reason",
        "deferred_reason",
    }
)
# Never shown, even to the person: only a hash, or our own bookkeeping.
SECRET_FIELDS = frozenset({"token_hash", "idempotency_key", "password"})
# Values put in place of free text where a blank would read oddly.
REPLACEMENTS = {
    ("incidents.affectedperson", "full_name"): ANONYMISED_NAME,
    ("incidents.selfreferral", "name"): ANONYMISED_NAME,
    ("peersupport.alert", "text"): ANONYMISED_ALERT,
}


def _free_text_fields(model) -> list[str]:
    """The fields of `model` that may hold anything typed: text without fixed choices, other
    than codes, slugs, unique keys and fields nobody edits."""
    names = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.SlugField) or field.choices or field.primary_key:
            continue
        if field.unique or not field.editable or field.name in CODE_FIELDS | SECRET_FIELDS:
            continue
        names.append(field.name)
    return names


def _history_model(model):
    try:
        return get_history_model_for_model(model)
    except NotHistoricalModelError:
        return None


def _reverse_relations(obj):
    """The rows pointing to `obj` (one-to-many and one-to-one; hidden relations are skipped,
    which leaves out the audit log and change-history tables: they are handled on their own)."""
    for relation in obj._meta.related_objects:
        if relation.many_to_many:
            continue
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            try:
                yield getattr(obj, accessor)
            except ObjectDoesNotExist:
                continue
        else:
            yield from getattr(obj, accessor).all()


def held_about(person) -> list[models.Model]:
    """Every row held about `person`, the person first (see the module docstring)."""
    found: dict[tuple[str, object], models.Model] = {}
    queue = [person]
    while queue:
        obj = queue.pop(0)
        key = (obj._meta.label_lower, obj.pk)
        if key in found:
            continue
        found[key] = obj
        queue.extend(_reverse_relations(obj))
        if not isinstance(obj, Message):
            queue.extend(Message.objects.filter(cause_type=key[0], cause_id=str(obj.pk)))
    return list(found.values())


def _by_model(rows):
    grouped: dict[type, list] = {}
    for row in rows:
        grouped.setdefault(type(row), []).append(row)
    return grouped


def _trail_filter(rows) -> Q:
    query = Q(pk__in=[])
    for model, items in _by_model(rows).items():
        query |= Q(object_type=model._meta.label_lower, object_id__in=[str(r.pk) for r in items])
    return query


# Subject access ---------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def _values(obj) -> dict:
    """A row as field label: readable value. Choices by their label, links to other rows by
    name, and never a secret."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS:
            continue
        if field.is_relation:
            related_id = getattr(obj, field.attname)
            try:
                related = getattr(obj, field.name) if related_id is not None else None
            except ObjectDoesNotExist:
                related = None
            value = None if related is None else f"{related} (id {related_id})"
        elif field.choices:
            value = getattr(obj, f"get_{field.name}_display")()
        else:
            value = _plain(getattr(obj, field.attname))
        values[str(field.verbose_name)] = value
    for field in obj._meta.many_to_many:
        values[str(field.verbose_name)] = [str(item) for item in getattr(obj, field.name).all()]
    return values


def _history_rows(model, rows) -> list[dict]:
    history = _history_model(model)
    if history is None:
        return []
    entries = []
    records = history.objects.filter(id__in=[r.pk for r in rows]).order_by("history_date")
    for record in records.select_related("history_user"):
        entry = {
            "when": _plain(record.history_date),
            "change": record.get_history_type_display(),
            "by": str(record.history_user) if record.history_user_id else "",
        }
        entry.update(_values(record.instance))
        entries.append(entry)
    return entries


def subject_access_export(person, *, by, fmt: str, request=None) -> dict:
    """Everything held about one person, support notes included, as plain data; audited."""
    rows = held_about(person)
    records, history = [], []
    for model, items in _by_model(rows[1:]).items():
        records.append(
            {
                "label": model._meta.label_lower,
                "title": str(model._meta.verbose_name_plural).capitalize(),
                "rows": [_values(item) for item in items],
            }
        )
    for model, items in _by_model(rows).items():
        entries = _history_rows(model, items)
        if entries:
            history.append(
                {
                    "label": model._meta.label_lower,
                    "title": f"Changes to {model._meta.verbose_name_plural}",
                    "rows": entries,
                }
            )
    trail = [
        {
            "when": _plain(event.at),
            "who": event.actor_label or "the service",
            "action": event.action,
            "record": f"{event.object_type} {event.object_id}".strip(),
            "detail": event.detail,
        }
        for event in AuditEvent.objects.filter(_trail_filter(rows)).order_by("at", "id")
    ]
    audit.record(
        "person.exported",
        request=request,
        actor=by,
        obj=person,
        format=fmt,
        rows=len(rows),
        audit_events=len(trail),
    )
    return {
        "generated_at": _plain(timezone.now()),
        "generated_by": str(by.email),
        "person": _values(person),
        "records": records,
        "change_history": history,
        "audit_trail": trail,
    }


# Anonymisation ----------------------------------------------------------------------------------


def _label(obj) -> str:
    return obj._meta.label_lower


def is_anonymised(obj) -> bool:
    return Anonymisation.objects.filter(object_type=_label(obj), object_id=str(obj.pk)).exists()


def _blank(obj, fields) -> dict:
    label = _label(obj)
    return {name: REPLACEMENTS.get((label, name), "") for name in fields}


def _scrub_row(obj) -> int:
    """Blank the row's free text with save(), so tracked models keep a (blank) history row."""
    changes = _blank(obj, _free_text_fields(type(obj)))
    changes = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if not changes:
        return 0
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    return 1


def _scrub_history(model, rows, extra=None) -> int:
    """The change-history copies of the rows: the same text blanked, and why each was saved."""
    history = _history_model(model)
    if history is None:
        return 0
    changes = _blank(rows[0], _free_text_fields(model))
    changes.update(extra or {})
    if hasattr(history, "history_change_reason"):
        changes["history_change_reason"] = None
    return history.objects.filter(id__in=[r.pk for r in rows]).update(**changes)


def _scrub_admin_log(rows) -> None:
    """Django's admin log keeps each object's name as it was: replace it."""
    for model, items in _by_model(rows).items():
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(r.pk) for r in items],
        ).update(object_repr=f"{model._meta.verbose_name} (anonymised)")


def _remember(obj, reason, by) -> None:
    Anonymisation.objects.create(
        object_type=_label(obj), object_id=str(obj.pk), reason=reason, by=by
    )


@transaction.atomic
def anonymise_person(person, *, reason: str, by=None, request=None) -> dict[str, int]:
    """Remove a person's identity and every free text about them, keeping the counts; closes
    their support, cancels their pending messages and ends their links. Audited."""
    from feedback.models import AccessToken
    from supporters.models import CloseReason
    from supporters.services import close_support

    if is_anonymised(person):
        raise ValidationError("This person's details have already been removed.")
    for offer in person.offers.open():
        close_support(offer, CloseReason.PERSONS_CHOICE, by=by, request=request)
    rows = held_about(person)
    why = "The person's details were removed."
    cancelled = outbox.cancel_pending(person=person, reason=why)
    for row in rows[1:]:
        cancelled += outbox.cancel_pending(cause=row, reason=why)
    AccessToken.objects.filter(person=person, used_at__isnull=True).update(used_at=timezone.now())

    person.safe_from = person.safe_until = None
    person.do_not_contact = True
    person.save(update_fields=["safe_from", "safe_until", "do_not_contact"])
    counts: dict[str, int] = {}
    for row in rows:
        if _scrub_row(row):
            counts[_label(row)] = counts.get(_label(row), 0) + 1
    for model, items in _by_model(rows).items():
        extra = {"safe_from": None, "safe_until": None} if items[0] is person else None
        _scrub_history(model, items, extra)
    _scrub_admin_log(rows)
    _remember(person, reason, by)
    audit.record(
        "person.anonymised",
        request=request,
        actor=by,
        obj=person,
        reason=reason,
        rows=counts,
        messages_cancelled=cancelled,
    )
    return counts


@transaction.atomic
def anonymise_referral(referral, *, reason: str, by=None, request=None) -> None:
    """A request for support that never became a person's record: its text removed."""
    _scrub_row(referral)
    _remember(referral, reason, by)
    audit.record("referral.anonymised", request=request, actor=by, obj=referral, reason=reason)


@transaction.atomic
def anonymise_supporter(supporter, *, reason: str, by=None, request=None) -> None:
    """A supporter who left: their profile, account and own survey answers lose their identity.
    The people they supported keep their own records (and their own retention)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from feedback.models import AccessToken
    from peersupport.services import deactivate_user

    _scrub_row(supporter)
    for change in supporter.status_changes.all():
        _scrub_row(change)
    user = supporter.user
    invitations = getattr(user, "survey_invitations", None)  # the supporters' own surveys
    for invitation in invitations.all() if invitations is not None else []:
        for row in held_about_invitation(invitation):
            _scrub_row(row)
    deactivate_user(user, request=request)  # ends their sessions too
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    AccessToken.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    user.first_name = user.last_name = ""
    user.email = f"anonymised-{user.pk}@anonymised.invalid"
    user.set_unusable_password()
    user.save()
    _remember(supporter, reason, by)
    audit.record("supporter.anonymised", request=request, actor=by, obj=supporter, reason=reason)


def held_about_invitation(invitation) -> list[models.Model]:
    """A survey invitation and what hangs off it (the response and its answers)."""
    found, queue = [], [invitation]
    while queue:
        obj = queue.pop(0)
        found.append(obj)
        queue.extend(_reverse_relations(obj))
    return found


@transaction.atomic
def refuse_erasure(person, *, reason: str, by, request=None) -> ErasureRefusal:
    """Record that a request to erase the person's details was refused, and why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the request is refused"})
    refusal = ErasureRefusal.objects.create(person=person, reason=reason.strip(), refused_by=by)
    audit.record("person.erasure_refused", request=request, actor=by, obj=person)
    return refusal


# Retention --------------------------------------------------------------------------------------

# Years from the start date, after the NHS Records Management Code of Practice. Settings may
# change them (RETENTION_YEARS = {"supporter": 7}).
RETENTION_YEARS = {
    "serious_incident": 20,
    "incident": 10,
    "self_referral": 10,
    "supporter": 6,
    "audit": 20,  # the audit log's own rows: as long as the longest-kept record they are about
}


def retention_years(rule: str) -> int:
    return {**RETENTION_YEARS, **getattr(settings, "RETENTION_YEARS", {})}[rule]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def is_serious(review) -> bool:
    """Kept 20 years: a Serious Incident Framework investigation, a PSII (its successor under
    PSIRF), or an incident that caused death or severe harm."""
    from incidents.models import SERIOUS_INCIDENT_FRAMEWORK, HarmLevel, ResponseType

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
    from supporters.models import ASSIGNED_STATUSES

    if person.review_id:
        rule = "serious_incident" if is_serious(person.review) else "incident"
        since = person.review.incident_date
    else:
        rule, since = "self_referral", _end_of_support(person)
    due_on = _add_years(since, retention_years(rule))
    if due_on > today:
        return None
    kept = ""
    if any(o.status in ASSIGNED_STATUSES for o in person.offers.all()):
        kept = "their support is still open"
    return Due(person, rule, since, due_on, kept)


def due_for_retention(today: date | None = None) -> list[Due]:
    """Every record past its retention period and not anonymised yet."""
    from incidents.models import AffectedPerson, SelfReferral
    from supporters.models import PeerSupporter, SupporterStatus

    today = today or timezone.localdate()
    due: list[Due] = []
    shortest = min(retention_years("serious_incident"), retention_years("incident"))
    people = _not_anonymised(AffectedPerson.objects.all()).filter(
        Q(review__isnull=True) | Q(review__incident_date__lte=_add_years(today, -shortest))
    )
    for person in people.select_related("review").prefetch_related("offers").order_by("pk"):
        item = _person_due(person, today)
        if item is not None:
            due.append(item)
    years = retention_years("self_referral")
    referrals = _not_anonymised(SelfReferral.objects.unconverted())
    for referral in referrals.order_by("pk"):
        since = timezone.localdate(referral.created_at)
        if _add_years(since, years) <= today:
            due.append(Due(referral, "self_referral", since, _add_years(since, years)))
    years = retention_years("supporter")
    left = _not_anonymised(PeerSupporter.objects.filter(status=SupporterStatus.LEFT))
    for supporter in left.prefetch_related("status_changes").order_by("pk"):
        changes = [c.changed_at for c in supporter.status_changes.all() if c.to_status == "left"]
        since = timezone.localdate(max(changes) if changes else supporter.created_at)
        if _add_years(since, years) <= today:
            due.append(Due(supporter, "supporter", since, _add_years(since, years)))
    return due


def apply_retention(*, today: date | None = None, dry_run: bool = False) -> list[Due]:
    """Anonymise (never delete) every record past its retention period; with `dry_run`, only
    say what would be done. Returns the records found, each with why it was kept, if it was."""
    from incidents.models import AffectedPerson, SelfReferral

    found = due_for_retention(today)
    if dry_run:
        return found
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


# The audit log's own retention ------------------------------------------------------------------


class AuditPurgeRefused(Exception):
    """The database refused to let this role delete audit rows: only the owner may."""


def audit_purge_cutoff(today: date | None = None) -> date:
    """Audit rows from before this day are past their retention."""
    return _add_years(today or timezone.localdate(), -retention_years("audit"))


def purge_audit(*, today: date | None = None, dry_run: bool = False) -> tuple[date, int]:
    """Delete the audit rows past their retention; returns the cut-off day and how many.

    The one deletion the audit log allows, and only to the tables' owner: on PostgreSQL the
    append-only trigger is switched off for this transaction alone, which only the owner may
    do, so run with the owner's DATABASE_URL. The service's role is refused (AuditPurgeRefused).
    """
    cutoff = audit_purge_cutoff(today)
    start = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    old = AuditEvent.objects.filter(at__lt=start)
    if dry_run:
        return cutoff, old.count()
    trigger = "peersupport_auditevent_append_only"
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE peersupport_auditevent DISABLE TRIGGER {trigger}")
            deleted, _ = old.delete()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE peersupport_auditevent ENABLE TRIGGER {trigger}")
            audit.record("audit.purged", before=cutoff.isoformat(), rows=deleted)
    except DatabaseError as error:
        if getattr(error.__cause__, "pgcode", None) == "42501":  # insufficient_privilege
            raise AuditPurgeRefused(
                "Only the database owner may delete audit rows: run this with the owner's "
                "DATABASE_URL, not the service's (README.md, 'Database roles')."
            ) from error
        raise
    return cutoff, deleted
