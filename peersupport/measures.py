"""The measures on the dashboard: one definition each, read by the page, the CSV and the tests.

Every figure is counted by the database, by calendar month in UK time (TruncMonth in
Europe/London; Count and Sum with a filter), never by looping over people or contacts in
Python: the number of queries and the rows they return depend on the number of months,
organisations and services, not on how many people there are.

Small numbers. Every figure passes through peersupport.suppression (NHS Digital's rule for
published statistics): counts from 1 to SUPPRESS_COUNTS_UP_TO (7) withheld, the rest rounded to
the nearest 5, rates worked out from the rounded figures, complements treated as counts. So
that a withheld count cannot be worked back from the other figures on the page, in the CSV,
or in another view of the dashboard:

- nothing is a total over months: a measure's headline is its latest month, and the mean and
  process limits use only the months shown, as shown;
- each month is counted for every cell the filters can pick out (each organisation, service
  and group, and their totals), whatever the filters chosen, and all of them are protected
  together, with every measure that shares a count (people accessing support and staff
  accessing support; offers made, behind offers accepted and the days to an offer). The same
  figures are withheld in every view, so comparing two views gives nothing away either.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from incidents.deadlines import SUBDIVISION
from incidents.models import Consent, ConsentRecord, Nation, PersonKind
from peersupport import spc, suppression
from peersupport.spc import Improvement
from supporters.models import (
    SUPERVISION_INTERVAL,
    CloseReason,
    Contact,
    OfferStatus,
    OfferStatusChange,
    PeerSupporter,
    SupervisionSession,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)

UK = ZoneInfo("Europe/London")

FAMILIES, STAFF = "families", "staff"
GROUPS = {FAMILIES: "Families and service users", STAFF: "Staff"}
KINDS = {FAMILIES: [PersonKind.FAMILY, PersonKind.SERVICE_USER], STAFF: [PersonKind.STAFF]}
SURVEY_GROUPS = {FAMILIES: ["family", "service_user"], STAFF: ["staff"]}

PROCESS, OUTCOME, BALANCING, ALSO = "process", "outcome", "balancing", "also"
SECTIONS = {
    PROCESS: "Process measures",
    OUTCOME: "Outcome measures",
    BALANCING: "Balancing measures",
    ALSO: "How support went",
}

SHARE, COUNT, MEAN, MEDIAN = "share", "count", "mean", "median"

PERSON_EXCLUSIONS = (
    "People who have not given consent to be contacted about peer support, or who have asked "
    "not to be contacted, are left out."
)


# Months -----------------------------------------------------------------------------------------


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK)


def this_month() -> date:
    return timezone.localtime(timezone.now(), UK).date().replace(day=1)


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: months first_month to last_month (first days), and
    optionally one organisation, one service and one group."""

    first_month: date
    last_month: date
    organisation_id: int | None = None
    service_id: int | None = None
    group: str = ""

    @classmethod
    def last(cls, count: int = 12, **kwargs) -> Filters:
        """The last `count` complete months."""
        current = this_month()
        return cls(add_months(current, -count), add_months(current, -1), **kwargs)

    @cached_property
    def months(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start(self) -> datetime:
        return uk_midnight(self.first_month)

    @property
    def end(self) -> datetime:
        return uk_midnight(add_months(self.last_month, 1))

    @property
    def end_day(self) -> date:
        return add_months(self.last_month, 1)


# Counting in the database -----------------------------------------------------------------------


ANY = "*"  # a cell's organisation, service or group when it covers all of them


@dataclass(frozen=True)
class Part:
    """One month of a measure in one finest cell: (organisation, service, group), or
    (organisation, ANY, ANY) for supporters, who belong to no service or group."""

    month: date
    key: tuple
    numerator: float
    denominator: float | None = None


@dataclass
class Counts:
    """What a measure's queries return: the finest `parts`, to be added up into every cell;
    or, for supporters, ready-made `cells` (a supporter may serve several organisations, so
    the organisations' cells overlap and their total is counted on its own)."""

    parts: list[Part] = field(default_factory=list)
    cells: dict[date, dict[tuple, list]] | None = None
    medians: dict[date, float] = field(default_factory=dict)


def _month(path: str):
    """The calendar month, in UK time, of a date-and-time field."""
    return TruncMonth(path, output_field=DateField(), tzinfo=UK)


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value, UK).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


@dataclass(frozen=True)
class Row:
    """One row of a grouped query: a month, a cell's key, and the counts asked for."""

    month: date
    key: tuple
    counts: dict


def _rows(queryset, month, dims: dict, **aggregates) -> list[Row]:
    """Counts by month and by the finest cells (`dims`), in one query."""
    rows = (
        queryset.order_by()
        .annotate(month_=month, **dims)
        .values("month_", *dims)
        .annotate(**aggregates)
    )
    return [
        Row(
            _as_date(row["month_"]),
            tuple(row[name] for name in dims),
            {name: row[name] or 0 for name in aggregates},
        )
        for row in rows
    ]


def _parts(rows: list[Row], numerator: str, denominator: str | None = None, where=None):
    return [
        Part(
            row.month,
            row.key,
            row.counts[numerator],
            row.counts[denominator] if denominator else None,
        )
        for row in rows
        if where is None or where(row)
    ]


def _person_dims(prefix: str) -> dict:
    """A person's organisation, the service of their review (none for staff who asked for
    support without one) and their group."""
    return {
        "org_": F(f"{prefix}organisation_id"),
        "service_": F(f"{prefix}review__service_id"),
        "group_": Case(
            When(**{f"{prefix}kind": PersonKind.STAFF}, then=Value(STAFF)), default=Value(FAMILIES)
        ),
    }


def _people(prefix: str = "") -> Q:
    """The people a person-based measure counts: with consent, and not asking to be left
    alone. Every organisation, service and group is counted, each in its own cell."""
    return Q(**{f"{prefix}consent_to_contact": Consent.GIVEN, f"{prefix}do_not_contact": False})


