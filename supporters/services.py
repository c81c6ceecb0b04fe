"""Changes to supporters and support offers. Views, admin, tasks and commands call these, so
each rule (status rows, audit, messages through the outbox) is written once."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents import queue_totals
from incidents.access import team_of
from incidents.models import Consent, TeamMember
from peersupport import audit, outbox
from peersupport.timing import due_after
from supporters import hooks, reminders
from supporters.access import note_supervisor_missing
from supporters.matching import why_not_eligible
from supporters.models import (
    ASSIGNED_STATUSES,
    CloseReason,
    CodeAcceptance,
    CodeOfConduct,
    OfferedVia,
    OfferStatus,
    OfferStatusChange,
    ReassignmentTask,
    SupervisionSession,
    SupervisorAssignment,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
    TrainingRecord,
)
from supporters.scoring import unmet_preferences


def _set_offer_status(offer, to_status, *, by, note=""):
    OfferStatusChange.objects.create(
        offer=offer,
        from_status=offer.status if offer.pk else "",
        to_status=to_status,
        note=note[:300],
        changed_by=by,
    )
    offer.status = to_status


@transaction.atomic
def open_offer(person, *, by=None) -> SupportOffer | None:
    """Every person with consent to be contacted gets an offer at once (needs a supporter)."""
    if not person.may_be_offered_support:
        return None
    existing = person.offers.open().first()
    if existing:
        return existing
    offer = SupportOffer.objects.create(person=person, created_by=by)
    OfferStatusChange.objects.create(
        offer=offer, to_status=OfferStatus.NEEDS_SUPPORTER, changed_by=by
    )
    reminders.offer_opened(offer)
    return offer


def _check_eligible(offer, supporter, *, override_reason, preference_reason=""):
    """Check again at the moment of assigning: the shortlist the team saw may be stale. A
    supporter who does not meet what the person asked for needs the team's reason."""
    reasons = why_not_eligible(supporter, offer.person, override_pool=bool(override_reason.strip()))
    if reasons:
        raise ValidationError(f"{supporter} cannot be assigned: {'; '.join(reasons)}.")
    unmet = unmet_preferences(supporter, offer.person)
    if unmet and not preference_reason.strip():
        raise ValidationError(
            f"{supporter} does not meet what they asked for ({'; '.join(unmet)}): say why"
            " you are offering them."
        )
    return unmet


def _tell_supporter(offer):
    for channel in ("in_app", "email"):
        outbox.enqueue("supporter_assigned", channel, user=offer.supporter.user, cause=offer)


@transaction.atomic
def assign_supporter(
    offer,
    supporter,
    *,
    by,
    via=OfferedVia.EMAIL,
    override_reason="",
    preference_reason="",
    request=None,
):
    """Assign a supporter from the shortlist: the person is offered them, the supporter is told."""
    if offer.status != OfferStatus.NEEDS_SUPPORTER:
        raise ValidationError("This person already has a supporter: reassign instead.")
    if not offer.person.may_be_offered_support:
        raise ValidationError("This person has not agreed to be contacted, or asked not to be.")
    unmet = _check_eligible(
        offer, supporter, override_reason=override_reason, preference_reason=preference_reason
    )
    needs = {
        OfferedVia.EMAIL: ("email", "email address"),
        OfferedVia.SMS: ("phone", "mobile number"),
        OfferedVia.LETTER: ("address", "postal address"),
    }
    if via in needs and not getattr(offer.person, needs[via][0]).strip():
        raise ValidationError(
            f"There is no {needs[via][1]} for this person: offer by phone instead."
        )
    offer.supporter = supporter
    offer.offered_via = via
    offer.offered_at = timezone.now()
    offer.pool_override_reason = override_reason.strip()[:300]
    offer.preference_override_reason = preference_reason.strip()[:300] if unmet else ""
    _set_offer_status(offer, OfferStatus.OFFERED, by=by, note=f"Offered by {via}")
    offer.save()
    outbox.cancel_pending(
        cause=offer, kinds=reminders.WAITING_KINDS, reason="A supporter was assigned."
    )
    _send_offer(offer)
    _tell_supporter(offer)
    audit.record(
        "offer.assigned",
        request=request,
        actor=by,
        obj=offer,
        supporter=supporter.pk,
        via=via,
        preferences_not_met=len(unmet),
    )
    return offer


