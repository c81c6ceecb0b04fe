"""A determined reader of published figures, for the suppression tests: from what each figure
could be (its rounding, or withheld), every total and its parts, and every rate's complement,
it narrows each count until nothing changes, and reports the small counts it pins down.

It is told more than a reader is: which withheld figures are small (1 to the limit). Written
apart from peersupport.dashboard.suppression, from the published text, so that a figure
published by one page and left out of the protection of another is caught.
"""

from collections import defaultdict

from django.conf import settings

ANY = "*"
MOST = 10**9


class Reader:
    def __init__(self, up_to=None, base=None):
        self.up_to = settings.SUPPRESS_COUNTS_UP_TO if up_to is None else up_to
        self.base = settings.SUPPRESS_ROUND_TO if base is None else base
        self.shown, self.truth = {}, {}
        self.sums, self.rates = [], []
        self._rolled = set()

    def read(self, key, shown, true):
        """A figure as published (None: withheld), and its true count."""
        if key in self.truth:
            assert self.truth[key] == true, (key, self.truth[key], true)
        self.truth[key] = true
        if shown is not None or key not in self.shown:
            if key in self.shown and self.shown[key] is not None and shown is not None:
                assert self.shown[key] == shown, ("published twice, differently", key)
            self.shown[key] = shown

    def rate(self, numerator, denominator):
        """The numerator counts some of the denominator's people: their difference is a count."""
        if numerator in self.truth and denominator in self.truth:
            self.rates.append((numerator, denominator))

    def add_sum(self, total, parts):
        assert self.truth[total] == sum(self.truth[p] for p in parts), (total, parts)
        self.sums.append((total, tuple(parts)))

    def cells(self, name, month):
        """Totals and their parts among cells (organisation, service, group) of one count."""
        if (name, month) in self._rolled:
            return
        self._rolled.add((name, month))
        keys = {key[2] for key in self.truth if key[:2] == (name, month)}
        children = defaultdict(set)
        for org, service, group in keys:
            if group != ANY:
                children[((org, service, ANY), "by group")].add((org, service, group))
            if service != ANY:
                children[((org, ANY, group), "by service")].add((org, service, group))
            elif org != ANY:
                children[((ANY, ANY, group), "by organisation")].add((org, service, group))
        for (total, _), parts in children.items():
            if total not in keys:
                continue
            whole = self.truth[(name, month, total)]
            counted = sum(self.truth[(name, month, part)] for part in parts)
            if whole == counted:  # supporters serving two organisations count in both
                self.add_sum((name, month, total), [(name, month, part) for part in parts])

    def _range(self, shown):
        if shown is None:
            return 0, MOST
        if shown == 0 or self.base <= 1:
            return shown, shown
        return max(shown - self.base // 2, self.up_to + 1), shown + (self.base - 1) // 2

    def recovered(self):
        """The small counts (figures or complements) known exactly: (key, count)."""
        low, high, truth = {}, {}, dict(self.truth)
        for key, shown in self.shown.items():
            low[key], high[key] = self._range(shown)
        sums = list(self.sums)
        not_small = {key for key, shown in self.shown.items() if shown is not None}
        for numerator, denominator in self.rates:
            gap = ("less", numerator, denominator)
            truth[gap] = truth[denominator] - truth[numerator]
            low[gap], high[gap] = 0, MOST
            if self.shown.get(numerator) is not None:
                not_small.add(gap)
            sums.append((denominator, (numerator, gap)))
        small = {key for key, value in truth.items() if 1 <= value <= self.up_to}
        for key in small:
            low[key], high[key] = max(low[key], 1), min(high[key], self.up_to)
        for key in low:
            assert low[key] <= truth[key] <= high[key], ("the reader was misled", key)
        for _ in range(200):
            changed = False
            for total, parts in sums:
                for key, lo, hi in [
                    (total, sum(low[p] for p in parts), sum(high[p] for p in parts)),
                    *(
                        (
                            part,
                            low[total] - sum(high[p] for p in parts if p != part),
                            high[total] - sum(low[p] for p in parts if p != part),
                        )
                        for part in parts
                    ),
                ]:
                    lo, hi = max(lo, low[key]), min(hi, high[key])
                    if key in not_small:
                        lo = self.up_to + 1 if 1 <= lo <= self.up_to else lo
                        hi = 0 if 1 <= hi <= self.up_to else hi
                    if (lo, hi) != (low[key], high[key]):
                        assert lo <= truth[key] <= hi, ("the reader was misled", key)
                        low[key], high[key] = lo, hi
                        changed = True
            if not changed:
                break
        return sorted(
            ((key, truth[key]) for key in small if low[key] == high[key]), key=lambda kv: str(kv)
        )