def _chosen(filters: Filters, prefix: str = "") -> Q:
    """The people in the organisation, service and group chosen."""
    q = Q()
    if filters.organisation_id:
        q &= Q(**{f"{prefix}organisation_id": filters.organisation_id})
    if filters.service_id:
        q &= Q(**{f"{prefix}review__service_id": filters.service_id})
    if filters.group:
        q &= Q(**{f"{prefix}kind__in": KINDS[filters.group]})
    return q


def _between(path: str, filters: Filters) -> Q:
    return Q(**{f"{path}__gte": filters.start, f"{path}__lt": filters.end})


def _days_between(path: str, filters: Filters) -> Q:
    return Q(**{f"{path}__gte": filters.first_month, f"{path}__lt": filters.end_day})


def _status_reached(*statuses) -> Exists:
    return Exists(
        OfferStatusChange.objects.filter(offer=OuterRef("pk"), to_status__in=list(statuses))
    )


# Working days, counted by the database ----------------------------------------------------------

EPOCH = date(2000, 1, 3)  # a Monday


class _DaysSinceEpoch(Func):
    """Whole days from EPOCH to a date."""

    arity = 1
    output_field = IntegerField()
    template = f"(%(expressions)s - DATE '{EPOCH.isoformat()}')"

    def as_sqlite(self, compiler, connection, **extra):
        template = f"CAST(julianday(%(expressions)s) - julianday('{EPOCH.isoformat()}') AS INTEGER)"
        return super().as_sql(compiler, connection, template=template, **extra)


def _weekdays_to(day):
    """Weekdays after EPOCH (a Monday) up to and including the day: the days, less the
    Saturdays (days 5, 12, ...) and the Sundays (6, 13, ...)."""
    days = _DaysSinceEpoch(day)

    def weeks(offset):
        return ExpressionWrapper((days + Value(offset)) / Value(7), output_field=IntegerField())

    return days - weeks(2) - weeks(1)


@lru_cache(maxsize=32)
def _weekday_holidays(nation: str, years: tuple[int, ...]) -> list[date]:
    calendar = holiday_calendars.country_holidays(
        "GB", subdiv=SUBDIVISION[Nation(nation)], years=list(years)
    )
    return sorted(day for day in calendar if day.weekday() < 5)


