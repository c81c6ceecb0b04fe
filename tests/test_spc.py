"""The XmR arithmetic against worked examples of the NHS-R Community's NHSRplotthedots method.

Expected limits are worked out by hand in the comments; each special-cause rule fires on a
known sequence and stays quiet on a near miss.
"""

import pytest

from peersupport.dashboard.spc import (
    Assurance,
    Improvement,
    PointType,
    Variation,
    mean_moving_range,
    moving_ranges,
    xmr,
)

COMMON = PointType.COMMON_CAUSE
IMPROVEMENT = PointType.IMPROVEMENT
CONCERN = PointType.CONCERN

# A worked example with one spike, 12 months (the fewest that get limits).
#   values        10 12 11 13 12 14 30 12 11 13  8 13        sum 159, mean 13.25
#   moving ranges     2  1  2  1  2 16 18  1  2  5  5        sum 55, mean 5.0
#   screening: 3.267 x 5.0 = 16.335, so 18 goes and 16 stays: 37 / 10 = 3.7
#   limits 13.25 -/+ 2.66 x 3.7 = 13.25 -/+ 9.842 = 3.408 and 23.092
#   near limits 13.25 -/+ (2/3 x 2.66) x 3.7 = 13.25 -/+ 6.56133 = 6.68867 and 19.81133
SPIKE = [10, 12, 11, 13, 12, 14, 30, 12, 11, 13, 8, 13]


def types(result):
    return [point.type for point in result.points]


def test_worked_example_mean_moving_range_and_limits():
    result = xmr(SPIKE)
    assert result.mean == pytest.approx(13.25)
    assert list(result.moving_ranges) == [2, 1, 2, 1, 2, 16, 18, 1, 2, 5, 5]
    assert result.mean_moving_range == pytest.approx(3.7)
    assert result.lower == pytest.approx(3.408)
    assert result.upper == pytest.approx(23.092)
    assert result.near_lower == pytest.approx(6.688667, abs=1e-5)
    assert result.near_upper == pytest.approx(19.811333, abs=1e-5)


def test_screening_drops_ranges_at_or_above_3267_times_the_mean():
    assert mean_moving_range(moving_ranges(SPIKE)) == pytest.approx(3.7)
    # Without the 18 the first mean is 27 / 8 = 3.375; nothing reaches 3.267 x 3.375 = 11.03
    # except 16, so only 16 would be screened from these.
    assert mean_moving_range([2, 1, 2, 1, 2, 16, 1, 2]) == pytest.approx(11 / 7)
    assert mean_moving_range([]) is None
    assert mean_moving_range([0, 0, 0]) == 0


def test_a_point_outside_the_limits_is_special_cause():
    result = xmr(SPIKE, Improvement.INCREASE)
    assert types(result) == [COMMON] * 6 + [IMPROVEMENT] + [COMMON] * 5
    assert result.points[6].rules == {"outside"}
    # The same point is a concern when lower is better, and neutral with no direction.
    assert xmr(SPIKE, Improvement.DECREASE).points[6].type == CONCERN
    assert xmr(SPIKE, Improvement.NEUTRAL).points[6].type == PointType.NEUTRAL_HIGH


def test_near_miss_a_high_point_inside_the_limits_is_common_cause():
    # 30 becomes 20: sum 149, mean 12.4167; ranges 2 1 2 1 2 6 8 1 2 5 5, sum 35, mean
    # 3.1818, none screened (3.267 x 3.1818 = 10.39); upper limit 12.4167 + 2.66 x 3.1818 =
    # 20.880, so 20 is inside, though beyond the near limit (18.059): one near point alone is
    # no signal.
    values = [10, 12, 11, 13, 12, 14, 20, 12, 11, 13, 8, 13]
    result = xmr(values)
    assert result.upper == pytest.approx(149 / 12 + 2.66 * 35 / 11)
    assert result.points[6].near_limits
    assert types(result) == [COMMON] * 12


def test_seven_in_a_row_on_one_side_of_the_mean():
    # Mean 65 / 12 = 5.4167: five below, then seven above. Limits 0.338 and 10.495.
    values = [2, 4, 3, 5, 2, 7, 6, 8, 7, 6, 8, 7]
    result = xmr(values)
    assert types(result) == [COMMON] * 5 + [IMPROVEMENT] * 7
    assert all(point.rules == {"run"} for point in result.points[5:])


def test_near_miss_six_in_a_row_is_not_a_run():
    # Mean 62 / 12 = 5.1667: six below, six above.
    values = [2, 4, 3, 5, 2, 4, 7, 6, 8, 7, 6, 8]
    assert types(xmr(values)) == [COMMON] * 12


def test_a_point_on_the_mean_breaks_a_run():
    # Mean 5: seven points at 6 but the fourth of them exactly on the mean.
    values = [4, 4, 4, 4, 4, 4, 6, 6, 6, 5, 6, 6, 6]
    assert sum(values) / len(values) == pytest.approx(65 / 13)
    result = xmr(values)
    assert result.points[9].side == 0
    assert all("run" not in point.rules for point in result.points)


