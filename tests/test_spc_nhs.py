"""SPC as the NHS does it (issue 16, finding 7): no limits or assurance without variation or
with too few points; gaps kept as gaps; rebase segments; and worked examples from the
NHS-R Community's NHSRplotthedots package (its own tests and their snapshots)."""

import pytest

from peersupport.dashboard.spc import MINIMUM_POINTS, Improvement, PointType, Variation, xmr

COMMON = PointType.COMMON_CAUSE

# NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: set.seed(123); y = rnorm(20). Its
# snapshot (_snaps/ptd_spc_standard.md) shows mean 0.142, lpl -3.01 and upl 3.29 on every row.
# By hand: the sum is 2.832476, mean 0.1416238; the 19 moving ranges sum to 22.521453, mean
# 1.1853396; 3.267 x that = 3.8725, above the largest range (2.6680), so none is screened;
# limits 0.1416238 -/+ 2.66 x 1.1853396 = -3.0113796 and 3.2946272.
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_nhsrplotthedots_standard_example_mean_and_limits():
    result = xmr(RNORM_123)
    assert round(result.mean, 3) == 0.142
    assert round(result.lower, 2) == -3.01
    assert round(result.upper, 2) == 3.29
    assert result.mean_moving_range == pytest.approx(22.52145284 / 19)
    assert all(point.type == COMMON for point in result.points)


def test_nhsrplotthedots_outlier_screening_example():
    # The same test sets y[15] (R counts from 1) to 10. By hand: mean (2.832476 + 0.555841 +
    # 10) / 20 = 0.6694159; the ranges either side of the 10 (9.444 and 8.213) are at or
    # above 3.267 x the first mean moving range and are screened out, so the limits narrow
    # and the 10 is far outside them: special cause, an improvement when higher is better.
    values = list(RNORM_123)
    values[14] = 10
    result = xmr(values)
    assert result.mean == pytest.approx(0.6694159, abs=1e-6)
    first = sum(result.moving_ranges) / 19
    kept = [r for r in result.moving_ranges if r < 3.267 * first]
    assert len(kept) == 17
    assert result.mean_moving_range == pytest.approx(sum(kept) / 17)
    assert result.upper == pytest.approx(0.6694159 + 2.66 * sum(kept) / 17, abs=1e-6)
    assert [i for i, p in enumerate(result.points) if p.type != COMMON] == [14]
    assert result.points[14].type == PointType.IMPROVEMENT


# 1. No limits or assurance without variation or with too few points -----------------------


def test_a_series_with_no_variation_has_no_limits_signals_or_assurance():
    flat = xmr([100] * 24, Improvement.INCREASE, target=100)
    assert flat.mean == 100
    assert flat.lower is None and flat.upper is None
    assert flat.latest_segment.no_variation
    assert all(point.type == COMMON for point in flat.points)
    assert flat.assurance is None
    assert flat.variation is None  # no variation icon: nothing to judge the latest month by
    # Seven zeros then a change: the zeros alone have no variation either.
    zeros = xmr([0] * 7)
    assert zeros.lower is None and zeros.assurance is None


def test_a_mean_moving_range_of_zero_gives_no_limits():
    # Equal within each stretch, different across a gap: no moving range is above 0.
    values = [5] * 6 + [None] + [9] * 6
    result = xmr(values, Improvement.INCREASE, target=7)
    assert result.mean_moving_range == 0
    assert result.lower is None
    assert result.assurance is None


def test_too_few_points_give_no_limits_and_no_assurance():
    assert MINIMUM_POINTS == 12
    one = xmr([40], Improvement.INCREASE, target=100)
    assert one.assurance is None
    assert one.upper is None
    eleven = xmr([80, 82, 79, 81, 80, 83, 78, 80, 81, 79, 30], Improvement.INCREASE, target=100)
    assert eleven.lower is None and eleven.assurance is None
    assert all(point.type == COMMON for point in eleven.points)  # 30 is no signal yet
    assert eleven.variation is None and one.variation is None
    twelve = xmr([80, 82, 79, 81, 80, 83, 78, 80, 81, 79, 82, 30], Improvement.INCREASE, 100)
    assert twelve.lower is not None and twelve.assurance is not None
    assert twelve.points[-1].type == PointType.CONCERN
    assert twelve.variation == Variation.CONCERN_LOW


# 2. Gaps kept as gaps ---------------------------------------------------------------------


def test_moving_ranges_are_not_taken_across_a_gap():
    # 10 12 _ 30 31 ...: no range between 12 and 30.
    values = [10, 12, None, 30, 31, 30, 31, 30, 31, 30, 31, 30, 31, 30]
    result = xmr(values)
    assert list(result.moving_ranges) == [2] + [1] * 10
    assert result.series[2] is None
    assert len(result.values) == 13
    assert result.slots[2] is None and len(result.slots) == 14


def test_a_run_does_not_span_a_gap():
    # Mean 65 / 12 around 5.4: five below, then 3 above, a gap, 4 above: 7 above but not in
    # a row, so no run (without the gap they would be one).
    joined = [2, 4, 3, 5, 2, 7, 6, 8, 7, 6, 8, 7]
    assert all(p.rules == {"run"} for p in xmr(joined).points[5:])
    gapped = [2, 4, 3, 5, 2, 7, 6, 8, None, 7, 6, 8, 7]
    assert all("run" not in p.rules for p in xmr(gapped).points)


def test_a_trend_does_not_span_a_gap():
    joined = [6, 8, 1, 2, 3, 4, 5, 6, 7, 4, 8, 5]
    assert all("trend" in p.rules for p in xmr(joined).points[2:9])
    gapped = [6, 8, 1, 2, 3, 4, None, 5, 6, 7, 4, 8, 5]
    assert all("trend" not in p.rules for p in xmr(gapped).points)


# 3. Rebase ------------------------------------------------------------------------------------


def test_rebase_recalculates_limits_for_each_segment():
    # NHSRplotthedots-like data: seven pre-launch zero months, then the rnorm(20) series above
    # shifted up by 10 (the service running). Without a rebase the zeros pull the mean down
    # and are flagged; with a rebase at month 7 the zeros are a segment of their own (no
    # variation: no limits, no signal) and the launch segment has the package's limits
    # shifted by 10: mean 10.142, limits 6.99 and 13.29, as in the snapshot.
    values = [0] * 7 + [v + 10 for v in RNORM_123]
    joined = xmr(values)
    assert any(p.type != COMMON for p in joined.points[:7])
    rebased = xmr(values, rebases=[7])
    before, after = rebased.segments
    assert (before.start, before.stop, after.start, after.stop) == (0, 7, 7, 27)
    assert before.mean == 0 and before.lower is None
    assert all(p.type == COMMON for p in rebased.points[:7])
    assert round(after.mean, 3) == 10.142
    assert round(after.lower, 2) == 6.99 and round(after.upper, 2) == 13.29
    assert rebased.upper == after.upper  # the icons go by the latest segment
    assert all(p.type == COMMON for p in rebased.points[7:])


def test_rebase_rules_and_ranges_stay_within_a_segment():
    values = [5, 6] * 10 + [9, 10] * 7
    result = xmr(values, rebases=[20])
    first, second = result.segments
    assert len(first.moving_ranges) == 19 and len(second.moving_ranges) == 13
    # The jump from 6 to 9 is in neither segment.
    assert 3 not in result.moving_ranges
    # Fourteen points above the old mean are no run in their own segment.
    assert all("run" not in p.rules for p in result.points)
    assert all("run" in p.rules for p in xmr(values).points[20:])
