"""The dashboard's CSV: one row a month for every measure, the figures the page shows."""

from __future__ import annotations

from peersupport.dashboard import suppression
from peersupport.dashboard.definitions import COUNT, MEDIAN, Measure
from peersupport.dashboard.figures import Series

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
        for index, figures in enumerate(series.months):
            judged = chart is not None and chart.has_limits_at(index)
            point = figures.point if judged else None
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
