"""Who is asked to answer a survey, and when: every invitation is written here.

| event                                   | function                      | goes to                    |
| support closes (not a reassignment)     | support_closed(offer)         | the person, by their channel |
| a review closes                         | review_closed(review)         | each person it supported   |
| the 1st of January, April, July, October | invite_supporters_for_quarter | each active peer supporter, email + in-app |

Each invitation's first message goes at once and a reminder after the `survey-reminder` rule
(7 days); the invitation closes after `survey-expiry` (28 days). Both are outbox rows written in
the caller's transaction, and each re-checks just before sending that the survey is still open
(feedback.messages), so an answered, expired or opted-out survey sends nothing more. The link
in each message is a fresh single-use token made at send time (`survey_url`).

A survey never arrives beside a concern: while the person has an open concern (a risk their
supporter raised) their survey waits, unsent, and goes when the last concern is acknowledged.

| event                                   | function                      | what happens               |
| a concern is raised about the person    | concern_raised(concern)       | hold_for_concern: a survey not yet sent (or its reminder) waits |
| their last open concern is acknowledged | concern_acknowledged(concern) | release_held: it goes, with a fresh expiry |
| the team cancels a waiting survey       | cancel_invitation             | nothing more is ever sent  |
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from feedback import tokens
from feedback.models import Audience, Invitation, Questionnaire
from feedback.questionnaire_defaults import SLUG_FOR_PERSON_KIND, SUPPORTER_SLUG
from feedback.services import questionnaire
from incidents.models import ReviewStatus
from peersupport import audit, outbox
from peersupport.models import Message, MessageStatus
from peersupport.timing import due_after
from supporters.models import (
    CloseReason,
    Concern,
    OfferStatus,
    OfferStatusChange,
    PeerSupporter,
    SupporterStatus,
    SupportOffer,
)

SURVEY = "survey"  # the token purpose
PERSON_KINDS = ("survey_invitation", "survey_reminder")
SUPPORTER_KINDS = ("supporter_survey", "supporter_survey_reminder")
SUPPORTER_CHANNELS = ("email", "in_app")
DEFAULT_EXPIRY = timedelta(days=28)


def survey_url(invitation) -> str:
    """A fresh single-use link to `invitation`'s survey, valid until the invitation expires.

    Called when a message is built at send time, so each message carries its own token and
    the plain token is never stored.
    """
    ttl = max(invitation.expires_at - timezone.now(), timedelta(0))
    plain = tokens.issue(
        SURVEY, invitation, person=invitation.person, user=invitation.user, ttl=ttl
    )
    return settings.SITE_URL.rstrip("/") + reverse("feedback:survey_token", args=[plain])


def _expiry(anchor, nation):

    return due_after("survey-expiry", anchor, nation) or anchor + DEFAULT_EXPIRY


def _schedule(
    invitation, kinds, channels, *, person=None, user=None, nation, tag, anchor=None, first=True
):
    """The invitation now (unless `first` is False: it has gone already), and its reminder
    when the survey-reminder rule says, counted from `anchor` (default: when it was made)."""
    invite_kind, remind_kind = kinds
    for channel in channels:
        if first:
            outbox.enqueue(
                invite_kind,
                channel,
                person=person,
                user=user,
                cause=invitation,
                key=f"{invite_kind}:{channel}:{tag}",
            )
        outbox.enqueue(
            remind_kind,
            channel,
            person=person,
            user=user,
            cause=invitation,
            rule="survey-reminder",
            anchor=anchor or invitation.created_at,
            nation=nation,
            key=f"{remind_kind}:{channel}:{tag}",
        )


# Affected people ----------------------------------------------------------------------------


def questionnaire_for(person) -> Questionnaire:

    return questionnaire(SLUG_FOR_PERSON_KIND[person.kind])


def may_invite(person) -> bool:
    """Whether we may ask this person: not opted out, not "do not contact", and a way to
    write to them (someone who only takes phone calls, with no email address, is not asked)."""
    return (
        person.opted_out_at is None
        and not person.do_not_contact
        and outbox.person_channel(person) is not None
    )


def has_open_concern(person) -> bool:
    """Whether a concern about the person is still waiting to be acknowledged."""
    return Concern.objects.open().filter(offer__person=person).exists()


def invite_person(person, *, offer=None, review=None) -> Invitation | None:
    """Invite one affected person to say how it went; None if we may not ask them. While a
    concern about them is open the invitation is made but held: nothing is sent until the
    concern is acknowledged (release_held)."""
    if not may_invite(person):
        return None
    now = timezone.now()
    nation = person.organisation.nation
    held = has_open_concern(person)
    invitation = Invitation.objects.create(
        questionnaire=questionnaire_for(person),
        person=person,
        organisation=person.organisation,
        offer=offer,
        review=review,
        created_at=now,
        expires_at=_expiry(now, nation),
        held_since=now if held else None,
    )
    if held:
        audit.record("survey.held", obj=invitation, person=person.pk)
        return invitation
    _schedule(
        invitation,
        PERSON_KINDS,
        [outbox.person_channel(person)],
        person=person,
        nation=nation,
        tag=str(invitation.pk),
    )
    return invitation


def _reached_support(offers) -> bool:
    """Whether any of these offers was accepted or became active: support that happened."""

    return OfferStatusChange.objects.filter(
        offer__in=offers, to_status__in=(OfferStatus.ACCEPTED, OfferStatus.ACTIVE)
    ).exists()


def support_closed(offer) -> Invitation | None:
    """Support has closed: ask the person how it went. Not after a reassignment (the support
    goes on with someone else), nor for an offer that never became support."""

    if offer.close_reason == CloseReason.REASSIGNED:
        return None
    if Invitation.objects.filter(offer=offer).exists():
        return None
    if not _reached_support(SupportOffer.objects.filter(pk=offer.pk)):
        return None
    return invite_person(offer.person, offer=offer)


def review_closed(review) -> list[Invitation]:
    """A review has closed: ask each of its people whose support was accepted, became active
    or has closed since. A person with a survey still open (their support has just closed)
    is not asked twice, and nobody is asked twice about the same review. Does nothing while
    the review is open, so every status change may call it."""

    if review.status != ReviewStatus.CLOSED:
        return []
    supported = OfferStatusChange.objects.filter(
        offer__person__review=review,
        to_status__in=(OfferStatus.ACCEPTED, OfferStatus.ACTIVE),
    ).values("offer__person")
    people = review.people.filter(pk__in=supported).select_related("organisation")
    invited = []
    for person in people:
        asked = person.survey_invitations
        if asked.filter(review=review).exists() or asked.open().exists() or asked.held().exists():
            continue
        invitation = invite_person(person, review=review)
        if invitation is not None:
            invited.append(invitation)
    return invited


# Held while a concern is open ---------------------------------------------------------------

HELD_REASON = "Held while a concern about them is open."
CANCELLED_REASON = "The team cancelled the survey."


@transaction.atomic
def hold_for_concern(person, *, actor=None) -> list[Invitation]:
    """A concern has been raised: a survey that has not gone yet waits until it is closed, so
    nobody is asked how their support went on the evening they were at risk. Its messages
    still waiting (even those deferred to a safe time) are cancelled. A survey already sent is
    not pulled back, but its reminder, if still to come, is held too."""
    held = []
    now = timezone.now()
    waiting = person.survey_invitations.open().filter(held_since__isnull=True)
    for invitation in waiting.select_for_update().order_by("pk"):
        cancelled = outbox.cancel_pending(cause=invitation, kinds=PERSON_KINDS, reason=HELD_REASON)
        if invitation.sent_at is not None and not cancelled:
            continue  # sent, and nothing more to come: nothing to hold
        invitation.held_since = now
        invitation.save(update_fields=["held_since"])
        audit.record("survey.held", actor=actor, obj=invitation, person=person.pk)
        held.append(invitation)
    return held


@transaction.atomic
def release_held(person, *, actor=None) -> list[Invitation]:
    """The person's last open concern has been acknowledged: each held survey goes now, open
    for a full `survey-expiry` period from today. One already sent gets only its reminder.
    Does nothing while another concern about them is open."""
    if has_open_concern(person):
        return []
    released = []
    now = timezone.now()
    nation = person.organisation.nation
    for invitation in person.survey_invitations.held().select_for_update().order_by("pk"):
        invitation.held_since = None
        if invitation.completed_at is None and invitation.opted_out_at is None:
            invitation.expires_at = _expiry(now, nation)
            _schedule_release(invitation, person, nation, now)
            released.append(invitation)
        invitation.save(update_fields=["held_since", "expires_at"])
        audit.record("survey.released", actor=actor, obj=invitation, person=person.pk)
    return released


def _schedule_release(invitation, person, nation, now) -> None:
    """A released survey's messages, under new outbox keys (the held ones were cancelled and
    keep theirs): the release number is how many messages the invitation has had."""
    channel = outbox.person_channel(person)
    if channel is None:
        return
    count = Message.objects.filter(
        cause_type="feedback.invitation", cause_id=str(invitation.pk)
    ).count()
    _schedule(
        invitation,
        PERSON_KINDS,
        [channel],
        person=person,
        nation=nation,
        tag=f"{invitation.pk}:r{count}",
        anchor=now,
        first=invitation.sent_at is None,
    )


def concern_raised(concern) -> list[Invitation]:
    """supporters.hooks.concern_raised: hold the person's surveys."""
    return hold_for_concern(concern.offer.person, actor=concern.raised_by.user)


