"""Staff asking for support themselves: the public form's request, and the team turning it into a
person affected with an offer of support.

A request needs no account. It lands on its organisation's work queue at once, and the person
gets an acknowledgement by email if they gave an address (with only a phone number, the team
phones them). Nothing about the sender's computer is kept: the audit row has no address either.
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
    SelfReferral,
)
from incidents.validators import display_phone
from peersupport import audit, outbox

ACKNOWLEDGEMENT = "referral_acknowledgement"

REFERRAL_FIELDS = (
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
    referral.save()
    if referral.email:
        outbox.enqueue(ACKNOWLEDGEMENT, "email", cause=referral)
    audit.record("referral.received", obj=referral, contact_how=referral.contact_how)
    return referral


@transaction.atomic
def convert_referral(referral: SelfReferral, *, by, review=None, request=None) -> AffectedPerson:
    """Turn a request into a member of staff affected, with consent given by the request itself;
    recording that consent opens their offer of support (needs a supporter)."""
    referral = SelfReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.is_converted:
        raise ValidationError("This request has already been added as a person affected.")
    if review is not None and review.organisation_id != referral.organisation_id:
        raise ValidationError({"review": "Choose a review of the organisation they work for"})
    person = AffectedPerson(
        kind=PersonKind.STAFF,
        organisation=referral.organisation,
        review=review,
        full_name=" ".join(referral.name.split()),
        email=referral.email,
        phone=referral.phone,
        staff_team=referral.team,
        preferred_channel=referral.contact_how,
        safe_times=referral.contact_when,
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
    )
    return person


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
    if not SelfReferral.objects.filter(pk=message.cause_id).exists():
        return "The request for support was removed."
    return None


def _acknowledgement_recipient(message) -> str:
    return SelfReferral.objects.values_list("email", flat=True).get(pk=message.cause_id)


def register():
    outbox.register(
        ACKNOWLEDGEMENT,
        context=_acknowledgement_context,
        check=_still_there,
        recipient=_acknowledgement_recipient,
    )
