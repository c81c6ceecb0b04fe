"""Statistical process control for the measures dashboard: the XmR chart of NHS England's
"Making Data Count", as the NHS-R Community's NHSRplotthedots package computes it.

Arithmetic only: no database, no formatting. `xmr(values, improvement, target, rebases)`
returns each segment's mean and process limits, each point's type and the variation and
assurance icons.

The method, following NHSRplotthedots (`ptd_spc_standard`, `ptd_calculate_point_type`,
`ptd_calculate_assurance_type`):

- mean of the values; moving ranges |x[i] - x[i-1]|; their mean; moving ranges of 3.267 times
  that mean or more are screened out and the mean moving range taken again from the rest;
- process limits mean +/- 2.66 x mean moving range; "near" limits two-thirds of the way there;
- special cause when a point is outside the limits, is one of 7 or more in a row on the same
  side of the mean, is one of 7 or more consecutive points each higher (or each lower) than
  the one before, or is one of 2 of 3 consecutive points beyond a near limit, all three on
  the same side of the mean;
- a special-cause point is an improvement when it lies on the side of the mean that the
  measure's improvement direction favours, a concern when on the other side, and neutral when
  the measure has no improvement direction;
- the variation icon is the type of the latest point; the assurance icon compares the target
  with the latest segment's process limits.

Rebase. A rebase (a change to the service, recorded by an administrator) starts a new
segment: as NHSRplotthedots' `rebase` groups, each segment has its own mean, moving ranges,
limits and rules, and no moving range, run or trend crosses from one segment into the next.

Gaps. A month whose figure is withheld (suppression) or missing stays in the series as None.
NHSRplotthedots asks for no gaps; given an NA it takes the mean over the values present
(`na.rm`), and the moving ranges on either side of the NA are NA and left out of the mean
moving range; a window holding an NA is never a run or a trend. The same is done here: a
moving range is only taken between two consecutive months that both have a value, and runs,
trends and 2-of-3 windows never span a gap.

Too few points, or no variation. NHSRplotthedots calls limits from fewer than 12 points
"trial limits" and warns (vignette "Number of points required"), and its arithmetic returns
NA limits when there is no variation; Making Data Count asks for at least 12, ideally 15 to
20. Here a segment with fewer than MINIMUM_POINTS (12, NHSRplotthedots' threshold, so the
12-month view can show limits) values, or whose mean moving range is 0 (every value equal,
or equal within each unbroken stretch), gets a mean only: no process limits, no special
cause, and no variation or assurance icon. Its points are all common cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
NEAR_LIMIT = 2 * LIMIT / 3
SCREEN = 3.267  # D4 for moving ranges of two points
RUN_LENGTH = 7  # points in a row on one side of the mean
TREND_LENGTH = 7  # consecutive points, each higher (or lower) than the last
MINIMUM_POINTS = 12  # values a segment needs for process limits (NHSRplotthedots)


class Improvement(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class PointType(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL_HIGH = "special_cause_neutral_high"
    NEUTRAL_LOW = "special_cause_neutral_low"

    @property
    def label(self) -> str:
        return POINT_LABELS[self]


POINT_LABELS = {
    PointType.COMMON_CAUSE: "Common cause",
    PointType.IMPROVEMENT: "Special cause: improvement",
    PointType.CONCERN: "Special cause: concern",
    PointType.NEUTRAL_HIGH: "Special cause: neutral (high)",
    PointType.NEUTRAL_LOW: "Special cause: neutral (low)",
}


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEUTRAL_HIGH = "neutral_high"
    NEUTRAL_LOW = "neutral_low"

    @property
    def label(self) -> str:
        return VARIATION_LABELS[self]


VARIATION_LABELS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT_HIGH: "Special cause variation: improvement (higher values)",
    Variation.IMPROVEMENT_LOW: "Special cause variation: improvement (lower values)",
    Variation.CONCERN_HIGH: "Special cause variation: concern (higher values)",
    Variation.CONCERN_LOW: "Special cause variation: concern (lower values)",
    Variation.NEUTRAL_HIGH: "Special cause variation: neither improvement nor concern (higher)",
    Variation.NEUTRAL_LOW: "Special cause variation: neither improvement nor concern (lower)",
}


class Assurance(StrEnum):
    PASS = "consistent_pass"
    FAIL = "consistent_fail"
    INCONSISTENT = "inconsistent"

    @property
    def label(self) -> str:
        return {
            Assurance.PASS: "The process will consistently meet the target",
            Assurance.FAIL: "The process will consistently miss the target",
            Assurance.INCONSISTENT: "The process will sometimes meet and sometimes miss the target",
        }[self]


@dataclass(frozen=True)
class Point:
    value: float
    type: PointType
    side: int  # +1 above the mean, -1 below, 0 on it
    direction: int  # a special cause's direction: +1 high or increasing, -1 low or decreasing
    outside_limits: bool
    near_limits: bool
    rules: frozenset[str]  # which rules flagged it: outside, trend, two_of_three, run


@dataclass(frozen=True)
class Segment:
    """The months from one rebase (or the start) to the next, with their own mean and limits.
    `start` and `stop` index the series, gaps included."""

    start: int
    stop: int
    count: int  # months with a value
    mean: float | None
    moving_ranges: tuple[float, ...]
    mean_moving_range: float | None  # after screening
    lower: float | None = None
    upper: float | None = None
    near_lower: float | None = None
    near_upper: float | None = None

    @property
    def has_limits(self) -> bool:
        return self.lower is not None

    @property
    def no_variation(self) -> bool:
        return self.count > 1 and not self.mean_moving_range


@dataclass(frozen=True)
class XmR:
    series: tuple[float | None, ...]  # every month shown, None for a gap
    improvement: Improvement
    target: float | None
    segments: tuple[Segment, ...]
    slots: tuple[Point | None, ...]  # each month's point, None for a gap

    @property
    def values(self) -> tuple[float, ...]:
        """The values charted: the months with a value, in order."""
        return tuple(v for v in self.series if v is not None)

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(p for p in self.slots if p is not None)

    @property
    def latest_segment(self) -> Segment | None:
        return self.segments[-1] if self.segments else None

    def _latest(self, name):
        return getattr(self.latest_segment, name, None)

    # The latest segment's figures: what the icons, the headline and the CSV go by.
    mean = property(lambda self: self._latest("mean"))
    mean_moving_range = property(lambda self: self._latest("mean_moving_range"))
    lower = property(lambda self: self._latest("lower"))
    upper = property(lambda self: self._latest("upper"))
    near_lower = property(lambda self: self._latest("near_lower"))
    near_upper = property(lambda self: self._latest("near_upper"))

    @property
    def moving_ranges(self) -> tuple[float, ...]:
        return tuple(r for segment in self.segments for r in segment.moving_ranges)

    @property
    def too_few_points(self) -> bool:
        return len(self.values) < MINIMUM_POINTS

    @property
    def has_limits(self) -> bool:
        return self.latest_segment is not None and self.latest_segment.has_limits

    def has_limits_at(self, index: int) -> bool:
        """Whether the month at `index` (gaps counted) lies in a segment with process limits:
        without them a point is not judged common or special cause."""
        return any(s.start <= index < s.stop and s.has_limits for s in self.segments)

    @property
    def variation(self) -> Variation | None:
        """The variation icon: what the latest point shows against its segment's limits. None
        without limits (too few points, or no variation): there is nothing to judge it by."""
        if not self.points or not self.has_limits:
            return None
        last = self.points[-1]
        high = last.direction > 0
        if last.type == PointType.COMMON_CAUSE:
            return Variation.COMMON_CAUSE
        if last.type in (PointType.NEUTRAL_HIGH, PointType.NEUTRAL_LOW):
            return Variation.NEUTRAL_HIGH if high else Variation.NEUTRAL_LOW
        if last.type == PointType.IMPROVEMENT:
            return Variation.IMPROVEMENT_HIGH if high else Variation.IMPROVEMENT_LOW
        return Variation.CONCERN_HIGH if high else Variation.CONCERN_LOW

    @property
    def assurance(self) -> Assurance | None:
        """The assurance icon: whether the process, as it is, will meet the target. It needs
        a target, a direction and the latest segment's process limits."""
        if self.target is None or self.improvement == Improvement.NEUTRAL or not self.has_limits:
            return None
        increasing = self.improvement == Improvement.INCREASE
        if self.target > self.upper:
            return Assurance.FAIL if increasing else Assurance.PASS
        if self.target < self.lower:
            return Assurance.PASS if increasing else Assurance.FAIL
        return Assurance.INCONSISTENT


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def moving_ranges(values) -> list[float]:
    """|x[i] - x[i-1]| for each two consecutive months that both have a value: none across a
    gap (None)."""
    return [
        abs(b - a)
        for a, b in zip(values, values[1:], strict=False)
        if a is not None and b is not None
    ]


