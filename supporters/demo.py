"""Demo peer supporters and support offers: a small realistic set, and bulk data for benchmarks.

`seed_supporters` adds a supervisor for each demo organisation and thirteen supporters in both
pools across the two (logins: supporter@, supporter2@, supervisor@ and
supervisor.wales@example.org), each supporter with a supervisor for every organisation they
serve (Eleri, who serves both, has two), with training,
supervision and the code of conduct accepted. It then tells a short story for some of the demo
people through `supporters.services`, so every offer status appears with its status rows, audit
events and outbox messages, as real work would leave them. Events are backdated to when they
would have happened. It is keyed on email addresses and people, so it is safe to run again: a
supporter or a person's story that already exists is left as it is.

`seed_supporter_scale` adds supporters and offers for a `--scale` run with `bulk_create`: no
audit events or messages. For benchmarks only, never for a live service.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from incidents.demo import ENGLAND_ORG, FIRST_NAMES, LAST_NAMES, SCALE_PREFIX, WALES_ORG
from incidents.models import (
    AffectedPerson,
    Consent,
    Organisation,
    PersonKind,
    ReviewStatus,
    TeamMember,
)
from peersupport import outbox
from peersupport.models import Alert, Message, MessageChannel, MessageStatus, User
from peersupport.roles import Role, group_name
from peersupport.services import create_user_with_role
from supporters import services
from supporters.models import (
    ASSIGNED_STATUSES,
    CloseReason,
    CodeAcceptance,
    CodeOfConduct,
    Course,
    OfferedVia,
    OfferStatus,
    OfferStatusChange,
    PeerSupporter,
    Pool,
    ReassignmentTask,
    SupervisionSession,
    SupervisorAssignment,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
    TrainingRecord,
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
    # Closed: moved to specialist support, and when the review closed.
    Story("LR-1016", "Shaun Tattersall", (
        offer(200, KASIA, OfferedVia.PHONE), answer("accepted", 198),
        answer("active", 194, "First meeting"),
        Step("close", 60, reason=CloseReason.SPECIALIST),
    )),
    Story("LR-2005", "Megan Lloyd", (
        offer(380, DAFYDD), answer("accepted", 376), answer("active", 370, "First phone call"),
        Step("close", 100, reason=CloseReason.REVIEW_CLOSED),
    )),
    Story("LR-1020", "Lorraine Hesketh", (
        offer(500, BERNADETTE), answer("accepted", 497), answer("active", 490, "First meeting"),
        Step("close", 380, reason=CloseReason.REVIEW_CLOSED),
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


@dataclass
class SupportersResult:
    supporters: int = 0
    stories: int = 0
    skipped: list[str] = field(default_factory=list)


def _moment(today: date, days_ago: int, hour: int = 10) -> datetime:
    """`hour` o'clock, `days_ago` days before `today`, and never in the future."""
    return min(_day_at(today - timedelta(days=days_ago), hour), timezone.now())


@lru_cache(maxsize=4096)
def _day_at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_courses() -> dict[str, Course]:
    """The default courses (migration 0002 adds them; this puts back any that were removed)."""
    courses = {}
    for name, mandatory, months in COURSES:
        courses[name], _ = Course.objects.get_or_create(
            name=name, defaults={"mandatory": mandatory, "valid_for_months": months}
        )
    return courses


def seed_supervisor(password: str | None, organisations: dict[str, Organisation]) -> User:
    """supervisor@: a team member in England who is named on none of the demo reviews."""
    from peersupport.demo import DEMO_USERS

    supervisor = User.objects.filter(email=SUPERVISOR).first()
    if supervisor is None:
        _, role, first, last = next(u for u in DEMO_USERS if u[0] == SUPERVISOR)
        supervisor = create_user_with_role(
            SUPERVISOR, role, first_name=first, last_name=last, password=password
        )
    TeamMember.objects.get_or_create(
        user=supervisor, defaults={"organisation": organisations[ENGLAND_ORG]}
    )
    return supervisor


