"""Demo reviews and people: a small realistic set, and a bulk generator for benchmarks.

`seed_incidents` builds two organisations (one in England, one in Wales), their services and
about 27 reviews across every status and response type, with families, service users and staff.
It goes through `incidents.services`, so status rows, history and audit events exist as they
would for real work. It is keyed on organisation names and review references, so it is safe to
run again: a review that already exists is left as it is.

`seed_scale` adds any number of extra reviews with `bulk_create` for benchmarks. Bulk inserts
skip django-simple-history and audit events: this is for load, never for a live service.

Every name is made up; phone numbers come from Ofcom's ranges reserved for drama
(07700 900xxx and 01632 960xxx) and email addresses use example.com.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents import services
from incidents.deadlines import compute_deadlines
from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    AccessibleFormat,
    AffectedPerson,
    AvoidDate,
    Category,
    Channel,
    Consent,
    ConsentMethod,
    ConsentRecord,
    DeadlineRule,
    HarmLevel,
    Milestone,
    MilestoneKind,
    Nation,
    Organisation,
    PersonKind,
    ResponseType,
    Review,
    ReviewStatus,
    ReviewStatusChange,
    Service,
    TeamMember,
)

ENGLAND_ORG = "Lancashire and South Cumbria NHS Foundation Trust"
WALES_ORG = "Betsi Cadwaladr University Health Board"

TEAM = "team@example.org"
INVESTIGATOR = "investigator@example.org"
TEAM_WALES = "team.wales@example.org"

# fmt: off
ORGANISATIONS = [
    # name, nation, service phone (Ofcom drama range), lead, team users, services
    (
        ENGLAND_ORG, Nation.ENGLAND, "+441632960001", TEAM, [TEAM, INVESTIGATOR],
        ["Adult mental health inpatients", "Community mental health",
         "Crisis and home treatment", "Perinatal mental health"],
    ),
    (
        WALES_ORG, Nation.WALES, "+441632960002", TEAM_WALES, [TEAM_WALES],
        ["Adult mental health inpatients", "Community mental health",
         "Maternity", "Emergency department"],
    ),
]

# Short keys for the services above, used by the review specs below.
INPATIENT = "Adult mental health inpatients"
COMMUNITY = "Community mental health"
CRISIS = "Crisis and home treatment"
PERINATAL = "Perinatal mental health"
MATERNITY = "Maternity"
EMERGENCY = "Emergency department"

THIS_WEEK = "this week"  # a milestone offset meaning "later this week, not yet done"

PATH = [
    ReviewStatus.LOGGED,
    ReviewStatus.SCOPING,
    ReviewStatus.INVESTIGATING,
    ReviewStatus.DRAFTING,
    ReviewStatus.SHARING,
]


@dataclass(frozen=True)
class PersonSpec:
    kind: str
    name: str
    relationship: str = ""
    bereaved: bool = False
    preferred: str = ""
    contact: str = Consent.NOT_ASKED
    share: str = Consent.NOT_ASKED
    method: str = ConsentMethod.PHONE
    channel: str = Channel.PHONE
    landline: bool = False
    address: str = ""
    safe_times: str = ""
    language: str = "English"
    interpreter: bool = False
    formats: tuple[str, ...] = ()
    needs: str = ""
    staff_role: str = ""
    staff_team: str = ""
    prefers_gender: str = ""
    prefers_language: str = ""
    prefers_lived_experience: str = ""
    do_not_contact: bool = False
    anniversary: bool = False
    funeral_days_after: int | None = None  # after the incident
    inquest_in_days: int | None = None  # from today


@dataclass(frozen=True)
class ReviewSpec:
    reference: str
    days_ago: int
    service: str
    category: str
    response_type: str
    harm_level: str
    status: str
    summary: str
    people: tuple[PersonSpec, ...] = ()
    lead: str = TEAM
    restricted: bool = False
    named: tuple[str, ...] = ()
    candour_notified: bool | None = None  # None: notified a few days after reporting, if due
    initial_report_sent: bool = True  # Serious Incident Framework only
    agreed_in_days: int | None = None  # timeframe agreed with the family, days from today
    closed_days_ago: int | None = None
    paused_at: str = ReviewStatus.INVESTIGATING
    pause_reason: str = ""
    milestones: tuple[tuple[str, int | str, bool], ...] = ()  # kind, days from today, done


def family(name, relationship, **kwargs):
    return PersonSpec(PersonKind.FAMILY, name, relationship, **kwargs)


def bereaved(name, relationship, **kwargs):
    return PersonSpec(PersonKind.FAMILY, name, relationship, bereaved=True, **kwargs)


def service_user(name, **kwargs):
    return PersonSpec(PersonKind.SERVICE_USER, name, "Service user", **kwargs)


def staff(name, role, team, **kwargs):
    return PersonSpec(PersonKind.STAFF, name, "", staff_role=role, staff_team=team, **kwargs)


GIVEN = {"contact": Consent.GIVEN, "share": Consent.GIVEN}
CONTACT_ONLY = {"contact": Consent.GIVEN}
REFUSED = {"contact": Consent.REFUSED, "share": Consent.REFUSED}

L, S, INV, D, SH, C, P = (
    ReviewStatus.LOGGED, ReviewStatus.SCOPING, ReviewStatus.INVESTIGATING, ReviewStatus.DRAFTING,
    ReviewStatus.SHARING, ReviewStatus.CLOSED, ReviewStatus.PAUSED,
)
TOR, FAMILY_INPUT, DRAFT, FINAL, INQUEST = (
    MilestoneKind.TERMS_OF_REFERENCE, MilestoneKind.FAMILY_INPUT, MilestoneKind.DRAFT_SHARED,
    MilestoneKind.FINAL_MEETING, MilestoneKind.INQUEST,
)
PSII, AAR, SWARM, THEMATIC, SI_FULL, SI_CONCISE, OTHER = (
    ResponseType.PSII, ResponseType.AFTER_ACTION, ResponseType.SWARM, ResponseType.THEMATIC,
    ResponseType.SI_COMPREHENSIVE, ResponseType.SI_CONCISE, ResponseType.OTHER,
)

ENGLAND_REVIEWS = [
    ReviewSpec(
        "LR-1001", 2, INPATIENT, Category.DEATH, PSII, HarmLevel.DEATH, L,
        "Unexpected death of an inpatient on an acute mental health ward.",
        people=(
            bereaved("Margaret Holden", "Mother", preferred="Maggie", funeral_days_after=16),
            bereaved("David Holden", "Father"),
            staff("Grace Okafor", "Staff nurse", "Ward 3"),
        ),
        milestones=((TOR, 9, False),),
    ),
    ReviewSpec(
        "LR-1002", 4, CRISIS, Category.SELF_HARM, SWARM, HarmLevel.SEVERE, L,
        "Serious self-harm in the community while under the crisis team.",
        people=(
            service_user("Jordan Ashworth", method=ConsentMethod.IN_PERSON, channel=Channel.SMS,
                         safe_times="Weekdays after 4pm", **GIVEN),
            family("Chloe Ashworth", "Partner"),
        ),
    ),
    ReviewSpec(
        "LR-1003", 7, COMMUNITY, Category.SUICIDE, SI_FULL, HarmLevel.DEATH, L,
        "Suspected suicide of a person under the community mental health team.",
        initial_report_sent=False,
        people=(
            bereaved("Karen Whitworth", "Sister", prefers_lived_experience="Bereaved by suicide",
                     **GIVEN),
            staff("Stephen Pilkington", "Community psychiatric nurse", "Preston north CMHT",
                  channel=Channel.EMAIL, **GIVEN),
        ),
        milestones=((TOR, 12, False),),
    ),
    ReviewSpec(
        "LR-1004", 11, INPATIENT, Category.HARM, AAR, HarmLevel.MODERATE, S,
        "Serious injury to a member of staff during restraint on a ward.",
        people=(
            staff("Tom Parkinson", "Healthcare assistant", "Ward 3",
                  method=ConsentMethod.SELF_REFERRAL, **GIVEN),
            staff("Emma Barlow", "Staff nurse", "Ward 3", **REFUSED),
        ),
        milestones=((TOR, THIS_WEEK, False),),
    ),
    ReviewSpec(
        "LR-1005", 17, PERINATAL, Category.HARM, PSII, HarmLevel.SEVERE, S,
        "Serious harm to a new mother under perinatal mental health care.",
        candour_notified=False, agreed_in_days=120,
        people=(
            service_user("Rachel Entwistle", preferred="Rach", prefers_gender="Female",
                         **CONTACT_ONLY),
            family("Mark Entwistle", "Partner", channel=Channel.EMAIL, **GIVEN),
        ),
        milestones=((TOR, THIS_WEEK, False), (FAMILY_INPUT, 20, False)),
    ),
    ReviewSpec(
        "LR-1006", 26, COMMUNITY, Category.SELF_HARM, SWARM, HarmLevel.SEVERE, S,
        "Serious self-harm by a young person waiting for a community appointment.",
        people=(
            service_user("Kieran Haworth"),
            family("Nicola Haworth", "Mother", safe_times="Evenings after 6pm", **GIVEN),
        ),
        milestones=((TOR, 3, False),),
    ),
    ReviewSpec(
        "LR-1007", 45, INPATIENT, Category.DEATH, SI_FULL, HarmLevel.DEATH, INV,
        "Unexpected death of an inpatient following a fall.",
        restricted=True, named=(TEAM, INVESTIGATOR),
        people=(
            bereaved("Andrew Lomax", "Son", channel=Channel.LETTER, landline=True,
                     address="14 Orchard Close\nLancaster\nLA1 9ZZ",
                     formats=(AccessibleFormat.LARGE_PRINT,), method=ConsentMethod.WRITING,
                     **GIVEN),
            bereaved("Claire Duckworth", "Daughter", contact=Consent.GIVEN, share=Consent.REFUSED),
            staff("Wayne Brierley", "Staff nurse", "Ward 5 (older adults)"),
        ),
        milestones=((TOR, -30, True), (FAMILY_INPUT, THIS_WEEK, False), (INQUEST, 150, False)),
    ),
    ReviewSpec(
        "LR-1008", 62, CRISIS, Category.SUICIDE, PSII, HarmLevel.DEATH, INV,
        "Suspected suicide of a person recently discharged from the crisis team.",
        agreed_in_days=6,
        people=(
            bereaved("Helen Sutcliffe", "Partner", anniversary=True,
                     prefers_lived_experience="Bereaved by suicide", **GIVEN),
            bereaved("Christine Bamber", "Mother", **REFUSED),
            staff("Jason Whittaker", "Crisis practitioner", "Home treatment team", **GIVEN),
        ),
        milestones=((TOR, -45, True), (FAMILY_INPUT, -20, True), (DRAFT, 5, False)),
    ),
    ReviewSpec(
        "LR-1009", 95, COMMUNITY, Category.HOMICIDE, SI_FULL, HarmLevel.DEATH, INV,
        "Homicide by a person under the care of community mental health services.",
        lead=INVESTIGATOR, restricted=True, named=(INVESTIGATOR,),
        people=(
            bereaved("Ian Catterall", "Brother of the person who died", **GIVEN),
            service_user("Lee Crossley"),
            staff("Amanda Rigby", "Care coordinator", "Burnley CMHT", **CONTACT_ONLY),
        ),
        milestones=((TOR, -70, True), (INQUEST, 200, False)),
    ),
    ReviewSpec(
        "LR-1010", 120, INPATIENT, Category.SELF_HARM, AAR, HarmLevel.SEVERE, INV,
        "Serious self-harm on an inpatient ward during observations.",
        people=(
            service_user("Bethany Fletcher", preferred="Beth", safe_times="Not before 11am",
                         method=ConsentMethod.IN_PERSON, **GIVEN),
            staff("Neil Cowburn", "Healthcare assistant", "Ward 2", **GIVEN),
            staff("Susan Kershaw", "Staff nurse", "Ward 2"),
        ),
        milestones=((TOR, -90, True), (FAMILY_INPUT, 10, False)),
    ),
    ReviewSpec(
        "LR-1011", 150, PERINATAL, Category.DEATH, PSII, HarmLevel.DEATH, INV,
        "Unexpected death of a mother in the year after giving birth.",
        agreed_in_days=-10,
        people=(
            bereaved("Tomasz Nowak", "Partner", language="Polish", interpreter=True,
                     prefers_language="Polish", anniversary=True, **GIVEN),
            bereaved("Ewa Nowak", "Mother-in-law", language="Polish", interpreter=True),
            staff("Paul Hartley", "Perinatal mental health nurse", "Perinatal team", **GIVEN),
        ),
        milestones=((TOR, -120, True), (FAMILY_INPUT, -60, True), (DRAFT, 14, False)),
    ),
    ReviewSpec(
        "LR-1012", 130, INPATIENT, Category.HARM, THEMATIC, HarmLevel.MODERATE, D,
        "Thematic review of falls on older adult mental health wards.",
        lead=INVESTIGATOR, agreed_in_days=30,
        people=(staff("Lisa Marsden", "Ward manager", "Ward 5 (older adults)",
                      channel=Channel.EMAIL, **GIVEN),),
        milestones=((TOR, -100, True), (DRAFT, 12, False)),
    ),
    ReviewSpec(
        "LR-1013", 190, CRISIS, Category.SUICIDE, SI_CONCISE, HarmLevel.DEATH, D,
        "Suspected suicide of a person waiting for a crisis team assessment.",
        people=(
            bereaved("Gary Fletcher", "Father", anniversary=True, **GIVEN),
            bereaved("Joanne Fletcher", "Stepmother"),
            staff("Aisha Rahman", "Crisis line practitioner", "Crisis line", **GIVEN),
        ),
        milestones=((TOR, -160, True), (FAMILY_INPUT, -90, True), (DRAFT, THIS_WEEK, False)),
    ),
    ReviewSpec(
        "LR-1014", 215, COMMUNITY, Category.SELF_HARM, PSII, HarmLevel.SEVERE, D,
        "Serious self-harm after a change of care coordinator.",
        agreed_in_days=21,
        people=(
            service_user("Ryan Greenhalgh", channel=Channel.SMS, formats=(AccessibleFormat.BSL,),
                         needs="Deaf: uses British Sign Language. Text, do not phone.",
                         method=ConsentMethod.IN_PERSON, **GIVEN),
            family("Tracey Greenhalgh", "Mother"),
        ),
        milestones=((TOR, -180, True), (FAMILY_INPUT, -100, True), (DRAFT, 9, False)),
    ),
    ReviewSpec(
        "LR-1015", 245, INPATIENT, Category.DEATH, PSII, HarmLevel.DEATH, SH,
        "Unexpected death of an inpatient from a physical health condition.",
        agreed_in_days=4,
        people=(
            bereaved("Patricia Eccles", "Wife", preferred="Pat", anniversary=True, landline=True,
                     safe_times="Mornings only", **GIVEN),
            bereaved("Michael Eccles", "Son", channel=Channel.EMAIL, **GIVEN),
            staff("Daniel Webster", "Junior doctor", "Ward 4", **REFUSED),
        ),
        milestones=((TOR, -210, True), (DRAFT, -14, True), (FINAL, THIS_WEEK, False)),
    ),
    ReviewSpec(
        "LR-1016", 275, CRISIS, Category.HARM, AAR, HarmLevel.MODERATE, SH,
        "Serious harm after a delayed response from the home treatment team.",
        lead=INVESTIGATOR,
        people=(
            service_user("Shaun Tattersall", **GIVEN),
            family("Kelly Tattersall", "Partner", do_not_contact=True, **REFUSED),
        ),
        milestones=((TOR, -240, True), (DRAFT, -20, True), (FINAL, 12, False)),
    ),
    ReviewSpec(
        "LR-1017", 330, INPATIENT, Category.SUICIDE, SI_FULL, HarmLevel.DEATH, C,
        "Suspected suicide of an inpatient while on leave from the ward.",
        closed_days_ago=20,
        people=(
            bereaved("Julie Rawcliffe", "Mother", anniversary=True,
                     prefers_lived_experience="Bereaved by suicide", **GIVEN),
            bereaved("Peter Rawcliffe", "Father", **CONTACT_ONLY),
            staff("Sarah Mercer", "Staff nurse", "Ward 1", **GIVEN),
        ),
        milestones=((TOR, -300, True), (DRAFT, -90, True), (INQUEST, -40, True),
                    (FINAL, -25, True)),
    ),
    ReviewSpec(
        "LR-1018", 390, COMMUNITY, Category.SELF_HARM, SWARM, HarmLevel.SEVERE, C,
        "Serious self-harm following missed community appointments.",
        closed_days_ago=300,
        people=(service_user("Callum Riley", **REFUSED),),
        milestones=((TOR, -380, True),),
    ),
    ReviewSpec(
        "LR-1019", 450, PERINATAL, Category.OTHER, THEMATIC, HarmLevel.LOW, C,
        "Thematic review of delays in referrals to perinatal mental health services.",
        lead=INVESTIGATOR, agreed_in_days=-200, closed_days_ago=210,
        people=(staff("Hannah Ingham", "Team leader", "Perinatal team", channel=Channel.EMAIL,
                      **GIVEN),),
        milestones=((TOR, -420, True), (FINAL, -215, True)),
    ),
    ReviewSpec(
        "LR-1020", 520, INPATIENT, Category.DEATH, SI_CONCISE, HarmLevel.DEATH, C,
        "Unexpected death of an inpatient after choking at mealtime.",
        closed_days_ago=380,
        people=(
            bereaved("Lorraine Hesketh", "Sister", anniversary=True, **GIVEN),
            staff("Craig Moss", "Healthcare assistant", "Ward 4", **GIVEN),
        ),
        milestones=((TOR, -500, True), (DRAFT, -420, True), (FINAL, -390, True)),
    ),
    ReviewSpec(
        "LR-1021", 160, CRISIS, Category.DEATH, PSII, HarmLevel.DEATH, P,
        "Unexpected death in the community while under home treatment.",
        lead=INVESTIGATOR, agreed_in_days=60, paused_at=INV,
        pause_reason="Paused at the request of the police while their investigation continues.",
        people=(
            bereaved("Dawn Sharples", "Partner"),
            staff("Martin Holt", "Support worker", "Home treatment team", **GIVEN),
        ),
        milestones=((TOR, -130, True),),
    ),
    ReviewSpec(
        "LR-1022", 300, COMMUNITY, Category.SUICIDE, SI_CONCISE, HarmLevel.DEATH, P,
        "Suspected suicide of a person known to community mental health services.",
        paused_at=D, pause_reason="Paused until the inquest, at the family's request.",
        people=(
            bereaved("Linda Gaskell", "Mother", anniversary=True, inquest_in_days=18, **GIVEN),
            bereaved("Robert Gaskell", "Brother", **REFUSED),
        ),
        milestones=((TOR, -270, True), (INQUEST, 18, False)),
    ),
]

WALES_REVIEWS = [
    ReviewSpec(
        "LR-2001", 5, EMERGENCY, Category.DEATH, AAR, HarmLevel.DEATH, L,
        "Unexpected death in the emergency department while waiting to be seen.",
        lead=TEAM_WALES,
        people=(bereaved("Sian Pritchard", "Daughter", language="Welsh", prefers_language="Welsh",
                         **GIVEN),),
        milestones=((TOR, THIS_WEEK, False),),
    ),
    ReviewSpec(
        "LR-2002", 22, MATERNITY, Category.HARM, PSII, HarmLevel.SEVERE, S,
        "Serious harm to a baby during birth.",
        lead=TEAM_WALES, agreed_in_days=100,
        people=(
            service_user("Bethan Roberts", preferred="Beth", language="Welsh", **GIVEN),
            family("Dylan Roberts", "Partner", **CONTACT_ONLY),
            staff("Ffion Parry", "Midwife", "Delivery suite", **GIVEN),
        ),
        milestones=((TOR, 4, False),),
    ),
    ReviewSpec(
        "LR-2003", 100, INPATIENT, Category.SELF_HARM, OTHER, HarmLevel.SEVERE, INV,
        "Serious self-harm on an inpatient ward.",
        lead=TEAM_WALES,
        people=(
            service_user("Aled Hughes"),
            staff("Gareth Jones", "Staff nurse", "Ward 11", **REFUSED),
        ),
        milestones=((TOR, -70, True), (FAMILY_INPUT, 15, False)),
    ),
    ReviewSpec(
        "LR-2004", 200, COMMUNITY, Category.SUICIDE, SI_CONCISE, HarmLevel.DEATH, P,
        "Suspected suicide of a person under community mental health services.",
        lead=TEAM_WALES, paused_at=INV,
        pause_reason="Paused while the health board agrees a joint review with the council.",
        people=(bereaved("Carys Evans", "Partner", anniversary=True, **GIVEN),),
        milestones=((TOR, -170, True),),
    ),
    ReviewSpec(
        "LR-2005", 400, MATERNITY, Category.DEATH, PSII, HarmLevel.DEATH, C,
        "Unexpected death of a baby shortly after birth.",
        lead=TEAM_WALES, agreed_in_days=-150, closed_days_ago=100,
        people=(
            bereaved("Megan Lloyd", "Mother", anniversary=True, **GIVEN),
            bereaved("Owain Lloyd", "Father", **GIVEN),
        ),
        milestones=((TOR, -370, True), (DRAFT, -200, True), (FINAL, -110, True)),
    ),
]


# fmt: on


# --- The realistic set ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _this_week(today: date) -> date:
    """A day later this week (Monday to Sunday), so it shows in the work queue."""
    return today + timedelta(days=min(2, 6 - today.weekday()))


def _clamp(day: date, today: date) -> date:
    return min(day, today)


def seed_organisations(users: dict) -> dict[str, Organisation]:
    """The two organisations, their services and team members; returns them by name."""
    organisations = {}
    for name, nation, phone, lead, team, service_names in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"nation": nation, "phone": phone, "lead": users[lead]}
        )
        if organisation.lead_id is None:
            organisation.lead = users[lead]
            organisation.save()
        for service_name in service_names:
            Service.objects.get_or_create(organisation=organisation, name=service_name)
        for email in team:
            membership, created = TeamMember.objects.get_or_create(
                user=users[email], defaults={"organisation": organisation}
            )
            if not created and membership.organisation_id != organisation.pk:
                membership.organisation = organisation
                membership.save()
        organisations[name] = organisation
    return organisations


class _Phones:
    """Ofcom drama numbers, handed out in order so each seeded person keeps the same one."""

    def __init__(self):
        self.mobile = 100
        self.landline = 100

    def next(self, landline: bool) -> str:
        if landline:
            self.landline += 1
            return f"+441632960{self.landline:03d}"
        self.mobile += 1
        return f"+447700900{self.mobile:03d}"


def _email(name: str) -> str:
    return ".".join(name.lower().split()) + "@example.com"


def _create_review(organisation, spec: ReviewSpec, users, phones: _Phones, today: date) -> Review:
    lead = users[spec.lead]
    services_by_name = {s.name: s for s in organisation.services.all()}
    reported = today - timedelta(days=spec.days_ago)
    number = int(spec.reference.rsplit("-", 1)[1])
    review = Review(
        organisation=organisation,
        reference=spec.reference,
        datix_ref=f"W{480000 + number * 37}",
        incident_date=reported - timedelta(days=1 + number % 3),
        reported_date=reported,
        service=services_by_name[spec.service],
        category=spec.category,
        response_type=spec.response_type,
        harm_level=spec.harm_level,
        lead_investigator=lead,
        summary=spec.summary,
        restricted=spec.restricted,
    )
    if organisation.nation == Nation.ENGLAND:
        review.lfpse_ref = f"{2100000 + number * 53}"
    if spec.response_type in SERIOUS_INCIDENT_FRAMEWORK:
        review.steis_ref = f"{reported.year}/{11000 + number * 7}"
        if spec.initial_report_sent and spec.days_ago > 2:
            review.initial_report_sent_on = reported + timedelta(days=2)
    if spec.agreed_in_days is not None:
        review.family_agreed_due_on = today + timedelta(days=spec.agreed_in_days)
    notified = spec.candour_notified if spec.candour_notified is not None else spec.days_ago > 8
    if notified:
        review.candour_notified_on = _clamp(reported + timedelta(days=6), today)
    if spec.status in (SH, C):
        sent = reported + timedelta(days=int(spec.days_ago * 0.8))
        if spec.closed_days_ago is not None:
            sent = min(sent, today - timedelta(days=spec.closed_days_ago + 7))
        review.report_sent_on = _clamp(max(sent, reported), today)
    review._history_user = lead
    named = [users[email] for email in spec.named]
    services.save_review(review, by=lead, team_members=named if spec.restricted else None)

    _walk_status(review, spec, lead, today)
    _backdate_status_changes(review, today)

    for kind, offset, done in spec.milestones:
        due = _this_week(today) if offset == THIS_WEEK else today + timedelta(days=offset)
        milestone = services.add_milestone(review, kind, due, by=lead)
        if done:
            services.complete_milestone(milestone, _clamp(due, today), by=lead)

    for person_spec in spec.people:
        _create_person(review, person_spec, lead, phones, today)
    return review


def _walk_status(review: Review, spec: ReviewSpec, lead, today: date) -> None:
    """Take the review through each stage to its status, as the team would have."""
    target = spec.status
    stop = spec.paused_at if target == P else (SH if target == C else target)
    for status in PATH[1 : PATH.index(stop) + 1]:
        services.change_review_status(review, status, by=lead)
    if target == P:
        services.change_review_status(review, P, by=lead, reason=spec.pause_reason)
    elif target == C:
        closed_on = today - timedelta(days=spec.closed_days_ago or 0)
        services.change_review_status(review, C, by=lead, closed_on=closed_on)


def _backdate_status_changes(review: Review, today: date) -> None:
    """Spread the status rows between the date reported and the last change, oldest first."""
    changes = list(review.status_changes.order_by("id"))
    end = review.closed_on or max(review.reported_date, today - timedelta(days=3))
    span = (end - review.reported_date).days
    for index, change in enumerate(changes):
        fraction = index / (len(changes) - 1) if len(changes) > 1 else 0
        change.changed_at = _at(review.reported_date + timedelta(days=int(span * fraction)))
        change.save(update_fields=["changed_at"])


def _create_person(review: Review, spec: PersonSpec, lead, phones: _Phones, today: date):
    person = AffectedPerson(
        review=review,
        organisation=review.organisation,
        kind=spec.kind,
        relationship=spec.relationship,
        bereaved=spec.bereaved,
        full_name=spec.name,
        preferred_name=spec.preferred,
        email=_email(spec.name),
        phone=phones.next(spec.landline),
        address=spec.address,
        preferred_channel=spec.channel,
        safe_times=spec.safe_times,
        language=spec.language,
        interpreter_needed=spec.interpreter,
        accessible_formats=list(spec.formats),
        accessibility_needs=spec.needs,
        staff_role=spec.staff_role,
        staff_team=spec.staff_team,
        prefers_supporter_gender=spec.prefers_gender,
        prefers_language=spec.prefers_language,
        prefers_lived_experience=spec.prefers_lived_experience,
    )
    person._history_user = lead
    services.save_person(person, by=lead)
    services.record_consent(person, ConsentRecord.Kind.CONTACT, spec.contact, spec.method, by=lead)
    services.record_consent(person, ConsentRecord.Kind.SHARE, spec.share, spec.method, by=lead)
    if spec.do_not_contact:
        services.set_do_not_contact(person, True, by=lead)
    if spec.anniversary:
        anniversary = _next_anniversary(review.incident_date, today)
        services.add_avoid_date(person, anniversary, AvoidDate.Reason.ANNIVERSARY, by=lead)
    if spec.funeral_days_after is not None:
        funeral = review.incident_date + timedelta(days=spec.funeral_days_after)
        services.add_avoid_date(person, funeral, AvoidDate.Reason.FUNERAL, by=lead)
    if spec.inquest_in_days is not None:
        inquest = today + timedelta(days=spec.inquest_in_days)
        services.add_avoid_date(person, inquest, AvoidDate.Reason.INQUEST, by=lead)
    return person


def _next_anniversary(day: date, today: date) -> date:
    for year in (today.year, today.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:  # 29 February
            candidate = date(year, 3, 1)
        if candidate >= today:
            return candidate
    return candidate


def seed_incidents(users: dict, today: date | None = None) -> dict[str, int]:
    """Create the organisations and the realistic reviews; existing reviews are left alone.

    `users` maps the demo logins' email addresses to their users. Returns how many reviews
    were added for each organisation.
    """
    today = today or timezone.localdate()
    organisations = seed_organisations(users)
    phones = _Phones()
    added = {}
    for name, specs in ((ENGLAND_ORG, ENGLAND_REVIEWS), (WALES_ORG, WALES_REVIEWS)):
        organisation = organisations[name]
        existing = set(
            Review.objects.filter(organisation=organisation).values_list("reference", flat=True)
        )
        added[name] = 0
        for spec in specs:
            if spec.reference in existing:
                # Keep the phone numbers handed out in the same order as the first run.
                for person_spec in spec.people:
                    phones.next(person_spec.landline)
                continue
            with transaction.atomic():
                _create_review(organisation, spec, users, phones, today)
            added[name] += 1
    seed_referrals(organisations, users, today)
    return added


@dataclass(frozen=True)
class ReferralSpec:
    """A member of staff who asked for support themselves, from the public form."""

    name: str
    team: str
    what_happened: str
    event_days_ago: int
    asked_days_ago: int
    contact_how: str
    contact_when: str
    phone: str
    staff_role: str = ""  # set by the team when they add the person; "" while it waits
    converted_days_ago: int | None = None  # None: still waiting on the work queue


REFERRALS = [
    ReferralSpec(
        "Aisha Rahman",
        "Ward 5 (older adults)",
        "A patient I was looking after collapsed and died on my shift. I keep going over it.",
        event_days_ago=6,
        asked_days_ago=1,
        contact_how=Channel.EMAIL,
        contact_when="Weekdays after 4pm",
        phone="+447700900981",
    ),
    ReferralSpec(
        "Marcus Greenhalgh",
        "Crisis and home treatment team (Preston)",
        "On a home visit I found a man we support had taken his own life. No review has been "
        "started yet.",
        event_days_ago=12,
        asked_days_ago=10,
        contact_how=Channel.PHONE,
        contact_when="Any time on my days off (Mondays and Tuesdays)",
        phone="+447700900982",
        staff_role="Support worker",
        converted_days_ago=9,
    ),
]


def seed_referrals(organisations, users, today: date | None = None) -> int:
    """Requests for support in England: one still waiting on the work queue, one the team has
    already turned into a member of staff with an offer and no review. Keyed on the name, so
    safe to run again. Their acknowledgement emails count as sent when they were asked."""
    from incidents.models import SelfReferral
    from incidents.referrals import convert_referral, submit_referral
    from peersupport.models import Message, MessageStatus

    today = today or timezone.localdate()
    organisation = organisations[ENGLAND_ORG]
    team = users[TEAM]
    added = 0
    for spec in REFERRALS:
        if SelfReferral.objects.filter(organisation=organisation, name=spec.name).exists():
            continue
        with transaction.atomic():
            last = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            referral = submit_referral(
                organisation=organisation,
                name=spec.name,
                email=_email(spec.name),
                phone=spec.phone,
                team=spec.team,
                what_happened=spec.what_happened,
                event_date=today - timedelta(days=spec.event_days_ago),
                contact_how=spec.contact_how,
                contact_when=spec.contact_when,
            )
            asked = min(_at(today - timedelta(days=spec.asked_days_ago), 21), timezone.now())
            SelfReferral.objects.filter(pk=referral.pk).update(created_at=asked)
            Message.objects.filter(pk__gt=last, status=MessageStatus.PENDING).update(
                status=MessageStatus.SENT, created_at=asked, due_at=asked, sent_at=asked
            )
            if spec.converted_days_ago is not None:
                person = convert_referral(referral, by=team)
                person.staff_role = spec.staff_role
                services.save_person(person, by=team)
                converted = _at(today - timedelta(days=spec.converted_days_ago), 9)
                SelfReferral.objects.filter(pk=referral.pk).update(converted_at=converted)
        added += 1
    return added


# --- Bulk data for benchmarks --------------------------------------------------------------

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


def _weighted(rng: random.Random, options):
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights)[0]


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
    status = _weighted(rng, next(options for limit, options in STATUSES_BY_AGE if age < limit))
    category = _weighted(rng, CATEGORIES)
    response_type = _weighted(rng, RESPONSE_TYPES)
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
            changed_at=_at(review.reported_date),
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
                changed_at=_at(when, 15),
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
        contact, share = _weighted(rng, [((c, s), w) for c, s, w in CONSENTS])
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
        person._consented_at = _at(min(review.reported_date + timedelta(days=7), today), 11)
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