class _HolidaysTo(Func):
    """Bank holidays on weekdays up to and including the day (in UK time) of a moment, in
    the organisation's nation: the latest holiday on or before the day gives the count. The
    moment is compared with each holiday's first minute, so no date is worked out per row.
    Written as SQL directly: as When() objects its hundred-odd branches take longer to build
    than the query takes to run."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, moment, nation, years):
        super().__init__(moment, nation)
        self.years = years

    def as_sql(self, compiler, connection, **extra):
        moment_sql, moment_params = compiler.compile(self.source_expressions[0])
        nation_sql, nation_params = compiler.compile(self.source_expressions[1])
        adapt = connection.ops.adapt_datetimefield_value
        sql, params = ["CASE"], []
        for nation in Nation:
            days = _weekday_holidays(nation, self.years)
            sql.append(f"WHEN {nation_sql} = %s THEN CASE")
            params += [*nation_params, nation.value]
            for count, holiday in reversed(list(enumerate(days, start=1))):
                sql.append(f"WHEN {moment_sql} >= %s THEN {count}")
                params += [*moment_params, adapt(uk_midnight(holiday))]
            sql.append("ELSE 0 END")
        sql.append("ELSE 0 END")
        return f"({' '.join(sql)})", params


def working_days(start: str, end: str, nation_path: str, years):
    """Working days after the UK day of the moment `start` up to and including the UK day
    of `end` (as incidents.deadlines.working_days_between), as a database expression."""

    def to(moment):
        day = TruncDate(moment, tzinfo=UK)
        return _weekdays_to(day) - _HolidaysTo(F(moment), F(nation_path), years)

    return to(end) - to(start)


# The queries behind the measures ----------------------------------------------------------------


def _status_reached(*statuses) -> Exists:
    return Exists(
        OfferStatusChange.objects.filter(offer=OuterRef("pk"), to_status__in=list(statuses))
    )


def _median(bins) -> float:
    """The median of values given as (value, how many) pairs."""
    bins = sorted(bins)
    total = sum(n for _, n in bins)
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found, seen = [], 0
    for value, n in bins:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


OUTCOME_CODES = [
    "satisfaction",
    "engage_with_review",
    "supported_by_process",
    "fft",
    "staff_perception",
]


CACHE_SECONDS = 5 * 60
CACHE_VERSION = 1


def _shared(method=None, *, by_view: bool = False):
    """A query's result, kept in the cache for CACHE_SECONDS: the figures are the same for
    every filter (each cell is counted), so changing the filters reads them from there. A
    result that depends on the view (`by_view`) is kept for that view."""

    def decorator(method):
        name = method.__name__

        def get(self):
            if name not in self._results:
                key = self._key(name, by_view)
                found = None if self.refresh else cache.get(key)
                if found is None:
                    found = (timezone.now(), method(self))
                    cache.set(key, found, CACHE_SECONDS)
                self.as_at = found[0] if self.as_at is None else min(self.as_at, found[0])
                self._results[name] = found[1]
            return self._results[name]

        get.__doc__ = method.__doc__
        return property(get)

    return decorator(method) if method is not None else decorator


class Queries:
    """The queries behind the measures, each run once however many measures read it."""

    def __init__(self, filters: Filters, *, refresh: bool = False):
        self.filters = filters
        self.refresh = refresh  # count afresh and replace what the cache holds
        self.as_at: datetime | None = None  # when the oldest figure used was counted
        self._results = {}

    def _key(self, name: str, by_view: bool) -> str:
        f = self.filters
        key = f"peersupport.measures:{CACHE_VERSION}:{name}:{f.first_month}:{f.last_month}"
        if by_view:
            key += f":{f.organisation_id}:{f.service_id}:{f.group}"
        return key

    @_shared
    def people(self) -> list[Row]:
        """People who gave consent to be contacted, by the month it was recorded, and how
        many of them have been offered a supporter (so far)."""
        offered = SupportOffer.objects.filter(person=OuterRef("person"), offered_at__isnull=False)
        consents = ConsentRecord.objects.filter(
            _people("person__"),
            _between("recorded_at", self.filters),
            kind=ConsentRecord.Kind.CONTACT,
            decision=Consent.GIVEN,
        )
        return _rows(
            consents,
            _month("recorded_at"),
            _person_dims("person__"),
            people=Count("person", distinct=True),
            offered=Count("person", distinct=True, filter=Q(Exists(offered))),
        )

    @_shared
    def offers(self) -> list[Row]:
        """Offers made in each month, leaving out the new offer made when a supporter is
        reassigned (it is not a wait for a supporter): how many, how many were accepted, and
        the working days from each being opened to being made."""
        filters = self.filters
        years = tuple(range(filters.first_month.year - 2, filters.last_month.year + 1))
        offers = SupportOffer.objects.filter(
            _people("person__"), _between("offered_at", filters), previous__isnull=True
        )
        days = working_days("created_at", "offered_at", "person__organisation__nation", years)
        return _rows(
            offers,
            _month("offered_at"),
            _person_dims("person__"),
            offers=Count("pk"),
            accepted=Count("pk", filter=Q(_status_reached(OfferStatus.ACCEPTED))),
            days=Sum(days),
        )

    @_shared
    def answered(self) -> list[Row]:
        """Offers answered in each month, and how many of them were declined."""
        answered = SupportOffer.objects.filter(
            _people("person__"),
            _between("answered_at", self.filters),
            previous__isnull=True,
        )
        return _rows(
            answered,
            _month("answered_at"),
            _person_dims("person__"),
            answered=Count("pk"),
            declined=Count("pk", filter=Q(_status_reached(OfferStatus.DECLINED))),
        )

    def _ended(self):
        """Support that ended after it had started (accepted or active), leaving out an
        assignment that ended only because the person was given a new supporter."""
        return (
            SupportOffer.objects.filter(
                _people("person__"),
                _between("closed_at", self.filters),
                status=OfferStatus.CLOSED,
            )
            .exclude(close_reason=CloseReason.REASSIGNED)
            .filter(_status_reached(OfferStatus.ACCEPTED, OfferStatus.ACTIVE))
        )

    @_shared
    def ended(self) -> list[Row]:
        return _rows(
            self._ended(),
            _month("closed_at"),
            _person_dims("person__"),
            ended=Count("pk"),
            specialist=Count("pk", filter=Q(close_reason=CloseReason.SPECIALIST)),
        )

    @_shared(by_view=True)
    def contacts_per_person(self) -> dict[date, float]:
        """The median number of contacts of the people whose support ended, in the view
        chosen: a count of people by number of contacts, month by month. A person's contacts
        are those with this supporter and with the one they replaced, if any."""

        def contacts_of(offer):
            count = (
                Contact.objects.filter(offer=OuterRef(offer))
                .order_by()
                .values("offer")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(count), 0)

        per_offer = contacts_of("pk") + contacts_of("previous_id")
        histogram = (
            self._ended()
            .filter(_chosen(self.filters, "person__"))
            .order_by()
            .annotate(month_=_month("closed_at"), contacts_=per_offer)
            .values("month_", "contacts_")
            .annotate(people_=Count("pk"))
        )
        by_month = defaultdict(list)
        for row in histogram:
            by_month[_as_date(row["month_"])].append((row["contacts_"], row["people_"]))
        return {month: _median(bins) for month, bins in by_month.items()}

    @_shared
    def contacts(self) -> list[Row]:
        """Contacts in each month, and the people they were with."""
        contacts = Contact.objects.filter(
            _people("offer__person__"), _days_between("happened_on", self.filters)
        )
        return _rows(
            contacts,
            TruncMonth("happened_on", output_field=DateField()),
            _person_dims("offer__person__"),
            contacts=Count("pk"),
            people=Count("offer__person", distinct=True),
        )

    @_shared
    def answers(self) -> dict[str, list[Row]]:
        """Affected people's survey answers (never supporters'), question by question: how
        many, how many 4 or 5, how many 1 or 2. "Don't know" (6) is left out."""
        from feedback.models import Answer

        answers = Answer.objects.filter(
            _between("response__submitted_at", self.filters),
            question__code__in=OUTCOME_CODES,
            value__in=range(1, 6),
            response__group__in=[*SURVEY_GROUPS[FAMILIES], *SURVEY_GROUPS[STAFF]],
        )
        dims = {
            "code_": F("question__code"),
            "org_": F("response__organisation_id"),
            "service_": F("response__service_id"),
            "group_": Case(
                When(response__group="staff", then=Value(STAFF)), default=Value(FAMILIES)
            ),
        }
        by_code = defaultdict(list)
        for row in _rows(
            answers,
            _month("response__submitted_at"),
            dims,
            answers=Count("pk"),
            high=Count("pk", filter=Q(value__gte=4)),
            low=Count("pk", filter=Q(value__lte=2)),
        ):
            by_code[row.key[0]].append(Row(row.month, row.key[1:], row.counts))
        return by_code

    @_shared
    def supporter_answers(self) -> dict[str, list[Row]]:
        """Supporters' answers to the quarterly survey, by organisation: how many, how many
        4 or 5."""
        from feedback.models import Answer

        answers = Answer.objects.filter(
            _between("response__submitted_at", self.filters),
            question__code__in=["empowered", "coping"],
            value__in=range(1, 6),
            response__group="supporter",
        )
        by_code = defaultdict(list)
        for row in _rows(
            answers,
            _month("response__submitted_at"),
            {"code_": F("question__code"), "org_": F("response__organisation_id")},
            answers=Count("pk"),
            high=Count("pk", filter=Q(value__gte=4)),
        ):
            by_code[row.key[0]].append(Row(row.month, row.key[1:], row.counts))
        return by_code

    def _checkins(self, dims) -> list[Row]:
        return _rows(
            WellbeingCheckIn.objects.filter(_between("created_at", self.filters)),
            _month("created_at"),
            dims,
            answers=Count("pk"),
            empowered=Count("pk", filter=Q(empowered__gte=4)),
            coping=Count("pk", filter=Q(coping__gte=4)),
        )

    @_shared
    def checkins(self) -> tuple[list[Row], list[Row]]:
        """Supporters' wellbeing check-ins: in all, and by the organisations they serve."""
        return self._checkins({}), self._checkins({"org_": F("supporter__organisations")})

    @_shared
    def supporters(self) -> tuple[list[Row], list[Row]]:
        """The supporters, month by month: in all, and by the organisations they serve."""
        return _supporter_snapshot(self.filters)


