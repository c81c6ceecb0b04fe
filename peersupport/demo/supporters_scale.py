"""Seeds bulk demo peer supporters and offers for a `--scale` run (`seed_supporter_scale`): 3
supporters for every 100 reviews and an offer for every consenting person, with bulk inserts:
no audit events or messages. For benchmarks only, never for a live service.
"""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from incidents.models import (
    Organisation,
)
from peersupport.demo.common import moment, weighted
from peersupport.demo.incidents_data import ENGLAND_ORG, WALES_ORG
from peersupport.demo.incidents_scale import FIRST_NAMES, LAST_NAMES
from peersupport.demo.offers_scale import scale_offers
from peersupport.demo.supporters import described, name_supervisors, seed_courses
from peersupport.demo.supporters_data import (
    ACTIVE,
    BOTH,
    ENGLAND,
    FOUNDATION,
    IN_TRAINING,
    LEFT,
    LIVED,
    PAUSED,
    SAFEGUARDING,
    STAFF,
    SUPERVISOR,
    TRIM,
    WALES,
    WALES_SUPERVISOR,
)
from peersupport.models import User
from peersupport.roles import Role, group_name
from supporters.models import (
    CodeAcceptance,
    CodeOfConduct,
    PeerSupporter,
    SupervisionSession,
    SupporterStatusChange,
    TrainingRecord,
)

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
# fmt: on
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
        scale_offers(rng, run, supporters, today, now, batch_size, result)
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
        status = weighted(rng, SCALE_STATUSES)
        serves = weighted(rng, SCALE_SERVES)
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
            languages=weighted(rng, SCALE_LANGUAGES),
            **described(weighted(rng, SCALE_GENDERS), rng.choice(SCALE_BACKGROUNDS)),
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
    name_supervisors(
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
                changed_at=moment(joined, 0),
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
                changed_at=moment(min(active_on, today), 0),
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
                    changed_at=moment(today, rng.randint(1, 40), 15),
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
                    supporter_id=supporter.pk, code_id=code.pk, accepted_at=moment(active_on, 0)
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
