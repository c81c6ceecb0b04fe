"""The dashboard's XmR charts, drawn as SVG by the template from the coordinates built here,
with a description in words for each."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from peersupport.dashboard.definitions import COUNT, MEAN, MEDIAN, SHARE
from peersupport.dashboard.figures import Series
from peersupport.dashboard.spc import MINIMUM_POINTS, Assurance, PointType, Variation

WIDTH, HEIGHT = 520, 320
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 16, 72
# Making Data Count's colours: blue improvement, orange concern, purple neither, grey common.
IMPROVEMENT, CONCERN, NEUTRAL, COMMON = "#005eb8", "#b35900", "#330072", "#4c6272"
COLOURS = {
    PointType.COMMON_CAUSE: COMMON,
    PointType.IMPROVEMENT: IMPROVEMENT,
    PointType.CONCERN: CONCERN,
    PointType.NEUTRAL_HIGH: NEUTRAL,
    PointType.NEUTRAL_LOW: NEUTRAL,
}


class Icon(NamedTuple):
    """A Making Data Count icon, drawn by _dashboard_icon.html. `shape` is what to draw:
    "common" (common cause), "high" or "low" (a special cause, H or L), "pass", "fail" or
    "inconsistent" (assurance); `label` is its text equivalent. The label is third so that
    `icon.2` reads it too."""

    shape: str
    colour: str
    label: str


VARIATION_ICONS = {
    Variation.COMMON_CAUSE: ("common", COMMON),
    Variation.IMPROVEMENT_HIGH: ("high", IMPROVEMENT),
    Variation.IMPROVEMENT_LOW: ("low", IMPROVEMENT),
    Variation.CONCERN_HIGH: ("high", CONCERN),
    Variation.CONCERN_LOW: ("low", CONCERN),
    Variation.NEUTRAL_HIGH: ("high", NEUTRAL),
    Variation.NEUTRAL_LOW: ("low", NEUTRAL),
}
ASSURANCE_ICONS = {
    Assurance.PASS: ("pass", IMPROVEMENT),
    Assurance.FAIL: ("fail", CONCERN),
    Assurance.INCONSISTENT: ("inconsistent", COMMON),
}


def icon_for(verdict: Variation | Assurance | None) -> Icon | None:
    """The icon for a variation or an assurance verdict; None for none."""
    if verdict is None:
        return None
    icons = VARIATION_ICONS if isinstance(verdict, Variation) else ASSURANCE_ICONS
    return Icon(*icons[verdict], verdict.label)


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
    events: list  # rebases and notes: a vertical line at the start of their month
    y_ticks: list
    x_ticks: list
    plot: dict
    description: str
    x_title: str = "Month"
    y_title: str = ""
    provisional: dict | None = None  # the band over months still filling up (x, width)

    @property
    def has_ceiling(self) -> bool:
        return any(line["kind"] == "ceiling" for line in self.lines)

    # One SVG path for what would otherwise be many elements, each repeating its attributes:
    # a chart of 36 months weighs about half as much.

    @property
    def grid(self) -> str:
        """The horizontal gridlines, one at each tick of the vertical axis."""
        left, right = self.plot["left"], self.plot["right"]
        return "".join(f"M{left} {tick['y']}H{right}" for tick in self.y_ticks)

    @property
    def line(self) -> str:
        """The line joining the months, broken where a month is a gap."""
        path, end = [], None
        for segment in self.segments:
            start = (segment["x1"], segment["y1"])
            if start != end:
                path.append(f"M{start[0]} {start[1]}")
            path.append(f"L{segment['x2']} {segment['y2']}")
            end = (segment["x2"], segment["y2"])
        return "".join(path)

    @property
    def filled_points(self) -> list:
        return [point for point in self.points if not point["provisional"]]

    @property
    def hollow_points(self) -> list:
        """Provisional months: hollow dots."""
        return [point for point in self.points if point["provisional"]]


def y_title(measure) -> str:
    """The vertical axis's title: what one point measures."""
    if measure.kind == SHARE:
        return "Per cent"
    if measure.kind in (MEAN, MEDIAN):
        what = "Average" if measure.kind == MEAN else "Median"
        return f"{what}, {measure.unit}"
    return "Number in the month"


