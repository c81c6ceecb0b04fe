"""Support in practice: contacts, concerns, wellbeing check-ins and group debriefs.

Separate from supporters.services (offers and supporters) so each module stays readable; the
same rules apply: every change is audited and every message goes through the outbox.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.access import team_of
from peersupport import audit, outbox
from supporters import hooks, reminders
from supporters.access import may_open_concern
from supporters.models import (
    Concern,
    Contact,
    GroupDebrief,
    OfferStatus,
    OfferStatusChange,
    WellbeingCheckIn,
)

CONTACTABLE = (OfferStatus.ACCEPTED, OfferStatus.ACTIVE)


@transaction.atomic
def record_contact(
    offer, supporter, *, happened_on, mode, minutes, topics, signposted_to=(), note="", request=None
) -> Contact:
    """Record a contact; the first one makes the support active."""
    if offer.supporter_id != supporter.pk or offer.status not in CONTACTABLE:
        raise ValidationError(
            "You can only record contacts with people who have agreed to your support."
        )
    if happened_on > timezone.localdate():
        raise ValidationError(
            {"happened_on": "The date of the contact must be today or in the past"}
        )
    contact = Contact.objects.create(
        offer=offer,
        supporter=supporter,
        happened_on=happened_on,
        mode=mode,
        minutes=minutes,
        topics=list(topics),
        note=note.strip()[:500],
    )
    contact.signposted_to.set(signposted_to)
    if offer.status == OfferStatus.ACCEPTED:
        OfferStatusChange.objects.create(
            offer=offer,
            from_status=offer.status,
            to_status=OfferStatus.ACTIVE,
            changed_by=supporter.user,
            note="First contact recorded",
        )
        offer.status = OfferStatus.ACTIVE
        offer.save(update_fields=["status"])
    reminders.contact_recorded(contact)
    audit.record(
        "contact.recorded", request=request, actor=supporter.user, obj=contact, offer=offer.pk
    )
    return contact


@transaction.atomic
def raise_concern(offer, supporter, *, kind, details, contact=None, request=None) -> Concern:
    """Alert the team at once, whatever the hour; escalate if no one has acknowledged it
    after 4 working hours (to whom: _escalation_recipients)."""
    if offer.supporter_id != supporter.pk:
        raise ValidationError("You can only raise a concern about someone you support.")
    concern = Concern.objects.create(
        offer=offer, contact=contact, raised_by=supporter, kind=kind, details=details.strip()[:1000]
    )
    organisation = offer.person.organisation
    team = team_of(organisation)
    timing = {"anchor": concern.raised_at, "nation": organisation.nation}
    for member in _who_may_open(concern, team) or team:
        for channel in ("in_app", "email"):
            alert = outbox.enqueue(
                "concern_raised",
                channel,
                user=member,
                cause=concern,
                rule="concern-alert",
                **timing,
            )
            if alert is None:  # the rule switched off: a safety alert still goes, at once
                outbox.enqueue("concern_raised", channel, user=member, cause=concern)
    for user in _escalation_recipients(concern, team):
        for channel in ("in_app", "email"):
            outbox.enqueue(
                "concern_escalated",
                channel,
                user=user,
                cause=concern,
                rule="concern-escalate",
                **timing,
            )
    audit.record("concern.raised", request=request, actor=supporter.user, obj=concern, kind=kind)
    hooks.concern_raised(concern)  # a survey not yet sent to the person waits (feedback)
    return concern


def _who_may_open(concern, users):
    """Those of `users` whom oversight:concern_detail would show the concern (a restricted
    review's concern only its named team)."""
    return [user for user in users if may_open_concern(user, concern)]


def _escalation_recipients(concern, team):
    """The organisation's lead if they are an active team member who may open the concern;
    otherwise the review's lead investigator; otherwise every active team member who may open
    it (failing that, every active team member), so an escalation never goes nowhere."""
    person = concern.offer.person
    named = [person.organisation.lead]
    if person.review_id is not None:
        named.append(person.review.lead_investigator)
    for user in named:
        if user is not None and user.is_active and may_open_concern(user, concern):
            return [user]
    return _who_may_open(concern, team) or team


@transaction.atomic
def acknowledge_concern(concern, *, by, action_taken, request=None) -> Concern:
    """A team member takes the concern off the queue, recording what they did."""
    if concern.acknowledged_at is not None:
        raise ValidationError("This concern has already been acknowledged.")
    if not action_taken.strip():
        raise ValidationError({"action_taken": "Enter what you have done about this concern"})
    concern.acknowledged_at = timezone.now()
    concern.acknowledged_by = by
    concern.action_taken = action_taken.strip()
    concern.save()
    outbox.cancel_pending(cause=concern, reason="The concern was acknowledged.")
    audit.record("concern.acknowledged", request=request, actor=by, obj=concern)
    hooks.concern_acknowledged(concern)  # the last one closed: held surveys go (feedback)
    return concern


@transaction.atomic
def record_checkin(
    supporter, *, empowered, coping, wants_debrief, request=None
) -> WellbeingCheckIn:
    """A 1 or 2 on either question, or a request for a debrief, alerts their supervisor."""
    checkin = WellbeingCheckIn.objects.create(
        supporter=supporter, empowered=empowered, coping=coping, wants_debrief=wants_debrief
    )
    if checkin.needs_attention:
        for person in wellbeing_recipients(supporter):
            for channel in ("in_app", "email"):
                outbox.enqueue("wellbeing_alert", channel, user=person, cause=checkin)
    reminders.checkin_recorded(checkin)
    audit.record("wellbeing.recorded", request=request, actor=supporter.user, obj=checkin)
    return checkin


def wellbeing_recipients(supporter):
    """Who may follow the check-in up: their main supervisor; with none (or no longer active),
    the supervisors named for the organisations they serve; with none of those either, the
    organisations' leads, so a low check-in never goes unseen."""
    if supporter.supervisor_id and supporter.supervisor.is_active:
        return [supporter.supervisor]
    named = {
        assignment.supervisor
        for assignment in supporter.supervisor_assignments.select_related("supervisor")
        if assignment.supervisor.is_active
    }
    if not named:
        named = {o.lead for o in supporter.organisations.select_related("lead") if o.lead}
    return sorted(named, key=lambda user: user.pk)


@transaction.atomic
def record_debrief(organisation, *, by, request=None, **fields) -> GroupDebrief:
    debrief = GroupDebrief.objects.create(organisation=organisation, recorded_by=by, **fields)
    audit.record("debrief.recorded", request=request, actor=by, obj=debrief)
    return debrief
