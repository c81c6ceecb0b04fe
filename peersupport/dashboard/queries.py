"""The queries behind the measures: each counted once by the database, by calendar month in
UK time (TruncMonth in Europe/London; Count and Sum with a filter), never by looping over
people or contacts in Python, and stored month by month (peersupport.dashboard.stored). The
number of queries and the rows they return depend on the months, organisations and services,
not on how many people there are."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from feedback.models import Answer
from incidents.models import AffectedPerson, Consent, PersonKind
from peersupport.dashboard import stored
from peersupport.dashboard.cells import Row
from peersupport.dashboard.cohort import (
    MAY_OFFER,
    NATION,
    WINDOW_DAYS,
    cohort_told,
    consent_at_window_end,
    declined_in_window,
    dnc_at_window_end,
    years_for,
)
from peersupport.dashboard.filters import (
    FAMILIES,
    STAFF,
    SURVEY_GROUPS,
    UK,
    Filters,
    as_date,
)
from peersupport.dashboard.snapshot import supporter_snapshot
from peersupport.dashboard.working_days import working_days
from supporters.models import (
    CloseReason,
    Contact,
    OfferStatus,
    OfferStatusChange,
    SupportOffer,
    WellbeingCheckIn,
)


def _month(path: str):
    """The calendar month, in UK time, of a date-and-time field."""
    return TruncMonth(path, output_field=DateField(), tzinfo=UK)


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
            as_date(row["month_"]),
            tuple(row[name] for name in dims),
            {name: row[name] or 0 for name in aggregates},
        )
        for row in rows
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


def _timed() -> Q:
    """The people a wait is timed for: those offered, and those who may still be offered."""
    return Q(told_at__isnull=False) | Q(consent_to_contact__in=MAY_OFFER, do_not_contact=False)


def _between(path: str, filters: Filters) -> Q:
    return Q(**{f"{path}__gte": filters.start, f"{path}__lt": filters.end})


def _days_between(path: str, filters: Filters) -> Q:
    return Q(**{f"{path}__gte": filters.first_month, f"{path}__lt": filters.end_day})


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


def _medians(bins: list[Row], filters: Filters) -> dict[date, float]:
    """Each month's median in the view chosen, from counts of people by value in each cell
    (organisation, service, group, value)."""
    by_month = defaultdict(list)
    for row in bins:
        org, service, group, value = row.key
        if (
            (filters.organisation_id and org != filters.organisation_id)
            or (filters.service_id and service != filters.service_id)
            or (filters.group and group != filters.group)
        ):
            continue
        by_month[row.month].append((value, row.counts["people"]))
    return {month: _median(values) for month, values in by_month.items()}


OUTCOME_CODES = [
    "satisfaction",
    "engage_with_review",
    "supported_by_process",
    "fft",
    "staff_perception",
]


CACHE_SECONDS = 5 * 60  # how long what suppression publishes is kept (figures.published_for)
CACHE_VERSION = 4


def _stored(method):
    """A query counted one calendar month at a time and kept (peersupport.dashboard.stored):
    the figures are the same for every filter (each cell is counted), so a view reads the
    months it shows from there, counting only a month never counted before."""
    name = method.__name__
    assert name in stored.QUERIES, name

    def get(self):
        if name not in self._results:
            self._results[name] = self._read(name, method)
        return self._results[name]

    get.__doc__ = method.__doc__
    get.__wrapped__ = method
    return property(get)


class Queries:
    """The queries behind the measures, each read once however many measures read it."""

    def __init__(self, filters: Filters, *, refresh: bool = False):
        self.filters = filters
        self.refresh = refresh  # count the months afresh and store them
        self.began = timezone.now()  # before any count: a later change marks what it moves
        self.as_at: datetime | None = None  # when the oldest figure used was counted
        self.stamps: dict[str, tuple] = {}  # when each month of each result was counted
        self._results = {}
        self._stored = None

    def _read(self, name: str, method):
        months = self.filters.months
        if self._stored is None:
            self._stored = {} if self.refresh else stored.read(months)
        missing = [month for month in months if (name, month) not in self._stored]
        if missing:
            counted = count(name, missing)
            stored.store(name, counted, self.began)
            for month, result in counted.items():
                self._stored[(name, month)] = (self.began, result)
        found = [self._stored[(name, month)] for month in months]
        stamps = tuple(at for at, _ in found)
        if stamps:
            self.as_at = min((*stamps, self.as_at or stamps[0]))
        self.stamps[name] = stamps
        return stored.merge([result for _, result in found])

    def _cohort(self, filters: Filters | None = None):
        """The people logged in the months shown (the cohort: the month of `created_at`), each
        with `told_at` (see cohort_told) and `told_days` (working days from being logged to it)."""
        filters = filters or self.filters
        people = AffectedPerson.objects.filter(_between("created_at", filters)).annotate(
            told_at=cohort_told()
        )
        return people.annotate(
            told_days=working_days("created_at", "told_at", NATION, years_for(filters))
        )

    @_stored
    def cohort(self) -> list[Row]:
        """People logged in each month and, as of the end of each one's window (WINDOW_DAYS
        working days after being logged), whether they were offered a supporter and, if not,
        why. Only dated rows are read, so nothing after a window closes changes it."""
        years = years_for(self.filters)
        offered = Q(told_at__isnull=False, told_days__lte=WINDOW_DAYS)
        refused = Q(consent_=Consent.REFUSED) | Q(dnc_=True)
        people = self._cohort().annotate(
            consent_=consent_at_window_end(years),
            dnc_=dnc_at_window_end(years),
            declined_=declined_in_window(years),
        )
        return _rows(
            people,
            _month("created_at"),
            _person_dims(""),
            people=Count("pk"),
            offered=Count("pk", filter=offered),
            within5=Count("pk", filter=Q(told_at__isnull=False, told_days__lte=5)),
            declined=Count("pk", filter=Q(declined_=True)),
            not_contacted=Count("pk", filter=~offered & refused),
            waiting=Count("pk", filter=~offered & ~refused & Q(consent_=Consent.GIVEN)),
            not_asked=Count("pk", filter=~offered & ~refused & ~Q(consent_=Consent.GIVEN)),
            timed=Count("pk", filter=_timed()),
            with_review=Count("pk", filter=Q(review__isnull=False)),
            review_days=Sum(
                working_days("review__created_at", "created_at", NATION, years),
                filter=Q(review__isnull=False),
            ),
        )

    @_stored
    def wait_bins(self) -> list[Row]:
        """How many people waited how many working days from being logged to being offered,
        in each cell: the people still waiting at the length of their wait so far (as
        survival is read). People the team may not contact now, and never offered, are not
        waiting. The median for a view is worked out from these (`days_to_offer`)."""
        now = timezone.now()
        waiting = working_days("created_at", "now_", NATION, years_for(self.filters, now.year))
        people = (
            self._cohort().annotate(now_=Value(now, output_field=DateTimeField())).filter(_timed())
        )
        dims = {**_person_dims(""), "value_": Coalesce(F("told_days"), waiting)}
        return _rows(people, _month("created_at"), dims, people=Count("pk"))

    @property
    def days_to_offer(self) -> dict[date, float]:
        """The median working days from being logged to being offered, in the view chosen."""
        return _medians(self.wait_bins, self.filters)

    @_stored
    def offers(self) -> list[Row]:
        """People first offered a supporter in each month, and how many of them accepted: on
        any offer, so an acceptance after a reassignment counts and a second offer to the
        same person (after "contact me later") does not count them twice."""
        first = (
            SupportOffer.objects.filter(person=OuterRef("pk"), offered_at__isnull=False)
            .order_by("offered_at", "pk")
            .values("offered_at")[:1]
        )
        accepted = OfferStatusChange.objects.filter(
            offer__person=OuterRef("pk"), to_status=OfferStatus.ACCEPTED
        )
        people = (
            AffectedPerson.objects.filter(_people())
            .annotate(first_offered=Subquery(first))
            .filter(_between("first_offered", self.filters))
        )
        return _rows(
            people,
            _month("first_offered"),
            _person_dims(""),
            offers=Count("pk"),
            accepted=Count("pk", filter=Q(Exists(accepted))),
        )

    @_stored
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

    @_stored
    def ended(self) -> list[Row]:
        """People whose support ended in each month, by the tier they reached: each person
        once, at the highest tier (a person whose support ended twice in the month, the
        second time moving on to specialist support, reached specialist support)."""
        rows = _rows(
            self._ended(),
            _month("closed_at"),
            _person_dims("person__"),
            ended=Count("person", distinct=True),
            specialist=Count(
                "person", distinct=True, filter=Q(close_reason=CloseReason.SPECIALIST)
            ),
        )
        for row in rows:
            row.counts["peer_only"] = row.counts["ended"] - row.counts["specialist"]
        return rows

    @_stored
    def contact_bins(self) -> list[Row]:
        """How many people whose support ended had how many contacts, in each cell. A
        person's contacts are those with this supporter and with the one they replaced, if
        any. The median for a view is worked out from these (`contacts_per_person`)."""

        def contacts_of(offer):
            count = (
                Contact.objects.filter(offer=OuterRef(offer))
                .order_by()
                .values("offer")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(count), 0)

        dims = {
            **_person_dims("person__"),
            "value_": contacts_of("pk") + contacts_of("previous_id"),
        }
        return _rows(self._ended(), _month("closed_at"), dims, people=Count("pk"))

    @property
    def contacts_per_person(self) -> dict[date, float]:
        """The median number of contacts of the people whose support ended, in the view
        chosen, month by month."""
        return _medians(self.contact_bins, self.filters)

    @_stored
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

    @_stored
    def answers(self) -> dict[str, list[Row]]:
        """Affected people's survey answers (never supporters'), question by question: how
        many, how many 4 or 5, how many 1 or 2. "Don't know" (6) is left out."""

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

    def _checkins(self, dims) -> list[Row]:
        """Each supporter's latest check-in in each month, counted once: a supporter who checks
        in often weighs no more than one who checks in once (issue 16, finding 4)."""
        checkins = WellbeingCheckIn.objects.filter(_between("created_at", self.filters))
        later = (
            WellbeingCheckIn.objects.annotate(month_=_month("created_at"))
            .filter(supporter=OuterRef("supporter"), month_=OuterRef("month_"))
            .filter(
                Q(created_at__gt=OuterRef("created_at"))
                | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
            )
        )
        latest = checkins.annotate(month_=_month("created_at")).filter(~Exists(later))
        return _rows(
            WellbeingCheckIn.objects.filter(pk__in=latest.values("pk")),
            _month("created_at"),
            dims,
            answers=Count("pk"),
            empowered=Count("pk", filter=Q(empowered__gte=4)),
            coping=Count("pk", filter=Q(coping__gte=4)),
        )

    @_stored
    def checkins(self) -> tuple[list[Row], list[Row]]:
        """Supporters' latest wellbeing check-in in each month: in all, and by the
        organisations they serve."""
        return self._checkins({}), self._checkins({"org_": F("supporter__organisations")})

    @_stored
    def supporters(self) -> tuple[list[Row], list[Row]]:
        """The supporters, month by month: in all, and by the organisations they serve."""
        return supporter_snapshot(self.filters)


def count(name: str, months: list[date]) -> dict[date, object]:
    """One stored query counted afresh for these months, month by month: a query for each run
    of consecutive months."""
    method = getattr(Queries, name).fget.__wrapped__
    found = {}
    for first, last in stored.runs(months):
        found |= stored.split(method(Queries(Filters(first, last))), months)
    return {month: found[month] for month in months}