def mean_moving_range(ranges) -> float | None:
    """The mean moving range after screening out ranges of 3.267 x the first mean or more."""
    if not ranges:
        return None
    first = sum(ranges) / len(ranges)
    if first == 0:
        return 0.0
    kept = [r for r in ranges if r < SCREEN * first]
    return sum(kept) / len(kept)


def _runs(sides) -> set[int]:
    """Indexes of points in a run of 7 or more on the same side of the mean; a gap (None) or
    a point on the mean breaks a run."""
    flagged = set()
    for end in range(RUN_LENGTH - 1, len(sides)):
        window = sides[end - RUN_LENGTH + 1 : end + 1]
        if window[0] and all(side == window[0] for side in window):
            flagged.update(range(end - RUN_LENGTH + 1, end + 1))
    return flagged


def _trends(values) -> set[int]:
    """Indexes of points in 7 or more consecutive points each higher (or each lower) than the
    one before; an equal value or a gap breaks the trend."""
    flagged = set()
    for end in range(TREND_LENGTH - 1, len(values)):
        window = values[end - TREND_LENGTH + 1 : end + 1]
        if None in window:
            continue
        steps = {_sign(b - a) for a, b in zip(window, window[1:], strict=False)}
        if steps in ({1}, {-1}):
            flagged.update(range(end - TREND_LENGTH + 1, end + 1))
    return flagged


