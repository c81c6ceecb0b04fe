"""Anonymisation, and the answer to a request to erase: a person (`anonymise_person`), a request
for support that never became a person's record (`anonymise_referral`), a supporter who left
(`anonymise_supporter`), and refusing a request to erase with the reason (`refuse_erasure`).

Anonymising keeps every row, date, status and number (the measures still count the person) and
removes identity and free text: every text field that is not a code (`held.free_text_fields`),
in the rows and in their change history. Records are anonymised, never deleted.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feedback.models import AccessToken
from peersupport import audit, outbox, restore_ledger
from peersupport.models import Anonymisation, ErasureRefusal
from peersupport.privacy.held import (
    by_model,
    free_text_fields,
    held_about,
    held_about_invitation,
    history_model,
)
from peersupport.services import deactivate_user
from supporters.models import CloseReason
from supporters.services import close_support

ANONYMISED_NAME = "Anonymised person"
ANONYMISED_ALERT = "An alert about someone whose details have since been removed."

# Values put in place of free text where a blank would read oddly.
REPLACEMENTS = {
    ("incidents.affectedperson", "full_name"): ANONYMISED_NAME,
    ("incidents.selfreferral", "name"): ANONYMISED_NAME,
    ("peersupport.alert", "text"): ANONYMISED_ALERT,
}


def _label(obj) -> str:
    return obj._meta.label_lower


def is_anonymised(obj) -> bool:
    """Whether `obj` (a person, a request for support or a supporter) was anonymised."""
    return Anonymisation.objects.filter(object_type=_label(obj), object_id=str(obj.pk)).exists()


def _blank(obj, fields) -> dict:
    label = _label(obj)
    return {name: REPLACEMENTS.get((label, name), "") for name in fields}


def _scrub_row(obj) -> int:
    """Blank the row's free text with save(), so tracked models keep a (blank) history row."""
    changes = _blank(obj, free_text_fields(type(obj)))
    changes = {name: value for name, value in changes.items() if getattr(obj, name) != value}
    if not changes:
        return 0
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    return 1


def _scrub_history(model, rows, extra=None) -> int:
    """The change-history copies of the rows: the same text blanked, and why each was saved."""
    history = history_model(model)
    if history is None:
        return 0
    changes = _blank(rows[0], free_text_fields(model))
    changes.update(extra or {})
    if hasattr(history, "history_change_reason"):
        changes["history_change_reason"] = None
    return history.objects.filter(id__in=[r.pk for r in rows]).update(**changes)


def _scrub_admin_log(rows) -> None:
    """Django's admin log keeps each object's name as it was: replace it."""
    for model, items in by_model(rows).items():
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(r.pk) for r in items],
        ).update(object_repr=f"{model._meta.verbose_name} (anonymised)")


def _remember(obj, reason, by) -> None:
    Anonymisation.objects.create(
        object_type=_label(obj), object_id=str(obj.pk), reason=reason, by=by
    )
    restore_ledger.record_anonymised(obj, reason)


@transaction.atomic
def anonymise_person(person, *, reason: str, by=None, request=None) -> dict[str, int]:
    """Remove a person's identity and every free text about them, keeping the counts; closes
    their support, cancels their pending messages and ends their links. Audited."""
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
    for model, items in by_model(rows).items():
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
    _scrub_row(supporter)
    for change in supporter.status_changes.all():
        _scrub_row(change)
    for checkin in supporter.checkins.exclude(follow_up=""):
        _scrub_row(checkin)  # the supervisor's follow-up is about the supporter's wellbeing
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


@transaction.atomic
def refuse_erasure(person, *, reason: str, by, request=None) -> ErasureRefusal:
    """Record that a request to erase the person's details was refused, and why."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the request is refused"})
    refusal = ErasureRefusal.objects.create(person=person, reason=reason.strip(), refused_by=by)
    audit.record("person.erasure_refused", request=request, actor=by, obj=person)
    return refusal