def _supporter_cells(totals: list[Part], by_organisation: list[Part]) -> dict:
    """Supporters' cells: each organisation's, and the total (counted on its own)."""
    cells = defaultdict(dict)
    for parts, org in ((totals, None), (by_organisation, True)):
        for part in parts:
            key = (part.key[0], ANY, ANY) if org else (ANY, ANY, ANY)
            cell = cells[part.month].setdefault(key, [0, 0])
            cell[0] += part.numerator
            cell[1] += part.denominator or 0
    return cells


def _named(fetch, numerator: str | None, denominator: str | None):
    """A fetch that names the counts it reads, so measures reading the same count (offers
    made, say) publish the same figure for it. None: not a count of people or things."""
    fetch.names = (numerator, denominator)
    return fetch


def _count(query: str, numerator: str, denominator: str | None = None, where=None):
    """A measure read from one of the shared queries."""
    return _named(
        lambda q: Counts(_parts(getattr(q, query), numerator, denominator, where)),
        f"{query}.{numerator}",
        f"{query}.{denominator}" if denominator else None,
    )


def _survey(code: str, positive: str):
    return _named(
        lambda q: Counts(_parts(q.answers.get(code, []), positive, "answers")),
        f"answers.{code}.{positive}",
        f"answers.{code}.answers",
    )


def _feeling(code: str):
    """Supporters' own answers: their wellbeing check-ins and their quarterly survey."""

    def fetch(q):
        totals, by_organisation = q.checkins
        survey = _parts(q.supporter_answers.get(code, []), "high", "answers")
        return Counts(
            cells=_supporter_cells(
                _parts(totals, code, "answers") + survey,
                _parts(by_organisation, code, "answers") + survey,
            )
        )

    return _named(fetch, f"feeling.{code}", f"feeling.{code}.answers")


def _supporters(numerator: str, denominator: str):
    def fetch(q):
        totals, by_organisation = q.supporters
        return Counts(
            cells=_supporter_cells(
                _parts(totals, numerator, denominator),
                _parts(by_organisation, numerator, denominator),
            )
        )

    return _named(fetch, f"supporters.{numerator}", f"supporters.{denominator}")


def _median_contacts(q):
    return Counts(_parts(q.ended, "ended", "ended"), medians=q.contacts_per_person)


_named(_median_contacts, None, "ended.ended")


# Supporters month by month: who was active, supervised, pausing or leaving.


def _supporter_months(filters) -> list[tuple[int, date, datetime, datetime]]:
    """(index, month, start, end) for each month begun by now; the current month ends now."""
    now = timezone.now()
    months = []
    for index, month in enumerate(filters.months):
        start = uk_midnight(month)
        if start >= now:
            break
        months.append((index, month, start, min(uk_midnight(add_months(month, 1)), now)))
    return months


# A supporter's status at a moment comes from their status history: the last change before
# it or, before the first change, the status that change moved them from; with no history at
# all, the status they have now, since they were added. `spans` holds each status with when
# it began and ended. Each supporter appears once per organisation they serve (`organisation`,
# NULL for the total) and `first` marks one of those rows, so the total counts them once.
_SNAPSHOT_SQL = """
WITH months (i, start_at, end_at, last_day, since_day) AS (VALUES {months}),
spans (supporter_id, status, since, until) AS (
    SELECT c.supporter_id, c.to_status, c.changed_at,
        LEAD(c.changed_at) OVER (PARTITION BY c.supporter_id ORDER BY c.changed_at, c.id)
    FROM {changes} c
    UNION ALL
    SELECT s.id, COALESCE(
            (SELECT c.from_status FROM {changes} c WHERE c.supporter_id = s.id
             ORDER BY c.changed_at, c.id LIMIT 1),
            s.status),
        s.created_at,
        (SELECT MIN(c.changed_at) FROM {changes} c WHERE c.supporter_id = s.id)
    FROM {supporters} s
),
people AS (
    SELECT s.id AS supporter, s.capacity AS capacity, o.organisation_id AS organisation,
        ROW_NUMBER() OVER (PARTITION BY s.id ORDER BY o.organisation_id) = 1 AS first
    FROM {supporters} s LEFT JOIN {serves} o ON o.peersupporter_id = s.id
),
flags AS (
    SELECT p.supporter, p.capacity, p.organisation, p.first, m.i, m.start_at, m.end_at,
        m.last_day, m.since_day, e.status AS at_end, b.status AS at_start
    FROM people p CROSS JOIN months m
    LEFT JOIN spans e ON e.supporter_id = p.supporter
        AND e.since < m.end_at AND (e.until IS NULL OR e.until >= m.end_at)
    LEFT JOIN spans b ON b.supporter_id = p.supporter
        AND b.since < m.start_at AND (b.until IS NULL OR b.until >= m.start_at)
),
assigned AS (
    SELECT o.supporter_id, m.i, COUNT(*) AS people
    FROM {offers} o JOIN months m
        ON o.offered_at < m.end_at AND (o.closed_at IS NULL OR o.closed_at >= m.end_at)
    WHERE o.supporter_id IS NOT NULL
    GROUP BY o.supporter_id, m.i
),
counted AS (
    SELECT f.i, f.organisation, f.first,
        CASE WHEN f.at_end = %(active)s THEN 1 ELSE 0 END AS active,
        CASE WHEN f.at_end = %(active)s AND EXISTS (
            SELECT 1 FROM {sessions} v WHERE v.supporter_id = f.supporter
                AND v.held_on <= f.last_day AND v.held_on > f.since_day) THEN 1 ELSE 0 END
            AS supervised,
        CASE WHEN f.at_end = %(active)s THEN f.capacity ELSE 0 END AS places,
        CASE WHEN f.at_start = %(active)s THEN 1 ELSE 0 END AS started,
        CASE WHEN f.at_start = %(active)s AND EXISTS (
            SELECT 1 FROM {changes} c WHERE c.supporter_id = f.supporter
                AND c.from_status = %(active)s AND c.to_status IN (%(paused)s, %(left)s)
                AND c.changed_at >= f.start_at AND c.changed_at < f.end_at) THEN 1 ELSE 0 END
            AS gone,
        CASE WHEN f.at_end = %(active)s THEN COALESCE(a.people, 0) ELSE 0 END AS assigned
    FROM flags f LEFT JOIN assigned a ON a.supporter_id = f.supporter AND a.i = f.i
)
SELECT i, organisation, first,
    SUM(active), SUM(supervised), SUM(places), SUM(started), SUM(gone), SUM(assigned)
FROM counted GROUP BY i, organisation, first
"""
SNAPSHOT_COLUMNS = ["active", "supervised", "places", "started", "left", "assigned"]


