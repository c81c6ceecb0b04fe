"""The timing rules about people and their supporters, each scheduled in one place.

Every function here writes outbox rows through `outbox.enqueue(..., rule=...)`, in the caller's
transaction, so the due time follows the rule an administrator set (and moves when they change
it). Each message kind re-checks just before sending that its reason still holds
(supporters.messages), and closing or reassigning support cancels what was scheduled for it,
because the offer is the cause of every reminder about it.

| rule(s)                                         | scheduled by                 | goes to         |
| no-supporter-alert / staff-assign-within        | offer_opened                 | the team        |
| no-supporter-escalate                           | offer_opened                 | review lead, else organisation's lead |
| offer-reminder-1, offer-reminder-2              | offer_sent                   | the person      |
| offer-phone-task                                | offer_sent                   | the team        |
| staff-check-in, staff-follow-up, staff-three-months | support_started (staff)  | the supporter   |
| no-contact-nudge                                | support_started, contact_recorded | the supporter |
| milestone-before, milestone-after               | support_started, milestone_added | the supporter |
| wellbeing-after-contact                         | contact_recorded             | the supporter   |
| wellbeing-monthly                               | checkin_recorded, supporter_activated | the supporter |
| supervision-due (supporters.supervision)        | supervision_recorded, supporter_activated | supporter and supervisor |
| training-expiry-warning                         | training_recorded            | supporter and supervisor |
"""

from datetime import datetime, time

from django.utils import timezone

from incidents.access import team_of
from incidents.models import PersonKind
from peersupport import outbox
from supporters import supervision
from supporters.models import OfferStatus, SupportOffer

STAFF_ALERT_CHANNELS = ("in_app", "email")
WAITING_KINDS = ("no_supporter_alert", "no_supporter_escalation")
MORNING = time(9, 0)


def _at_morning(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, MORNING))


def _nation(person) -> str:
    return person.organisation.nation


def _lead_for(person):
    """The review's lead investigator, or the organisation's lead where there is no review."""
    if person.review_id and person.review.lead_investigator_id:
        return person.review.lead_investigator
    return person.organisation.lead


def _to_staff(kind, users, *, cause, rule, anchor, nation, tag=""):
    for user in users:
        for channel in STAFF_ALERT_CHANNELS:
            outbox.enqueue(
                kind,
                channel,
                user=user,
                cause=cause,
                rule=rule,
                anchor=anchor,
                nation=nation,
                key=f"{kind}:{rule}:{channel}:{cause.pk}:u{user.pk}{tag}",
            )


def event_moment(person) -> datetime:
    """When the event happened to a member of staff: the date they gave when asking for
    support, else the incident date of the review; counted from 09:00 that day."""
    referral = getattr(person, "referral", None)
    if referral is not None and referral.event_date:
        return _at_morning(referral.event_date)
    if person.review_id:
        return _at_morning(person.review.incident_date)
    return person.created_at


# Offers -------------------------------------------------------------------------------------


def offer_opened(offer) -> None:
    """A person with consent waits for a supporter: alert the team, then escalate."""
    person = offer.person
    alert_rule = "staff-assign-within" if person.kind == PersonKind.STAFF else "no-supporter-alert"
    nation, anchor = _nation(person), offer.created_at
    _to_staff(
        "no_supporter_alert",
        team_of(person.organisation),
        cause=offer,
        rule=alert_rule,
        anchor=anchor,
        nation=nation,
    )
    lead = _lead_for(person)
    if lead is not None and lead.is_active:
        _to_staff(
            "no_supporter_escalation",
            [lead],
            cause=offer,
            rule="no-supporter-escalate",
            anchor=anchor,
            nation=nation,
        )


def offer_sent(offer) -> None:
    """The offer has gone to the person: remind them twice, then ask the team to phone."""
    person = offer.person
    nation, anchor = _nation(person), offer.offered_at
    channel = outbox.person_channel(person)
    if channel is not None:
        for rule in ("offer-reminder-1", "offer-reminder-2"):
            outbox.enqueue(
                "offer_reminder",
                channel,
                person=person,
                cause=offer,
                rule=rule,
                anchor=anchor,
                nation=nation,
                key=f"offer_reminder:{rule}:{channel}:{offer.pk}",
            )
    _to_staff(
        "offer_phone_task",
        team_of(person.organisation),
        cause=offer,
        rule="offer-phone-task",
        anchor=anchor,
        nation=nation,
    )


# Support under way --------------------------------------------------------------------------


def _to_supporter(kind, offer, *, rule, anchor, tag="", context=None):
    user = offer.supporter.user
    for channel in STAFF_ALERT_CHANNELS:
        outbox.enqueue(
            kind,
            channel,
            user=user,
            cause=offer,
            rule=rule,
            anchor=anchor,
            nation=_nation(offer.person),
            context=context,
            key=f"{kind}:{rule}:{channel}:{offer.pk}{tag}",
        )


