"""Message kinds about support offers: how each builds its context, and what must still hold
just before it is sent (otherwise the outbox cancels it)."""

from django.urls import reverse

# The answer link in an offer: the tokens are made by feedback.tokens, whose model lives in the
# feedback app (pyproject.toml's import contract ignores this import, with why).
from feedback.offer_links import offer_answer_url
from incidents.models import AffectedPerson, Milestone
from incidents.validators import display_phone
from peersupport import outbox
from supporters.access import note_supervisor_missing
from supporters.models import (
    ASSIGNED_STATUSES,
    Concern,
    Contact,
    OfferStatus,
    PeerSupporter,
    SupporterStatus,
    SupportOffer,
    TrainingRecord,
    WellbeingCheckIn,
)
from supporters.wording import (
    greeting_name,
    person_first_name,
    reader_facts,
    site_url,
    supporter_first_name,
    supporter_full_name,
)


def _offer(message) -> SupportOffer:
    return SupportOffer.objects.select_related("person__organisation", "supporter__user").get(
        pk=message.cause_id
    )


def person_message_context(person, supporter):
    """What a letter or email to a person about their supporter may say: first names only, and
    the facts its wording turns on for this reader (supporters.wording.reader_facts)."""
    organisation = person.organisation
    return {
        "person": person,
        "name": person_first_name(person),
        "supporter_first_name": supporter_first_name(supporter),
        **reader_facts(person, supporter),
        "organisation": organisation,
        "phone": display_phone(organisation.phone),
    }


def _person_context(message):
    offer = _offer(message)
    return person_message_context(offer.person, offer.supporter)


