"""Seeds bulk demo support offers for a `--scale` run (`scale_offers`, called by
`peersupport.demo.supporters_scale.seed_supporter_scale`): an offer for every consenting person
of the run, with what became of it drawn by the review's state, and the offer's status rows.
Multi-row inserts: no audit events or messages. For benchmarks only.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from incidents.models import (
    AffectedPerson,
    Consent,
    PersonKind,
    ReviewStatus,
)
from peersupport.demo.common import day_at, insert_rows, weighted
from peersupport.demo.incidents_scale import SCALE_PREFIX
from peersupport.demo.supporters_data import (
    ACTIVE,
    IN_TRAINING,
    LIVED,
    STAFF,
)
from supporters.models import (
    ASSIGNED_STATUSES,
    CloseReason,
    OfferedVia,
    OfferStatus,
    OfferStatusChange,
    SupportOffer,
)

# fmt: off
# What became of an offer, by the review's state. "reassigned" closes one offer and opens
# another; "unmatched" closed with the review before anyone was assigned. Most support that
# closes has come to a natural end.
OUTCOMES_CLOSED_REVIEW = [
    ("natural_end", 40), ("review_closed", 10), ("persons_choice", 12), ("specialist", 8),
    (OfferStatus.DECLINED, 10), ("unmatched", 10),
]
OUTCOMES_OPEN_REVIEW = [
    (OfferStatus.NEEDS_SUPPORTER, 10), (OfferStatus.OFFERED, 8), (OfferStatus.NO_RESPONSE, 4),
    (OfferStatus.ACCEPTED, 10), (OfferStatus.ACTIVE, 30), (OfferStatus.DECLINED, 9),
    (OfferStatus.LATER, 8), ("natural_end", 4), ("persons_choice", 2), ("specialist", 6),
    ("reassigned", 6),
]
OUTCOMES_NEW_REVIEW = [(OfferStatus.NEEDS_SUPPORTER, 75), (OfferStatus.OFFERED, 25)]
# There are far fewer supporters than people (300 for 30,000), so most assignments of older
# reviews have ended by now: when every supporter is full, the support has mostly closed.
OUTCOMES_WHEN_FULL = [
    ("natural_end", 40), ("persons_choice", 15), ("specialist", 10), (OfferStatus.DECLINED, 10),
    (OfferStatus.LATER, 10), (OfferStatus.NEEDS_SUPPORTER, 15),
]
PATHS = {
    OfferStatus.NEEDS_SUPPORTER: ["needs_supporter"],
    OfferStatus.OFFERED: ["needs_supporter", "offered"],
    OfferStatus.NO_RESPONSE: ["needs_supporter", "offered", "no_response"],
    OfferStatus.ACCEPTED: ["needs_supporter", "offered", "accepted"],
    OfferStatus.ACTIVE: ["needs_supporter", "offered", "accepted", "active"],
    OfferStatus.DECLINED: ["needs_supporter", "offered", "declined"],
    OfferStatus.LATER: ["needs_supporter", "offered", "later"],
    "natural_end": ["needs_supporter", "offered", "accepted", "active", "closed"],
    "review_closed": ["needs_supporter", "offered", "accepted", "active", "closed"],
    "persons_choice": ["needs_supporter", "offered", "accepted", "active", "closed"],
    "specialist": ["needs_supporter", "offered", "accepted", "active", "closed"],
    "reassigned": ["needs_supporter", "offered", "accepted", "active", "closed"],
    "unmatched": ["needs_supporter", "closed"],
}
# fmt: on
POOL_FOR_KIND = {
    PersonKind.STAFF: STAFF,
    PersonKind.FAMILY: LIVED,
    PersonKind.SERVICE_USER: LIVED,
}


class _Slots:
    """Supporters with room, by organisation and pool, for assignments that are still open."""

    def __init__(self, supporters):
        self.free = defaultdict(list)  # (organisation id, pool) -> [supporter, room]
        self.anyone = defaultdict(list)  # (organisation id, pool) -> supporters ever active
        for supporter in supporters:
            for organisation in supporter._serves:
                key = (organisation.pk, supporter.pool)
                if supporter.status != IN_TRAINING:
                    self.anyone[key].append(supporter)
                if supporter.status == ACTIVE:
                    self.free[key].append([supporter, supporter.capacity])

    def take(self, rng, key):
        free = self.free[key]
        while free:
            index = rng.randrange(len(free))
            slot = free[index]
            if slot[1] > 0:
                slot[1] -= 1
                return slot[0]
            free[index] = free[-1]
            free.pop()
        return None

    def any(self, rng, key):
        return rng.choice(self.anyone[key]) if self.anyone[key] else None


OFFER_COLUMNS = [
    "person", "supporter", "status", "offered_via", "offered_at", "answered_at",
    "decline_reason", "contact_again_on", "close_reason", "closed_at", "pool_override_reason",
    "preference_override_reason", "created_at", "created_by",
]  # fmt: skip
CHANGE_COLUMNS = ["offer", "from_status", "to_status", "note", "changed_at", "changed_by"]


def scale_offers(rng, run, supporters, today, now, batch_size, result):
    people = (
        AffectedPerson.objects.filter(
            review__reference__startswith=f"{SCALE_PREFIX}{run:04d}-",
            consent_to_contact=Consent.GIVEN,
            do_not_contact=False,
        )
        .order_by("id")
        .values_list(
            "id",
            "kind",
            "review__organisation_id",
            "review__status",
            "review__reported_date",
            "review__closed_on",
            "review__lead_investigator_id",
        )
    )
    at = connection.ops.adapt_datetimefield_value
    on = connection.ops.adapt_datefield_value
    slots = _Slots(supporters)
    offers, paths, reassigned = [], {}, []
    for person_id, kind, organisation_id, review_status, reported, closed_on, lead in people:
        key = (organisation_id, POOL_FOR_KIND[kind])
        age = (today - reported).days
        if review_status == ReviewStatus.CLOSED:
            outcome = weighted(rng, OUTCOMES_CLOSED_REVIEW)
        elif age < 4:
            outcome = weighted(rng, OUTCOMES_NEW_REVIEW)
        else:
            outcome = weighted(rng, OUTCOMES_OPEN_REVIEW)
        supporter = None
        if outcome in ASSIGNED_STATUSES:
            supporter = slots.take(rng, key)
            if supporter is None:
                outcome = (
                    OfferStatus.NEEDS_SUPPORTER if age < 60 else weighted(rng, OUTCOMES_WHEN_FULL)
                )
        if outcome not in (OfferStatus.NEEDS_SUPPORTER, "unmatched") and supporter is None:
            supporter = slots.any(rng, key)
            if supporter is None:
                outcome = "unmatched" if review_status == ReviewStatus.CLOSED else "needs_supporter"
        new_supporter = None
        if outcome == "reassigned":
            new_supporter = slots.take(rng, key)
            if new_supporter is None or new_supporter is supporter:
                outcome, new_supporter = "persons_choice", None

        # Timeline: consent a week after the report, then offered, answered, first contact.
        created = min(day_at(min(reported + timedelta(days=7), today), 11), now)
        end = min(day_at(closed_on, 16), now) if closed_on else now
        span = max((end - created).total_seconds(), 3600)
        path = PATHS[outcome]
        times = [created] + sorted(
            created + timedelta(seconds=span * rng.random()) for _ in path[1:]
        )
        offered_via = offered_at = answered_at = closed_at = contact_again_on = None
        decline_reason = close_reason = ""
        if len(path) > 1 and path[1] == OfferStatus.OFFERED:
            offered_via = OfferedVia.EMAIL if rng.random() < 0.7 else OfferedVia.PHONE
            offered_at = times[1]
        if len(path) > 2 and path[2] in ("accepted", "declined", "later"):
            answered_at = times[2]
        if outcome == OfferStatus.DECLINED:
            decline_reason = rng.choice(["", "", "Not right now.", "Has enough support."])
        if outcome in (OfferStatus.DECLINED, OfferStatus.LATER):
            closed_at = times[2]
        if outcome == OfferStatus.LATER:
            contact_again_on = timezone.localdate(times[2]) + timedelta(weeks=4)
        if path[-1] == "closed":
            closed_at = times[-1]
            unmatched = outcome in ("review_closed", "unmatched")
            close_reason = CloseReason.REVIEW_CLOSED if unmatched else outcome
        offers.append(
            (
                person_id,
                supporter.pk if supporter is not None and outcome != "needs_supporter" else None,
                path[-1],
                offered_via or "",
                at(offered_at),
                at(answered_at),
                decline_reason,
                on(contact_again_on),
                close_reason,
                at(closed_at),
                "",
                "",
                at(created),
                lead,
            )
        )
        paths[person_id] = (path, times, lead)
        if new_supporter is not None:
            reassigned.append((person_id, new_supporter, times[-1], answered_at, lead))
        result.by_status[path[-1]] += 1

    # Each scale person had no offer before, so their one offer is found again by person.
    insert_rows(SupportOffer, OFFER_COLUMNS, offers, batch_size)
    ids = dict(
        SupportOffer.objects.filter(
            person__review__reference__startswith=f"{SCALE_PREFIX}{run:04d}-"
        ).values_list("person_id", "id")
    )
    changes = []
    for person_id, (path, times, lead) in paths.items():
        offer_id, previous = ids[person_id], ""
        for status, when in zip(path, times, strict=True):
            changes.append((offer_id, previous, status, "", at(when), lead))
            previous = status

    replacements = [
        SupportOffer(
            person_id=person_id,
            supporter=supporter,
            status=OfferStatus.ACTIVE,
            offered_via=OfferedVia.PHONE,
            offered_at=when,
            answered_at=answered_at,
            previous_id=ids[person_id],
            created_at=when,
            created_by_id=lead,
        )
        for person_id, supporter, when, answered_at, lead in reassigned
    ]
    SupportOffer.objects.bulk_create(replacements, batch_size=batch_size)
    for offer in replacements:
        changes.append(
            (
                offer.pk,
                "",
                OfferStatus.ACTIVE,
                "Reassigned",
                at(offer.created_at),
                offer.created_by_id,
            )
        )
        result.by_status[OfferStatus.ACTIVE] += 1
    insert_rows(OfferStatusChange, CHANGE_COLUMNS, changes, batch_size)
    result.offers = len(offers) + len(replacements)
    result.status_changes = len(changes)
