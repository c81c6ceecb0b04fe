"""Statistical process control for the measures dashboard: the XmR chart of NHS England's
"Making Data Count", as the NHS-R Community's NHSRplotthedots package computes it.

Arithmetic only: no database, no formatting. `xmr(values, improvement, target)` returns the
mean, the process limits, each point's type and the variation and assurance icons.

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
  with the process limits;
- fewer than 12 points: the limits are provisional and the page says so.

Two edge cases the package leaves undefined (it returns NA) are settled here: a series with no
variation at all keeps a mean moving range of 0 instead of screening every range out, and its
assurance is a pass or a fail by whether the mean meets the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LIMIT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two points
NEAR_LIMIT = 2 * LIMIT / 3
SCREEN = 3.267  # D4 for moving ranges of two points
RUN_LENGTH = 7  # points in a row on one side of the mean
TREND_LENGTH = 7  # consecutive points, each higher (or lower) than the last
MINIMUM_POINTS = 12


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
class XmR:
    values: tuple[float, ...]
    improvement: Improvement
    target: float | None
    mean: float | None
    moving_ranges: tuple[float, ...]
    mean_moving_range: float | None  # after screening
    lower: float | None
    upper: float | None
    near_lower: float | None
    near_upper: float | None
    points: tuple[Point, ...]

    @property
    def too_few_points(self) -> bool:
        return len(self.values) < MINIMUM_POINTS

    @property
    def variation(self) -> Variation | None:
        """The variation icon: what the latest point shows."""
        if not self.points:
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
        """The assurance icon: whether the process, as it is, will meet the target."""
        if self.target is None or self.improvement == Improvement.NEUTRAL or self.mean is None:
            return None
        increasing = self.improvement == Improvement.INCREASE
        if self.lower == self.upper:  # no variation at all: the mean either meets it or not
            meets = self.mean >= self.target if increasing else self.mean <= self.target
            return Assurance.PASS if meets else Assurance.FAIL
        if self.target > self.upper:
            return Assurance.FAIL if increasing else Assurance.PASS
        if self.target < self.lower:
            return Assurance.PASS if increasing else Assurance.FAIL
        return Assurance.INCONSISTENT


def _sign(number: float) -> int:
    return (number > 0) - (number < 0)


def moving_ranges(values) -> list[float]:
    return [abs(b - a) for a, b in zip(values, values[1:], strict=False)]


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
    """Indexes of points in a run of 7 or more on the same side of the mean."""
    flagged = set()
    for end in range(RUN_LENGTH - 1, len(sides)):
        window = sides[end - RUN_LENGTH + 1 : end + 1]
        if window[0] != 0 and all(side == window[0] for side in window):
            flagged.update(range(end - RUN_LENGTH + 1, end + 1))
    return flagged


def _trends(values) -> set[int]:
    """Indexes of points in 7 or more consecutive points each higher (or each lower) than the
    one before; an equal value breaks the trend."""
    flagged = set()
    for end in range(TREND_LENGTH - 1, len(values)):
        window = values[end - TREND_LENGTH + 1 : end + 1]
        steps = {_sign(b - a) for a, b in zip(window, window[1:], strict=False)}
        if steps in ({1}, {-1}):
            flagged.update(range(end - TREND_LENGTH + 1, end + 1))
    return flagged


def _two_of_three(near, sides) -> set[int]:
    """Indexes of near-limit points in any 3 consecutive points with 2 or more beyond a near
    limit and all 3 on the same side of the mean."""
    flagged = set()
    for start in range(len(near) - 2):
        indexes = range(start, start + 3)
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


def xmr(values, improvement=Improvement.INCREASE, target: float | None = None) -> XmR:
    """The XmR chart of `values` (in time order, no gaps)."""
    values = tuple(float(v) for v in values)
    improvement = Improvement(improvement)
    if not values:
        return XmR(values, improvement, target, None, (), None, None, None, None, None, ())
    mean = sum(values) / len(values)
    ranges = moving_ranges(values)
    amr = mean_moving_range(ranges)
    if amr is None:  # one point: a mean but no limits
        lower = upper = near_lower = near_upper = None
        outside = near = [False]
    else:
        lower, upper = mean - LIMIT * amr, mean + LIMIT * amr
        near_lower, near_upper = mean - NEAR_LIMIT * amr, mean + NEAR_LIMIT * amr
        outside = [v > upper or v < lower for v in values]
        near = [
            not out and (v < near_lower or v > near_upper)
            for v, out in zip(values, outside, strict=True)
        ]
    sides = [_sign(v - mean) for v in values]
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
    return XmR(
        values=values,
        improvement=improvement,
        target=target,
        mean=mean,
        moving_ranges=tuple(ranges),
        mean_moving_range=amr,
        lower=lower,
        upper=upper,
        near_lower=near_lower,
        near_upper=near_upper,
        points=tuple(points),
    )