def _supporter_snapshot(filters) -> tuple[list[Row], list[Row]]:
    """Month by month, counted by the database in one query: supporters active at the
    month's end, how many of them had supervision in the 6 weeks before, their places and
    the people assigned to them, supporters active at the month's start and how many of
    those paused or left in it. In all, and by the organisations they serve (a supporter
    serving two counts in both). In SQL: the ORM would build each correlated subquery again
    for every month and every count, at more cost than running them."""
    months = _supporter_months(filters)
    if not months:
        return [], []
    ops = connection.ops
    if connection.vendor == "postgresql":
        row = "(%s::integer, %s::timestamptz, %s::timestamptz, %s::date, %s::date)"
    else:
        row = "(%s, %s, %s, %s, %s)"
    month_params = []
    for i, _, start, end in months:
        last_day = (timezone.localtime(end, UK) - timedelta(microseconds=1)).date()
        month_params += [
            i,
            ops.adapt_datetimefield_value(start),
            ops.adapt_datetimefield_value(end),
            ops.adapt_datefield_value(last_day),
            ops.adapt_datefield_value(last_day - SUPERVISION_INTERVAL),
        ]
    table = ops.quote_name
    # Only table names from the models' own metadata go into the SQL; values are parameters.
    sql = _SNAPSHOT_SQL.format(
        months=", ".join([row] * len(months)),
        changes=table(SupporterStatusChange._meta.db_table),
        sessions=table(SupervisionSession._meta.db_table),
        supporters=table(PeerSupporter._meta.db_table),
        serves=table(PeerSupporter.organisations.through._meta.db_table),
        offers=table(SupportOffer._meta.db_table),
    )
    named = {
        "active": SupporterStatus.ACTIVE.value,
        "paused": SupporterStatus.PAUSED.value,
        "left": SupporterStatus.LEFT.value,
    }
    # The named placeholders, in the order they appear, after the months' positional ones.
    params = month_params + [named[name] for name in re.findall(r"%\((\w+)\)s", sql)]
    sql = re.sub(r"%\(\w+\)s", "%s", sql)
    month_of = {i: month for i, month, _, _ in months}
    totals = {i: dict.fromkeys(SNAPSHOT_COLUMNS, 0) for i in month_of}
    by_organisation = defaultdict(lambda: dict.fromkeys(SNAPSHOT_COLUMNS, 0))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # A row for each month and organisation, split by whether it is each supporter's
        # first organisation: those rows alone make the total, counting everyone once.
        for i, organisation, first, *counts in cursor.fetchall():
            for name, count in zip(SNAPSHOT_COLUMNS, counts, strict=True):
                by_organisation[(i, organisation)][name] += int(count or 0)
                if first:
                    totals[i][name] += int(count or 0)
    return (
        [Row(month_of[i], (), counts) for i, counts in totals.items()],
        [Row(month_of[i], (org,), counts) for (i, org), counts in by_organisation.items()],
    )


# The measures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One measure: what it counts, how, and which way is better. Its "how this is
    calculated" text (numerator, denominator, exclusions, source) is shown beside it."""

    slug: str
    name: str
    section: str
    kind: str  # SHARE, COUNT, MEAN or MEDIAN
    improvement: Improvement
    numerator: str
    denominator: str
    exclusions: str
    source: str
    fetch: Callable  # Queries -> Counts
    target: float | None = None
    unit: str = ""
    numerator_is_count: bool = True
    groups: tuple[str, ...] = (FAMILIES, STAFF)  # the groups it can be shown for
    by_service: bool = True  # False: it cannot be split by service (supporters)
    by_group: bool = True  # False: it cannot be split by group (supporters)
    only_group: str = ""  # the one group it counts: its figures are that group's of another
    part_of_whole: bool = True  # a share whose numerator counts some of its denominator

    @property
    def names(self) -> tuple[str | None, str | None]:
        """The counts behind its numerator and denominator (see _named)."""
        numerator, denominator = self.fetch.names
        if not self.numerator_is_count or self.kind == MEDIAN:
            numerator = None
        return numerator, denominator if self.has_denominator else None

    @property
    def has_denominator(self) -> bool:
        return self.kind != COUNT

    def applies_to(self, filters: Filters) -> bool:
        return not filters.group or not self.by_group or filters.group in self.groups


