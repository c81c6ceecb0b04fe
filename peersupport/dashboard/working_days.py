"""Working days counted by the database, as incidents.deadlines.working_days_between counts
them in Python: weekdays, less the bank holidays of the organisation's nation."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holiday_calendars
from django.db.models import ExpressionWrapper, F, Func, IntegerField, Value
from django.db.models.functions import TruncDate

from incidents.models import Nation
from peersupport.dashboard.filters import UK, uk_midnight
from peersupport.working_days import SUBDIVISION

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

    def as_postgresql(self, compiler, connection, **extra):
        """The same count by a binary search of the holidays' first minutes (width_bucket:
        how many of the sorted bounds are at or before the moment), so the moment, often a
        subquery itself, is written and worked out once per row rather than once per
        holiday."""
        moment_sql, moment_params = compiler.compile(self.source_expressions[0])
        nation_sql, nation_params = compiler.compile(self.source_expressions[1])
        sql, params = ["CASE"], []
        for nation in Nation:
            days = [uk_midnight(day) for day in _weekday_holidays(nation, self.years)]
            if days:
                sql.append(f"WHEN {nation_sql} = %s THEN width_bucket({moment_sql}, %s)")
                params += [*nation_params, nation.value, *moment_params, days]
        sql.append("ELSE 0 END")
        return f"({' '.join(sql)})", params


def working_days(start: str, end: str, nation_path: str, years):
    """Working days after the UK day of the moment `start` up to and including the UK day
    of `end` (as incidents.deadlines.working_days_between), as a database expression."""

    def to(moment):
        day = TruncDate(moment, tzinfo=UK)
        return _weekdays_to(day) - _HolidaysTo(F(moment), F(nation_path), years)

    return to(end) - to(start)
