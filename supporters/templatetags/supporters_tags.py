"""Template helpers for the supporters pages (templates/supporters/) and the Support section
of a person's page.

    {% load supporters_tags %}

Tags
* `{% person_offers person as offers %}`: every support offer for the person, newest first,
  with the supporter's user loaded.
* `{% person_concerns person user as concerns %}`: the concerns about the person that `user`
  may open (supporters.access.concerns_about_person), open ones first, with the supporter who
  raised each and who acknowledged it loaded.
* `{% my_concerns offer user as concerns %}`: on a supporter's page about a person, the
  concerns that supporter (`user`) raised about them (supporters.access.concerns_raised_by),
  newest first. Shows whether each was acknowledged and what was done, never by whom.
* `{% training_rows training today as rows %}`: a supporter's training records, each
  {"record", "state"}; `state` is current, expired, replaced (a later record of the same course
  exists) or no_expiry.

Filters
* `offers|open_offer`: the person's open offer (needs a supporter, offered, accepted, active or
  no response), or None.
* `status|offer_status_tag`, `status|supporter_status_tag`: nhsuk-tag colour classes.
* `status|offer_status_for_supporter`: how a supporter's own page names an offer's status
  ("Waiting for their answer", "Agreed to support", "Active").
* `avoid_dates|upcoming`: dates to avoid from today on, soonest first.
* `milestone|milestone_words`: a review milestone in plain words, such as
  "Final report meeting on 3 February 2027".
"""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from incidents.models import MilestoneKind
from supporters.access import concerns_about_person, concerns_raised_by, supporter_profile
from supporters.models import OPEN_OFFER_STATUSES, OfferStatus, SupporterStatus

register = template.Library()

_OFFER_TAGS = {
    OfferStatus.NEEDS_SUPPORTER: "nhsuk-tag--yellow",
    OfferStatus.OFFERED: "nhsuk-tag--blue",
    OfferStatus.ACCEPTED: "nhsuk-tag--aqua-green",
    OfferStatus.ACTIVE: "nhsuk-tag--green",
    OfferStatus.DECLINED: "nhsuk-tag--white",
    OfferStatus.LATER: "nhsuk-tag--purple",
    OfferStatus.NO_RESPONSE: "nhsuk-tag--orange",
    OfferStatus.CLOSED: "nhsuk-tag--grey",
}

_SUPPORTER_TAGS = {
    SupporterStatus.ACTIVE: "nhsuk-tag--green",
    SupporterStatus.PAUSED: "nhsuk-tag--yellow",
    SupporterStatus.IN_TRAINING: "nhsuk-tag--blue",
    SupporterStatus.LEFT: "nhsuk-tag--grey",
}

_FOR_SUPPORTER = {
    OfferStatus.OFFERED: "Waiting for their answer",
    OfferStatus.NO_RESPONSE: "Waiting for their answer",
    OfferStatus.ACCEPTED: "Agreed to support",
    OfferStatus.ACTIVE: "Active",
}

_MILESTONE_WORDS = {
    MilestoneKind.TERMS_OF_REFERENCE: "Terms of reference due to be agreed",
    MilestoneKind.FAMILY_INPUT: "Family invited to give their views",
    MilestoneKind.DRAFT_SHARED: "Draft report due to be shared",
    MilestoneKind.FINAL_MEETING: "Final report meeting",
    MilestoneKind.INQUEST: "Inquest",
}


@register.simple_tag
def person_offers(person) -> list:
    """Every support offer for the person, newest first."""
    return list(person.offers.select_related("supporter__user").order_by("-created_at", "-id"))


@register.simple_tag
def person_concerns(person, user) -> list:
    """The concerns about the person that this team user may open, open ones first."""
    if person is None or user is None:
        return []
    return list(concerns_about_person(user, person))


@register.simple_tag
def my_concerns(offer, user) -> list:
    """The concerns this supporter (`user`) raised about the offer's person, newest first."""
    if offer is None or user is None:
        return []
    concerns = concerns_raised_by(supporter_profile(user), offer.person)
    return list(concerns.order_by("-raised_at", "-pk"))


@register.filter
def open_offer(offers):
    """The open offer among these (there is at most one), or None."""
    return next((offer for offer in offers or () if offer.status in OPEN_OFFER_STATUSES), None)


@register.simple_tag
def training_rows(records, today) -> list[dict]:
    """Training records with a state for the tag beside each; records come newest first."""
    seen = set()
    rows = []
    for record in records:
        if record.course_id in seen:
            state = "replaced"
        elif record.expires_on is None:
            state = "no_expiry"
        elif today and record.expires_on < today:
            state = "expired"
        else:
            state = "current"
        seen.add(record.course_id)
        rows.append({"record": record, "state": state})
    return rows


@register.filter
def offer_status_tag(status) -> str:
    return _OFFER_TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def supporter_status_tag(status) -> str:
    return _SUPPORTER_TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def offer_status_for_supporter(status) -> str:
    return _FOR_SUPPORTER.get(status, "")


@register.filter
def milestone_words(milestone) -> str:
    if milestone is None:
        return ""
    words = _MILESTONE_WORDS.get(milestone.kind, milestone.get_kind_display())
    return f"{words} on {date_format(milestone.due_on, 'j F Y')}"


@register.filter
def upcoming(avoid_dates) -> list:
    """Dates to avoid from today on, soonest first."""
    today = timezone.localdate()
    return sorted((item for item in avoid_dates if item.date >= today), key=lambda item: item.date)