def seed_wales_supervisor(password: str | None, organisations: dict[str, Organisation]) -> User:
    """supervisor.wales@: a team member in Wales, named on none of the demo reviews, who
    supervises supporters for the Welsh organisation's people (they read only those notes)."""
    supervisor = User.objects.filter(email=WALES_SUPERVISOR).first()
    if supervisor is None:
        supervisor = create_user_with_role(
            WALES_SUPERVISOR, Role.TEAM, first_name="Gareth", last_name="Pryce", password=password
        )
    TeamMember.objects.get_or_create(
        user=supervisor, defaults={"organisation": organisations[WALES_ORG]}
    )
    return supervisor


def organisation_supervisors(password: str | None, organisations) -> dict[int, User]:
    """The demo's supervisor for each organisation: a supporter serving both (Eleri) has two."""
    return {
        organisations[ENGLAND_ORG].pk: seed_supervisor(password, organisations),
        organisations[WALES_ORG].pk: seed_wales_supervisor(password, organisations),
    }


def _name_supervisors(supporters, supervisors: dict[int, User]) -> None:
    """Each supporter's supervisor for each organisation they serve (bulk: demo data only)."""
    SupervisorAssignment.objects.bulk_create(
        [
            SupervisorAssignment(
                supporter_id=supporter.pk, organisation_id=organisation_id, supervisor=supervisor
            )
            for supporter in supporters
            for organisation_id in (s.pk for s in supporter._serves)
            if (supervisor := supervisors.get(organisation_id)) is not None
        ],
        ignore_conflicts=True,
    )


def seed_supporters(password: str | None, today: date | None = None) -> SupportersResult:
    """The realistic supporters and the demo people's offers; safe to run again.

    Needs the demo organisations and reviews (`seed_incidents`). The two supporter logins get
    `password` if they do not exist yet (`seed_users` normally creates them).
    """
    today = today or timezone.localdate()
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[ENGLAND_ORG, WALES_ORG])
    }
    if len(organisations) != 2:
        raise ValueError("Seed the demo organisations first (seed_incidents).")
    courses = seed_courses()
    supervisors = organisation_supervisors(password, organisations)
    supervisor = supervisors[organisations[ENGLAND_ORG].pk]
    result = SupportersResult()
    created = []
    first_message = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for spec in SUPPORTERS:
        supporter, was_created = _seed_supporter(
            spec, password, organisations, courses, supervisor, today
        )
        if was_created:
            created.append((spec, supporter))
            result.supporters += 1
    _name_supervisors([s for _, s in created], supervisors)

    _open_offers_for_demo_people()
    stories = _Stories(organisations, today)
    for story in STORIES:
        try:
            if stories.tell(story):
                result.stories += 1
        except ValidationError as error:
            result.skipped.append(f"{story.person} ({story.reference}): {' '.join(error.messages)}")

    for spec, supporter in created:
        supporter.refresh_from_db()
        if spec.status in (PAUSED, LEFT) and supporter.status != spec.status:
            _change_status(supporter, spec, supervisor, today)
    _settle_messages(first_message, stories.message_times, today)
    return result


