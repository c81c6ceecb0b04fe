"""Keeping the stored monthly figures current (peersupport.dashboard.stored): the refresh job
recounts the open months and those a change has moved; the nightly job recounts every stored
month; `manage.py rebuild_figures` counts every month a view may show from scratch."""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from peersupport.dashboard import stored
from peersupport.dashboard.cohort import window_closes
from peersupport.dashboard.figures import build
from peersupport.dashboard.filters import MONTHS_OFFERED, UK, Filters, add_months, this_month
from peersupport.dashboard.models import MonthlyFigures
from peersupport.dashboard.queries import count

REFRESH_MINUTES = 5  # the refresh job runs every 4 (settings.CELERY_BEAT_SCHEDULE)
REFRESHED_PERIODS = (12, 24)  # the usual views, whose published figures are made ready too


def recount(pairs) -> int:
    """Count these (query, month) pairs afresh and store them: each query once for each run of
    consecutive months, all in one snapshot on PostgreSQL."""
    by_query = defaultdict(set)
    for name, month in pairs:
        by_query[name].add(month)
    began = timezone.now()
    with transaction.atomic() if connection.vendor == "postgresql" else nullcontext():
        for name, months in sorted(by_query.items()):
            stored.store(name, count(name, sorted(months)), began)
    return sum(len(months) for months in by_query.values())


def open_months() -> list[date]:
    """The months that may still change with no change to mark them: this month, and those
    whose cohorts' windows have not yet closed (their people may yet be offered in time)."""
    today = timezone.localdate(timezone.now(), UK)
    months, month = [this_month()], add_months(this_month(), -1)
    while window_closes(month) >= today:
        months.append(month)
        month = add_months(month, -1)
    return months


def refresh_figures() -> int:
    """The refresh job: recount the open months and every month a change has moved since it
    was counted, then publish the usual views' figures so no visitor waits for them."""
    pairs = set(stored.changed())
    pairs |= {(name, month) for month in open_months() for name in stored.QUERIES}
    counted = recount(pairs)
    for months in REFRESHED_PERIODS:
        build(Filters.last(months))
    return counted


def recount_every_month() -> int:
    """The nightly job: every stored month counted again, which moves the waits of people
    still waiting on by a day and catches changes made without a save (a bulk update)."""
    months = stored.stored_months()
    counted = recount((name, month) for month in months for name in stored.QUERIES)
    for months in REFRESHED_PERIODS:
        build(Filters.last(months))
    return counted


def rebuild_figures() -> int:
    """Every stored figure thrown away and counted again, for every month a view may show."""
    MonthlyFigures.objects.all().delete()
    months = [add_months(this_month(), -n) for n in range(MONTHS_OFFERED)]
    return recount((name, month) for month in months for name in stored.QUERIES)