def concern_acknowledged(concern) -> list[Invitation]:
    """supporters.hooks.concern_acknowledged: send the held surveys if it was the last one."""
    return release_held(concern.offer.person, actor=concern.acknowledged_by)


def waiting_surveys(person):
    """The person's surveys the team may still stop: held, or made and waiting in the outbox
    to be sent (one whose message was cancelled, say for "do not contact", is not waiting)."""
    in_outbox = Message.objects.filter(
        cause_type="feedback.invitation",
        cause_id=Cast(OuterRef("pk"), CharField()),
        kind=PERSON_KINDS[0],
        status=MessageStatus.PENDING,
    )
    unsent = Q(sent_at__isnull=True, expires_at__gt=timezone.now()) & Q(Exists(in_outbox))
    return person.survey_invitations.filter(
        completed_at__isnull=True, opted_out_at__isnull=True, cancelled_at__isnull=True
    ).filter(Q(held_since__isnull=False) | unsent)


def may_cancel(invitation) -> bool:
    """Whether the team may still stop this survey: held, or not sent yet."""
    return (
        invitation.person_id is not None
        and waiting_surveys(invitation.person).filter(pk=invitation.pk).exists()
    )


@transaction.atomic
def cancel_invitation(invitation, *, by, request=None) -> Invitation:
    """The team stops a survey that is held or not sent yet: nothing of it is ever sent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_cancel(invitation):
        raise ValidationError("This survey has already been sent, answered or cancelled.")
    invitation.cancelled_at = timezone.now()
    invitation.cancelled_by = by
    invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    outbox.cancel_pending(cause=invitation, kinds=PERSON_KINDS, reason=CANCELLED_REASON)
    audit.record(
        "survey.cancelled", request=request, actor=by, obj=invitation, person=invitation.person_id
    )
    return invitation


# Peer supporters ----------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[date, str]:
    """The first day of `day`'s quarter and its label, such as "2026-Q2"."""
    index = (day.month - 1) // 3
    return date(day.year, 3 * index + 1, 1), f"{day.year}-Q{index + 1}"


