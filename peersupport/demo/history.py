"""Seeds 18 months of the demo's history (`seed_history`), so every chart on the measures
dashboard has points under `make run`: people logged every month in both organisations, with
their reviews, consent, offers, answers, support and contacts, the supporters' check-ins,
supervision and a short spell when two were off sick. The plan is in
`peersupport.demo.history_plan`.

Bulk inserts, dated when each thing happened: the review and person history rows are dated
to match, and every status row at its moment; no audit events or messages (this history was
never lived). It also gives the realistic people logged before this month who have consent
and no story an offer made within a few working days, so nobody waits months.

Deterministic (a seeded `random.Random`) and keyed on the first history review: safe to run
twice.
"""

import random
from datetime import date, timedelta

from django.utils import timezone

from incidents.deadlines import compute_deadlines
from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    AffectedPerson,
    Category,
    Channel,
    Consent,
    ConsentMethod,
    ConsentRecord,
    DeadlineRule,
    HarmLevel,
    Nation,
    Organisation,
    PersonKind,
    Review,
    ReviewStatusChange,
)
from peersupport.demo.common import day_at, weighted
from peersupport.demo.history_plan import (
    DECLINE_MONTHS,
    LATE_IN_SHORT_MONTH,
    MONTHS,
    PER_MONTH,
    SHORT_MONTH,
    SPECIALIST_MONTHS,
    Plan,
    at,
    month_start,
    plan_person,
    working_day_in,
)
from peersupport.demo.history_supporters import Supporters, checkins, off_sick, supervision
from peersupport.demo.incidents_data import (
    ENGLAND_ORG,
    INV,
    INVESTIGATOR,
    OTHER,
    SH,
    TEAM,
    TEAM_WALES,
    WALES_ORG,
    C,
    D,
    S,
)
from peersupport.demo.incidents_scale import (
    CATEGORIES,
    FAMILY_RELATIONSHIPS,
    FIRST_NAMES,
    LAST_NAMES,
    RESPONSE_TYPES,
    STAFF_ROLES,
    SUMMARIES,
    _scale_status_changes,
)
from peersupport.models import User
from supporters.models import (
    Contact,
    ContactMode,
    OfferedVia,
    OfferStatus,
    OfferStatusChange,
    SupportOffer,
)

FIRST_ENGLAND, FIRST_WALES = 3001, 4001  # history review references: LR-3001..., LR-4001...


def seed_history(today: date | None = None) -> int:
    """18 months of history for the demo organisations; returns the people added (0 when
    it is already there). Needs `seed_incidents` and `seed_supporters` first."""
    today = today or timezone.localdate()
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[ENGLAND_ORG, WALES_ORG])
    }
    if len(organisations) != 2 or Review.objects.filter(reference=f"LR-{FIRST_ENGLAND}").exists():
        return 0
    rng = random.Random("demo-history")
    off_sick(today)
    book = Supporters(today)
    people = _history_people(rng, organisations, today)
    plans = [(person, None, plan) for person, plan in people]
    plans += _realistic_people_waiting_since_before_this_month(rng, today)
    _offers(rng, plans, book)
    checkins(rng, book, today)
    supervision(book, today)
    return len(people)


# Reviews and people --------------------------------------------------------------------------