def _two_of_three(near, sides) -> set[int]:
    """Indexes of near-limit points in any 3 consecutive months with 2 or more beyond a near
    limit and all 3 on the same side of the mean (so none of them a gap)."""
    flagged = set()
    for start in range(len(near) - 2):
        indexes = range(start, start + 3)
        if any(sides[i] is None for i in indexes):
            continue
        same_side = abs(sum(sides[i] for i in indexes)) == 3
        if same_side and sum(near[i] for i in indexes) >= 2:
            flagged.update(i for i in indexes if near[i])
    return flagged


def _direction(i, rules, values, sides, trend) -> int:
    if not rules:
        return 0
    if "outside" not in rules and "trend" in rules:
        # A point where one trend ends and another begins goes with the one after it.
        if i + 1 in trend:
            return _sign(values[i + 1] - values[i])
        return _sign(values[i] - values[i - 1])
    return 1 if sides[i] > 0 else -1


def _segment(values, start, improvement) -> tuple[Segment, list[Point | None]]:
    """One segment's mean, limits and points; `values` are its months, None for a gap."""
    present = [v for v in values if v is not None]
    mean = sum(present) / len(present) if present else None
    ranges = moving_ranges(values)
    amr = mean_moving_range(ranges)
    segment = Segment(start, start + len(values), len(present), mean, tuple(ranges), amr)
    sides = [None if v is None else _sign(v - mean) for v in values]
    if len(present) < MINIMUM_POINTS or not amr:
        # A mean only: too few points for limits, or no variation to set them by.
        points = [
            None if v is None else Point(v, PointType.COMMON_CAUSE, s, 0, False, False, frozenset())
            for v, s in zip(values, sides, strict=True)
        ]
        return segment, points
    lower, upper = mean - LIMIT * amr, mean + LIMIT * amr
    near_lower, near_upper = mean - NEAR_LIMIT * amr, mean + NEAR_LIMIT * amr
    segment = Segment(
        segment.start, segment.stop, segment.count, mean, tuple(ranges), amr,
        lower, upper, near_lower, near_upper,
    )  # fmt: skip
    outside = [v is not None and (v > upper or v < lower) for v in values]
    near = [
        v is not None and not out and (v < near_lower or v > near_upper)
        for v, out in zip(values, outside, strict=True)
    ]
    # In the package's order of precedence, which sets a point's direction: a point outside
    # the limits is high or low, a point in a trend rises or falls with it, the others in a
    # 2-of-3 or a run are high or low by their side of the mean.
    flags = {
        "outside": {i for i, out in enumerate(outside) if out},
        "trend": _trends(values),
        "two_of_three": _two_of_three(near, sides),
        "run": _runs(sides),
    }
    favoured = {Improvement.INCREASE: 1, Improvement.DECREASE: -1}.get(improvement)
    points = []
    for i, value in enumerate(values):
        if value is None:
            points.append(None)
            continue
        rules = frozenset(name for name, indexes in flags.items() if i in indexes)
        direction = _direction(i, rules, values, sides, flags["trend"])
        if not rules:
            kind = PointType.COMMON_CAUSE
        elif favoured is None:
            kind = PointType.NEUTRAL_HIGH if direction > 0 else PointType.NEUTRAL_LOW
        elif direction == favoured:
            kind = PointType.IMPROVEMENT
        else:
            kind = PointType.CONCERN
        points.append(Point(value, kind, sides[i], direction, outside[i], near[i], rules))
    return segment, points


def xmr(values, improvement=Improvement.INCREASE, target: float | None = None, rebases=()) -> XmR:
    """The XmR chart of `values`, in time order: one a month, None for a month with no figure
    (a gap). `rebases` are the indexes of the months where a new segment starts, each with
    its own mean and limits."""
    series = tuple(None if v is None else float(v) for v in values)
    improvement = Improvement(improvement)
    starts = sorted({0, *(i for i in rebases if 0 < i < len(series))})
    segments, slots = [], []
    for start, stop in zip(starts, [*starts[1:], len(series)], strict=True):
        if stop <= start:
            continue
        segment, points = _segment(series[start:stop], start, improvement)
        segments.append(segment)
        slots.extend(points)
    if not any(v is not None for v in series):
        segments = []
    return XmR(series, improvement, target, tuple(segments), tuple(slots))