MEASURES = [
    Measure(
        "offered",
        "People offered a trained peer supporter",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        target=100,
        numerator="People offered a trained peer supporter (so far)",
        denominator="People affected who gave consent to be contacted, by the month their "
        "consent was recorded",
        exclusions=PERSON_EXCLUSIONS,
        source="People affected (incidents) and support offers (supporters).",
        fetch=_count("people", "offered", "people"),
    ),
    Measure(
        "days_to_offer",
        "Working days from logging to offer",
        PROCESS,
        MEAN,
        Improvement.DECREASE,
        unit="working days",
        numerator_is_count=False,
        numerator="Working days from the day each person was logged with consent (their offer "
        "opened) to the day a supporter was offered, added up",
        denominator="Offers made in the month",
        exclusions=PERSON_EXCLUSIONS + " A new supporter given in place of another is not "
        "counted again. Working days leave out weekends and the bank holidays of the "
        "organisation's nation.",
        source="Support offers (supporters).",
        fetch=_named(_count("offers", "days", "offers"), None, "offers.offers"),
    ),
    Measure(
        "accepted",
        "Offers accepted",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        numerator="Offers the person accepted",
        denominator="Offers made in the month",
        exclusions=PERSON_EXCLUSIONS + " A new supporter given in place of another is not "
        "counted again.",
        source="Support offers and their status history (supporters).",
        fetch=_count("offers", "accepted", "offers"),
    ),
    Measure(
        "accessing",
        "People accessing support",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        numerator="People with at least one contact with their supporter in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "people"),
    ),
    Measure(
        "contacts",
        "Contacts",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        numerator="Contacts between supporters and the people they support in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "contacts"),
    ),
    Measure(
        "staff_accessing",
        "Staff accessing support",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        groups=(STAFF,),
        only_group=STAFF,
        numerator="Members of staff with at least one contact with their supporter in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "people"),
    ),
    Measure(
        "satisfaction",
        "Satisfaction with peer support",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Answers to \u201cI am satisfied with the peer support I was given\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("satisfaction", "high"),
    ),
    Measure(
        "engage_with_review",
        "Willingness to engage with the review",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Answers to \u201cHaving a peer supporter made me feel more able to take "
        "part in the review\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("engage_with_review", "high"),
    ),
    Measure(
        "not_supported",
        "People not feeling supported by the process",
        OUTCOME,
        SHARE,
        Improvement.DECREASE,
        numerator="Answers of disagree or strongly disagree (1 or 2)",
        denominator="Answers to \u201cI felt supported during the review process\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("supported_by_process", "low"),
    ),
    Measure(
        "fft_positive",
        "Friends and Family Test: positive",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of very good or good",
        denominator="Answers to the Friends and Family Test question",
        exclusions="\u201cDon't know\u201d answers and questions left unanswered are left out. "
        "Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("fft", "low"),
    ),
    Measure(
        "staff_perception",
        "Staff perception of support",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        groups=(STAFF,),
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Staff answers to \u201cI feel my organisation supports staff well after a "
        "serious incident\u201d",
        exclusions="Questions left unanswered are left out. Only staff are asked.",
        source="Staff surveys after support or a review closes (feedback).",
        fetch=_survey("staff_perception", "high"),
    ),
    Measure(
        "empowered",
        "Supporters feeling empowered",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Answers of 4 or 5",
        denominator="Supporters' answers to \u201cI feel empowered to support the people I am "
        "matched with\u201d, in wellbeing check-ins and the quarterly survey",
        exclusions="None: every answer counts.",
        source="Wellbeing check-ins (supporters) and the supporters' survey (feedback).",
        fetch=_feeling("empowered"),
    ),
    Measure(
        "coping",
        "Supporters coping emotionally",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Answers of 4 or 5",
        denominator="Supporters' answers to \u201cI am coping emotionally with being a peer "
        "supporter\u201d, in wellbeing check-ins and the quarterly survey",
        exclusions="None: every answer counts.",
        source="Wellbeing check-ins (supporters) and the supporters' survey (feedback).",
        fetch=_feeling("coping"),
    ),
    Measure(
        "supervision",
        "Supervision kept up",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Of them, supporters with a supervision session in the 6 weeks before",
        denominator="Supporters active at the end of the month (or now, this month)",
        exclusions="Supporters in training, paused or who have left are left out.",
        source="Supporters' status history and supervision sessions (supporters).",
        fetch=_supporters("supervised", "active"),
    ),
    Measure(
        "caseload",
        "Caseload against capacity",
        BALANCING,
        SHARE,
        Improvement.NEUTRAL,
        by_service=False,
        by_group=False,
        part_of_whole=False,  # a caseload can be over capacity
        numerator="People assigned to the supporters active at the end of the month (their "
        "whole caseload, whichever organisation the person is in)",
        denominator="Places: the most people each of those supporters supports at once, added up",
        exclusions="Supporters in training, paused or who have left are left out; so are "
        "offers not yet made and support that has ended.",
        source="Support offers, supporters' capacity and status history (supporters).",
        fetch=_supporters("assigned", "places"),
    ),
    Measure(
        "pausing",
        "Supporters pausing or leaving",
        BALANCING,
        SHARE,
        Improvement.DECREASE,
        by_service=False,
        by_group=False,
        numerator="Of them, supporters who paused or left during the month",
        denominator="Supporters active at the start of the month",
        exclusions="Supporters still in training are left out.",
        source="Supporters' status history (supporters).",
        fetch=_supporters("left", "started"),
    ),
    Measure(
        "declined",
        "Offers declined",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="Answers declining the offer",
        denominator="Offers answered in the month (accepted, declined, or contact me later)",
        exclusions=PERSON_EXCLUSIONS,
        source="Support offers and their status history (supporters).",
        fetch=_count("answered", "declined", "answered"),
    ),
    Measure(
        "specialist",
        "Moved on to specialist support",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="People whose support ended because they moved on to specialist support",
        denominator="People whose peer support ended in the month (the rest ended at peer support)",
        exclusions=PERSON_EXCLUSIONS + " Support that ended only because a new supporter was "
        "given, or that never started, is left out.",
        source="Support offers: the reason support closed (supporters).",
        fetch=_count("ended", "specialist", "ended"),
    ),
    Measure(
        "median_contacts",
        "Median contacts per person",
        ALSO,
        MEDIAN,
        Improvement.NEUTRAL,
        unit="contacts",
        numerator="The middle number of contacts each person had, in order from fewest to most",
        denominator="People whose peer support ended in the month",
        exclusions=PERSON_EXCLUSIONS + " Support that ended only because a new supporter was "
        "given, or that never started, is left out.",
        source="Contacts recorded by supporters and support offers (supporters).",
        fetch=_median_contacts,
    ),
]

