"""Figures as published: every measure's monthly series, through peersupport.dashboard.suppression.

Small numbers. Every figure passes through the suppression layer (NHS Digital's rule for
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

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from peersupport.dashboard import spc, stored, suppression
from peersupport.dashboard.cells import ANY, Counts, partitions, roll_up
from peersupport.dashboard.cohort import PARTS, SUMS, window_closes
from peersupport.dashboard.definitions import (
    BY_SLUG,
    COUNT,
    MEASURES,
    MEDIAN,
    SHARE,
    Measure,
)
from peersupport.dashboard.filters import UK, Filters
from peersupport.dashboard.models import PublishedFigures
from peersupport.dashboard.queries import CACHE_SECONDS, CACHE_VERSION, Queries
from peersupport.models import ChartEvent, ChartEventKind

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


def _linked(names: set) -> set:
    """The counts declared to add up to, or be part of, any of these (cohort.SUMS, PARTS)."""
    groups = [{total, *parts} for total, parts in SUMS.items()]
    groups += [{part, whole} for part, whole in PARTS.items()]
    found, before = set(names), None
    while found != before:
        before = set(found)
        for group in groups:
            if found & group:
                found |= group
    return found


def _related(chosen) -> list[Measure]:
    """The measures chosen and every measure sharing a count with them, or reading a count
    declared part of theirs: their figures are protected together."""
    found = {measure.slug for measure in chosen}
    names = _linked({name for measure in chosen for name in measure.names if name})
    changed = True
    while changed:
        changed = False
        for measure in MEASURES:
            if measure.slug not in found and names & set(measure.names):
                found.add(measure.slug)
                names = _linked(names | {name for name in measure.names if name})
                changed = True
    return [measure for measure in MEASURES if measure.slug in found] + [
        measure for measure in chosen if measure.slug not in BY_SLUG
    ]


def _add_relations(problem) -> None:
    """Counts declared to add up to another (the people logged: offered, or not by each
    reason), or to be part of another (cohort.PARTS), in every month and cell where all of
    them are published."""
    for name, month, key in list(problem.values):
        for total, parts in SUMS.items():
            names = [(n, month, key) for n in (total, *parts)]
            if name == total and all(n in problem.values for n in names):
                problem.sums.append((names[0], tuple(names[1:])))
        whole = PARTS.get(name)
        if whole and (whole, month, key) in problem.values:
            problem.rates.append(((name, month, key), (whole, month, key)))


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
    _add_relations(problem)
    return suppression.protect(problem)


@dataclass
class MonthFigures:
    month: date
    numerator: Figure
    denominator: Figure | None
    value: float | None  # None when withheld or nothing to divide by
    point: spc.Point | None = None
    provisional: bool = False  # a cohort whose window has not closed: it may still change

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
    events: tuple = ()  # (index of the month, ChartEvent): rebases and notes in these months
    key: str = ""  # names everything the series were made from (_series_key): for the cache

    @property
    def latest(self) -> MonthFigures | None:
        return self.months[-1] if self.months else None

    @property
    def points(self) -> int:
        return len(self.chart.values) if self.chart else 0

    @property
    def minimum_points(self) -> int:
        """The months a chart needs before process limits are drawn (for the page's text)."""
        return spc.MINIMUM_POINTS

    @property
    def without_limits(self) -> bool:
        """No process limits are drawn: too few months charted, or no variation."""
        return self.chart is not None and not self.chart.has_limits

    @property
    def charted(self) -> int:
        """The months charted since the latest rebase (all of them, without one)."""
        segment = self.chart.latest_segment if self.chart else None
        return segment.count if segment else 0

    @property
    def few_points(self) -> bool:
        """Fewer months charted (since the latest rebase) than limits need."""
        return self.charted < spc.MINIMUM_POINTS

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


def chart_events(filters: Filters) -> dict[str, list[tuple[int, ChartEvent]]]:
    """Each measure's rebases and notes falling in the months shown, by the month's index.
    Read afresh on every build (one query), outside the cached counts, so an administrator's
    new rebase shows at once. A rebase before the first month changes nothing shown."""
    index = {month: i for i, month in enumerate(filters.months)}
    found: dict[str, list] = {}
    events = ChartEvent.objects.filter(on__gte=filters.first_month, on__lt=filters.end_day)
    for event in events.order_by("on", "id"):
        i = index.get(event.on.replace(day=1))
        if i is not None:
            found.setdefault(event.measure, []).append((i, event))
    return found


def _series(
    measure: Measure, filters: Filters, counts: Counts, published: dict, events=()
) -> Series:
    """A measure's months in the view chosen, from the published figures only: the rate,
    the chart and the CSV never see a withheld or unrounded count. A withheld month (or one
    with nothing to divide by) stays in the chart as a gap; a rebase starts a new segment
    from its month."""
    key = cell_for(measure, filters)
    cells = None
    today = timezone.localdate(timezone.now(), UK)
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
            cells = cells or _cells(counts)
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
        provisional = measure.cohort and window_closes(month) >= today
        months.append(MonthFigures(month, numerator, denominator, value, provisional=provisional))
    rebases = [i for i, event in events if event.kind == ChartEventKind.REBASE]
    chart = spc.xmr([m.value for m in months], measure.improvement, measure.target, rebases)
    for figures, point in zip(months, chart.slots, strict=True):
        figures.point = point
    return Series(measure, filters, months, chart, events=tuple(events))


def _cells(counts: Counts) -> dict:
    return roll_up(counts.parts) if counts.cells is None else counts.cells


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _published_json(published: dict) -> list:
    return [
        [name, month.isoformat(), list(key), value]
        for (name, month, key), value in published.items()
    ]


def _published_from(rows: list) -> dict:
    months = {}
    found = {}
    for name, month, key, value in rows:
        day = months.get(month)
        if day is None:
            day = months[month] = date.fromisoformat(month)
        found[(name, day, tuple(key))] = value
    return found


def published_for(measures: list[Measure], counts: dict, filters: Filters, stamps) -> dict:
    """`publish`, kept in the cache and the database beside the figures it protects: working
    out what to withhold takes about a second at scale. It is the same for every organisation,
    service and group (every cell is protected together), so it is kept for the months and the
    measures. It is used only for the very figures it protected (`stamps`: when each month of
    each was counted), so a recount is never published from an older protection."""
    view = _digest(
        filters.first_month,
        filters.last_month,
        [m.slug for m in measures],
        suppression.counts_up_to(),
        suppression.round_to(),
    )
    protected = _digest(sorted(stamps.items()))
    key = f"peersupport.published:{CACHE_VERSION}:{view}:{protected}"
    published = cache.get(key)
    if published is not None:
        return published
    kept = PublishedFigures.objects.filter(view=view, counts=protected).first()
    if kept is not None:
        published = _published_from(kept.published)
    else:
        cells = {slug: _cells(found) for slug, found in counts.items()}
        published = publish(measures, cells)
        PublishedFigures.objects.update_or_create(
            view=view, defaults={"counts": protected, "published": _published_json(published)}
        )
    cache.set(key, published, CACHE_SECONDS)
    return published


def _series_key(filters: Filters, measures, events: dict) -> str:
    """What a view's series depend on: the filters and measures, the stored figures read (when
    each month was counted), the rebases and notes, suppression's settings and today (which
    months are provisional)."""
    return "peersupport.series:" + _digest(
        CACHE_VERSION,
        filters,
        [m.slug for m in measures],
        stored.fingerprint(filters.months),
        sorted(
            (slug, [(i, e.pk, e.on, e.kind, e.reason) for i, e in found])
            for slug, found in events.items()
        ),
        suppression.counts_up_to(),
        suppression.round_to(),
        timezone.localdate(timezone.now(), UK),
    )


def build(filters: Filters, measures=None, *, refresh: bool = False) -> list[Series]:
    """Every measure's monthly series for these filters, from a dozen shared queries, kept in
    the cache for the very stored figures they were made from (`_series_key`)."""
    measures = MEASURES if measures is None else measures
    events = chart_events(filters)
    key = _series_key(filters, measures, events)
    kept = None if refresh else cache.get(key)
    if kept is not None:
        by_slug = {measure.slug: measure for measure in measures}
        return [replace(item, measure=by_slug[item.measure]) for item in kept]
    queries = Queries(filters, refresh=refresh)
    postgresql = connection.vendor == "postgresql"
    # One snapshot for every count, on PostgreSQL only: SQLite's transactions here begin
    # IMMEDIATE, taking the write lock. (JIT is off for every connection: settings.py.)
    with transaction.atomic() if postgresql else nullcontext():
        related = _related(measures)
        counts = {measure.slug: measure.fetch(queries) for measure in related}
    published = published_for(related, counts, filters, queries.stamps)
    series = [
        _series(measure, filters, counts[measure.slug], published, events.get(measure.slug, ()))
        if measure.applies_to(filters)
        else Series(measure, filters, [], None, applicable=False)
        for measure in measures
    ]
    key = _series_key(filters, measures, events)  # with the months it has just counted
    for item in series:
        item.as_at, item.key = queries.as_at, key
    cache.set(key, [replace(item, measure=item.measure.slug) for item in series], CACHE_SECONDS)
    return series