WRITTEN_VIA = (OfferedVia.EMAIL, OfferedVia.SMS, OfferedVia.LETTER)


def _send_offer(offer):
    """An offer in writing goes by the channel chosen, then reminders follow; an offer made
    on the phone needs neither."""
    if offer.offered_via not in WRITTEN_VIA:
        return
    outbox.enqueue(
        "offer_to_person",
        offer.offered_via,
        person=offer.person,
        cause=offer,
        rule="offer-send",
        anchor=offer.offered_at,
        nation=offer.person.organisation.nation,
    )
    reminders.offer_sent(offer)


ANSWERS = {
    "accepted": OfferStatus.ACCEPTED,
    "declined": OfferStatus.DECLINED,
    "later": OfferStatus.LATER,
}


def _apply_answer(offer, status, *, by, reason, contact_again_on, note):
    offer.answered_at = timezone.now()
    offer.decline_reason = reason.strip()[:300] if status == OfferStatus.DECLINED else ""
    offer.contact_again_on = None
    if status == OfferStatus.LATER:
        default = due_after("contact-later-default", timezone.now())
        offer.contact_again_on = (
            contact_again_on or (default or timezone.now() + timedelta(weeks=4)).date()
        )
    _set_offer_status(offer, status, by=by, note=note)
    closes = status in (OfferStatus.DECLINED, OfferStatus.LATER)
    offer.closed_at = timezone.now() if closes else None
    outbox.cancel_pending(cause=offer, reason=f"The person answered: {status.label.lower()}.")
    offer.save()
    if status == OfferStatus.ACCEPTED:
        reminders.support_started(offer)


@transaction.atomic
def record_answer(offer, answer, *, by, reason="", contact_again_on=None, request=None):
    """The person's answer to an offer, recorded by the team or given from the offer link."""
    if offer.status not in (OfferStatus.OFFERED, OfferStatus.NO_RESPONSE):
        raise ValidationError("Only an offer waiting for an answer can be answered.")
    status = ANSWERS[answer]
    _apply_answer(
        offer, status, by=by, reason=reason, contact_again_on=contact_again_on, note=reason
    )
    audit.record("offer.answered", request=request, actor=by, obj=offer, answer=answer)
    return offer


CHANGEABLE = (OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.LATER)


def may_change_answer(offer) -> bool:
    """A person may change their answer from the offer link until support starts (the first
    contact makes it active), the team closes it, or the team offers support again."""
    if offer.status not in CHANGEABLE:
        return False
    return not offer.person.offers.filter(created_at__gt=offer.created_at).exists()


@transaction.atomic
def change_answer(offer, answer, *, reason="", contact_again_on=None, request=None):
    """The person changes the answer they gave ("you can change your mind at any time")."""
    if not may_change_answer(offer):
        raise ValidationError("This answer can no longer be changed from the link.")
    previous = offer.status
    status = ANSWERS[answer]
    _apply_answer(
        offer,
        status,
        by=None,
        reason=reason,
        contact_again_on=contact_again_on,
        note="The person changed their answer from the offer link",
    )
    audit.record(
        "offer.answer_changed", request=request, obj=offer, answer=answer, previous=previous
    )
    return offer


@transaction.atomic
def offer_again(person, *, by, request=None) -> SupportOffer:
    """A person who declined or asked for later can be offered support again by the team."""
    offer = open_offer(person, by=by)
    if offer is None:
        raise ValidationError("This person has not agreed to be contacted, or asked not to be.")
    audit.record("offer.reopened", request=request, actor=by, obj=offer)
    return offer


