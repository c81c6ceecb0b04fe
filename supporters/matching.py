"""Matching: a ranked shortlist of peer supporters for one person, never an automatic assignment.

The team chooses who to offer; this module only says who may be offered and why, in plain words.

1. Hard filters (`HARD_FILTERS`): each is a plain function `rule(supporter, ctx)` that returns a
   sentence saying why the supporter cannot be offered, or None. A supporter fails on every rule
   that applies, and the excluded list shows all of them, so the team can see what to fix
   (renew training, book supervision) as well as who is out.
2. Soft scoring (supporters.scoring, `WEIGHTS`): the preferences the person chose to give
   (language, gender, shared background, similar experience), bereavement, and current
   caseload, each point with its reason. People in secure and community services say choosing
   who supports them matters to them (a shared experience, gender, background): the scoring
   ranks, it never hides anyone who is eligible.

Region: `AffectedPerson` has no region, and neither has `Organisation`, so there is nothing to
compare `PeerSupporter.region` with. Locality is instead enforced by the `not_serving_organisation`
hard filter: every candidate already supports people for the person's organisation. When people
or organisations gain a region, add a "region" weight to supporters.scoring.

Queries: `shortlist()` runs a fixed number of queries however many supporters there are (the
review and its named team, or the organisation of a person with no review; the mandatory
courses, the `supervision-due` rule (supporters.supervision), the supporters with their annotations, and their mandatory training summed up per
course). Each rule reads only what `load_supporters()` loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import BooleanField, Count, Exists, F, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone

from incidents.models import AffectedPerson, Organisation, PersonKind, Review
from supporters.models import (
    Course,
    PeerSupporter,
    Pool,
    SupervisionSession,
    SupervisorAssignment,
    SupporterStatus,
    TrainingRecord,
    caseload_annotation,
)
from supporters.scoring import normal, score, unmet_preferences
from supporters.supervision import in_words, supervision_interval

# Supervision is due every supervision_interval() (the `supervision-due` rule); a supporter stays
# on the shortlist for this long after it falls due, so a session booked for next week does not
# take them off.
SUPERVISION_GRACE = timedelta(days=14)

POOL_FOR_KIND = {
    PersonKind.STAFF: Pool.STAFF,
    PersonKind.FAMILY: Pool.LIVED_EXPERIENCE,
    PersonKind.SERVICE_USER: Pool.LIVED_EXPERIENCE,
}


@dataclass
class Candidate:
    supporter: PeerSupporter
    score: int
    reasons: list[str] = field(default_factory=list)
    caseload: int = 0
    unmet: list[str] = field(default_factory=list)


@dataclass
class Excluded:
    supporter: PeerSupporter
    why: list[str] = field(default_factory=list)


@dataclass
class MatchContext:
    """What every rule needs to know about the person, loaded once per shortlist.

    A member of staff who asked for support themselves may have no review: then the rules about
    the review (involved in it, declared a conflict with it) do not apply.
    """

    person: AffectedPerson
    review: Review | None
    organisation: Organisation
    today: date
    override_pool: bool
    mandatory_courses: list[Course]
    review_lead_id: int | None
    review_team_ids: set[int]
    supervision_interval: timedelta

    @classmethod
    def build(cls, person, *, override_pool=False, today=None) -> MatchContext:
        if person.review_id is not None:
            review = Review.objects.select_related("organisation").get(pk=person.review_id)
            organisation = review.organisation
            review_team_ids = set(review.team_members.values_list("id", flat=True))
        else:
            review = None
            organisation = Organisation.objects.get(pk=person.organisation_id)
            review_team_ids = set()
        return cls(
            person=person,
            review=review,
            organisation=organisation,
            today=today or timezone.localdate(),
            override_pool=override_pool,
            mandatory_courses=list(Course.objects.filter(mandatory=True).order_by("name")),
            review_lead_id=review.lead_investigator_id if review is not None else None,
            review_team_ids=review_team_ids,
            supervision_interval=supervision_interval(),
        )

    @property
    def person_name(self) -> str:
        return self.person.preferred_name or self.person.full_name

    @property
    def needed_pool(self) -> str | None:
        """The pool whose supporters this person is offered, unless the team widens it."""
        return POOL_FOR_KIND.get(self.person.kind)


def supervisors_for(organisation):
    """Each supporter's named supervisors for the organisation who are still its team members."""
    return SupervisorAssignment.objects.filter(
        supporter_id=OuterRef("pk"),
        organisation_id=organisation.pk,
        supervisor__is_active=True,
        supervisor__team_membership__organisation_id=organisation.pk,
    )