def _seed_supporter(spec, password, organisations, courses, supervisor, today):
    user = User.objects.filter(email=spec.email).first()
    if user is None:
        login = spec.email in (SUPPORTER, SUPPORTER2)
        user = create_user_with_role(
            spec.email,
            Role.SUPPORTER,
            first_name=spec.first,
            last_name=spec.last,
            password=password if login else None,
        )
    supporter, created = PeerSupporter.objects.get_or_create(
        user=user,
        defaults={
            "pool": spec.pool,
            "home_organisation": organisations.get(spec.home),
            "staff_team": spec.staff_team,
            "languages": spec.languages,
            "gender": spec.gender,
            "background": spec.background,
            "experience": spec.experience,
            "region": spec.region,
            "capacity": spec.capacity,
            "supervisor": supervisor,
            "public_first_name": spec.first if spec.public_role else "",
            "public_role": spec.public_role,
        },
    )
    if not created:
        return supporter, False
    supporter._serves = [organisations[name] for name in spec.serves]
    supporter.organisations.set(supporter._serves)
    joined = today - timedelta(days=30 * spec.joined_months_ago)
    SupporterStatusChange.objects.create(
        supporter=supporter,
        to_status=IN_TRAINING,
        reason="Joined the service",
        changed_at=_moment(joined, 0),
        changed_by=supervisor,
    )
    _seed_training(supporter, spec, courses, supervisor, joined, today)
    if spec.supervised_weeks_ago is not None:
        last = today - timedelta(weeks=spec.supervised_weeks_ago)
        for sessions_before in (2, 1, 0):  # three sessions, six weeks apart
            held_on = last - timedelta(weeks=6 * sessions_before)
            if held_on > joined:
                services.record_supervision(supporter, supervisor, held_on, by=supervisor)
    if spec.status != IN_TRAINING:
        services.change_supporter_status(
            supporter, ACTIVE, by=supervisor, reason="Completed the foundation training."
        )
        SupporterStatusChange.objects.filter(supporter=supporter, to_status=ACTIVE).update(
            changed_at=_moment(joined, -56)
        )
        services.accept_code(supporter)
    return supporter, True


def _seed_training(supporter, spec, courses, supervisor, joined, today):
    def record(name, completed_on):
        if name in courses:
            services.record_training(supporter, courses[name], completed_on, by=supervisor)

    if spec.training == "partial":
        record(SAFEGUARDING, joined + timedelta(days=14))
        return
    record(SAFEGUARDING, joined + timedelta(days=21))
    record(FOUNDATION, joined + timedelta(days=42))
    if spec.training == "lapsed":
        # Safeguarding renewed; the foundation training ran out and has not been redone yet.
        record(SAFEGUARDING, today - timedelta(days=200))
    for name in spec.extra_courses:
        record(name, joined + timedelta(days=70))


def _change_status(supporter, spec, supervisor, today):
    paused_until = today + timedelta(weeks=spec.paused_for_weeks) if spec.status == PAUSED else None
    services.change_supporter_status(
        supporter, spec.status, by=supervisor, reason=spec.status_reason, paused_until=paused_until
    )
    when = _moment(today, spec.status_days_ago, 15)
    SupporterStatusChange.objects.filter(supporter=supporter, to_status=spec.status).update(
        changed_at=when
    )
    ReassignmentTask.objects.filter(offer__supporter=supporter, done_at__isnull=True).update(
        created_at=when
    )


def _open_offers_for_demo_people():
    """Every consenting person gets an offer; this catches people seeded before offers existed.

    Only people with no offer at all: someone who declined or asked for later keeps that answer.
    """
    people = AffectedPerson.objects.filter(
        review__reference__startswith="LR-",
        consent_to_contact=Consent.GIVEN,
        do_not_contact=False,
        offers__isnull=True,
    )
    for person in people:
        services.open_offer(person)