@transaction.atomic
def reassign(
    offer, supporter, *, by, override_reason="", preference_reason="", request=None
) -> SupportOffer:
    """Give the person a new supporter; the old offer closes and the history stays."""
    if offer.status not in ASSIGNED_STATUSES:
        raise ValidationError("Only current support can be reassigned.")
    unmet = _check_eligible(
        offer, supporter, override_reason=override_reason, preference_reason=preference_reason
    )
    previous_status = offer.status
    already_agreed = previous_status in (OfferStatus.ACCEPTED, OfferStatus.ACTIVE)
    _close(offer, CloseReason.REASSIGNED, by=by)
    new = SupportOffer.objects.create(
        person=offer.person,
        supporter=supporter,
        previous=offer,
        created_by=by,
        offered_via=offer.offered_via or OfferedVia.PHONE,
        offered_at=timezone.now(),
        pool_override_reason=override_reason.strip()[:300],
        preference_override_reason=preference_reason.strip()[:300] if unmet else "",
        status=previous_status if already_agreed else OfferStatus.OFFERED,
    )
    OfferStatusChange.objects.create(
        offer=new, to_status=new.status, changed_by=by, note="Reassigned"
    )
    if already_agreed:
        channel = outbox.person_channel(new.person)
        if channel is not None:
            outbox.enqueue("new_supporter_to_person", channel, person=new.person, cause=new)
        reminders.support_started(new)
    else:
        _send_offer(new)
    _tell_supporter(new)
    ReassignmentTask.objects.filter(offer=offer, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    queue_totals.changed()  # an update() sends no signal
    audit.record(
        "offer.reassigned",
        request=request,
        actor=by,
        obj=new,
        previous=offer.pk,
        preferences_not_met=len(unmet),
    )
    return new


def _close(offer, reason, *, by):
    offer.close_reason = reason
    offer.closed_at = timezone.now()
    _set_offer_status(offer, OfferStatus.CLOSED, by=by, note=CloseReason(reason).label)
    offer.save()
    outbox.cancel_pending(
        cause=offer, reason=f"Support closed: {CloseReason(reason).label.lower()}."
    )
    hooks.support_closed(offer)  # not after a reassignment: a survey (feedback)


@transaction.atomic
def close_support(offer, reason, *, by, request=None):
    if offer.status == OfferStatus.CLOSED:
        raise ValidationError("This support is already closed.")
    _close(offer, reason, by=by)
    audit.record("offer.closed", request=request, actor=by, obj=offer, reason=reason)
    return offer


@transaction.atomic
def change_supporter_status(supporter, status, *, by, reason="", paused_until=None, request=None):
    """Pause, return or leave. The people of a supporter who pauses or leaves go on the
    team's work queue to be reassigned."""
    status = SupporterStatus(status)
    if status == supporter.status:
        raise ValidationError(f"{supporter} is already {status.label.lower()}.")
    if status == SupporterStatus.PAUSED and paused_until is None:
        raise ValidationError({"paused_until": "Enter the date they expect to return."})
    SupporterStatusChange.objects.create(
        supporter=supporter,
        from_status=supporter.status,
        to_status=status,
        reason=reason[:300],
        changed_by=by,
    )
    supporter.status = status
    supporter.paused_until = paused_until if status == SupporterStatus.PAUSED else None
    supporter.save()
    if status == SupporterStatus.ACTIVE:
        reminders.supporter_activated(supporter)
    if status in (SupporterStatus.PAUSED, SupporterStatus.LEFT):
        why = "Supporter paused" if status == SupporterStatus.PAUSED else "Supporter left"
        for offer in supporter.offers.filter(status__in=ASSIGNED_STATUSES):
            ReassignmentTask.objects.get_or_create(
                offer=offer, done_at=None, defaults={"reason": why}
            )
            outbox.cancel_pending(cause=offer, reason=f"{why}.")
    audit.record(
        "supporter.status_changed", request=request, actor=by, obj=supporter, to=str(status)
    )
    return supporter


def current_code() -> CodeOfConduct | None:
    return CodeOfConduct.objects.order_by("-version").first()


def has_accepted_current_code(supporter) -> bool:
    code = current_code()
    return code is None or supporter.acceptances.filter(code=code).exists()


@transaction.atomic
def accept_code(supporter, *, request=None):
    code = current_code()
    if code is None:
        return None
    acceptance, _ = CodeAcceptance.objects.get_or_create(supporter=supporter, code=code)
    audit.record(
        "supporter.code_accepted",
        request=request,
        actor=supporter.user,
        obj=supporter,
        version=code.version,
    )
    return acceptance


@transaction.atomic
def record_training(supporter, course, completed_on, *, by, request=None) -> TrainingRecord:
    expires_on = None
    if course.valid_for_months:
        month = completed_on.month - 1 + course.valid_for_months
        year, month = completed_on.year + month // 12, month % 12 + 1
        expires_on = completed_on.replace(year=year, month=month, day=min(completed_on.day, 28))
    record = TrainingRecord.objects.create(
        supporter=supporter,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on,
        recorded_by=by,
    )
    reminders.training_recorded(record)
    audit.record("supporter.training_recorded", request=request, actor=by, obj=supporter)
    return record


@transaction.atomic
def record_supervision(supporter, supervisor, held_on, *, by, request=None) -> SupervisionSession:
    session = SupervisionSession.objects.create(
        supporter=supporter, supervisor=supervisor, held_on=held_on, recorded_by=by
    )
    reminders.supervision_recorded(session)
    audit.record("supporter.supervision_recorded", request=request, actor=by, obj=supporter)
    return session


def consent_changed(person, *, by=None):
    """Called when a person's consent or do-not-contact changes."""
    if person.may_be_offered_support:
        open_offer(person, by=by)
        return
    reason = (
        "No consent to be contacted"
        if person.consent_to_contact != Consent.GIVEN
        else "Do not contact"
    )
    outbox.cancel_pending(person=person, reason=reason)
    for offer in person.offers.all():
        outbox.cancel_pending(cause=offer, reason=reason)
    for offer in person.offers.filter(status=OfferStatus.NEEDS_SUPPORTER):
        _close(offer, CloseReason.PERSONS_CHOICE, by=by)


@transaction.atomic
def name_supervisor(supporter, organisation, supervisor, *, by, request=None):
    """Name the supporter's supervisor for one organisation they serve (None: nobody).

    The supervisor must be an active member of that organisation's team: they read notes only
    about its people. Audited with who was named and who they replaced.
    """
    if not supporter.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(f"{supporter} does not support people for {organisation}.")
    if (
        supervisor is not None
        and not TeamMember.objects.filter(
            user=supervisor, user__is_active=True, organisation=organisation
        ).exists()
    ):
        raise ValidationError(f"{supervisor} is not a member of {organisation}'s team.")
    existing = (
        SupervisorAssignment.objects.select_for_update()
        .filter(supporter=supporter, organisation=organisation)
        .first()
    )
    previous = existing.supervisor_id if existing is not None else None
    if previous == getattr(supervisor, "pk", None):
        return existing
    if supervisor is None:
        existing.delete()
        assignment = None
    else:
        assignment, _ = SupervisorAssignment.objects.update_or_create(
            supporter=supporter,
            organisation=organisation,
            defaults={"supervisor": supervisor, "named_by": by, "named_at": timezone.now()},
        )
    audit.record(
        "supporter.supervisor_named",
        request=request,
        actor=by,
        obj=supporter,
        organisation=organisation.pk,
        supervisor=getattr(supervisor, "pk", None),
        previous=previous,
    )
    alert_if_notes_unsupervised(supporter=supporter)
    return assignment


def alert_if_notes_unsupervised(*, people_of=None, supporter=None) -> int:
    """Alert the team when a supporter is left with nobody who may read their notes about
    someone they support (supporters.access.note_supervisor_missing): after a change to who is
    named on a review (`people_of`), or to a supporter's supervisors. Returns the alerts made."""

    offers = SupportOffer.objects.assigned().select_related(
        "person__organisation", "person__review", "supporter__user"
    )
    if people_of is not None:
        offers = offers.filter(person__review=people_of)
    if supporter is not None:
        offers = offers.filter(supporter=supporter)
    made = 0
    for offer in offers:
        if not note_supervisor_missing(offer):
            continue
        organisation = offer.person.organisation
        named = SupervisorAssignment.objects.filter(
            supporter=offer.supporter, organisation=organisation
        ).values_list("supervisor_id", flat=True)
        lapse = f"offer:{offer.pk}:supervisor:{next(iter(named), 0)}"
        for member in team_of(organisation):
            for channel in reminders.STAFF_ALERT_CHANNELS:
                outbox.enqueue(
                    "supervisor_needed",
                    channel,
                    user=member,
                    cause=offer,
                    key=f"supervisor_needed:{channel}:{lapse}:u{member.pk}",
                    context={"organisation": organisation.pk},
                )
        made += 1
    return made
