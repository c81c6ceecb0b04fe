"""Message kinds about support offers: how each builds its context, and what must still hold
just before it is sent (otherwise the outbox cancels it)."""

from django.conf import settings
from django.urls import reverse

from incidents.validators import display_phone
from peersupport import outbox
from supporters.models import OfferStatus, SupportOffer


def _offer(message) -> SupportOffer:
    return SupportOffer.objects.select_related("person__organisation", "supporter__user").get(
        pk=message.cause_id
    )


def person_message_context(person, supporter):
    """What a letter or email to a person about their supporter may say: first names only."""
    organisation = person.organisation
    return {
        "person": person,
        "name": person.preferred_name or person.full_name.split()[0],
        "supporter_first_name": supporter.public_first_name or supporter.user.first_name,
        "organisation": organisation,
        "phone": display_phone(organisation.phone),
    }


def _person_context(message):
    offer = _offer(message)
    return person_message_context(offer.person, offer.supporter)


def _supporter_context(message):
    offer = _offer(message)
    return {
        "supporter": offer.supporter,
        "link": reverse("supporters:my_people"),
        "site_url": settings.SITE_URL,
    }


def _still_offered(message):
    offer = _offer(message)
    if offer.status not in (OfferStatus.OFFERED, OfferStatus.NO_RESPONSE):
        return f"The offer is now {offer.get_status_display().lower()}."
    return None


def _still_supported(message):
    offer = _offer(message)
    if offer.status in (OfferStatus.CLOSED, OfferStatus.DECLINED, OfferStatus.LATER):
        return f"The support is now {offer.get_status_display().lower()}."
    return None


def register():
    outbox.register("offer_to_person", context=_person_context, check=_still_offered)
    outbox.register("new_supporter_to_person", context=_person_context, check=_still_supported)
    outbox.register("supporter_assigned", context=_supporter_context, check=_still_supported)


def _concern_context(message):
    from supporters.models import Concern

    concern = Concern.objects.select_related("offer__person").get(pk=message.cause_id)
    return {
        "concern": concern,
        "link": reverse("oversight:concern_detail", args=[concern.pk]),
        "site_url": settings.SITE_URL,
    }


def _concern_still_open(message):
    from supporters.models import Concern

    if Concern.objects.filter(pk=message.cause_id, acknowledged_at__isnull=False).exists():
        return "The concern has been acknowledged."
    return None


def _wellbeing_context(message):
    from supporters.models import WellbeingCheckIn

    checkin = WellbeingCheckIn.objects.select_related("supporter__user").get(pk=message.cause_id)
    return {
        "checkin": checkin,
        "supporter": checkin.supporter,
        "link": reverse("oversight:supervision"),
        "site_url": settings.SITE_URL,
    }


def register_practice():
    outbox.register("concern_raised", context=_concern_context)
    outbox.register("concern_escalated", context=_concern_context, check=_concern_still_open)
    outbox.register("wellbeing_alert", context=_wellbeing_context)
