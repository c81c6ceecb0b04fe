"""One suppression layer for every figure a manager sees or downloads: the dashboard, its CSV
and print, the survey results, and anything added later.

The rule is NHS Digital's for published statistics. A count from 1 to SUPPRESS_COUNTS_UP_TO
(7 by default) is withheld; every other count is rounded to the nearest SUPPRESS_ROUND_TO (5);
a true zero is shown as 0, since it identifies nobody. Rates are worked out from the rounded
figures. A rate's complement (the denominator less the numerator: the people dissatisfied
beside the satisfied) is a count too, so where it is from 1 to the limit the numerator and the
rate are withheld; where the denominator is withheld, so are the numerator and the rate ("0 of
a withheld number" would say everyone answered the same way).

Rounding makes most sums and differences between figures unreliable, but not all: 8 and 8
shown as 10 and 10 beside a total of 17 shown as 15 leave 1 for a withheld third part, since
the parts are at least 8 each and the total at most 17. So `protect` reads the figures as a
reader would, knowing every total and its parts, every rate's complement, and figures published
elsewhere (`fixed`), and narrows what each figure could be. Wherever a count from 1 to the limit
(a figure or a complement) would be known exactly, it withholds one more figure (the smallest
beside it) and looks again. It assumes the reader knows which withheld figures are small, which
is more than the page tells them.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.conf import settings

WITHHELD_TEXT = "withheld"
UNKNOWN = 10**9  # the most a withheld figure could be, for all a reader knows


def counts_up_to() -> int:
    """Counts from 1 to this are withheld (NHS Digital: 7)."""
    return settings.SUPPRESS_COUNTS_UP_TO


def round_to() -> int:
    """Every other count is rounded to the nearest multiple of this (NHS Digital: 5)."""
    return settings.SUPPRESS_ROUND_TO


def rounded(value: float, base: int | None = None) -> int:
    """To the nearest multiple of `base`, halves upward."""
    base = round_to() if base is None else base
    if base <= 1:
        return round(value)
    return int((value + base / 2) // base * base)


def publish(value: float, *, up_to: int | None = None, base: int | None = None) -> int | None:
    """A count as published: 0, None (withheld) or rounded."""
    up_to = counts_up_to() if up_to is None else up_to
    if value == 0:
        return 0
    if 0 < value <= up_to:
        return None
    return rounded(value, base)


def bounds(shown: int | None, *, up_to: int | None = None, base: int | None = None):
    """What a reader can tell of a count from its published figure: the least and the most
    it could be."""
    up_to = counts_up_to() if up_to is None else up_to
    base = round_to() if base is None else base
    if shown is None:
        return 0, UNKNOWN
    if shown == 0:
        return 0, 0
    if base <= 1:
        return shown, shown
    return max(shown - base // 2, up_to + 1), shown + (base - 1) // 2


def rate(numerator: int | None, denominator: int | None, scale: float = 100) -> float | None:
    """A rate from the published figures; None when either is withheld or nothing to divide."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator * scale


@dataclass
class Problem:
    """Figures published together and how they relate.

    `values`: each figure's true count, by any hashable key. `sums`: (total, parts) where the
    total is the sum of the parts. `rates`: (numerator, denominator) where the numerator counts
    some of the denominator's people, so their difference is a count too. `fixed`: figures
    published elsewhere under the plain rule, which this page cannot change but a reader can
    set beside it."""

    values: dict[Hashable, float] = field(default_factory=dict)
    sums: list[tuple[Hashable, tuple]] = field(default_factory=list)
    rates: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    fixed: set = field(default_factory=set)


def _components(problem: Problem) -> list[set]:
    """Figures linked by a sum or a rate, so each group can be protected on its own."""
    parent = {key: key for key in problem.values}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(keys):
        roots = [find(key) for key in keys]
        for root in roots[1:]:
            parent[root] = roots[0]

    for total, parts in problem.sums:
        join([total, *parts])
    for numerator, denominator in problem.rates:
        join([numerator, denominator])
    groups = defaultdict(set)
    for key in problem.values:
        groups[find(key)].add(key)
    return list(groups.values())


def protect(problem: Problem, *, up_to: int | None = None, base: int | None = None) -> dict:
    """Each figure as it may be published: a rounded count, 0, or None (withheld)."""
    up_to = counts_up_to() if up_to is None else up_to
    base = round_to() if base is None else base
    shown = {key: publish(value, up_to=up_to, base=base) for key, value in problem.values.items()}
    if up_to < 1 and base <= 1:
        return shown
    components = _components(problem)
    # Each sum and rate with its component, in one pass (not one pass per component).
    where = {key: index for index, component in enumerate(components) for key in component}
    sums, rates = defaultdict(list), defaultdict(list)
    for item in problem.sums:
        sums[where[item[0]]].append(item)
    for item in problem.rates:
        rates[where[item[0]]].append(item)
    for index, component in enumerate(components):
        _protect_component(problem, component, sums[index], rates[index], shown, up_to, base)
    return shown


