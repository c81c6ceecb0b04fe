"""Stored monthly figures: what each of the measures' queries counted, one calendar month at a
time, kept in MonthlyFigures so the dashboard reads a few rows a month instead of counting
every person and contact again (the way djangoproject.com's dashboard keeps `Datum` rows).

A month is counted when it is first read, recounted by the refresh job while it is open (its
cohorts' windows not yet closed) or after a change that moves it (peersupport.dashboard.changes
marks it), and every month is recounted each night, which also moves the waits of people still
waiting on by a day. `rebuild_figures` counts every month again from scratch. The counts are
made by the same queries whichever way, so a rebuild and the marks agree (tests prove it)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime

from django.db.models import F

from peersupport.dashboard.cells import Row
from peersupport.dashboard.filters import add_months, this_month
from peersupport.dashboard.models import MonthlyFigures

# The queries (peersupport.dashboard.queries.Queries) stored month by month, and which of
# them a change moves: anything about a person or their support, a survey answer, or a
# supporter (their status, places, organisations, supervision and check-ins).
PEOPLE = ("cohort", "wait_bins", "offers", "answered", "ended", "contact_bins", "contacts")
SURVEYS = ("answers",)
SUPPORTERS = ("supporters", "checkins")
QUERIES = PEOPLE + SURVEYS + SUPPORTERS


def encode(value):
    """A query's result for one month as JSON: rows (their month is the stored month), lists,
    pairs and dictionaries of them."""
    if isinstance(value, Row):
        return {"key": list(value.key), "counts": value.counts}
    if isinstance(value, tuple):
        return {"pair": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"by": {name: encode(item) for name, item in value.items()}}
    return [encode(item) for item in value]


def decode(value, month: date):
    if isinstance(value, list):
        return [decode(item, month) for item in value]
    if "key" in value:
        return Row(month, tuple(value["key"]), value["counts"])
    if "pair" in value:
        return tuple(decode(item, month) for item in value["pair"])
    return {name: decode(item, month) for name, item in value["by"].items()}


def merge(results: list):
    """The months' results as one, as if they had been counted together."""
    if not results:
        return []
    first = results[0]
    if isinstance(first, tuple):
        return tuple(merge([result[i] for result in results]) for i in range(len(first)))
    if isinstance(first, dict):
        merged = defaultdict(list)
        for result in results:
            for name, rows in result.items():
                merged[name] += rows
        return dict(merged)
    return [row for result in results for row in result]


def split(result, months: list[date]) -> dict[date, object]:
    """A result counted over several months, month by month (the inverse of `merge`)."""
    if isinstance(result, tuple):
        parts = [split(item, months) for item in result]
        return {month: tuple(part[month] for part in parts) for month in months}
    if isinstance(result, dict):
        parts = {name: split(rows, months) for name, rows in result.items()}
        return {
            month: {name: part[month] for name, part in parts.items() if part[month]}
            for month in months
        }
    found = {month: [] for month in months}
    for row in result:
        if row.month in found:
            found[row.month].append(row)
    return found


def runs(months: list[date]) -> list[tuple[date, date]]:
    """Months in runs of consecutive months, first and last of each: each run is counted in
    one query."""
    found = []
    for month in sorted(months):
        if found and add_months(found[-1][1], 1) == month:
            found[-1] = (found[-1][0], month)
        else:
            found.append((month, month))
    return found


def read(months: list[date]) -> dict[tuple[str, date], tuple[datetime, object]]:
    """Every stored query result for these months, in one query: (query, month) -> (when it
    was counted, the result)."""
    rows = MonthlyFigures.objects.filter(month__in=months).values_list(
        "query", "month", "counted_at", "result"
    )
    return {(query, month): (at, decode(result, month)) for query, month, at, result in rows}


def fingerprint(months: list[date]) -> str:
    """Which counts of these months are stored, and when each was counted: it changes when
    any of them is recounted."""
    rows = MonthlyFigures.objects.filter(month__in=months).order_by("query", "month")
    found = rows.values_list("query", "month", "counted_at")
    return hashlib.sha256(repr(list(found)).encode()).hexdigest()


def store(query: str, results: dict[date, object], counted_at: datetime) -> None:
    """Keep months' counts, replacing older ones, in one query. `counted_at` is when the count
    began, so a change committed while it ran leaves the month marked for the next refresh.
    A month not yet begun is not kept."""
    rows = [
        MonthlyFigures(query=query, month=month, result=encode(result), counted_at=counted_at)
        for month, result in results.items()
        if month <= this_month()
    ]
    MonthlyFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["query", "month"],
        update_fields=["result", "counted_at"],
    )


def mark_changed(queries, since: date | None, at: datetime) -> int:
    """Mark the stored months of these queries from `since` (every month if None) as moved by a
    change committed at `at`."""
    months = MonthlyFigures.objects.filter(query__in=queries)
    if since is not None:
        months = months.filter(month__gte=since)
    return months.update(changed_at=at)


def changed() -> list[tuple[str, date]]:
    """The (query, month) pairs a change has moved since they were counted."""
    return list(
        MonthlyFigures.objects.filter(changed_at__gte=F("counted_at"))
        .order_by("month", "query")
        .values_list("query", "month")
    )


def stored_months() -> list[date]:
    return sorted(set(MonthlyFigures.objects.values_list("month", flat=True)))
