"""Seeds bulk demo reviews for benchmarks (`seed_scale`): any number of extra reviews, about 3
people and 1 milestone each, with `bulk_create`.

Bulk inserts skip django-simple-history and audit events: this is for load, never for a live
service. Needs the demo organisations (`peersupport.demo.incidents.seed_incidents`).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q
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
    Milestone,
    Nation,
    Organisation,
    PersonKind,
    Review,
    ReviewStatusChange,
    TeamMember,
)
from peersupport.demo.common import day_at, weighted
from peersupport.demo.incidents_data import (
    AAR,
    DRAFT,
    ENGLAND_ORG,
    FAMILY_INPUT,
    FINAL,
    INQUEST,
    INV,
    OTHER,
    PATH,
    PSII,
    SH,
    SI_CONCISE,
    SI_FULL,
    SWARM,
    THEMATIC,
    TOR,
    WALES_ORG,
    C,
    D,
    L,
    P,
    S,
)

SCALE_PREFIX = "SC-"

# fmt: off
FIRST_NAMES = [
    "Amy", "Andrew", "Carol", "Chris", "Claire", "Daniel", "David", "Debbie", "Emma", "Gary",
    "Hannah", "Helen", "Ian", "Jack", "James", "Jane", "Jenny", "John", "Karen", "Kate", "Kevin",
    "Laura", "Lee", "Lisa", "Mark", "Matthew", "Michelle", "Natalie", "Neil", "Nicola", "Paul",
    "Rachel", "Richard", "Sarah", "Scott", "Sophie", "Stephen", "Susan", "Tom", "Wendy",
]
LAST_NAMES = [
    "Ashworth", "Bamber", "Barlow", "Birtwistle", "Bradshaw", "Brierley", "Catterall", "Cowell",
    "Crossley", "Duckworth", "Eccles", "Entwistle", "Fletcher", "Gaskell", "Greenhalgh",
    "Hartley", "Haworth", "Hesketh", "Holden", "Holt", "Ingham", "Kershaw", "Lomax", "Marsden",
    "Moss", "Parkinson", "Pilkington", "Rawcliffe", "Rigby", "Sharples", "Sutcliffe",
    "Tattersall", "Whittaker", "Whitworth", "Hughes", "Jones", "Pritchard", "Parry", "Lloyd",
]
SUMMARIES = {
    Category.DEATH: [
        "Unexpected death of an inpatient.",
        "Unexpected death in the community.",
        "Unexpected death following a fall.",
    ],
    Category.SUICIDE: [
        "Suspected suicide of a person under community mental health services.",
        "Suspected suicide shortly after discharge.",
    ],
    Category.HOMICIDE: ["Homicide by a person under the care of mental health services."],
    Category.SELF_HARM: [
        "Serious self-harm in the community.",
        "Serious self-harm on an inpatient ward.",
    ],
    Category.HARM: [
        "Serious harm after a delay in treatment.",
        "Serious injury during restraint on a ward.",
    ],
    Category.OTHER: ["Thematic review of referral delays."],
}
CATEGORIES = [
    (Category.DEATH, 25), (Category.SUICIDE, 20), (Category.HOMICIDE, 2),
    (Category.SELF_HARM, 28), (Category.HARM, 20), (Category.OTHER, 5),
]
RESPONSE_TYPES = [
    (PSII, 25), (AAR, 20), (SWARM, 20), (THEMATIC, 5), (SI_FULL, 10), (SI_CONCISE, 10),
    (OTHER, 10),
]
# Status by how many days ago the review was reported.
STATUSES_BY_AGE = [
    (10, [(L, 70), (S, 30)]),
    (45, [(L, 10), (S, 40), (INV, 45), (P, 5)]),
    (150, [(S, 5), (INV, 55), (D, 25), (SH, 5), (P, 10)]),
    (300, [(INV, 20), (D, 25), (SH, 20), (C, 25), (P, 10)]),
    (10_000, [(D, 5), (SH, 10), (C, 80), (P, 5)]),
]
CONSENTS = [  # contact, share, weight
    (Consent.GIVEN, Consent.GIVEN, 50),
    (Consent.GIVEN, Consent.NOT_ASKED, 12),
    (Consent.GIVEN, Consent.REFUSED, 3),
    (Consent.NOT_ASKED, Consent.NOT_ASKED, 22),
    (Consent.REFUSED, Consent.REFUSED, 13),
]
STAFF_ROLES = [
    ("Staff nurse", "Ward 3"), ("Healthcare assistant", "Ward 2"),
    ("Community psychiatric nurse", "Community team"), ("Care coordinator", "Community team"),
    ("Crisis practitioner", "Home treatment team"), ("Midwife", "Delivery suite"),
    ("Junior doctor", "Emergency department"), ("Ward manager", "Ward 5"),
]
FAMILY_RELATIONSHIPS = ["Mother", "Father", "Partner", "Wife", "Husband", "Sister", "Brother",
                        "Son", "Daughter"]

# fmt: on


def _next_run_number() -> int:
    last = (
        Review.objects.filter(reference__startswith=SCALE_PREFIX)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    if last is None:
        return 1
    try:
        return int(last.split("-")[1]) + 1
    except (IndexError, ValueError):
        return Review.objects.filter(reference__startswith=SCALE_PREFIX).count() + 1


def _investigators(organisation) -> list:
    """The team members who lead generated reviews: not those who supervise peer supporters,
    so a supervisor is never named on a review of the people their supporters work with."""
    members = TeamMember.objects.filter(organisation=organisation).select_related("user")
    everyone = [m.user for m in members.order_by("user__email")]
    supervisors = set(
        members.filter(
            Q(user__supervised_supporters__isnull=False) | Q(user__supervises_for__isnull=False)
        ).values_list("user_id", flat=True)
    )
    return [user for user in everyone if user.pk not in supervisors] or everyone


@dataclass
class ScaleResult:
    run: int
    reviews: int = 0
    people: int = 0
    consents: int = 0
    milestones: int = 0
    status_changes: int = 0


def seed_scale(
    count: int,
    *,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> ScaleResult:
    """Add `count` reviews (about 3 people and 1 milestone each) with bulk inserts.

    References are SC-<run>-<number>, the run one more than the last, so runs never clash with
    each other or with the realistic set. Needs the demo organisations (`seed_incidents`).
    """
    today = today or timezone.localdate()
    organisations = list(
        Organisation.objects.filter(name__in=[ENGLAND_ORG, WALES_ORG]).prefetch_related("services")
    )
    if len(organisations) != 2:
        raise ValueError("Seed the demo organisations first (seed_incidents).")
    # Three in four reviews in England, one in four in Wales.
    org_choices = [
        (
            organisation,
            list(organisation.services.all()),
            _investigators(organisation),
            3 if organisation.nation == Nation.ENGLAND else 1,
        )
        for organisation in organisations
    ]
    rules = list(DeadlineRule.objects.all())
    run = _next_run_number()
    rng = random.Random(run)
    width = max(5, len(str(count)))
    result = ScaleResult(run=run)
    TeamMembers = Review.team_members.through

    with transaction.atomic():
        for start in range(0, count, batch_size):
            size = min(batch_size, count - start)
            reviews, extras = [], []
            for offset in range(size):
                organisation, org_services, team, _ = rng.choices(
                    org_choices, [choice[3] for choice in org_choices]
                )[0]
                review, extra = _scale_review(
                    rng,
                    f"{SCALE_PREFIX}{run:04d}-{start + offset + 1:0{width}d}",
                    organisation,
                    org_services,
                    team,
                    rules,
                    today,
                )
                reviews.append(review)
                extras.append(extra)
            Review.objects.bulk_create(reviews)

            changes, people, milestones, members = [], [], [], []
            for review, extra in zip(reviews, extras, strict=True):
                changes.extend(_scale_status_changes(rng, review, extra))
                people.extend(_scale_people(rng, review, today))
                milestones.extend(_scale_milestones(rng, review, today))
                if review.restricted:
                    members.extend(
                        TeamMembers(review_id=review.pk, user_id=user.pk) for user in extra["named"]
                    )
            ReviewStatusChange.objects.bulk_create(changes)
            AffectedPerson.objects.bulk_create(people)
            Milestone.objects.bulk_create(milestones)
            TeamMembers.objects.bulk_create(members)
            consents = [
                ConsentRecord(
                    person_id=person.pk,
                    kind=kind,
                    decision=decision,
                    method=ConsentMethod.PHONE,
                    recorded_at=person._consented_at,
                    recorded_by_id=person.created_by_id,
                )
                for person in people
                for kind, decision in (
                    (ConsentRecord.Kind.CONTACT, person.consent_to_contact),
                    (ConsentRecord.Kind.SHARE, person.consent_to_share),
                )
                if decision != Consent.NOT_ASKED
            ]
            ConsentRecord.objects.bulk_create(consents)

            result.reviews += len(reviews)
            result.people += len(people)
            result.consents += len(consents)
            result.milestones += len(milestones)
            result.status_changes += len(changes)
            if progress is not None:
                progress(result.reviews, count)
    return result


def _scale_review(rng, reference, organisation, org_services, team, rules, today):
    age = int(rng.triangular(0, 540, 60))
    reported = today - timedelta(days=age)
    status = weighted(rng, next(options for limit, options in STATUSES_BY_AGE if age < limit))
    category = weighted(rng, CATEGORIES)
    response_type = weighted(rng, RESPONSE_TYPES)
    if category in (Category.DEATH, Category.SUICIDE, Category.HOMICIDE):
        harm = HarmLevel.DEATH
    elif category == Category.OTHER:
        harm = rng.choice([HarmLevel.LOW, HarmLevel.NONE])
    else:
        harm = rng.choice([HarmLevel.SEVERE, HarmLevel.SEVERE, HarmLevel.MODERATE])
    lead = rng.choice(team)
    restricted = rng.random() < 0.02
    review = Review(
        organisation=organisation,
        reference=reference,
        datix_ref=f"W{rng.randint(100000, 999999)}",
        incident_date=reported - timedelta(days=rng.randint(0, 6)),
        reported_date=reported,
        service=rng.choice(org_services),
        category=category,
        response_type=response_type,
        harm_level=harm,
        lead_investigator=lead,
        summary=rng.choice(SUMMARIES[category]),
        restricted=restricted,
        status=status,
        created_by=lead,
    )
    if organisation.nation == Nation.ENGLAND:
        review.lfpse_ref = str(rng.randint(1_000_000, 9_999_999))
    if response_type in SERIOUS_INCIDENT_FRAMEWORK:
        review.steis_ref = f"{reported.year}/{rng.randint(10000, 99999)}"
        if age > 3 and rng.random() < 0.95:
            review.initial_report_sent_on = reported + timedelta(days=rng.randint(1, 3))
    elif response_type != OTHER and (age > 30 or rng.random() < 0.5):
        agreed = reported + timedelta(days=rng.randint(90, 200))
        if status != C and agreed < today and rng.random() < 0.85:
            agreed = today + timedelta(days=rng.randint(7, 120))  # a new timeframe agreed
        review.family_agreed_due_on = agreed
    if (age > 10 and rng.random() < 0.97) or (age > 3 and rng.random() < 0.5):
        review.candour_notified_on = min(reported + timedelta(days=rng.randint(1, 9)), today)
    if status == C:
        review.closed_on = reported + timedelta(days=rng.randint(min(age, 30), age))
    if status in (SH, C):
        sent = reported + timedelta(days=rng.randint(min(age, 20), age))
        review.report_sent_on = min(sent, review.closed_on or today)
    before = None
    if status == P:
        before = rng.choice([S, INV, INV, D])
        review.status_before_pause = before
    for field, value in compute_deadlines(review, rules).items():
        setattr(review, field, value)
    named = [lead] if restricted else []
    return review, {"age": age, "before": before, "named": named}


def _scale_status_changes(rng, review, extra):
    rows = [
        ReviewStatusChange(
            review_id=review.pk,
            to_status=L,
            changed_at=day_at(review.reported_date),
            changed_by_id=review.lead_investigator_id,
        )
    ]
    if review.status != L:
        if review.status == P:
            previous = extra["before"]
        elif review.status == C:
            previous = SH
        else:
            previous = PATH[PATH.index(review.status) - 1]
        when = review.closed_on or review.reported_date + timedelta(
            days=rng.randint(0, extra["age"])
        )
        rows.append(
            ReviewStatusChange(
                review_id=review.pk,
                from_status=previous,
                to_status=review.status,
                reason="Paused at the request of the police." if review.status == P else "",
                changed_at=day_at(when, 15),
                changed_by_id=review.lead_investigator_id,
            )
        )
    return rows


def _scale_people(rng, review, today):
    people = []
    died = review.harm_level == HarmLevel.DEATH
    for index in range(rng.choice((2, 3, 3, 4))):
        if index == 0 and not died and review.category != Category.OTHER:
            kind = PersonKind.SERVICE_USER
        else:
            kind = rng.choice([PersonKind.FAMILY, PersonKind.FAMILY, PersonKind.STAFF])
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact, share = weighted(rng, [((c, s), w) for c, s, w in CONSENTS])
        person = AffectedPerson(
            review_id=review.pk,
            organisation_id=review.organisation_id,
            kind=kind,
            full_name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}@example.com",
            phone=(
                f"+447700900{rng.randint(0, 999):03d}"
                if rng.random() < 0.8
                else f"+441632960{rng.randint(0, 999):03d}"
            ),
            consent_to_contact=contact,
            consent_to_share=share,
            do_not_contact=contact == Consent.REFUSED and rng.random() < 0.3,
            created_by_id=review.lead_investigator_id,
        )
        if kind == PersonKind.FAMILY:
            person.relationship = rng.choice(FAMILY_RELATIONSHIPS)
            person.bereaved = died
        elif kind == PersonKind.SERVICE_USER:
            person.relationship = "Service user"
        else:
            person.staff_role, person.staff_team = rng.choice(STAFF_ROLES)
            person.preferred_channel = Channel.EMAIL
        person._consented_at = day_at(min(review.reported_date + timedelta(days=7), today), 11)
        people.append(person)
    return people


def _scale_milestones(rng, review, today):
    kinds = {
        L: [TOR],
        S: [TOR],
        INV: [FAMILY_INPUT, INQUEST],
        D: [DRAFT],
        SH: [FINAL],
        C: [FINAL],
        P: [INQUEST],
    }[review.status]
    count = 1 if rng.random() < 0.9 else 2
    milestones = []
    for _ in range(count):
        due = review.reported_date + timedelta(days=rng.randint(14, 240))
        done = due < today and (review.status == C or rng.random() < 0.8)
        milestones.append(
            Milestone(
                review_id=review.pk,
                kind=rng.choice(kinds),
                due_on=due,
                completed_on=due if done else None,
            )
        )
    return milestones
