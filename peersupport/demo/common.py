"""Small helpers the demo seeders share: times of day, a weighted choice and raw bulk inserts.

Seeds nothing itself.
"""

import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import connection
from django.utils import timezone


@lru_cache(maxsize=4096)
def day_at(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock on `day`, aware (cached: a scale run asks for the same days many times)."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def moment(today: date, days_ago: int, hour: int = 10) -> datetime:
    """`hour` o'clock, `days_ago` days before `today`, and never in the future."""
    return min(day_at(today - timedelta(days=days_ago), hour), timezone.now())


def weighted(rng: random.Random, options):
    """One value of `options`, a list of (value, weight) pairs, chosen by weight."""
    return rng.choices([value for value, _ in options], [weight for _, weight in options])[0]


def insert_rows(model, columns, rows, batch_size):
    """Multi-row INSERTs of plain tuples: several times faster than bulk_create for tens of
    thousands of rows, as no model instances are built. `rows` hold values ready for the
    database."""
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    row = f"({', '.join(['%s'] * len(columns))})"
    limit = connection.features.max_query_params
    per = batch_size if limit is None else max(1, min(batch_size, limit // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = ", ".join([row] * len(chunk))
            # Only quoted names from the model's own metadata go into the SQL; the values are
            # parameters.
            sql = f"INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for item in chunk for value in item])
