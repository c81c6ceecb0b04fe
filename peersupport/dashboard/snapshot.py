"""Supporters month by month, counted by the database in one query: who was active,
supervised, pausing or leaving, their places and the people assigned to them."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from peersupport.dashboard.cells import Row
from peersupport.dashboard.filters import UK, add_months, uk_midnight
from supporters.models import (
    PeerSupporter,
    SupervisionSession,
    SupporterStatus,
    SupporterStatusChange,
    SupportOffer,
)
from supporters.supervision import supervision_interval


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


def supporter_snapshot(filters) -> tuple[list[Row], list[Row]]:
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
    interval = supervision_interval()
    for i, _, start, end in months:
        last_day = (timezone.localtime(end, UK) - timedelta(microseconds=1)).date()
        month_params += [
            i,
            ops.adapt_datetimefield_value(start),
            ops.adapt_datetimefield_value(end),
            ops.adapt_datefield_value(last_day),
            ops.adapt_datefield_value(last_day - interval),
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
