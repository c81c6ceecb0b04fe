"""The realistic demo peer supporters and support stories, as data: the supervisor logins,
the default courses, thirteen supporters in both pools across the two demo organisations, and
what happened to some demo people's offers, step by step. `peersupport.demo.supporters`
turns these into records.
"""

from dataclasses import dataclass

from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from supporters.models import (
    CloseReason,
    OfferedVia,
    Pool,
    SupporterStatus,
)

SUPPORTER = "supporter@example.org"
SUPPORTER2 = "supporter2@example.org"
SUPERVISOR = "supervisor@example.org"
WALES_SUPERVISOR = "supervisor.wales@example.org"

# The courses of migration 0002, in case an administrator has since renamed or removed them.
FOUNDATION = "Peer support foundation training"
SAFEGUARDING = "Safeguarding adults and children level 2"
TRIM = "Trauma Risk Management (TRiM) practitioner"
SUICIDE_AWARENESS = "Suicide bereavement awareness"
COURSES = [
    (FOUNDATION, True, 36),
    (SAFEGUARDING, True, 36),
    (TRIM, False, 36),
    (SUICIDE_AWARENESS, False, None),
]

ACTIVE, PAUSED, IN_TRAINING, LEFT = (
    SupporterStatus.ACTIVE,
    SupporterStatus.PAUSED,
    SupporterStatus.IN_TRAINING,
    SupporterStatus.LEFT,
)
LIVED, STAFF = Pool.LIVED_EXPERIENCE, Pool.STAFF
ENGLAND, WALES, BOTH = (ENGLAND_ORG,), (WALES_ORG,), (ENGLAND_ORG, WALES_ORG)


@dataclass(frozen=True)
class SupporterSpec:
    email: str
    first: str
    last: str
    pool: str
    serves: tuple[str, ...]
    status: str = ACTIVE  # where they end up; everyone starts in training
    languages: str = "English"
    gender: str = ""
    background: str = ""
    experience: str = ""
    region: str = ""
    capacity: int = 3
    home: str = ""  # staff peers: the organisation they work for
    staff_team: str = ""
    public_role: str = ""
    joined_months_ago: int = 14
    training: str = "current"  # current, lapsed (foundation expired), partial (in training)
    extra_courses: tuple[str, ...] = ()
    supervised_weeks_ago: int | None = 3  # the last session; None: never
    status_reason: str = ""
    status_days_ago: int = 0
    paused_for_weeks: int = 0