class _Stories:
    def __init__(self, organisations, today):
        self.today = today
        self.team = {o.pk: o.lead for o in organisations.values()}
        self.supporters = {
            s.user.email: s
            for s in PeerSupporter.objects.select_related("user").filter(
                user__email__in=[spec.email for spec in SUPPORTERS]
            )
        }
        self.message_times = {}  # message id -> when it was queued

    def tell(self, story: Story) -> bool:
        """Play the story unless the person already has more than a waiting offer."""
        person = (
            AffectedPerson.objects.select_related("review")
            .filter(review__reference=story.reference, full_name=story.person)
            .first()
        )
        if person is None or person.offers.exclude(status=OfferStatus.NEEDS_SUPPORTER).exists():
            return False
        with transaction.atomic():
            offer = services.open_offer(person)
            if offer is None:
                raise ValidationError("This person has not agreed to be contacted.")
            by = self.team[person.review.organisation_id]
            for step in story.steps:
                offer = self._play(offer, step, by)
        return True

    def _play(self, offer, step: Step, by):
        when = _moment(self.today, step.days_ago, 10 + step.days_ago % 6)
        last_change = OfferStatusChange.objects.order_by("-id").values_list("id", flat=True)
        mark = last_change.first() or 0
        last_message = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
        fields = []
        if step.action == "offer":
            if offer.created_at > when:
                # The person's consent, and so their waiting offer, came a couple of days before.
                offer.created_at = when - timedelta(days=2)
                OfferStatusChange.objects.filter(offer=offer).update(changed_at=offer.created_at)
                fields.append("created_at")
            offer = services.assign_supporter(
                offer, self.supporters[step.supporter], by=by, via=step.via
            )
            offer.offered_at = when
            fields.append("offered_at")
        elif step.action in services.ANSWERS:
            again = self.today - timedelta(days=step.contact_again_days_ago)
            offer = services.record_answer(
                offer, step.action, by=by, reason=step.reason, contact_again_on=again
            )
            offer.answered_at = when
            fields.append("answered_at")
            if offer.closed_at:
                offer.closed_at = when
                fields.append("closed_at")
        elif step.action in ("active", "no_response"):
            # No service makes these changes yet: the first contact, and the timing rules.
            changed_by = offer.supporter.user if step.action == "active" else None
            OfferStatusChange.objects.create(
                offer=offer,
                from_status=offer.status,
                to_status=step.action,
                note=step.reason,
                changed_by=changed_by,
            )
            offer.status = step.action
            fields.append("status")
        elif step.action == "close":
            offer = services.close_support(offer, step.reason, by=by)
            offer.closed_at = when
            fields.append("closed_at")
        elif step.action == "pause":
            supporter = self.supporters[step.supporter]
            spec = next(s for s in SUPPORTERS if s.email == step.supporter)
            _change_status(supporter, spec, supporter.supervisor, self.today)
            supporter.refresh_from_db()
        elif step.action == "reassign":
            old = offer
            offer = services.reassign(old, self.supporters[step.supporter], by=by)
            SupportOffer.objects.filter(pk=old.pk).update(closed_at=when)
            ReassignmentTask.objects.filter(offer=old).update(done_at=when)
            offer.created_at = offer.offered_at = when
            fields += ["created_at", "offered_at"]
        else:
            raise ValueError(f"Unknown step {step.action!r}")
        if fields:
            offer.save(update_fields=fields)
        OfferStatusChange.objects.filter(id__gt=mark).update(changed_at=when)
        for message_id in Message.objects.filter(id__gt=last_message).values_list("id", flat=True):
            self.message_times[message_id] = when
        return offer


def _settle_messages(first_message: int, times: dict, today: date):
    """The stories happened in the past, so their messages went then.

    In-app alerts are delivered (so the supporters see them), read unless they are from the
    last week; emails are marked sent at the time, so starting the worker does not send a burst
    of old messages to made-up addresses. A reminder a story scheduled keeps its distance from
    the story's moment: if that is still ahead it waits (and `make run` sends it when due).
    Messages the services cancelled stay cancelled.
    """
    now = timezone.now()
    pending = Message.objects.filter(
        id__gt=first_message, status=MessageStatus.PENDING, due_at__lte=now
    )
    for message in pending.filter(channel=MessageChannel.IN_APP):
        outbox.deliver(message.pk)
    week_ago = _moment(today, 7)
    for message in Message.objects.filter(id__gt=first_message):
        when = times.get(message.pk)
        due = message.due_at if when is None else when + (message.due_at - message.created_at)
        anchor = message.anchor_at
        if when is not None and anchor is not None:
            anchor = when + (anchor - message.created_at)
        if message.status == MessageStatus.PENDING and due <= now:
            message.status = MessageStatus.SENT
        if message.status == MessageStatus.SENT:
            message.sent_at = due
        Message.objects.filter(pk=message.pk).update(
            status=message.status,
            due_at=due,
            anchor_at=anchor,
            sent_at=message.sent_at,
            created_at=when or message.created_at,
        )
        Alert.objects.filter(message=message).update(
            created_at=due, read_at=due + timedelta(hours=2) if due < week_ago else None
        )


# --- Bulk data for benchmarks --------------------------------------------------------------

SCALE_SUPPORTERS_PER_100_REVIEWS = 3