def chart_for(series: Series) -> Chart | None:
    xmr = series.chart
    if xmr is None or not xmr.points:
        return None
    share = series.measure.kind == SHARE
    ceiling = getattr(series.measure, "ceiling", None)
    levels = [*xmr.values]
    for segment in xmr.segments:
        levels.append(segment.mean)
        if segment.has_limits:
            levels += [segment.lower, segment.upper]
    if series.measure.target is not None:
        levels.append(series.measure.target)
    if ceiling is not None:
        levels.append(ceiling)
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
                "provisional": figures.provisional,
            }
        )
        if previous is not None:
            segments.append({"x1": previous[0], "y1": previous[1], "x2": here[0], "y2": here[1]})
        previous = here
    left, right = str(LEFT), str(WIDTH - RIGHT)

    def edge(index):
        return f"{LEFT + plot_w * index / count:.1f}"

    lines = []
    for segment in xmr.segments:  # each segment's own mean and limits, across its months
        x1, x2 = edge(segment.start), edge(segment.stop)
        lines.append({"y": y(segment.mean), "kind": "mean", "label": "Mean", "x1": x1, "x2": x2})
        if segment.has_limits:
            for value, label in ((segment.upper, "Upper limit"), (segment.lower, "Lower limit")):
                if low <= value <= high:
                    lines.append(
                        {"y": y(value), "kind": "limit", "label": label, "x1": x1, "x2": x2}
                    )
    if series.measure.target is not None:
        target = y(series.measure.target)
        lines.append({"y": target, "kind": "target", "label": "Target", "x1": left, "x2": right})
    if ceiling is not None:
        lines.append(
            {"y": y(ceiling), "kind": "ceiling", "label": "Capacity", "x1": left, "x2": right}
        )
    events = [
        {
            "x": edge(index),
            "label": "Rebase" if event.kind == "rebase" else f"Note {number}",
            "kind": event.kind,
            "text": f"{event.on:%d %B %Y}: {event.reason}",
        }
        for number, (index, event) in enumerate(series.events, start=1)
    ]
    provisional = None
    first = next((i for i, m in enumerate(series.months) if m.provisional), None)
    if first is not None:
        start = LEFT + plot_w * first / count
        provisional = {"x": f"{start:.1f}", "width": f"{WIDTH - RIGHT - start:.1f}"}
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
        events=events,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        plot={
            key: str(value)
            for key, value in {
                "left": LEFT,
                "right": WIDTH - RIGHT,
                "bottom": HEIGHT - BOTTOM,
                "top": TOP,
                "label_y": TOP + 12,
                "tick_label_x": LEFT - 8,
                "month_y": HEIGHT - BOTTOM + 20,
                "year_y": HEIGHT - BOTTOM + 40,
                "x_title_y": HEIGHT - 6,
                "x_title_x": LEFT + (WIDTH - LEFT - RIGHT) / 2,
                "y_title_y": TOP + (HEIGHT - TOP - BOTTOM) / 2,
                "plot_height": HEIGHT - TOP - BOTTOM,
            }.items()
        },
        description=describe(series),
        y_title=y_title(series.measure),
        provisional=provisional,
    )


def describe(series: Series) -> str:
    """The chart in words, for its SVG description."""
    xmr, fmt = series.chart, series.format
    first, last = series.months[0].month, series.months[-1].month
    parts = [
        f"{series.measure.name} by month, {first:%B %Y} to {last:%B %Y}: "
        f"{len(xmr.values)} months shown."
    ]
    for segment in xmr.segments:
        if len(xmr.segments) > 1:
            start = series.months[segment.start].month
            parts.append(f"From {start:%B %Y}:")
        if segment.mean is not None:
            parts.append(f"Mean {fmt(segment.mean)}.")
        if segment.has_limits:
            parts.append(f"Process limits {fmt(segment.lower)} to {fmt(segment.upper)}.")
        elif segment.no_variation:
            parts.append("No variation, so no process limits.")
        elif segment.count:
            parts.append(f"Fewer than {MINIMUM_POINTS} months, so no process limits.")
    for index, event in series.events:
        what = "Rebased" if event.kind == "rebase" else "Note"
        parts.append(f"{what} {series.months[index].month:%B %Y}: {event.reason}.")
    ceiling = getattr(series.measure, "ceiling", None)
    if ceiling is not None:
        parts.append(f"Capacity {fmt(ceiling)}.")
    provisional = [m.month for m in series.months if m.provisional]
    if provisional:
        parts.append(
            f"Provisional, still filling up: {provisional[0]:%B %Y} to {provisional[-1]:%B %Y}."
        )
    special = [
        f"{m.month:%B %Y} ({m.point.type.label.split(': ')[-1]})"
        for m in series.months
        if m.point is not None and m.point.type != PointType.COMMON_CAUSE
    ]
    if special:
        parts.append("Special cause variation in " + ", ".join(special) + ".")
    else:
        parts.append("Common cause variation only.")
    parts.append("A table gives every month's figures.")
    return " ".join(parts)
