"""Changes to reviews and the people affected. Views, admin and commands all call these, so
each rule (deadlines recomputed, status rows written, changes audited) is written once."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incidents import hooks
from incidents.access import may_change_naming
from incidents.deadlines import compute_deadlines
from incidents.models import (
    AffectedPerson,
    AvoidDate,
    Consent,
    ConsentRecord,
    DeadlineRule,
    Milestone,
    NamingRole,
    Review,
    ReviewNaming,
    ReviewStatus,
    ReviewStatusChange,
)
from peersupport import audit

DEADLINE_FIELDS = ("candour_due_on", "initial_report_due_on", "report_due_on")


def apply_deadlines(review: Review, rules=None) -> bool:
    """Set the review's due dates from the current rules; True if any changed."""
    due = compute_deadlines(review, rules)
    changed = any(getattr(review, field) != value for field, value in due.items())
    for field, value in due.items():
        setattr(review, field, value)
    return changed


@transaction.atomic
def save_review(review: Review, *, by, request=None, team_members=None) -> Review:
    """Create or update a review: deadlines recomputed, status row on creation, audited with
    the fields changed and who was named or un-named (through change_naming)."""
    creating = review.pk is None
    before = None if creating else Review.objects.get(pk=review.pk)
    naming = _naming_of(before)
    wanted_members = naming[NamingRole.TEAM_MEMBER] if team_members is None else team_members
    wanted = {
        NamingRole.LEAD: {review.lead_investigator_id} if review.lead_investigator_id else set(),
        NamingRole.TEAM_MEMBER: {getattr(u, "pk", u) for u in wanted_members},
    }
    if wanted != naming and not may_change_naming(by, before):
        raise PermissionDenied(
            "Only the review's lead investigator or an administrator can change who is named."
        )
    apply_deadlines(review)
    if creating:
        review.created_by = by
    review.full_clean(exclude=["team_members"])
    review.save()
    changes = change_naming(review, naming, wanted, by=by)
    if creating:
        ReviewStatusChange.objects.create(review=review, to_status=review.status, changed_by=by)
    detail = {**changes}
    if before is not None:
        detail["fields"] = _changed_fields(before, review)
    audit.record(
        "review.created" if creating else "review.changed",
        request=request,
        actor=by,
        obj=review,
        **detail,
    )
    if changes and not creating:
        _after_naming_changed(review)
    return review


AUDITED_FIELDS_EXCLUDED = {"id", "created_at", "created_by"}


def _changed_fields(before: Review, after: Review) -> list[str]:
    return sorted(
        field.name
        for field in Review._meta.concrete_fields
        if field.name not in AUDITED_FIELDS_EXCLUDED
        and field.value_from_object(before) != field.value_from_object(after)
    )


def _naming_of(review) -> dict[str, set[int]]:
    if review is None:
        return {NamingRole.LEAD: set(), NamingRole.TEAM_MEMBER: set()}
    return {
        NamingRole.LEAD: {review.lead_investigator_id},
        NamingRole.TEAM_MEMBER: set(review.team_members.values_list("pk", flat=True)),
    }


def change_naming(review: Review, before: dict, after: dict, *, by) -> dict:
    """Make the review's naming `after` ({role: user ids}), keeping the history.

    Each added user gets a ReviewNaming row; each removed user's row is closed, never deleted
    (one is written if they were named before the history began), so they stay "ever named"
    and barred from its people's notes. Returns what the audit row says: {"added": [...],
    "removed": [...]}, each {"user": id, "role": role}; empty if unchanged.
    Callers check may_change_naming first (save_review does).
    """
    now = timezone.now()
    added, removed = [], []
    for role in (NamingRole.LEAD, NamingRole.TEAM_MEMBER):
        for user_id in sorted(after[role] - before[role]):
            ReviewNaming.objects.current().get_or_create(
                review=review,
                user_id=user_id,
                role=role,
                defaults={"named_at": now, "named_by": by},
            )
            added.append({"user": user_id, "role": str(role)})
        for user_id in sorted(before[role] - after[role]):
            naming = ReviewNaming.objects.current().filter(
                review=review, user_id=user_id, role=role
            ).first() or ReviewNaming(review=review, user_id=user_id, role=role, named_at=now)
            naming.removed_at, naming.removed_by = now, by
            naming.save()
            removed.append({"user": user_id, "role": str(role)})
    if after[NamingRole.TEAM_MEMBER] != before[NamingRole.TEAM_MEMBER]:
        review.team_members.set(after[NamingRole.TEAM_MEMBER])
    if not added and not removed:
        return {}
    return {"added": added, "removed": removed}


def _after_naming_changed(review: Review) -> None:
    """Someone newly named may have been the supervisor reading notes about its people."""
    hooks.naming_changed(people_of=review)