def _history_people(rng, organisations, today):
    """People logged every month for MONTHS months, with their reviews, history rows and
    consent; returns (person, plan) pairs."""
    rules = list(DeadlineRule.objects.all())
    users = {u.email: u for u in User.objects.filter(email__in=[TEAM, INVESTIGATOR, TEAM_WALES])}
    numbers = {ENGLAND_ORG: FIRST_ENGLAND, WALES_ORG: FIRST_WALES}
    phones = iter(
        [f"+447700900{n:03d}" for n in range(300, 1000)]
        + [f"+441632960{n:03d}" for n in range(300, 1000)]
    )
    reviews, groups = [], []
    for months_ago in range(MONTHS, 0, -1):
        first = month_start(today, months_ago)
        for name, key in ((ENGLAND_ORG, "england"), (WALES_ORG, "wales")):
            organisation = organisations[name]
            nation = organisation.nation
            leads = [users[TEAM], users[INVESTIGATOR]] if key == "england" else [users[TEAM_WALES]]
            kinds = [True] * PER_MONTH[key]["staff"] + [False] * PER_MONTH[key]["family"]
            if months_ago == SHORT_MONTH and key == "england":
                kinds += [False] * 4  # a busy month, too
            rng.shuffle(kinds)
            families = [n for n, staff in enumerate(kinds) if not staff]
            short = months_ago == SHORT_MONTH and key == "england"
            late = set(families[:LATE_IN_SHORT_MONTH]) if short else set()
            declines = (
                set(rng.sample(range(len(kinds)), rng.randint(2, 3)))
                if months_ago in DECLINE_MONTHS and key == "england"
                else set()
            )
            specialist = (
                {rng.randrange(len(kinds))}
                if months_ago in SPECIALIST_MONTHS and key == "england"
                else set()
            )
            index = 0
            while index < len(kinds):
                size = min(rng.choice([1, 2, 2, 3]), len(kinds) - index)
                reported = working_day_in(rng, first, nation, today)
                review = _review(
                    rng,
                    f"LR-{numbers[name]}",
                    organisation,
                    rng.choice(leads),
                    rules,
                    reported,
                    today,
                )
                numbers[name] += 1
                members = []
                for offset in range(size):
                    n = index + offset
                    logged_day = min(
                        reported + timedelta(days=rng.randint(0, 3)),
                        month_start(today, months_ago - 1) - timedelta(days=1),  # same month
                        today - timedelta(days=1),
                    )
                    logged = at(logged_day, 9 + rng.randrange(7), rng.randrange(60))
                    staff = kinds[n]
                    plan = plan_person(
                        rng, logged, months_ago, nation, staff,
                        late=n in late, declines=n in declines,
                        specialist=n in specialist,
                    )  # fmt: skip
                    members.append((_person(rng, review, staff, next(phones)), plan))
                reviews.append(review)
                groups.append(members)
                index += size
    Review.objects.bulk_create(reviews)
    for review in reviews:
        # Logged in the service the day the review was reported, not today.
        review.created_at = day_at(review.reported_date, 9)
        Review.objects.filter(pk=review.pk).update(created_at=review.created_at)
        review._history_date = day_at(review.reported_date, 9)
        review._history_user = review.lead_investigator
    Review.history.bulk_history_create(reviews)
    changes = []
    for review in reviews:
        extra = {"age": (today - review.reported_date).days, "before": None}
        changes += _scale_status_changes(rng, review, extra)
    ReviewStatusChange.objects.bulk_create(changes)
    pairs = []
    for review, members in zip(reviews, groups, strict=True):
        for person, plan in members:
            person.review_id = review.pk
            pairs.append((person, plan))
    people = [person for person, _ in pairs]
    AffectedPerson.objects.bulk_create(people)
    for person, plan in pairs:
        person._history_date = plan.logged
        person._history_user = person.created_by
        AffectedPerson.objects.filter(pk=person.pk).update(created_at=plan.logged)
        person.created_at = plan.logged
    AffectedPerson.history.bulk_history_create(people)
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            person_id=person.pk,
            kind=kind,
            decision=Consent.GIVEN,
            method=ConsentMethod.PHONE,
            recorded_at=plan.consented,
            recorded_by_id=person.created_by_id,
        )
        for person, plan in pairs
        for kind in (ConsentRecord.Kind.CONTACT, ConsentRecord.Kind.SHARE)
    )
    return pairs