BY_SLUG = {measure.slug: measure for measure in MEASURES}


# Figures as shown -------------------------------------------------------------------------------

SHOWN, WITHHELD = "shown", "withheld"


@dataclass(frozen=True)
class Figure:
    """A figure as the page and the CSV show it: already rounded, or withheld."""

    number: float | None
    state: str = SHOWN
    integer: bool = True

    @property
    def text(self) -> str:
        if self.state == WITHHELD:
            return suppression.WITHHELD_TEXT
        if self.number is None:
            return ""
        if self.integer:
            return f"{round(self.number):,}"
        return f"{self.number:,.1f}"

    @property
    def plain(self) -> str:
        """As `text`, without thousands separators: for the CSV."""
        return self.text.replace(",", "") if self.state == SHOWN else self.text

    @property
    def shown(self) -> bool:
        return self.state == SHOWN


def roll_up(parts: list[Part]) -> dict[date, dict[tuple, list]]:
    """Every cell the filters can pick out, month by month, from the finest parts: each
    (organisation, service, group), with ANY standing for all of them. A service belongs to
    one organisation, so there is no cell for a service across organisations."""
    cells = defaultdict(dict)
    for part in parts:
        org, service, group = part.key
        month = cells[part.month]
        for key in (
            (org, service, group),
            (org, service, ANY),
            (org, ANY, group),
            (org, ANY, ANY),
            (ANY, ANY, group),
            (ANY, ANY, ANY),
        ):
            cell = month.setdefault(key, [0, 0])
            cell[0] += part.numerator
            cell[1] += part.denominator or 0
    return cells


def partitions(keys) -> list[tuple[tuple, list[tuple]]]:
    """Each total with the parts it is made of, one way of splitting it at a time: by group,
    by service within an organisation, by organisation."""
    keys = set(keys)
    children = defaultdict(list)
    for key in keys:
        org, service, group = key
        if group != ANY:
            children[((org, service, ANY), "group")].append(key)
        if service != ANY and org != ANY:
            children[((org, ANY, group), "service")].append(key)
        if org != ANY and service == ANY:
            children[((ANY, ANY, group), "organisation")].append(key)
    return [(total, parts) for (total, _), parts in children.items() if total in keys]


def _related(chosen) -> list[Measure]:
    """The measures chosen and every measure sharing a count with them: their figures are
    protected together."""
    found = {measure.slug for measure in chosen}
    names = {name for measure in chosen for name in measure.names if name}
    changed = True
    while changed:
        changed = False
        for measure in MEASURES:
            if measure.slug not in found and names & set(measure.names):
                found.add(measure.slug)
                names |= {name for name in measure.names if name}
                changed = True
    return [measure for measure in MEASURES if measure.slug in found] + [
        measure for measure in chosen if measure.slug not in BY_SLUG
    ]


def publish(measures: list[Measure], cells: dict[str, dict]) -> dict:
    """Every count the measures show, in every cell and month, as published: (name, month,
    cell) -> a rounded count, 0, or None (withheld). Totals and their parts, rates and
    their complements, and measures sharing a count are protected together."""
    problem = suppression.Problem()
    for measure in measures:
        if measure.only_group:
            continue  # its figures are another measure's (_related brings it)
        for index, name in enumerate(measure.names):
            if name is None:
                continue
            for month, month_cells in cells[measure.slug].items():
                values = {key: value[index] for key, value in month_cells.items()}
                if any((name, month, key) in problem.values for key in values):
                    continue
                for key, value in values.items():
                    problem.values[(name, month, key)] = value
                for total, parts in partitions(values):
                    # Supporters' organisations overlap: their total is no sum of them.
                    if values[total] == sum(values[key] for key in parts):
                        problem.sums.append(
                            ((name, month, total), tuple((name, month, key) for key in parts))
                        )
        numerator, denominator = measure.names
        if measure.kind == SHARE and measure.part_of_whole and numerator and denominator:
            for month, month_cells in cells[measure.slug].items():
                for key in month_cells:
                    problem.rates.append(((numerator, month, key), (denominator, month, key)))
    return suppression.protect(problem)


@dataclass
class MonthFigures:
    month: date
    numerator: Figure
    denominator: Figure | None
    value: float | None  # None when withheld or nothing to divide by
    point: spc.Point | None = None

    @property
    def suppressed(self) -> bool:
        return not self.numerator.shown or (
            self.denominator is not None and not self.denominator.shown
        )


@dataclass
class Series:
    measure: Measure
    filters: Filters
    months: list[MonthFigures]
    chart: spc.XmR | None
    applicable: bool = True
    as_at: datetime | None = None  # when its figures were counted

    @property
    def latest(self) -> MonthFigures | None:
        return self.months[-1] if self.months else None

    @property
    def points(self) -> int:
        return len(self.chart.values) if self.chart else 0

    def format(self, value: float | None) -> str:
        return format_value(self.measure, value)