# fmt: off
SCALE_STATUSES = [(ACTIVE, 76), (PAUSED, 7), (IN_TRAINING, 10), (LEFT, 7)]
SCALE_SERVES = [(ENGLAND, 70), (WALES, 20), (BOTH, 10)]
SCALE_LANGUAGES = [
    ("English", 70), ("English, Welsh", 12), ("English, Urdu", 6), ("English, Polish", 5),
    ("English, Punjabi", 3), ("English, Somali", 2), ("English, BSL", 2),
]
SCALE_GENDERS = [("Woman", 60), ("Man", 35), ("Non-binary", 2), ("", 3)]
SCALE_BACKGROUNDS = [
    "White British", "British Pakistani", "Black British", "Polish", "Irish", "Welsh speaker",
    "British Indian", "",
]
SCALE_EXPERIENCES = [
    "Bereaved by suicide", "Lost a baby", "Was a patient on a mental health ward",
    "Bereaved: a parent died in hospital", "Cared for a partner with psychosis",
    "Went through an inquest", "",
]
# Staff peers' own teams: none is a team the scale people work in, so matching never clashes.
SCALE_STAFF_TEAMS = [
    "Pharmacy", "Occupational therapy", "Psychology", "Estates and facilities",
    "Health records", "Outpatients", "Physiotherapy", "Learning disability nursing",
]
SCALE_REGIONS = {
    ENGLAND_ORG: ["Preston", "Blackburn", "Burnley", "Lancaster", "Blackpool", "Kendal"],
    WALES_ORG: ["Wrexham", "Conwy", "Gwynedd", "Anglesey", "Denbighshire", "Flintshire"],
}
# What became of an offer, by the review's state. "reassigned" closes one offer and opens
# another; "unmatched" closed with the review before anyone was assigned.
OUTCOMES_CLOSED_REVIEW = [
    ("review_closed", 50), ("persons_choice", 12), ("specialist", 8), (OfferStatus.DECLINED, 10),
    ("unmatched", 10),
]
OUTCOMES_OPEN_REVIEW = [
    (OfferStatus.NEEDS_SUPPORTER, 10), (OfferStatus.OFFERED, 8), (OfferStatus.NO_RESPONSE, 4),
    (OfferStatus.ACCEPTED, 10), (OfferStatus.ACTIVE, 30), (OfferStatus.DECLINED, 9),
    (OfferStatus.LATER, 8), ("persons_choice", 6), ("specialist", 6), ("reassigned", 6),
]
OUTCOMES_NEW_REVIEW = [(OfferStatus.NEEDS_SUPPORTER, 75), (OfferStatus.OFFERED, 25)]
# There are far fewer supporters than people (300 for 30,000), so most assignments of older
# reviews have ended by now: when every supporter is full, the support has mostly closed.
OUTCOMES_WHEN_FULL = [
    ("persons_choice", 55), ("specialist", 10), (OfferStatus.DECLINED, 10),
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


def _weighted(rng: random.Random, options):
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]


@dataclass
class SupporterScaleResult:
    supporters: int = 0
    offers: int = 0
    status_changes: int = 0
    by_status: Counter = field(default_factory=Counter)


def seed_supporter_scale(
    reviews: int, run: int, *, today: date | None = None, batch_size: int = 2000
) -> SupporterScaleResult:
    """Supporters (3 for every 100 reviews) and an offer for every consenting person of scale
    run `run`, with bulk inserts. Needs `seed_supporters` (the supervisor and the courses)."""
    today = today or timezone.localdate()
    now = timezone.now()
    supervisor = User.objects.filter(email=SUPERVISOR).first()
    if supervisor is None:
        raise ValueError("Seed the demo supporters first (seed_supporters).")
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[ENGLAND_ORG, WALES_ORG])
    }
    rng = random.Random(f"supporters-{run}")
    result = SupporterScaleResult()
    with transaction.atomic():
        supporters = _scale_supporters(
            rng,
            reviews * SCALE_SUPPORTERS_PER_100_REVIEWS // 100,
            run,
            organisations,
            supervisor,
            today,
            now,
            batch_size,
        )
        result.supporters = len(supporters)
        _scale_offers(rng, run, supporters, today, now, batch_size, result)
    return result