def _review(rng, reference, organisation, lead, rules, reported, today) -> Review:
    age = (today - reported).days
    status = (
        C if age > 240 else weighted(rng, [(SH, 3), (D, 3), (C, 2)]) if age > 120
        else weighted(rng, [(INV, 3), (D, 1)]) if age > 45 else weighted(rng, [(S, 1), (INV, 2)])
    )  # fmt: skip
    category = weighted(rng, CATEGORIES)
    died = category in (Category.DEATH, Category.SUICIDE, Category.HOMICIDE)
    review = Review(
        organisation=organisation,
        reference=reference,
        datix_ref=f"W{rng.randint(100000, 999999)}",
        incident_date=reported - timedelta(days=rng.randint(0, 4)),
        reported_date=reported,
        service=rng.choice(list(organisation.services.all())),
        category=category,
        response_type=weighted(rng, RESPONSE_TYPES),
        harm_level=HarmLevel.DEATH if died else HarmLevel.SEVERE,
        lead_investigator=lead,
        summary=rng.choice(SUMMARIES[category]),
        status=status,
        created_by=lead,
        candour_notified_on=reported + timedelta(days=rng.randint(1, 8)),
    )
    if organisation.nation == Nation.ENGLAND:
        review.lfpse_ref = str(rng.randint(1_000_000, 9_999_999))
    if review.response_type not in SERIOUS_INCIDENT_FRAMEWORK and review.response_type != OTHER:
        agreed = reported + timedelta(days=rng.randint(90, 200))
        if status != C and agreed < today:
            agreed = today + timedelta(days=rng.randint(7, 120))  # a new timeframe agreed
        review.family_agreed_due_on = agreed
    if status == C:
        review.closed_on = reported + timedelta(days=rng.randint(120, max(121, age - 14)))
    if status in (SH, C):
        review.report_sent_on = (review.closed_on or today) - timedelta(days=rng.randint(7, 30))
    for field, value in compute_deadlines(review, rules).items():
        setattr(review, field, value)
    return review


def _person(rng, review, staff, phone) -> AffectedPerson:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    person = AffectedPerson(
        review=review,
        organisation_id=review.organisation_id,
        full_name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}@example.com",
        phone=phone,
        consent_to_contact=Consent.GIVEN,
        consent_to_share=Consent.GIVEN,
        created_by_id=review.lead_investigator_id,
    )
    if staff:
        person.kind = PersonKind.STAFF
        person.staff_role, person.staff_team = rng.choice(STAFF_ROLES)
        person.preferred_channel = Channel.EMAIL
    elif review.harm_level == HarmLevel.DEATH or rng.random() < 0.5:
        person.kind = PersonKind.FAMILY
        person.relationship = rng.choice(FAMILY_RELATIONSHIPS)
        person.bereaved = review.harm_level == HarmLevel.DEATH
    else:
        person.kind = PersonKind.SERVICE_USER
        person.relationship = "Service user"
    return person


def _realistic_people_waiting_since_before_this_month(rng, today):
    """The realistic people with consent and no story, logged before this month: offered
    within a few working days of being logged, as the history's people were."""
    first = month_start(today, 0)
    offers = SupportOffer.objects.filter(
        status=OfferStatus.NEEDS_SUPPORTER,
        person__review__reference__startswith="LR-",
        person__created_at__lt=day_at(first, 0),
    ).select_related("person__organisation")
    found = []
    for offer in offers.order_by("person__created_at", "pk"):
        person = offer.person
        logged = person.created_at
        months_ago = (first.year - logged.year) * 12 + first.month - logged.month
        plan = plan_person(
            rng, logged, months_ago, person.organisation.nation, person.kind == PersonKind.STAFF
        )
        plan.consented = offer.created_at
        found.append((person, offer, plan))
    return found


# Offers, support and contacts ----------------------------------------------------------------