def support_started(offer) -> None:
    """The person accepted: the supporter is told at once; then the staff check-in rhythm,
    the no-contact nudge and milestone nudges."""
    for channel in STAFF_ALERT_CHANNELS:
        outbox.enqueue("support_accepted", channel, user=offer.supporter.user, cause=offer)
    if offer.person.kind == PersonKind.STAFF:
        moment = event_moment(offer.person)
        for rule in ("staff-check-in", "staff-follow-up", "staff-three-months"):
            _to_supporter("staff_check_in", offer, rule=rule, anchor=moment, context={"rule": rule})
    schedule_no_contact_nudge(offer, since=offer.answered_at or timezone.now())
    if offer.person.review_id:
        today = timezone.localdate()
        for milestone in offer.person.review.milestones.filter(due_on__gte=today):
            schedule_milestone_nudges(offer, milestone)


def schedule_no_contact_nudge(offer, *, since) -> None:
    """One nudge at a time: a new contact replaces the one still waiting."""
    outbox.cancel_pending(
        cause=offer, kinds=["no_contact_nudge"], reason="A newer contact was recorded."
    )
    _to_supporter(
        "no_contact_nudge",
        offer,
        rule="no-contact-nudge",
        anchor=since,
        tag=f":{since.timestamp():.0f}",
        context={"since": since.isoformat()},
    )


def schedule_milestone_nudges(offer, milestone) -> None:
    anchor = _at_morning(milestone.due_on)
    for rule in ("milestone-before", "milestone-after"):
        _to_supporter(
            "milestone_nudge",
            offer,
            rule=rule,
            anchor=anchor,
            tag=f":m{milestone.pk}",
            context={"milestone": milestone.pk, "rule": rule},
        )


def milestone_added(milestone) -> None:
    """Nudge the supporter of everyone on the review whose support is under way."""
    offers = SupportOffer.objects.filter(
        person__review=milestone.review,
        status__in=(OfferStatus.ACCEPTED, OfferStatus.ACTIVE),
        supporter__isnull=False,
    ).select_related("person__organisation", "supporter__user")
    for offer in offers:
        schedule_milestone_nudges(offer, milestone)


def contact_recorded(contact) -> None:
    """After a contact: prompt the supporter's own wellbeing check-in; restart the 14 days."""
    offer = contact.offer
    user = contact.supporter.user
    outbox.enqueue(
        "wellbeing_prompt",
        "in_app",
        user=user,
        cause=contact,
        rule="wellbeing-after-contact",
        anchor=contact.created_at,
        nation=_nation(offer.person),
    )
    schedule_no_contact_nudge(offer, since=contact.created_at)


# The supporter's own care -------------------------------------------------------------------


def _supporter_nation(supporter) -> str:
    organisation = supporter.home_organisation or supporter.organisations.first()
    return organisation.nation if organisation is not None else "england"


def _replace(kind, supporter, *, rule, anchor, recipients, reason):
    """Cancel the supporter's waiting reminder of this kind and schedule the next one."""
    outbox.cancel_pending(cause=supporter, kinds=[kind], reason=reason)
    for user in recipients:
        for channel in STAFF_ALERT_CHANNELS:
            outbox.enqueue(
                kind,
                channel,
                user=user,
                cause=supporter,
                rule=rule,
                anchor=anchor,
                nation=_supporter_nation(supporter),
                key=f"{kind}:{channel}:{supporter.pk}:u{user.pk}:{anchor.timestamp():.0f}",
            )


def supporter_activated(supporter) -> None:
    """A supporter starts (or returns): the monthly check-in and supervision clocks start."""
    now = timezone.now()
    _replace(
        "wellbeing_prompt_monthly",
        supporter,
        rule="wellbeing-monthly",
        anchor=now,
        recipients=[supporter.user],
        reason="The supporter's status changed.",
    )
    last = supporter.supervision.order_by("-held_on").first()
    recipients = [supporter.user] + ([supporter.supervisor] if supporter.supervisor_id else [])
    _replace(
        "supervision_due",
        supporter,
        rule=supervision.RULE,
        anchor=_at_morning(last.held_on) if last else now,
        recipients=recipients,
        reason="The supporter's status changed.",
    )


def checkin_recorded(checkin) -> None:
    _replace(
        "wellbeing_prompt_monthly",
        checkin.supporter,
        rule="wellbeing-monthly",
        anchor=checkin.created_at,
        recipients=[checkin.supporter.user],
        reason="A newer check-in was recorded.",
    )


def supervision_recorded(session) -> None:
    supporter = session.supporter
    recipients = [supporter.user] + ([supporter.supervisor] if supporter.supervisor_id else [])
    _replace(
        "supervision_due",
        supporter,
        rule=supervision.RULE,
        anchor=_at_morning(session.held_on),
        recipients=recipients,
        reason="A newer supervision session was recorded.",
    )


def training_recorded(record) -> None:
    """Warn ahead of the expiry of a course that expires (not of one already lapsed: the
    roster and matching show that)."""
    if record.expires_on is None or record.expires_on < timezone.localdate():
        return
    supporter = record.supporter
    recipients = [supporter.user] + ([supporter.supervisor] if supporter.supervisor_id else [])
    for user in recipients:
        for channel in STAFF_ALERT_CHANNELS:
            outbox.enqueue(
                "training_expiring",
                channel,
                user=user,
                cause=record,
                rule="training-expiry-warning",
                anchor=_at_morning(record.expires_on),
                nation=_supporter_nation(supporter),
                key=f"training_expiring:{channel}:{record.pk}:u{user.pk}",
            )