def format_value(measure: Measure, value: float | None) -> str:
    if value is None:
        return ""
    if measure.kind == SHARE:
        return f"{value:.1f}%"
    if measure.kind == COUNT:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{value:,.1f}"


def cell_for(measure: Measure, filters: Filters) -> tuple:
    """The cell a view shows: its organisation, service and group, or ANY."""
    org = filters.organisation_id or ANY
    service = (filters.service_id or ANY) if measure.by_service else ANY
    group = (filters.group or ANY) if measure.by_group else ANY
    if measure.only_group:
        group = measure.only_group
    return (org, service, group)


def _figure(published: dict, name: str | None, month: date, key: tuple) -> Figure:
    number = published.get((name, month, key), 0)
    return Figure(number, SHOWN if number is not None else WITHHELD)


def _series(measure: Measure, filters: Filters, counts: Counts, published: dict) -> Series:
    """A measure's months in the view chosen, from the published figures only: the rate,
    the chart and the CSV never see a withheld or unrounded count."""
    cells = roll_up(counts.parts) if counts.cells is None else counts.cells
    key = cell_for(measure, filters)
    numerator_name, denominator_name = measure.names
    months = []
    for month in filters.months:
        denominator = None
        if measure.has_denominator:
            denominator = _figure(published, denominator_name, month, key)
        if numerator_name is not None:
            numerator = _figure(published, numerator_name, month, key)
        elif denominator is not None and not denominator.shown:
            numerator = Figure(None, WITHHELD, integer=measure.kind != MEDIAN)
        elif measure.kind == MEDIAN:
            numerator = Figure(counts.medians.get(month), integer=False)
        else:  # a sum that is not a count (days): rounded as counts are
            raw = cells.get(month, {}).get(key, (0, 0))[0]
            numerator = Figure(suppression.rounded(raw))
        value = None
        if numerator.shown and (denominator is None or denominator.shown):
            if measure.kind == COUNT:
                value = numerator.number
            elif measure.kind == MEDIAN:
                value = numerator.number if denominator.number else None
            elif denominator.number:
                scale = 100 if measure.kind == SHARE else 1
                value = suppression.rate(numerator.number, denominator.number, scale)
        if measure.kind == MEDIAN and value is None:
            numerator = Figure(None, numerator.state, integer=False)
        months.append(MonthFigures(month, numerator, denominator, value))
    shown = [m for m in months if m.value is not None]
    chart = spc.xmr([m.value for m in shown], measure.improvement, measure.target)
    for figures, point in zip(shown, chart.points, strict=True):
        figures.point = point
    return Series(measure, filters, months, chart)


def build(filters: Filters, measures=None, *, refresh: bool = False) -> list[Series]:
    """Every measure's monthly series for these filters, from a dozen shared queries."""
    measures = MEASURES if measures is None else measures
    queries = Queries(filters, refresh=refresh)
    postgresql = connection.vendor == "postgresql"
    # Only on PostgreSQL: SQLite's transactions here begin IMMEDIATE, taking the write lock.
    with transaction.atomic() if postgresql else nullcontext():
        if postgresql:
            # PostgreSQL would compile these aggregates to machine code first (JIT), which
            # for queries run once takes far longer than running them.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        related = _related(measures)
        counts = {measure.slug: measure.fetch(queries) for measure in related}
    cells = {
        slug: roll_up(found.parts) if found.cells is None else found.cells
        for slug, found in counts.items()
    }
    published = publish(related, cells)
    series = [
        _series(measure, filters, counts[measure.slug], published)
        if measure.applies_to(filters)
        else Series(measure, filters, [], None, applicable=False)
        for measure in measures
    ]
    for item in series:
        item.as_at = queries.as_at
    return series


REFRESHED_PERIODS = (12, 24)


def refresh_cached_figures() -> int:
    """Count the figures of the usual periods afresh, before the cached ones expire (Celery
    beat runs this more often than CACHE_SECONDS), so no visitor waits for a cold count."""
    for months in REFRESHED_PERIODS:
        build(Filters.last(months), refresh=True)
    return len(REFRESHED_PERIODS)


# The CSV ----------------------------------------------------------------------------------------

CSV_HEADER = [
    "measure",
    "month",
    "numerator",
    "denominator",
    "value",
    "mean",
    "lower_process_limit",
    "upper_process_limit",
    "point_type",
    "published_as",
]


def published_as() -> str:
    """How the CSV's figures were made safe to publish, on every row, so a row copied
    elsewhere keeps it."""
    up_to, base = suppression.counts_up_to(), suppression.round_to()
    said = []
    if base > 1:
        said.append(f"counts rounded to the nearest {base}, rates from the rounded counts")
    if up_to:
        said.append(f"counts of 1 to {up_to} and what would reveal them withheld")
    return "; ".join(said) or "exact"


def csv_rows(series_list: list[Series]):
    """One row a month for every measure: the figures the page shows, without units or
    thousands separators."""
    yield CSV_HEADER
    note = published_as()
    for series in series_list:
        if not series.applicable:
            continue
        chart = series.chart
        charted = chart is not None and chart.points
        mean, lower, upper = (chart.mean, chart.lower, chart.upper) if charted else (None,) * 3
        median = series.measure.kind == MEDIAN
        for figures in series.months:
            point = figures.point
            yield [
                series.measure.name,
                figures.month.strftime("%Y-%m"),
                "" if median else figures.numerator.plain,
                figures.denominator.plain if figures.denominator is not None else "",
                plain_value(series.measure, figures.value),
                plain_value(None, mean),
                plain_value(None, lower),
                plain_value(None, upper),
                point.type.label if point is not None else "",
                note,
            ]


def plain_value(measure: Measure | None, value: float | None) -> str:
    """A value for the CSV: a whole number for a count, otherwise to one decimal place."""
    if value is None:
        return ""
    if measure is not None and measure.kind == COUNT:
        return f"{value:.0f}"
    return f"{value:.1f}"