# fmt: off
SUPPORTERS = [
    # The two supporter logins, each with their own people.
    SupporterSpec(
        SUPPORTER, "Sam", "Okafor", LIVED, ENGLAND, gender="Man", background="Black British",
        experience="Bereaved parent: my son died by suicide", region="Preston",
        public_role="Family peer supporter. Sam's son died in 2019.",
        extra_courses=(SUICIDE_AWARENESS,), supervised_weeks_ago=2,
    ),
    SupporterSpec(
        SUPPORTER2, "Eleri", "Davies", LIVED, BOTH, languages="English, Welsh", gender="Woman",
        background="Welsh speaker", experience="Was a patient on a mental health ward",
        region="Conwy", public_role="Peer supporter for service users and families.",
        joined_months_ago=20, supervised_weeks_ago=4,
    ),
    # Family and service-user peers without a login.
    SupporterSpec(
        "farah.hussain@example.org", "Farah", "Hussain", LIVED, ENGLAND,
        languages="English, Urdu", gender="Woman", background="British Pakistani, Muslim",
        experience="Bereaved by suicide: her brother died in 2018", region="Blackburn",
        public_role="Family peer supporter.", extra_courses=(SUICIDE_AWARENESS,),
        joined_months_ago=26,
    ),
    SupporterSpec(
        "kasia.wisniewska@example.org", "Kasia", "Wiśniewska", LIVED, ENGLAND,
        languages="English, Polish", gender="Woman", background="Polish",
        experience="Lost a baby after a difficult birth", region="Lancaster",
        public_role="Family peer supporter.", joined_months_ago=10, supervised_weeks_ago=1,
    ),
    SupporterSpec(
        "dafydd.rees@example.org", "Dafydd", "Rees", LIVED, WALES, languages="English, Welsh",
        gender="Man", background="Welsh speaker, farming family",
        experience="Was a patient on a mental health ward", region="Gwynedd",
        public_role="Service-user peer supporter.", joined_months_ago=30, supervised_weeks_ago=5,
    ),
    SupporterSpec(
        "graham.whalley@example.org", "Graham", "Whalley", LIVED, ENGLAND, status=PAUSED,
        gender="Man", background="White British", experience="Bereaved by suicide: his wife",
        region="Kendal", joined_months_ago=22, status_reason="Taking a few weeks off for family reasons.",
        status_days_ago=6, paused_for_weeks=5,
    ),
    SupporterSpec(
        "bernadette.quinn@example.org", "Bernadette", "Quinn", LIVED, ENGLAND, status=LEFT,
        gender="Woman", background="Irish", experience="Bereaved: her father died in hospital",
        region="Morecambe", joined_months_ago=30, supervised_weeks_ago=7,
        status_reason="Moved away from the area.", status_days_ago=45,
    ),
    SupporterSpec(
        "tariq.mahmood@example.org", "Tariq", "Mahmood", LIVED, ENGLAND,
        languages="English, Urdu", gender="Man", background="British Pakistani",
        experience="Bereaved by suicide: his son", region="Burnley", joined_months_ago=40,
        training="lapsed",
    ),
    SupporterSpec(
        "helen.bradley@example.org", "Helen", "Bradley", LIVED, BOTH, gender="Woman",
        background="White British", experience="Lost a baby", region="Cumbria",
        joined_months_ago=16, supervised_weeks_ago=10,
    ),
    SupporterSpec(
        "olu.adebayo@example.org", "Olu", "Adebayo", LIVED, ENGLAND, status=IN_TRAINING,
        gender="Man", background="Black British, Nigerian",
        experience="Was a patient on a mental health ward", region="Preston",
        joined_months_ago=1, training="partial", supervised_weeks_ago=None,
    ),
    # Staff peers: trained in Trauma Risk Management (TRiM), supporting colleagues.
    SupporterSpec(
        "joanne.hart@example.org", "Joanne", "Hart", STAFF, ENGLAND, gender="Woman",
        home=ENGLAND_ORG, staff_team="Ward 2", region="Preston",
        experience="Staff nurse; was involved in a serious incident on her ward",
        public_role="Staff peer supporter (TRiM practitioner), inpatient wards.",
        extra_courses=(TRIM,),
    ),
    SupporterSpec(
        "imran.siddiqui@example.org", "Imran", "Siddiqui", STAFF, ENGLAND,
        languages="English, Urdu", gender="Man", home=ENGLAND_ORG,
        staff_team="Blackburn community mental health team", region="Blackburn",
        experience="Community psychiatric nurse; a patient of his died by suicide",
        public_role="Staff peer supporter (TRiM practitioner), community teams.",
        extra_courses=(TRIM,), joined_months_ago=24,
    ),
    SupporterSpec(
        "nia.jenkins@example.org", "Nia", "Jenkins", STAFF, WALES, languages="English, Welsh",
        gender="Woman", home=WALES_ORG, staff_team="Emergency department", region="Wrexham",
        experience="Emergency nurse", public_role="Staff peer supporter (TRiM practitioner).",
        extra_courses=(TRIM,), joined_months_ago=18,
    ),
]
# fmt: on


@dataclass(frozen=True)
class Step:
    action: str  # offer, accepted, declined, later, active, no_response, close, pause, reassign
    days_ago: int
    supporter: str = ""  # email: offer, reassign, pause
    via: str = OfferedVia.EMAIL
    reason: str = ""
    contact_again_days_ago: int = 0


@dataclass(frozen=True)
class Story:
    """What happened to one demo person's offer, oldest step first."""

    reference: str
    person: str
    steps: tuple[Step, ...]


