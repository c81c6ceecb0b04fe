"""Helpers the bench commands share (bench_dashboard, bench_reviews, bench_shortlist).

Seeds nothing.
"""


def percentile(values, fraction):
    """The nearest-rank percentile of the values (fraction 0.95 for the 95th)."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]
