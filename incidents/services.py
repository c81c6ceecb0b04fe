"""Changes to reviews and the people affected. Views, admin and commands all call these, so
each rule (deadlines recomputed, status rows written, changes audited) is written once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feedback import invitations as surveys
from incidents.deadlines import compute_deadlines
from incidents.models import (
    AffectedPerson,
    AvoidDate,
    Consent,
    ConsentRecord,
    Milestone,
    Review,
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
    """Create or update a review: deadlines recomputed, status row on creation, audited."""
    creating = review.pk is None
    apply_deadlines(review)
    if creating:
        review.created_by = by
    review.full_clean(exclude=["team_members"])
    review.save()
    if team_members is not None:
        review.team_members.set(team_members)
    if creating:
        ReviewStatusChange.objects.create(review=review, to_status=review.status, changed_by=by)
    audit.record(
        "review.created" if creating else "review.changed", request=request, actor=by, obj=review
    )
    return review


@transaction.atomic
def recompute_open_review_deadlines() -> int:
    """After an administrator edits a deadline rule: move every open review's due dates."""
    from incidents.models import DeadlineRule

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
    surveys.review_closed(review)  # invites its people only when the review has closed
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
    from supporters.services import consent_changed

    consent_changed(person, by=by)


@transaction.atomic
def add_milestone(review: Review, kind: str, due_on, *, by, request=None) -> Milestone:
    from supporters import reminders

    milestone = Milestone.objects.create(review=review, kind=kind, due_on=due_on)
    reminders.milestone_added(milestone)
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
