"""The figures a business case needs, month by month, for the board pack: read from the
published series only (figures.build), so every number has passed suppression exactly as on
the dashboard, and nothing is added up across months (a total would let a withheld month be
worked out)."""

from __future__ import annotations

from dataclasses import dataclass

from peersupport.dashboard import suppression
from peersupport.dashboard.figures import Series

# (measure, which of its figures, the column's heading)
BUSINESS_CASE = (
    ("accessing", "numerator", "People supported"),
    ("supervision", "denominator", "Supporters trained and active"),
    ("supervision", "value", "Supervision kept up"),
    ("specialist", "numerator", "Specialist referrals"),
)


@dataclass(frozen=True)
class BusinessCase:
    columns: tuple[str, ...]
    rows: list[tuple[str, tuple[tuple[str, str], ...]]]  # (month, ((heading, figure), ...))


def _cell(series: Series | None, index: int, which: str) -> str:
    if series is None or not series.applicable:
        return "Not for this group"
    figures = series.months[index]
    if which == "value":
        if figures.value is not None:
            return series.format(figures.value)
        return suppression.WITHHELD_TEXT if figures.suppressed else "No data"
    return getattr(figures, which).text


def business_case(built: list[Series]) -> BusinessCase:
    """People supported, supporters trained and active, supervision kept up and specialist
    referrals for each month shown, as the published figures give them."""
    by_slug = {series.measure.slug: series for series in built}
    months = next((s.months for s in built if s.applicable and s.months), [])
    rows = [
        (
            f"{figures.month:%B %Y}",
            tuple(
                (heading, _cell(by_slug.get(slug), index, which))
                for slug, which, heading in BUSINESS_CASE
            ),
        )
        for index, figures in enumerate(months)
    ]
    return BusinessCase(tuple(heading for *_, heading in BUSINESS_CASE), rows)