def supporters_opted_out():
    """Users who asked for no more supporters' surveys."""
    return Invitation.objects.filter(
        questionnaire__audience=Audience.SUPPORTER, opted_out_at__isnull=False
    ).values("user")


def _supporters_questionnaire() -> Questionnaire:

    return questionnaire(SUPPORTER_SLUG)


def _supporter_organisation(supporter):
    return supporter.home_organisation or supporter.organisations.order_by("pk").first()


@transaction.atomic
def invite_supporter(supporter, *, quarter: str, questionnaire=None) -> Invitation | None:
    """This quarter's survey for one supporter; None if they already have it.

    The outbox key of the invitation email names the supporter and the quarter, so a second
    run in the same quarter (a repeated beat task, the command run by hand) invites nobody
    twice. The supporter's row is locked while checking, so two runs at once cannot either.
    """

    PeerSupporter.objects.select_for_update().filter(pk=supporter.pk).first()
    tag = f"s{supporter.pk}:{quarter}"
    if Message.objects.filter(idempotency_key=f"{SUPPORTER_KINDS[0]}:email:{tag}").exists():
        return None
    organisation = _supporter_organisation(supporter)
    if organisation is None:
        return None
    now = timezone.now()
    invitation = Invitation.objects.create(
        questionnaire=questionnaire or _supporters_questionnaire(),
        user=supporter.user,
        organisation=organisation,
        created_at=now,
        expires_at=_expiry(now, organisation.nation),
    )
    _schedule(
        invitation,
        SUPPORTER_KINDS,
        SUPPORTER_CHANNELS,
        user=supporter.user,
        nation=organisation.nation,
        tag=tag,
    )
    return invitation


def invite_supporters_for_quarter(today: date | None = None) -> int:
    """Every active peer supporter gets the quarter's survey, unless they opted out of
    supporters' surveys; returns how many were invited."""

    _, quarter = quarter_of(today or timezone.localdate())
    questionnaire = _supporters_questionnaire()
    supporters = (
        PeerSupporter.objects.filter(status=SupporterStatus.ACTIVE, user__is_active=True)
        .exclude(user__in=supporters_opted_out())
        .select_related("user", "home_organisation")
        .order_by("pk")
    )
    invited = 0
    for supporter in supporters:
        if invite_supporter(supporter, quarter=quarter, questionnaire=questionnaire):
            invited += 1
    return invited
