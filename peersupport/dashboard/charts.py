"""The dashboard's XmR charts, drawn as SVG by the template from the coordinates built here,
with a description in words for each."""

from __future__ import annotations

import math
from dataclasses import dataclass

from peersupport.dashboard.definitions import COUNT, SHARE
from peersupport.dashboard.figures import Series
from peersupport.dashboard.spc import PointType

WIDTH, HEIGHT = 520, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 16, 52
COLOURS = {
    PointType.COMMON_CAUSE: "#4c6272",
    PointType.IMPROVEMENT: "#005eb8",
    PointType.CONCERN: "#b35900",
    PointType.NEUTRAL_HIGH: "#330072",
    PointType.NEUTRAL_LOW: "#330072",
}


def _nice_step(span: float) -> float:
    """A round step giving about four gridlines over the span: 1, 2, 2.5 or 5 times a power
    of ten."""
    raw = max(span, 1e-9) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if raw <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


@dataclass
class Chart:
    """Coordinates for drawing one measure's XmR chart as SVG in the template, as strings:
    the template would otherwise format each number for the locale, slowly."""

    size: str  # the viewBox's width and height
    points: list
    segments: list
    lines: list
    y_ticks: list
    x_ticks: list
    plot: dict
    description: str


def chart_for(series: Series) -> Chart | None:
    xmr = series.chart
    if xmr is None or not xmr.points:
        return None
    share = series.measure.kind == SHARE
    levels = [*xmr.values, xmr.mean]
    if xmr.lower is not None:
        levels += [xmr.lower, xmr.upper]
    if series.measure.target is not None:
        levels.append(series.measure.target)
    # A share of people runs from 0 to 100%; limits beyond that are drawn at the edge.
    proportion = share and max(xmr.values) <= 100
    low, high = min(levels), max(levels)
    if share or series.measure.kind == COUNT:
        low = max(low, 0)
    if proportion:
        high = min(high, 100)
    if high - low < 1e-9:
        low, high = max(low - 1, 0), high + 1
    step = _nice_step(high - low)
    low = step * math.floor(low / step)
    high = step * math.ceil(high / step)
    if proportion:
        high = min(high, 100)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series.months)

    def x(index):
        return f"{LEFT + plot_w * (index + 0.5) / count:.1f}"

    def y(value):
        value = min(max(value, low), high)
        return f"{TOP + plot_h * (high - value) / (high - low):.1f}"

    points, segments, previous = [], [], None
    for index, figures in enumerate(series.months):
        if figures.point is None:
            previous = None
            continue
        here = (x(index), y(figures.point.value))
        kind = figures.point.type
        points.append(
            {
                "x": here[0],
                "y": here[1],
                "colour": COLOURS[kind],
                "r": "3.5" if kind == PointType.COMMON_CAUSE else "5.5",
            }
        )
        if previous is not None:
            segments.append({"x1": previous[0], "y1": previous[1], "x2": here[0], "y2": here[1]})
        previous = here
    lines = [{"y": y(xmr.mean), "kind": "mean", "label": "Mean"}]
    if xmr.lower is not None and xmr.lower != xmr.upper:
        for value, label in ((xmr.upper, "Upper limit"), (xmr.lower, "Lower limit")):
            if low <= value <= high:
                lines.append({"y": y(value), "kind": "limit", "label": label})
    if series.measure.target is not None:
        lines.append({"y": y(series.measure.target), "kind": "target", "label": "Target"})
    y_ticks = []
    tick = low
    while tick <= high + 1e-9:
        label = f"{tick:g}%" if share else f"{tick:,g}"
        y_ticks.append({"y": y(tick), "label": label})
        tick += step
    every = 1 if count <= 12 else 2 if count <= 24 else 3
    x_ticks = [
        {"x": x(i), "label": m.month.strftime("%b"), "year": m.month.strftime("%Y")}
        for i, m in enumerate(series.months)
        if i % every == 0
    ]
    return Chart(
        size=f"{WIDTH} {HEIGHT}",
        points=points,
        segments=segments,
        lines=lines,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot={
            key: str(value)
            for key, value in {
                "left": LEFT,
                "right": WIDTH - RIGHT,
                "bottom": HEIGHT - BOTTOM,
                "tick_label_x": LEFT - 8,
                "month_y": HEIGHT - BOTTOM + 20,
                "year_y": HEIGHT - BOTTOM + 40,
            }.items()
        },
        description=describe(series),
    )


def describe(series: Series) -> str:
    """The chart in words, for its SVG description."""
    xmr, fmt = series.chart, series.format
    first, last = series.months[0].month, series.months[-1].month
    parts = [
        f"{series.measure.name} by month, {first:%B %Y} to {last:%B %Y}: "
        f"{len(xmr.values)} months shown."
    ]
    if xmr.mean is not None:
        parts.append(f"Mean {fmt(xmr.mean)}.")
    if xmr.lower is not None:
        parts.append(f"Process limits {fmt(xmr.lower)} to {fmt(xmr.upper)}.")
    special = [
        f"{m.month:%B %Y} ({m.point.type.label.split(': ')[-1]})"
        for m in series.months
        if m.point is not None and m.point.type != PointType.COMMON_CAUSE
    ]
    if special:
        parts.append("Special cause variation in " + ", ".join(special) + ".")
    else:
        parts.append("Common cause variation only.")
    parts.append("The table beside the chart gives every month's figures.")
    return " ".join(parts)