def _scale_supporters(rng, count, run, organisations, supervisor, today, now, batch_size):
    if count == 0:
        return []
    unusable = make_password(None)
    users = []
    specs = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(
            User(
                email=f"scale{run:04d}.peer{index + 1:04d}@example.org",
                first_name=first,
                last_name=last,
                password=unusable,
                date_joined=now,
            )
        )
        status = _weighted(rng, SCALE_STATUSES)
        serves = _weighted(rng, SCALE_SERVES)
        specs.append((status, serves, rng.random() < 0.35))
    User.objects.bulk_create(users, batch_size=batch_size)
    group = Group.objects.get_or_create(name=group_name(Role.SUPPORTER))[0]
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users],
        batch_size=batch_size,
    )

    supporters = []
    for user, (status, serves, staff) in zip(users, specs, strict=True):
        home = organisations[serves[0]]
        supporter = PeerSupporter(
            user=user,
            pool=STAFF if staff else LIVED,
            home_organisation=home if staff else None,
            staff_team=rng.choice(SCALE_STAFF_TEAMS) if staff else "",
            languages=_weighted(rng, SCALE_LANGUAGES),
            gender=_weighted(rng, SCALE_GENDERS),
            background=rng.choice(SCALE_BACKGROUNDS),
            experience="" if staff else rng.choice(SCALE_EXPERIENCES),
            region=rng.choice(SCALE_REGIONS[home.name]),
            capacity=rng.choice((2, 3, 3, 3, 4)),
            status=status,
            paused_until=today + timedelta(weeks=rng.randint(2, 10)) if status == PAUSED else None,
            supervisor=supervisor,
        )
        supporter._serves = [organisations[name] for name in serves]
        supporter._joined = today - timedelta(days=rng.randint(60, 900))
        supporters.append(supporter)
    PeerSupporter.objects.bulk_create(supporters, batch_size=batch_size)
    Serves = PeerSupporter.organisations.through
    Serves.objects.bulk_create(
        [
            Serves(peersupporter_id=s.pk, organisation_id=o.pk)
            for s in supporters
            for o in s._serves
        ],
        batch_size=batch_size,
    )
    _name_supervisors(
        supporters,
        {
            organisations[name].pk: user
            for name, user in [
                (ENGLAND_ORG, supervisor),
                (WALES_ORG, User.objects.filter(email=WALES_SUPERVISOR).first()),
            ]
            if user is not None
        },
    )

    courses = seed_courses()
    code = CodeOfConduct.objects.order_by("-version").first()
    changes, training, supervision, acceptances = [], [], [], []
    for supporter in supporters:
        joined = supporter._joined
        changes.append(
            SupporterStatusChange(
                supporter_id=supporter.pk,
                to_status=IN_TRAINING,
                changed_at=_moment(joined, 0),
                changed_by_id=supervisor.pk,
            )
        )
        foundation_on = joined + timedelta(days=rng.randint(20, 50))
        training.append(_record(supporter, courses[SAFEGUARDING], joined + timedelta(days=14)))
        if supporter.status == IN_TRAINING:
            continue
        lapsed = supporter.status == ACTIVE and rng.random() < 0.03
        if lapsed:  # completed long ago and not renewed
            foundation_on = today - timedelta(days=rng.randint(1100, 1300))
        training.append(_record(supporter, courses[FOUNDATION], foundation_on))
        if supporter.pool == STAFF:
            training.append(_record(supporter, courses[TRIM], foundation_on + timedelta(days=30)))
        active_on = max(foundation_on, joined) + timedelta(days=7)
        changes.append(
            SupporterStatusChange(
                supporter_id=supporter.pk,
                from_status=IN_TRAINING,
                to_status=ACTIVE,
                changed_at=_moment(min(active_on, today), 0),
                changed_by_id=supervisor.pk,
            )
        )
        if supporter.status in (PAUSED, LEFT):
            changes.append(
                SupporterStatusChange(
                    supporter_id=supporter.pk,
                    from_status=ACTIVE,
                    to_status=supporter.status,
                    reason="Personal reasons" if supporter.status == PAUSED else "Moved on",
                    changed_at=_moment(today, rng.randint(1, 40), 15),
                    changed_by_id=supervisor.pk,
                )
            )
        # Supervision every six weeks; a few are overdue.
        overdue = supporter.status == ACTIVE and rng.random() < 0.04
        held_on = today - timedelta(days=rng.randint(63, 100) if overdue else rng.randint(0, 40))
        for _ in range(3):  # the last three sessions
            if held_on <= active_on:
                break
            supervision.append(
                SupervisionSession(
                    supporter_id=supporter.pk,
                    supervisor_id=supervisor.pk,
                    held_on=held_on,
                    recorded_by_id=supervisor.pk,
                )
            )
            held_on -= timedelta(weeks=6)
        if code is not None:
            acceptances.append(
                CodeAcceptance(
                    supporter_id=supporter.pk, code_id=code.pk, accepted_at=_moment(active_on, 0)
                )
            )
    SupporterStatusChange.objects.bulk_create(changes, batch_size=batch_size)
    TrainingRecord.objects.bulk_create(training, batch_size=batch_size)
    SupervisionSession.objects.bulk_create(supervision, batch_size=batch_size)
    CodeAcceptance.objects.bulk_create(acceptances, batch_size=batch_size)
    return supporters


