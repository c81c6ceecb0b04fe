"""Seeds the realistic demo peer supporters and support offers (`seed_supporters`).

It adds a supervisor for each demo organisation and thirteen supporters in both pools across
the two (logins: supporter@, supporter2@, supervisor@ and supervisor.wales@example.org), each
supporter with a supervisor for every organisation they serve (Eleri, who serves both, has two),
with training, supervision and the code of conduct accepted. It then tells a short story for
some of the demo people through `supporters.services`, so every offer status appears with its
status rows, audit events and outbox messages, as real work would leave them. Events are
backdated to when they would have happened. It is keyed on email addresses and people, so it is
safe to run again: a supporter or a person's story that already exists is left as it is.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import (
    AffectedPerson,
    Consent,
    Organisation,
    TeamMember,
)
from incidents.preferences import Background, Gender, from_words
from peersupport import outbox
from peersupport.demo.accounts import DEMO_USERS
from peersupport.demo.common import moment
from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from peersupport.demo.supporters_data import (
    ACTIVE,
    COURSES,
    FOUNDATION,
    IN_TRAINING,
    LEFT,
    PAUSED,
    SAFEGUARDING,
    STORIES,
    SUPERVISOR,
    SUPPORTER,
    SUPPORTER2,
    SUPPORTERS,
    WALES_SUPERVISOR,
    Step,
    Story,
)
from peersupport.models import Alert, Message, MessageChannel, MessageStatus, User
from peersupport.roles import Role
from peersupport.services import create_user_with_role
from supporters import services
from supporters.models import (
    Course,
    OfferStatus,
    OfferStatusChange,
    PeerSupporter,
    ReassignmentTask,
    SupervisorAssignment,
    SupporterStatusChange,
    SupportOffer,
)


@dataclass
class SupportersResult:
    supporters: int = 0
    stories: int = 0
    skipped: list[str] = field(default_factory=list)


# Kept only where the demo's supporter does not meet what the person asked for.
DEMO_PREFERENCE_REASON = "The nearest match free now; they agreed on the phone."


def described(gender: str, background: str) -> dict:
    """The demo's gender and background words, as the lists a person chooses from."""
    gender, gender_own = from_words(Gender, gender)
    background, background_own = from_words(Background, background)
    return {
        "gender": gender,
        "gender_own": gender_own,
        "background": background,
        "background_own": background_own,
    }


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


def name_supervisors(supporters, supervisors: dict[int, User]) -> None:
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
    name_supervisors([s for _, s in created], supervisors)

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
            **described(spec.gender, spec.background),
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
        changed_at=moment(joined, 0),
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
            changed_at=moment(joined, -56)
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
    when = moment(today, spec.status_days_ago, 15)
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
        offer = services.open_offer(person)
        consented = person.consents.filter(kind="contact").order_by("-recorded_at").first()
        if offer is not None and consented is not None:
            # It opened when consent was given, not today.
            SupportOffer.objects.filter(pk=offer.pk).update(created_at=consented.recorded_at)
            offer.status_changes.update(changed_at=consented.recorded_at)


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
        when = moment(self.today, step.days_ago, 10 + step.days_ago % 6)
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
                offer,
                self.supporters[step.supporter],
                by=by,
                via=step.via,
                preference_reason=DEMO_PREFERENCE_REASON,
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
            offer = services.reassign(
                old,
                self.supporters[step.supporter],
                by=by,
                preference_reason=DEMO_PREFERENCE_REASON,
            )
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
    week_ago = moment(today, 7)
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
