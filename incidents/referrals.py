"""People asking for support themselves: the public forms' requests (from staff, and from bereaved
families and service users), and the team turning one into a person affected with an offer of
support.

A request needs no account. It lands on its organisation's work queue at once, and the person
gets an acknowledgement by email if they gave an address (with only a phone number, the team
phones them). Nothing about the sender's computer is kept: the audit row has no address either.

The team does one of two things with a request: adds the person, or links it to someone already
on a review, and offers support (`convert_referral`), or closes it with a reason (`close_referral`): a second request from the
same person, one made in error, or one this service cannot help with. The person who asked is
told, kindly and without any detail of a review, if they gave a way to reach them
(`closing_channel`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import (
    AffectedPerson,
    Consent,
    ConsentMethod,
    ConsentRecord,
    PersonKind,
    ReferralCloseReason,
    ReferralContactHow,
    SelfReferral,
)
from incidents.validators import display_phone, is_mobile
from peersupport import audit, outbox
from peersupport.contact_windows import next_allowed

ACKNOWLEDGEMENT = "referral_acknowledgement"
FAMILY_ACKNOWLEDGEMENT = "family_request_acknowledgement"
CLOSED = "referral_closed"

REFERRAL_FIELDS = (
    "kind",
    "review_reference",
    "needs",
    "organisation",
    "name",
    "email",
    "phone",
    "team",
    "what_happened",
    "event_date",
    "contact_how",
    "contact_when",
)


@transaction.atomic
def submit_referral(**data) -> SelfReferral:
    """Save a request for support and acknowledge it by email when there is an address."""
    unknown = set(data) - set(REFERRAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields for a request for support: {sorted(unknown)}")
    referral = SelfReferral(**data)
    referral.full_clean(exclude=["review", "converted_person", "converted_by"])
    if referral.from_staff and not (referral.team.strip() and referral.what_happened.strip()):
        raise ValidationError("A request from staff needs their team and what happened.")
    referral.save()
    if referral.email:
        kind = ACKNOWLEDGEMENT if referral.from_staff else FAMILY_ACKNOWLEDGEMENT
        outbox.enqueue(kind, "email", cause=referral)
    audit.record(
        "referral.received", obj=referral, kind=referral.kind, contact_how=referral.contact_how
    )
    return referral


@transaction.atomic
def convert_referral(
    referral: SelfReferral, *, by, review=None, person=None, request=None
) -> AffectedPerson:
    """Turn a request into a person affected, or link it to `person`, someone already on the
    review; either way with consent given by the request itself (two consent records). Recording
    that consent opens their offer of support (needs a supporter).

    A family member or service user is linked to a review: their support is about it."""
    referral = SelfReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_converted:
        raise ValidationError("This request has already been added as a person affected.")
    if referral.closed_at is not None:
        raise ValidationError(
            "This request was closed, so it cannot be added as a person affected."
            " If they still want support, ask them to send a new request."
        )
    if review is not None and review.organisation_id != referral.organisation_id:
        raise ValidationError({"review": "Choose a review of the organisation they work for"})
    if review is None and not referral.from_staff:
        raise ValidationError({"review": "Choose the review this request is about"})
    linked = person is not None
    if linked:
        _check_can_link(referral, person, review)
        _fill_in_contact(person, referral)
    else:
        person = AffectedPerson(
            kind=referral.kind,
            organisation=referral.organisation,
            review=review,
            full_name=" ".join(referral.name.split()),
            email=referral.email,
            phone=referral.phone,
            staff_team=referral.team,
            preferred_channel=referral.contact_how,
            safe_times=referral.contact_when,
            accessibility_needs=referral.needs,
        )
    services.save_person(person, by=by, request=request)
    for kind in (ConsentRecord.Kind.CONTACT, ConsentRecord.Kind.SHARE):
        services.record_consent(
            person, kind, Consent.GIVEN, ConsentMethod.SELF_REFERRAL, by=by, request=request
        )
    referral.review = review
    referral.converted_person = person
    referral.converted_at = timezone.now()
    referral.converted_by = by
    referral.save()
    audit.record(
        "referral.converted",
        request=request,
        actor=by,
        obj=referral,
        person=person.pk,
        review=review.pk if review is not None else None,
        linked=linked,
    )
    return person


def _check_can_link(referral: SelfReferral, person: AffectedPerson, review) -> None:
    """Only someone on the chosen review, not a member of staff, and not already linked."""
    if review is None or person.review_id != review.pk:
        raise ValidationError({"person": "Choose someone on the review you chose"})
    if person.kind == PersonKind.STAFF or referral.from_staff:
        raise ValidationError({"person": "Only a family member or service user can be linked"})
    if SelfReferral.objects.filter(converted_person=person).exists():
        raise ValidationError({"person": "Another request is already linked to this person"})


def _fill_in_contact(person: AffectedPerson, referral: SelfReferral) -> None:
    """What the request adds to the team's record: only what the record lacks, so nothing the
    team wrote is overwritten."""
    if not person.email:
        person.email = referral.email
    if not person.phone:
        person.phone = referral.phone
    if not person.safe_times:
        person.safe_times = referral.contact_when
    if not person.accessibility_needs:
        person.accessibility_needs = referral.needs
    reachable = {"email": person.email, "phone": person.phone, "sms": person.phone}
    if reachable.get(referral.contact_how):
        person.preferred_channel = referral.contact_how


def closing_channel(referral: SelfReferral) -> str | None:
    """How the person who asked is told that their request was closed: "email", "sms", or None
    when nothing can be sent and the team must phone them.

    - Email whenever they gave an address, whichever way they chose to be contacted: it is the
      least intrusive way to tell them, and where their acknowledgement went.
    - Otherwise a text, if they gave a UK mobile number and asked for a text or a call: either
      way they gave us that number to reach them, and a short text about a closed request is
      gentler than an unexpected call. Only while text messages are switched on
      (settings.SMS_PROVIDER).
    - Otherwise (a landline, or text messages switched off) None: a call is the team's to make.
    """
    if referral.email:
        return "email"
    wants_phone = referral.contact_how in (ReferralContactHow.SMS, ReferralContactHow.PHONE)
    if wants_phone and _takes_texts(referral.phone) and getattr(settings, "SMS_PROVIDER", ""):
        return "sms"
    return None


def _takes_texts(phone: str) -> bool:
    return bool(phone) and is_mobile(phone)


@transaction.atomic
def close_referral(referral: SelfReferral, *, by, reason, request=None) -> str | None:
    """Close a request without adding the person, with a reason, and tell the person who asked
    if we can (`closing_channel`, whose answer is returned: None means the team must phone them).

    Only a request still waiting can be closed: one already added or closed is refused. The
    audit row keeps the reason and how they were told, never their details. A text is held to
    the hours for text messages (08:00 to 20:00): the outbox applies them only to people."""
    referral = SelfReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_converted:
        raise ValidationError(
            "This request has already been added as a person affected, so it cannot be closed."
        )
    if referral.closed_at is not None:
        raise ValidationError("This request has already been closed.")
    if reason not in ReferralCloseReason.values:
        raise ValidationError({"reason": "Select why you are closing this request"})
    referral.closed_at = timezone.now()
    referral.closed_by = by
    referral.close_reason = reason
    referral.save(update_fields=["closed_at", "closed_by", "close_reason"])
    channel = closing_channel(referral)
    if channel is not None:
        due_at = next_allowed(None, "sms", timezone.now())[0] if channel == "sms" else None
        outbox.enqueue(CLOSED, channel, cause=referral, due_at=due_at)
    audit.record(
        "referral.closed",
        request=request,
        actor=by,
        obj=referral,
        reason=str(reason),
        told_by=channel or "phone",
    )
    return channel


# The acknowledgement email -----------------------------------------------------------------


def _referral(message) -> SelfReferral:
    return SelfReferral.objects.select_related("organisation").get(pk=message.cause_id)


def _acknowledgement_context(message) -> dict:
    referral = _referral(message)
    return {
        "name": referral.name.split()[0] if referral.name.split() else "",
        "organisation": referral.organisation,
        "phone": display_phone(referral.organisation.phone),
        "contact_how": referral.get_contact_how_display().lower(),
        "site_url": settings.SITE_URL,
        "about_path": reverse("public:about"),
    }


def _still_there(message) -> str | None:
    """The acknowledgement goes unless the request was removed, or closed before it went (the
    closing message says what they need to know)."""
    closed_at = SelfReferral.objects.filter(pk=message.cause_id).values_list("closed_at", flat=True)
    if not closed_at:
        return "The request for support was removed."
    if closed_at[0] is not None:
        return "The request for support was closed."
    return None


def _family_acknowledgement_context(message) -> dict:
    return {
        **_acknowledgement_context(message),
        "families_path": reverse("public:families"),
    }


def _acknowledgement_recipient(message) -> str:
    return SelfReferral.objects.values_list("email", flat=True).get(pk=message.cause_id)


# The message saying a request was closed ------------------------------------------------------


def _closed_context(message) -> dict:
    referral = _referral(message)
    reason = referral.close_reason
    return {
        **_acknowledgement_context(message),
        "duplicate": reason == ReferralCloseReason.DUPLICATE,
        "in_error": reason == ReferralCloseReason.IN_ERROR,
        "not_for_service": reason == ReferralCloseReason.NOT_FOR_THIS_SERVICE,
        "family": not referral.from_staff,
        "ask_path": reverse(
            "public:referral_form" if referral.from_staff else "public:family_request"
        ),
    }


def _still_closed(message) -> str | None:
    closed_at = SelfReferral.objects.filter(pk=message.cause_id).values_list("closed_at", flat=True)
    if not closed_at:
        return "The request for support was removed."
    if closed_at[0] is None:
        return "The request for support is no longer closed."
    return None


def _closed_recipient(message) -> str:
    """Their email address, or for a text their phone number: looked up when sending."""
    field = "phone" if message.channel == "sms" else "email"
    return SelfReferral.objects.values_list(field, flat=True).get(pk=message.cause_id)


def register():
    outbox.register(
        ACKNOWLEDGEMENT,
        context=_acknowledgement_context,
        check=_still_there,
        recipient=_acknowledgement_recipient,
    )
    outbox.register(
        FAMILY_ACKNOWLEDGEMENT,
        context=_family_acknowledgement_context,
        check=_still_there,
        recipient=_acknowledgement_recipient,
    )
    outbox.register(
        CLOSED, context=_closed_context, check=_still_closed, recipient=_closed_recipient
    )