def _protect_component(problem, component, sums, rates, shown, up_to, base):
    values, fixed = problem.values, problem.fixed
    complements = {("complement", n, d): (n, d) for n, d in rates}
    all_sums = sums + [(d, (n, c)) for c, (n, d) in complements.items()]
    truth = dict(values)
    for c, (n, d) in complements.items():
        truth[c] = values[d] - values[n]
    small = {key for key in [*component, *complements] if 1 <= truth[key] <= up_to}
    twins = _twins(sums)
    view = {key: shown[key] for key in component}

    def withhold(figures, key):
        for twin in twins.get(key, (key,)):
            if twin not in fixed:
                figures[twin] = None

    def exposed(figures) -> list:
        for n, d in rates:
            if n not in fixed and (figures[d] is None or ("complement", n, d) in small):
                withhold(figures, n)
        low, high = _narrow(figures, all_sums, complements, small, up_to, base)
        return sorted((key for key in small if low[key] >= high[key]), key=str)

    def options(target) -> list:
        beside = [
            key
            for total, parts in all_sums
            if target == total or target in parts
            for key in (total, *parts)
        ]
        return _by_size(beside, view, truth, fixed) or _by_size(component, view, truth, fixed)

    def remedy(found):
        """The smallest figure whose withholding keeps an exposed count unknown; failing
        that, the smallest beside the first (it narrows what a reader knows)."""
        for target in found[:4]:
            for option in options(target)[:8]:
                trial = dict(view)
                withhold(trial, option)
                if target not in exposed(trial):
                    return option
        first = options(found[0])
        return first[0] if first else None

    found = exposed(view)
    while found:
        chosen = remedy(found)
        if chosen is None:
            break
        withhold(view, chosen)
        found = exposed(view)
    shown.update(view)


def _twins(sums) -> dict:
    """Figures that are one another (a total with a single part): withheld together."""
    groups = {}
    for total, parts in sums:
        if len(parts) == 1:
            group = groups.get(total, {total}) | groups.get(parts[0], {parts[0]})
            for key in group:
                groups[key] = group
    return groups


def _by_size(keys, view, truth, fixed) -> list:
    """The figures among `keys` that are shown and may be withheld, smallest first (zeros
    last: withholding a zero hides least)."""
    keys = {key for key in keys if view.get(key) is not None and key not in fixed}
    return sorted(keys, key=lambda key: (truth[key] == 0, truth[key], str(key)))


def _narrow(shown, sums, complements, small, up_to, base):
    """What a reader can tell of each figure: its bounds from what is published, narrowed by
    every sum until nothing changes. Withheld figures that are small are taken to be known
    as such (1 to the limit); a shown rate's complement is known not to be small."""
    low, high = {}, {}
    for key, value in shown.items():
        low[key], high[key] = bounds(value, up_to=up_to, base=base)
    not_small = set()
    for c, (n, _) in complements.items():
        low[c], high[c] = 0, UNKNOWN
        if shown[n] is not None:
            not_small.add(c)
    for key in small:
        if key in low:
            low[key], high[key] = max(low[key], 1), min(high[key], up_to)
    not_small.update(key for key, value in shown.items() if value is not None)

    def tighten(key, lo, hi) -> bool:
        lo, hi = max(low[key], lo), min(high[key], hi)
        if key in not_small:
            if 1 <= lo <= up_to:
                lo = up_to + 1
            if 1 <= hi <= up_to:
                hi = 0
        if lo > hi or (lo, hi) == (low[key], high[key]):
            return False
        low[key], high[key] = lo, hi
        return True

    sums = [(t, parts) for t, parts in sums if t in low and all(p in low for p in parts)]
    member_of = defaultdict(list)
    for index, (total, parts) in enumerate(sums):
        for key in (total, *parts):
            member_of[key].append(index)
    waiting = deque(range(len(sums)))
    queued = set(waiting)
    budget = 100 * len(sums)  # bounds only narrow, but a long chain could narrow slowly
    while waiting and budget:
        budget -= 1
        index = waiting.popleft()
        queued.discard(index)
        total, parts = sums[index]
        least = sum(low[part] for part in parts)
        most = sum(high[part] for part in parts)
        changed = [total] if tighten(total, least, most) else []
        for part in parts:
            if tighten(part, low[total] - (most - high[part]), high[total] - (least - low[part])):
                changed.append(part)
        for key in changed:
            for other in member_of[key]:
                if other not in queued:
                    queued.add(other)
                    waiting.append(other)
    return low, high