def test_seven_rising_points_are_a_trend_in_its_direction():
    # 1 2 3 4 5 6 7 rising; mean 59 / 12 = 4.9167, limits -1.13 and 10.96, no point near them.
    values = [6, 8, 1, 2, 3, 4, 5, 6, 7, 4, 8, 5]
    result = xmr(values, Improvement.INCREASE)
    assert types(result) == [COMMON] * 2 + [IMPROVEMENT] * 7 + [COMMON] * 3
    assert all("trend" in point.rules for point in result.points[2:9])
    # Rising points below the mean still rise: a concern when lower is better.
    assert types(xmr(values, Improvement.DECREASE))[2:9] == [CONCERN] * 7


def test_seven_falling_points_are_a_trend_too():
    values = [6, 8, 1, 2, 3, 4, 5, 6, 7, 4, 8, 5]
    falling = list(reversed(values))
    result = xmr(falling, Improvement.DECREASE)
    assert types(result) == [COMMON] * 3 + [IMPROVEMENT] * 7 + [COMMON] * 2
    assert all(point.direction == -1 for point in result.points[3:10])


def test_near_miss_six_rising_points_are_not_a_trend():
    values = [6, 8, 1, 2, 3, 4, 5, 6, 4, 7, 8, 5]
    assert all("trend" not in point.rules for point in xmr(values).points)
    # An equal value breaks a trend: 1 2 3 4 5 5 7.
    values = [6, 8, 1, 2, 3, 4, 5, 5, 7, 4, 8, 5]
    assert all("trend" not in point.rules for point in xmr(values).points)


def test_two_of_three_beyond_two_thirds_on_the_same_side():
    # 1 -1 1 -1 ... then 1, 5.5, 5.5. Mean 13 / 16 = 0.8125; ranges 2 (x12), 0, 4.5, 0, mean
    # 28.5 / 15 = 1.9; upper limit 0.8125 + 2.66 x 1.9 = 5.8665, near limit 0.8125 + 1.7733 x
    # 1.9 = 4.1818: both 5.5s are beyond the near limit, inside the limit, and the three points
    # 1, 5.5, 5.5 are all above the mean.
    values = [1, -1] * 6 + [1, 1, 5.5, 5.5]
    result = xmr(values)
    assert result.mean == pytest.approx(0.8125)
    assert result.upper == pytest.approx(0.8125 + 2.66 * 1.9)
    assert types(result) == [COMMON] * 14 + [IMPROVEMENT] * 2
    assert result.points[14].rules == {"two_of_three"}


def test_near_miss_two_near_points_on_opposite_sides_are_common_cause():
    # NHSRplotthedots's own test: 1 -1 1 -1 ... with 5.5 then -5.5 at the end. Mean 0; ranges
    # 2 (x13), 6.5, 11, mean 2.9; 11 is screened out (>= 9.474), leaving 32.5 / 14 = 2.3214;
    # near limits -/+ 4.1167, limits -/+ 6.175: both points are near, on opposite sides.
    values = [1, -1] * 7 + [5.5, -5.5]
    result = xmr(values)
    assert result.mean == pytest.approx(0)
    assert result.mean_moving_range == pytest.approx(32.5 / 14)
    assert result.points[-1].near_limits and result.points[-2].near_limits
    assert types(result)[-2:] == [COMMON, COMMON]


def test_variation_icon_follows_the_latest_point():
    assert xmr(SPIKE).variation == Variation.COMMON_CAUSE
    rising = [10, 12, 11, 13, 12, 14, 11, 12, 11, 13, 12, 30]
    assert xmr(rising, Improvement.INCREASE).variation == Variation.IMPROVEMENT_HIGH
    assert xmr(rising, Improvement.DECREASE).variation == Variation.CONCERN_HIGH
    assert xmr(rising, Improvement.NEUTRAL).variation == Variation.NEUTRAL_HIGH
    falling = [30, 32, 31, 33, 32, 34, 31, 32, 31, 33, 32, 10]
    assert xmr(falling, Improvement.INCREASE).variation == Variation.CONCERN_LOW
    assert xmr(falling, Improvement.DECREASE).variation == Variation.IMPROVEMENT_LOW


def test_assurance_against_a_target():
    # Around 80% with little variation: the upper limit is below 100%, so it will miss.
    steady = [80, 82, 79, 81, 80, 83, 78, 80, 81, 79, 82, 80]
    result = xmr(steady, Improvement.INCREASE, target=100)
    assert result.upper < 100
    assert result.assurance == Assurance.FAIL
    # The same limits against a target of 70: it will always meet it.
    assert xmr(steady, Improvement.INCREASE, target=70).assurance == Assurance.PASS
    # When lower is better the answers swap.
    assert xmr(steady, Improvement.DECREASE, target=100).assurance == Assurance.PASS
    assert xmr(steady, Improvement.DECREASE, target=70).assurance == Assurance.FAIL
    # A target inside the limits: sometimes met, sometimes not.
    assert xmr(steady, Improvement.INCREASE, target=81).assurance == Assurance.INCONSISTENT
    # No target, or no direction: no assurance icon.
    assert xmr(steady).assurance is None
    assert xmr(steady, Improvement.NEUTRAL, target=100).assurance is None


def test_fewer_than_12_points_warns():
    assert xmr(range(11)).too_few_points
    assert not xmr(range(12)).too_few_points


def test_short_series():
    assert xmr([]).points == ()
    assert xmr([]).variation is None
    single = xmr([5])
    assert single.mean == 5
    assert single.upper is None
    assert types(single) == [COMMON]
    flat = xmr([3, 3, 3])
    assert flat.lower is None and flat.upper is None
    assert types(flat) == [COMMON] * 3
