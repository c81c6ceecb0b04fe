"""The realistic demo reviews, as data: two organisations (one in England, one in Wales), their
services and team, and about 27 reviews across every status and response type, with families,
service users and staff. `peersupport.demo.incidents` turns these into records.

Every name is made up; phone numbers come from Ofcom's ranges reserved for drama
(07700 900xxx and 01632 960xxx) and email addresses use example.com.
"""

from dataclasses import dataclass

from incidents.models import (
    AccessibleFormat,
    Category,
    Channel,
    Consent,
    ConsentMethod,
    HarmLevel,
    MilestoneKind,
    Nation,
    PersonKind,
    ResponseType,
    ReviewStatus,
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