def candidate_queryset(ctx: MatchContext):
    """Every supporter, in one query, annotated with what the rules and the scoring read."""
    serves = PeerSupporter.organisations.through.objects.filter(
        peersupporter_id=OuterRef("pk"), organisation_id=ctx.organisation.pk
    )
    if ctx.review is not None:
        conflicted = Exists(
            PeerSupporter.conflicts.through.objects.filter(
                peersupporter_id=OuterRef("pk"), review_id=ctx.review.pk
            )
        )
    else:
        conflicted = Value(False, output_field=BooleanField())
    # caseload_annotation() joins offers and groups by supporter. The last supervision is a
    # subquery rather than Max() over a second join, which would multiply each supporter's offer
    # rows by their supervision rows before grouping.
    last_supervision = (
        SupervisionSession.objects.filter(supporter_id=OuterRef("pk"))
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    organisation_supervisor = (
        supervisors_for(ctx.organisation).order_by().values("supervisor_id")[:1]
    )
    return (
        PeerSupporter.objects.select_related("user")
        .annotate(
            caseload=caseload_annotation(),
            last_supervision=Subquery(last_supervision),
            organisation_supervisor_id=Subquery(organisation_supervisor),
            # The person's organisation (their review's, or theirs when they have none).
            serves_review_organisation=Exists(serves),
            conflicted_with_review=conflicted,
        )
        .order_by("user__first_name", "user__last_name", "pk")
    )


@dataclass(frozen=True)
class CourseStanding:
    """A supporter's records for one mandatory course, summed up."""

    latest_expiry: date | None
    has_record_that_never_expires: bool

    def current_on(self, today: date) -> bool:
        return self.has_record_that_never_expires or (
            self.latest_expiry is not None and self.latest_expiry >= today
        )


def load_supporters(ctx: MatchContext, queryset=None) -> list[PeerSupporter]:
    """The supporters, each with `mandatory_training`: {course id: CourseStanding}.

    Two queries whatever the number of supporters. Training is summed up per supporter and
    course in the database (latest expiry, any record with none) rather than loading every
    record, which on 300 supporters was most of the time the shortlist took.
    """
    supporters = list(candidate_queryset(ctx) if queryset is None else queryset)
    standings = defaultdict(dict)
    if ctx.mandatory_courses and supporters:
        records = TrainingRecord.objects.filter(course__in=ctx.mandatory_courses)
        if queryset is not None:  # a few supporters: only theirs (all of them: no filter needed)
            records = records.filter(supporter_id__in=[s.pk for s in supporters])
        rows = (
            records.order_by()
            .values_list("supporter_id", "course_id")
            .annotate(
                latest=Max("expires_on"),
                never=Count("pk", filter=Q(expires_on__isnull=True)),
            )
        )
        for supporter_id, course_id, latest, never in rows:
            standings[supporter_id][course_id] = CourseStanding(latest, bool(never))
    for supporter in supporters:
        supporter.mandatory_training = standings[supporter.pk]
    return supporters


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# Hard filters ----------------------------------------------------------------------------------


def not_active(supporter, ctx) -> str | None:
    """Only active supporters are offered: not those in training, paused, or who have left."""
    if supporter.status == SupporterStatus.ACTIVE:
        if not supporter.user.is_active:
            return "Their login is switched off"
        return None
    if supporter.status == SupporterStatus.PAUSED:
        if supporter.paused_until:
            return f"Paused until {_day(supporter.paused_until)}"
        return "Paused"
    if supporter.status == SupporterStatus.IN_TRAINING:
        return "Still in training"
    if supporter.status == SupporterStatus.LEFT:
        return "Has left the service"
    return f"Not active ({supporter.get_status_display()})"


def mandatory_training_lapsed(supporter, ctx) -> str | None:
    """Every mandatory course needs a record that has not expired (no expiry date: never does)."""
    problems = []
    for course in ctx.mandatory_courses:
        standing = supporter.mandatory_training.get(course.pk)
        if standing is None:
            problems.append(f"{course.name} (never completed)")
        elif not standing.current_on(ctx.today):
            problems.append(f"{course.name} (expired {_day(standing.latest_expiry)})")
    if problems:
        return "Mandatory training not current: " + "; ".join(problems)
    return None


def supervision_overdue(supporter, ctx) -> str | None:
    """Supervision is due every supervision_interval(); after SUPERVISION_GRACE more it is
    overdue."""
    last = supporter.last_supervision
    if last is None:
        return "No supervision recorded"
    if ctx.today - last > ctx.supervision_interval + SUPERVISION_GRACE:
        every = in_words(ctx.supervision_interval)
        return f"Supervision overdue: last held {_day(last)} (due every {every})"
    return None


def at_capacity(supporter, ctx) -> str | None:
    """People currently assigned (offered, accepted, active, no response) must be under capacity."""
    if supporter.caseload >= supporter.capacity:
        return f"At capacity: supporting {supporter.caseload} of {supporter.capacity} people"
    return None


def involved_in_review(supporter, ctx) -> str | None:
    """Nobody named on the person's review (lead investigator or team member) supports them."""
    if ctx.review is None:
        return None
    if supporter.user_id == ctx.review_lead_id:
        return "Lead investigator on this review"
    if supporter.user_id in ctx.review_team_ids:
        return "Named team member on this review"
    return None


def same_staff_team(supporter, ctx) -> str | None:
    """A member of staff is not supported by a peer from their own team in their organisation."""
    person = ctx.person
    if person.kind != PersonKind.STAFF:
        return None
    team = normal(person.staff_team)
    if (
        team
        and normal(supporter.staff_team) == team
        and supporter.home_organisation_id == ctx.organisation.pk
    ):
        return f"Works in the same team as {ctx.person_name} ({supporter.staff_team.strip()})"
    return None


def declared_conflict(supporter, ctx) -> str | None:
    """A supporter who declared a conflict with this review (involved, or knows the people)."""
    if supporter.conflicted_with_review:
        return "Declared a conflict with this review"
    return None


def wrong_pool(supporter, ctx) -> str | None:
    """Staff peers support staff; lived-experience peers support families and service users.

    The team may override this (override_pool=True) and records why on the offer.
    """
    needed = ctx.needed_pool
    if ctx.override_pool or needed is None or supporter.pool == needed:
        return None
    return f"{Pool(supporter.pool).label}; {ctx.person_name} needs a {Pool(needed).label.lower()}"


def not_serving_organisation(supporter, ctx) -> str | None:
    """The supporter must support people for the person's organisation."""
    if not supporter.serves_review_organisation:
        return f"Does not support people for {ctx.organisation.name}"
    return None


def no_supervisor_for_organisation(supporter, ctx) -> str | None:
    """A supporter has a named supervisor for each organisation whose people they support
    (SupervisorAssignment), a member of that organisation's team."""
    if supporter.organisation_supervisor_id is None:
        return f"No supervisor named for {ctx.organisation.name}"
    return None


HARD_FILTERS = (
    not_active,
    mandatory_training_lapsed,
    supervision_overdue,
    at_capacity,
    involved_in_review,
    same_staff_team,
    declared_conflict,
    wrong_pool,
    not_serving_organisation,
    no_supervisor_for_organisation,
)


# The shortlist -----------------------------------------------------------------------------------


def _name_key(supporter) -> tuple[str, int]:
    return (str(supporter.user).casefold(), supporter.pk)


def exclusion_reasons(supporter, ctx) -> list[str]:
    """Every hard filter the supporter fails, in the order of HARD_FILTERS."""
    return [why for rule in HARD_FILTERS if (why := rule(supporter, ctx)) is not None]


def may_be_candidate(ctx: MatchContext) -> Q:
    """The hard filters the database can check exactly as their rules do, for a shortlist that
    leaves out who cannot be offered: the rules still run on everyone loaded.

    not_active, not_serving_organisation, wrong_pool, supervision_overdue (held on or after the
    last day that is not overdue), at_capacity and no_supervisor_for_organisation. Training,
    naming, staff team and declared conflicts stay with their rules only.
    """
    allowed = Q(
        status=SupporterStatus.ACTIVE,
        user__is_active=True,
        serves_review_organisation=True,
        last_supervision__gte=ctx.today - (ctx.supervision_interval + SUPERVISION_GRACE),
        caseload__lt=F("capacity"),
    ) & Exists(supervisors_for(ctx.organisation))
    if not ctx.override_pool and ctx.needed_pool is not None:
        allowed &= Q(pool=ctx.needed_pool)
    return allowed


def shortlist(
    person, *, override_pool: bool = False, today=None, candidates_only: bool = False
) -> tuple[list[Candidate], list[Excluded]]:
    """Eligible supporters best first, and everyone else with every reason they are out.

    Ranked by score, then lower caseload, then name. It assigns nobody. With candidates_only
    the same candidates, but only the few supporters who pass `may_be_candidate` are loaded
    (at national scale, 3,000 supporters loaded took most of the page's time), so `excluded`
    holds only those of them a rule leaves out.
    """
    ctx = MatchContext.build(person, override_pool=override_pool, today=today)
    candidates, excluded = [], []
    queryset = candidate_queryset(ctx).filter(may_be_candidate(ctx)) if candidates_only else None
    for supporter in load_supporters(ctx, queryset):
        why = exclusion_reasons(supporter, ctx)
        if why:
            excluded.append(Excluded(supporter=supporter, why=why))
            continue
        points, reasons = score(supporter, ctx)
        candidates.append(
            Candidate(
                supporter=supporter,
                score=points,
                reasons=reasons,
                caseload=supporter.caseload,
                unmet=unmet_preferences(supporter, person),
            )
        )
    candidates.sort(key=lambda c: (-c.score, c.caseload, *_name_key(c.supporter)))
    excluded.sort(key=lambda e: _name_key(e.supporter))
    return candidates, excluded


def why_not_eligible(supporter, person, *, override_pool: bool = False, today=None) -> list[str]:
    """The reasons one supporter cannot be offered to this person now (empty: they can).

    For the assignment service to check again at the moment of assigning, since the shortlist
    the team looked at may be stale.
    """
    ctx = MatchContext.build(person, override_pool=override_pool, today=today)
    (loaded,) = load_supporters(ctx, candidate_queryset(ctx).filter(pk=supporter.pk))
    return exclusion_reasons(loaded, ctx)
