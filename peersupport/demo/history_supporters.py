"""The supporters' side of the demo's history (`peersupport.demo.history`): when each
supporter was active and whom they supported (`Supporters`), two off sick in SHORT_MONTH,
their monthly wellbeing check-ins and their supervision. Bulk inserts, dated when each thing
happened."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone

from incidents.models import PersonKind
from peersupport.demo.common import day_at
from peersupport.demo.history_plan import MONTHS, SHORT_MONTH, at, month_start
from peersupport.demo.supporters_data import SUPPORTER, SUPPORTER2, SUPPORTERS
from supporters.models import (
    ASSIGNED_STATUSES,
    PeerSupporter,
    Pool,
    SupervisionSession,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)

OFF_SICK = ("farah.hussain@example.org", "tariq.mahmood@example.org")  # in SHORT_MONTH

# Supporters ----------------------------------------------------------------------------------


def off_sick(today):
    """Two supporters off sick at once in SHORT_MONTH: why offers were slow that month."""
    first = month_start(today, SHORT_MONTH)
    for email in OFF_SICK:
        supporter = PeerSupporter.objects.filter(user__email=email).first()
        if supporter is None:
            continue
        by = supporter.supervisor
        SupporterStatusChange.objects.bulk_create(
            [
                SupporterStatusChange(
                    supporter=supporter,
                    from_status=SupporterStatus.ACTIVE,
                    to_status=SupporterStatus.PAUSED,
                    reason="Off sick.",
                    changed_at=day_at(first + timedelta(days=2), 9),
                    changed_by=by,
                ),
                SupporterStatusChange(
                    supporter=supporter,
                    from_status=SupporterStatus.PAUSED,
                    to_status=SupporterStatus.ACTIVE,
                    reason="Back from sick leave.",
                    changed_at=day_at(first + timedelta(days=26), 9),
                    changed_by=by,
                ),
            ]
        )


class Supporters:
    """When each supporter was active, who they serve, and the people given to them."""

    def __init__(self, today):
        now = timezone.now()
        lapsed = {s.email for s in SUPPORTERS if s.training == "lapsed"}
        self.all = list(
            PeerSupporter.objects.select_related("user", "supervisor").prefetch_related(
                "organisations", "status_changes"
            )
        )
        self.windows = {}
        for supporter in self.all:
            spans, since = [], None
            for change in supporter.status_changes.all():
                if change.to_status == SupporterStatus.ACTIVE and since is None:
                    since = change.changed_at
                elif change.to_status != SupporterStatus.ACTIVE and since is not None:
                    spans.append((since, change.changed_at))
                    since = None
            if since is not None:
                until = now - timedelta(days=120) if supporter.user.email in lapsed else None
                spans.append((since, until))
            self.windows[supporter.pk] = spans
        self.serves = {s.pk: {o.pk for o in s.organisations.all()} for s in self.all}
        self.load = defaultdict(list)  # supporter -> [(from, until or None)]
        self.now_load = dict(
            SupportOffer.objects.filter(status__in=ASSIGNED_STATUSES, supporter__isnull=False)
            .values_list("supporter")
            .annotate(n=Count("pk"))
        )

    def active_at(self, supporter, when) -> bool:
        return any(
            since <= when and (until is None or when < until)
            for since, until in self.windows[supporter.pk]
        )

    def busy(self, supporter, when) -> int:
        return sum(
            1
            for start, end in self.load[supporter.pk]
            if start <= when and (end is None or when < end)
        )

    def choose(self, rng, person, when, ongoing=False):
        """The least busy supporter of the right pool, active and serving the person's
        organisation then (not the two demo logins, whose people are their own stories)."""
        pool = Pool.STAFF if person.kind == PersonKind.STAFF else Pool.LIVED_EXPERIENCE
        free = [
            s
            for s in self.all
            if s.user.email not in (SUPPORTER, SUPPORTER2)
            and person.organisation_id in self.serves[s.pk]
            and self.active_at(s, when)
        ]
        if ongoing:  # still assigned today: only to someone with room today
            free = [s for s in free if self.room_now(s)] or free
        matched = [s for s in free if s.pool == pool] or free
        if not matched:
            return None
        rng.shuffle(matched)
        return min(matched, key=lambda s: self.busy(s, when))

    def room_now(self, supporter) -> bool:
        ongoing = sum(1 for _, end in self.load[supporter.pk] if end is None)
        return self.now_load.get(supporter.pk, 0) + ongoing < supporter.capacity and (
            self.active_at(supporter, timezone.now())
        )


# Supporters' check-ins and supervision -------------------------------------------------------


def checkins(rng, book, today):
    """A wellbeing check-in a month from each active supporter: feeling able to support
    people, and coping, except in the month two of them were off sick."""
    rows = []
    for months_ago in range(MONTHS, 0, -1):
        first = month_start(today, months_ago)
        for supporter in book.all:
            when = at(first + timedelta(days=rng.randint(3, 25)), 12)
            if not book.active_at(supporter, when):
                continue
            coping = rng.choice([2, 3, 4]) if months_ago == SHORT_MONTH else rng.choice([4, 4, 5])
            rows.append(
                WellbeingCheckIn(
                    supporter=supporter, empowered=rng.choice([4, 5, 5]), coping=coping,
                    created_at=when,
                )
            )  # fmt: skip
    WellbeingCheckIn.objects.bulk_create(rows)


def supervision(book, today):
    """Supervision every five weeks before each supporter's recorded sessions, back to when
    they became active, so supervision was kept up."""
    rows = []
    earliest = dict(
        SupervisionSession.objects.values_list("supporter").annotate(first=Min("held_on"))
    )
    for supporter in book.all:
        held = earliest.get(supporter.pk)
        spans = book.windows[supporter.pk]
        if held is None or not spans or supporter.supervisor is None:
            continue
        started = timezone.localdate(spans[0][0])
        day = held - timedelta(weeks=5)
        while day > started and day > today - timedelta(days=31 * (MONTHS + 1)):
            rows.append(
                SupervisionSession(
                    supporter=supporter, supervisor=supporter.supervisor, held_on=day,
                    recorded_by=supporter.supervisor,
                )
            )  # fmt: skip
            day -= timedelta(weeks=5)
    SupervisionSession.objects.bulk_create(rows)