def _record(supporter, course, completed_on):
    months = course.valid_for_months
    return TrainingRecord(
        supporter_id=supporter.pk,
        course_id=course.pk,
        completed_on=completed_on,
        expires_on=completed_on + timedelta(days=months * 365 // 12) if months else None,
        recorded_by_id=supporter.supervisor_id,
    )


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


def _insert(model, columns, rows, batch_size):
    """Multi-row INSERTs of plain tuples: several times faster than bulk_create for tens of
    thousands of rows, as no model instances are built. `rows` hold values ready for the
    database."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    row = f"({', '.join(['%s'] * len(columns))})"
    limit = connection.features.max_query_params
    per = batch_size if limit is None else max(1, min(batch_size, limit // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = ", ".join([row] * len(chunk))
            # Only quoted names from the model's own metadata go into the SQL; the values are
            # parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for item in chunk for value in item])


OFFER_COLUMNS = [
    "person", "supporter", "status", "offered_via", "offered_at", "answered_at",
    "decline_reason", "contact_again_on", "close_reason", "closed_at", "pool_override_reason",
    "created_at", "created_by",
]  # fmt: skip
CHANGE_COLUMNS = ["offer", "from_status", "to_status", "note", "changed_at", "changed_by"]


def _scale_offers(rng, run, supporters, today, now, batch_size, result):
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
            outcome = _weighted(rng, OUTCOMES_CLOSED_REVIEW)
        elif age < 4:
            outcome = _weighted(rng, OUTCOMES_NEW_REVIEW)
        else:
            outcome = _weighted(rng, OUTCOMES_OPEN_REVIEW)
        supporter = None
        if outcome in ASSIGNED_STATUSES:
            supporter = slots.take(rng, key)
            if supporter is None:
                outcome = (
                    OfferStatus.NEEDS_SUPPORTER if age < 60 else _weighted(rng, OUTCOMES_WHEN_FULL)
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
        created = min(_day_at(min(reported + timedelta(days=7), today), 11), now)
        end = min(_day_at(closed_on, 16), now) if closed_on else now
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
                at(created),
                lead,
            )
        )
        paths[person_id] = (path, times, lead)
        if new_supporter is not None:
            reassigned.append((person_id, new_supporter, times[-1], answered_at, lead))
        result.by_status[path[-1]] += 1

    # Each scale person had no offer before, so their one offer is found again by person.
    _insert(SupportOffer, OFFER_COLUMNS, offers, batch_size)
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
    _insert(OfferStatusChange, CHANGE_COLUMNS, changes, batch_size)
    result.offers = len(offers) + len(replacements)
    result.status_changes = len(changes)