def _offers(rng, plans, book):
    """Each person's offer, its status rows and their contacts with their supporter."""
    # Offers not yet answered or started first: they cannot have ended, so they take today's
    # places before support that could have come to an end already.
    plans = sorted(plans, key=lambda item: (not _waiting_now(item[2]), item[2].offered))
    new, existing = [], []
    for person, offer, plan in plans:
        ongoing = plan.closed is None and plan.outcome != "declined"  # assigned still
        supporter = book.choose(rng, person, plan.offered, ongoing)
        if supporter is None:
            continue
        if ongoing and plan.active is not None and not book.room_now(supporter):
            plan.still_supported = False
            plan.closed = max(plan.active + timedelta(days=3), timezone.now() - timedelta(days=3))
        end = plan.closed or (plan.answered if plan.outcome == "declined" else None)
        book.load[supporter.pk].append((plan.offered, end))
        status = (
            OfferStatus.DECLINED if plan.outcome == "declined"
            else OfferStatus.CLOSED if plan.closed else OfferStatus.ACTIVE if plan.active
            else OfferStatus.ACCEPTED if plan.answered else OfferStatus.OFFERED
        )  # fmt: skip
        fields = {
            "supporter": supporter,
            "status": status,
            "offered_via": rng.choice([OfferedVia.PHONE, OfferedVia.EMAIL, OfferedVia.SMS]),
            "offered_at": plan.offered,
            "answered_at": plan.answered,
            "closed_at": plan.closed,
            "close_reason": plan.close_reason if plan.closed else "",
            "decline_reason": "Would rather not, for now."
            if status == OfferStatus.DECLINED
            else "",
            "created_at": plan.consented,
            "created_by_id": person.created_by_id,
        }
        if offer is None:
            offer = SupportOffer(person_id=person.pk, **fields)
            new.append((offer, plan))
        else:
            for name, value in fields.items():
                setattr(offer, name, value)
            existing.append((offer, plan))
    SupportOffer.objects.bulk_create([offer for offer, _ in new])
    SupportOffer.objects.bulk_update(
        [offer for offer, _ in existing],
        ["supporter", "status", "offered_via", "offered_at", "answered_at", "closed_at",
         "close_reason", "decline_reason"],
    )  # fmt: skip
    changes, contacts = [], []
    for offers, first in ((new, True), (existing, False)):
        for offer, plan in offers:
            changes += _status_rows(offer, plan, first=first)
            contacts += _contacts(rng, offer, plan)
    OfferStatusChange.objects.bulk_create(changes)
    Contact.objects.bulk_create(contacts)


def _waiting_now(plan: Plan) -> bool:
    return plan.closed is None and plan.active is None and plan.outcome != "declined"


def _status_rows(offer, plan: Plan, first: bool):
    steps = [(OfferStatus.NEEDS_SUPPORTER, plan.consented)] if first else []
    steps.append((OfferStatus.OFFERED, plan.offered))
    if plan.answered:
        steps.append(
            (offer.status if plan.outcome == "declined" else OfferStatus.ACCEPTED, plan.answered)
        )
    if plan.active:
        steps.append((OfferStatus.ACTIVE, plan.active))
    if plan.closed:
        steps.append((OfferStatus.CLOSED, plan.closed))
    rows, before = [], "" if first else OfferStatus.NEEDS_SUPPORTER
    for status, when in steps:
        rows.append(
            OfferStatusChange(
                offer_id=offer.pk, from_status=before, to_status=status, changed_at=when,
                changed_by=offer.supporter.user if status == OfferStatus.ACTIVE else None,
            )
        )  # fmt: skip
        before = status
    return rows


def _contacts(rng, offer, plan: Plan):
    if plan.active is None:
        return []
    day = timezone.localdate(plan.active)
    last = (
        timezone.localdate(plan.closed) if plan.closed else timezone.localdate() - timedelta(days=1)
    )
    rows = []
    while day <= last:
        rows.append(
            Contact(
                offer_id=offer.pk,
                supporter_id=offer.supporter_id,
                happened_on=day,
                mode=rng.choice(
                    [
                        ContactMode.PHONE,
                        ContactMode.PHONE,
                        ContactMode.IN_PERSON,
                        ContactMode.MESSAGE,
                    ]
                ),
                minutes=rng.choice([15, 30, 45, 60]),
                topics=["emotional"],
                created_at=day_at(day, 17),
            )
        )
        day += timedelta(days=rng.randint(6, 15))
    return rows