def _assigned_context(message):
    """The supporter's news of someone new: greeted by name, with a link to that person's own
    page (which they may open while the offer is open), never a team page."""
    offer = _offer(message)
    return {
        "supporter": offer.supporter,
        "name": greeting_name(message.user),
        "link": reverse("supporters:my_person", args=[offer.pk]),
        "site_url": site_url(),
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
    outbox.register("offer_to_person", context=_with_answer_link, check=_still_offered)
    outbox.register("new_supporter_to_person", context=_person_context, check=_still_supported)
    outbox.register("supporter_assigned", context=_assigned_context, check=_still_supported)


def _concern_context(message):

    concern = Concern.objects.select_related("offer__person").get(pk=message.cause_id)
    return {
        "concern": concern,
        "name": greeting_name(message.user),
        "link": reverse("oversight:concern_detail", args=[concern.pk]),
        "site_url": site_url(),
    }


def _concern_still_open(message):

    if Concern.objects.filter(pk=message.cause_id, acknowledged_at__isnull=False).exists():
        return "The concern has been acknowledged."
    return None


def _wellbeing_context(message):
    """To the supervisor: straight to the page where they follow this check-in up."""
    checkin = WellbeingCheckIn.objects.select_related("supporter__user").get(pk=message.cause_id)
    return {
        "checkin": checkin,
        "supporter": checkin.supporter,
        "supporter_name": supporter_full_name(checkin.supporter),
        "name": greeting_name(message.user),
        "link": reverse("oversight:checkin_follow_up", args=[checkin.pk]),
        "site_url": site_url(),
    }


def _supervisor_needed_context(message):
    offer = _offer(message)
    return {
        "supporter": offer.supporter,
        "supporter_name": supporter_full_name(offer.supporter),
        "name": greeting_name(message.user),
        "organisation": offer.person.organisation,
        "link": reverse("supporters:supporter_supervisors", args=[offer.supporter_id]),
        "site_url": site_url(),
    }


def _still_unsupervised(message):

    offer = SupportOffer.objects.select_related("person__organisation", "person__review").get(
        pk=message.cause_id
    )
    if offer.status not in ASSIGNED_STATUSES or offer.supporter_id is None:
        return f"The support is now {offer.get_status_display().lower()}."
    if not note_supervisor_missing(offer):
        return "A supervisor who may read their notes has been named."
    return None


def register_practice():
    outbox.register("concern_raised", context=_concern_context)
    outbox.register("concern_escalated", context=_concern_context, check=_concern_still_open)
    outbox.register("wellbeing_alert", context=_wellbeing_context)
    outbox.register(
        "supervisor_needed", context=_supervisor_needed_context, check=_still_unsupervised
    )


# Timing rules (supporters.reminders) ------------------------------------------------------


def _offer_or_none(message):
    return (
        SupportOffer.objects.select_related(
            "person__organisation", "person__review", "supporter__user"
        )
        .filter(pk=message.cause_id)
        .first()
    )


def _with_answer_link(message):
    offer = _offer(message)
    return {
        **person_message_context(offer.person, offer.supporter),
        "answer_url": offer_answer_url(offer),
    }


def _about_offer(message):
    """What a staff notice about one person may say: their name stays on the service. Each
    reader gets a link they may open: the supporter, that person's page for supporters; a team
    member, the person's page, or the work queue (and no name) if the person is on a restricted
    review they may not see."""
    offer = _offer(message)
    person = offer.person
    first_name = person_first_name(person)
    if message.user_id and offer.supporter_id and message.user_id == offer.supporter.user_id:
        link = reverse("supporters:my_person", args=[offer.pk])
    elif AffectedPerson.objects.visible_to(message.user).filter(pk=person.pk).exists():
        link = reverse("incidents:person_detail", args=[person.pk])
    else:
        first_name, link = "Someone", reverse("incidents:work_queue")
    context = {
        "offer": offer,
        "name": greeting_name(message.user),
        "first_name": first_name,
        "link": link,
        "site_url": site_url(),
        "rule": message.context.get("rule", message.rule),
    }
    if "milestone" in message.context:
        context["milestone"] = Milestone.objects.filter(pk=message.context["milestone"]).first()
    return context


def _still_needs_supporter(message):
    offer = _offer_or_none(message)
    if offer is None or offer.status != OfferStatus.NEEDS_SUPPORTER:
        return "The person has a supporter now, or no longer needs one."
    if not offer.person.may_be_offered_support:
        return "The person has not agreed to be contacted, or asked not to be."
    return None


def _support_under_way(message):
    offer = _offer_or_none(message)
    if offer is None or offer.status not in (OfferStatus.ACCEPTED, OfferStatus.ACTIVE):
        return "The support is no longer open."
    if offer.person.do_not_contact:
        return "The person asked not to be contacted."
    return None


def _no_contact_since(message):
    from datetime import datetime

    reason = _support_under_way(message)
    if reason:
        return reason
    since = datetime.fromisoformat(message.context["since"])
    if _offer(message).contacts.filter(created_at__gt=since).exists():
        return "A contact has been recorded since."
    return None


def _milestone_still_ahead(message):

    reason = _support_under_way(message)
    if reason:
        return reason
    milestone = Milestone.objects.filter(pk=message.context.get("milestone")).first()
    if milestone is None:
        return "The milestone was removed."
    if message.rule == "milestone-before" and milestone.completed_on is not None:
        return "The milestone has already happened."
    return None


def _supporter(message):

    return PeerSupporter.objects.select_related("user").filter(pk=message.cause_id).first()


def _own_care_context(message):
    """The supporter's own care (monthly check-in, supervision due), to the supporter or their
    supervisor: each gets wording about them and a page they may open. The supporter's check-in
    page; for supervision, the supporter's own home (the supervision pages are the team's), the
    supervisor the supervisee's page (or the supervision list, if no longer their supervisor)."""
    supporter = _supporter(message)
    for_self = supporter is not None and message.user_id == supporter.user_id
    if message.kind.startswith("wellbeing"):
        link = reverse("practice:checkin")
    elif for_self:
        link = reverse("supporters:my_people")
    elif supporter is not None and supporter.supervisor_id == message.user_id:
        link = reverse("oversight:supervisee", args=[supporter.pk])
    else:
        link = reverse("oversight:supervision")
    return {
        "supporter": supporter,
        "supporter_name": supporter_full_name(supporter) if supporter else "",
        "for_self": for_self,
        "name": greeting_name(message.user),
        "link": link,
        "site_url": site_url(),
    }


def _supporter_active(supporter):

    if supporter is None or supporter.status != SupporterStatus.ACTIVE:
        return "The supporter is not active."
    return None


def _no_checkin_since_anchor(message):
    supporter = _supporter(message)
    reason = _supporter_active(supporter)
    if reason:
        return reason
    if supporter.checkins.filter(created_at__gt=message.anchor_at).exists():
        return "A check-in has been recorded since."
    return None


def _no_supervision_since_anchor(message):
    supporter = _supporter(message)
    reason = _supporter_active(supporter)
    if reason:
        return reason
    if supporter.supervision.filter(held_on__gt=message.anchor_at.date()).exists():
        return "A supervision session has been recorded since."
    return None


def _contact_prompt_context(message):

    contact = Contact.objects.select_related("supporter__user").get(pk=message.cause_id)
    return {
        "supporter": contact.supporter,
        "name": greeting_name(message.user),
        "link": reverse("practice:checkin"),
        "site_url": site_url(),
    }


def _contact_supporter_active(message):

    contact = Contact.objects.select_related("supporter").filter(pk=message.cause_id).first()
    return _supporter_active(contact.supporter if contact else None)


def _training_context(message):

    record = TrainingRecord.objects.select_related("course", "supporter__user").get(
        pk=message.cause_id
    )
    for_self = message.user_id == record.supporter.user_id
    return {
        "record": record,
        "supporter": record.supporter,
        "supporter_name": supporter_full_name(record.supporter),
        "for_self": for_self,
        "name": greeting_name(message.user),
        "link": reverse("supporters:my_people")
        if for_self
        else reverse("supporters:supporter_detail", args=[record.supporter_id]),
        "site_url": site_url(),
    }


def _training_not_renewed(message):

    record = TrainingRecord.objects.select_related("supporter").filter(pk=message.cause_id).first()
    if record is None or record.supporter.status == SupporterStatus.LEFT:
        return "The supporter has left, or the record was removed."
    renewed = TrainingRecord.objects.filter(
        supporter=record.supporter, course=record.course, completed_on__gt=record.completed_on
    )
    if renewed.exists():
        return "The training has been renewed."
    return None


def register_reminders():
    outbox.register("offer_reminder", context=_with_answer_link, check=_still_offered)
    outbox.register("no_supporter_alert", context=_about_offer, check=_still_needs_supporter)
    outbox.register("no_supporter_escalation", context=_about_offer, check=_still_needs_supporter)
    outbox.register("offer_phone_task", context=_about_offer, check=_still_offered)
    outbox.register("support_accepted", context=_about_offer, check=_support_under_way)
    outbox.register("staff_check_in", context=_about_offer, check=_support_under_way)
    outbox.register("no_contact_nudge", context=_about_offer, check=_no_contact_since)
    outbox.register("milestone_nudge", context=_about_offer, check=_milestone_still_ahead)
    outbox.register(
        "wellbeing_prompt", context=_contact_prompt_context, check=_contact_supporter_active
    )
    outbox.register(
        "wellbeing_prompt_monthly", context=_own_care_context, check=_no_checkin_since_anchor
    )
    outbox.register(
        "supervision_due", context=_own_care_context, check=_no_supervision_since_anchor
    )
    outbox.register("training_expiring", context=_training_context, check=_training_not_renewed)