def offer(days_ago, supporter, via=OfferedVia.EMAIL):
    return Step("offer", days_ago, supporter=supporter, via=via)


def answer(kind, days_ago, reason="", contact_again_days_ago=0):
    return Step(kind, days_ago, reason=reason, contact_again_days_ago=contact_again_days_ago)


FARAH, KASIA, DAFYDD, GRAHAM, BERNADETTE, IMRAN, NIA = (
    "farah.hussain@example.org",
    "kasia.wisniewska@example.org",
    "dafydd.rees@example.org",
    "graham.whalley@example.org",
    "bernadette.quinn@example.org",
    "imran.siddiqui@example.org",
    "nia.jenkins@example.org",
)

# fmt: off
STORIES = [
    # supporter@: one person they see now, one without consent to share (so "ask the team").
    Story("LR-1008", "Helen Sutcliffe", (
        offer(50, SUPPORTER), answer("accepted", 47),
        answer("active", 40, "First phone call"),
    )),
    Story("LR-1007", "Claire Duckworth", (
        offer(20, SUPPORTER, OfferedVia.PHONE),
        answer("accepted", 20, "Said yes on the phone to the team"),
    )),
    # supporter2@: one waiting for the person's answer, one accepted.
    Story("LR-2002", "Bethan Roberts", (offer(15, SUPPORTER2), answer("accepted", 13))),
    Story("LR-2001", "Sian Pritchard", (offer(1, SUPPORTER2),)),
    # Declined, later and no response.
    Story("LR-1005", "Mark Entwistle", (
        offer(12, FARAH),
        answer("declined", 10, "Would rather lean on family and friends for now."),
    )),
    Story("LR-1013", "Gary Fletcher", (
        offer(40, FARAH, OfferedVia.PHONE),
        answer("later", 38, "Not ready yet; asked us to ring again in about five weeks.",
               contact_again_days_ago=3),
    )),
    Story("LR-1009", "Ian Catterall", (
        offer(16, FARAH), answer("no_response", 2, "No answer after two reminders."),
    )),
    # Closed: moved to specialist support, and two that came to a natural end as their
    # reviews closed.
    Story("LR-1016", "Shaun Tattersall", (
        offer(200, KASIA, OfferedVia.PHONE), answer("accepted", 198),
        answer("active", 194, "First meeting"),
        Step("close", 60, reason=CloseReason.SPECIALIST),
    )),
    Story("LR-2005", "Megan Lloyd", (
        offer(380, DAFYDD), answer("accepted", 376), answer("active", 370, "First phone call"),
        Step("close", 100, reason=CloseReason.NATURAL_END),
    )),
    Story("LR-1020", "Lorraine Hesketh", (
        offer(500, BERNADETTE), answer("accepted", 497), answer("active", 490, "First meeting"),
        Step("close", 380, reason=CloseReason.NATURAL_END),
    )),
    # Graham pauses: Linda waits on the team's queue to be reassigned; Patricia already was.
    Story("LR-1022", "Linda Gaskell", (
        offer(90, GRAHAM, OfferedVia.PHONE), answer("accepted", 88),
        answer("active", 85, "First phone call"),
    )),
    Story("LR-1015", "Patricia Eccles", (
        offer(120, GRAHAM, OfferedVia.PHONE), answer("accepted", 118),
        answer("active", 110, "First meeting"),
        Step("pause", 6, supporter=GRAHAM),
        Step("reassign", 5, supporter=KASIA),
    )),
    # Staff peers and the other organisation.
    Story("LR-1004", "Tom Parkinson", (offer(8, IMRAN), answer("accepted", 7))),
    Story("LR-2002", "Ffion Parry", (
        offer(10, NIA, OfferedVia.PHONE), answer("accepted", 9), answer("active", 6, "Met at work"),
    )),
    Story("LR-2004", "Carys Evans", (
        offer(150, DAFYDD), answer("accepted", 148), answer("active", 140, "First phone call"),
    )),
]
# fmt: on