@transaction.atomic
def recompute_open_review_deadlines() -> int:
    """After an administrator edits a deadline rule: move every open review's due dates."""
    rules = list(DeadlineRule.objects.all())
    changed = 0
    for review in Review.objects.open().select_related("organisation"):
        if apply_deadlines(review, rules):
            review.save()
            changed += 1
    return changed


@transaction.atomic
def change_review_status(
    review: Review, to_status: str, *, by, reason="", closed_on=None, request=None
):
    """Move a review to a new status. Pausing needs a reason; closing needs a closing date."""
    to_status = ReviewStatus(to_status)
    if to_status == ReviewStatus.PAUSED:
        check_can_pause(review)
    if to_status == review.status:
        raise ValidationError(f"The review is already {review.get_status_display().lower()}.")
    if to_status == ReviewStatus.PAUSED:
        if not reason.strip():
            raise ValidationError({"reason": "Enter why the review is paused."})
        review.status_before_pause = review.status
    if to_status == ReviewStatus.CLOSED:
        if closed_on is None:
            raise ValidationError({"closed_on": "Enter the date the review closed."})
        if closed_on < review.reported_date:
            raise ValidationError(
                {"closed_on": "The closing date cannot be before the date reported."}
            )
        if closed_on > timezone.localdate():
            raise ValidationError({"closed_on": "The closing date cannot be in the future."})
        review.closed_on = closed_on
    elif review.status == ReviewStatus.CLOSED:
        review.closed_on = None
    from_status = review.status
    review.status = to_status
    review.save()
    ReviewStatusChange.objects.create(
        review=review,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
        changed_by=by,
    )
    audit.record("review.status_changed", request=request, actor=by, obj=review, to=str(to_status))
    hooks.review_closed(review)  # its people are invited to a survey once it has closed
    return review


def check_can_pause(review: Review) -> None:
    """Refuse a pause that could never be resumed: a closed review, or one already paused."""
    if review.status == ReviewStatus.CLOSED:
        raise ValidationError("This review is closed: it cannot be paused.")
    if review.status == ReviewStatus.PAUSED:
        raise ValidationError("This review is already paused.")


def resume_review(review: Review, *, by, request=None):
    """Take a paused review back to the stage it was paused at."""
    if review.status != ReviewStatus.PAUSED:
        raise ValidationError("Only a paused review can be resumed.")
    return change_review_status(
        review, review.status_before_pause or ReviewStatus.INVESTIGATING, by=by, request=request
    )


@transaction.atomic
def save_person(person: AffectedPerson, *, by, request=None) -> AffectedPerson:
    """Create or update a person; one with a review belongs to the review's organisation."""
    creating = person.pk is None
    if person.review_id is not None:
        person.organisation = person.review.organisation
    if creating:
        person.created_by = by
    person.save()
    audit.record(
        "person.created" if creating else "person.changed", request=request, actor=by, obj=person
    )
    return person


@transaction.atomic
def record_consent(
    person: AffectedPerson, kind: str, decision: str, method: str, *, by, request=None
):
    """Record a consent decision with who, when and how, and make it the person's current one."""
    field = "consent_to_contact" if kind == ConsentRecord.Kind.CONTACT else "consent_to_share"
    if decision == Consent.NOT_ASKED:
        return None
    record = ConsentRecord.objects.create(
        person=person, kind=kind, decision=decision, method=method, recorded_by=by
    )
    if getattr(person, field) != decision:
        setattr(person, field, decision)
        person.save()
    _support_follows_consent(person, by)
    audit.record(
        "person.consent_recorded",
        request=request,
        actor=by,
        obj=person,
        kind=kind,
        decision=decision,
    )
    return record


def _support_follows_consent(person, by):
    hooks.consent_changed(person, by=by)


@transaction.atomic
def add_milestone(review: Review, kind: str, due_on, *, by, request=None) -> Milestone:
    milestone = Milestone.objects.create(review=review, kind=kind, due_on=due_on)
    hooks.milestone_added(milestone)
    audit.record("review.milestone_added", request=request, actor=by, obj=review, kind=kind)
    return milestone


@transaction.atomic
def complete_milestone(milestone: Milestone, completed_on, *, by, request=None) -> Milestone:
    milestone.completed_on = completed_on
    milestone.save()
    audit.record("review.milestone_completed", request=request, actor=by, obj=milestone.review)
    return milestone


@transaction.atomic
def add_avoid_date(person: AffectedPerson, date, reason: str, *, by, request=None) -> AvoidDate:
    avoid = AvoidDate.objects.create(person=person, date=date, reason=reason)
    audit.record("person.avoid_date_added", request=request, actor=by, obj=person)
    return avoid


@transaction.atomic
def set_do_not_contact(person: AffectedPerson, value: bool, *, by, request=None) -> AffectedPerson:
    """Switching it on cancels every message still waiting to go to the person."""
    person.do_not_contact = value
    person.save()
    _support_follows_consent(person, by)
    audit.record("person.do_not_contact", request=request, actor=by, obj=person, value=value)
    return person
