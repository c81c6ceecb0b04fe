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
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from feedback import tokens
from feedback.models import Audience, Invitation, Questionnaire
from feedback.questionnaire_defaults import SLUG_FOR_PERSON_KIND, SUPPORTER_SLUG
from feedback.services import questionnaire
from incidents.models import ReviewStatus
from peersupport import outbox
from peersupport.models import Message
from peersupport.timing import due_after
from supporters.models import (
    CloseReason,
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


def _schedule(invitation, kinds, channels, *, person=None, user=None, nation, tag):
    """The invitation now, and its reminder when the survey-reminder rule says."""
    invite_kind, remind_kind = kinds
    for channel in channels:
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
            anchor=invitation.created_at,
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


def invite_person(person, *, offer=None, review=None) -> Invitation | None:
    """Invite one affected person to say how it went; None if we may not ask them."""
    if not may_invite(person):
        return None
    now = timezone.now()
    nation = person.organisation.nation
    invitation = Invitation.objects.create(
        questionnaire=questionnaire_for(person),
        person=person,
        organisation=person.organisation,
        offer=offer,
        review=review,
        created_at=now,
        expires_at=_expiry(now, nation),
    )
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
        if asked.filter(review=review).exists() or asked.open().exists():
            continue
        invitation = invite_person(person, review=review)
        if invitation is not None:
            invited.append(invitation)
    return invited


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
