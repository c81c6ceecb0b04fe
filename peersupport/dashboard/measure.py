"""What a measure is (see definitions.py for the measures themselves): its kind, its section,
which way is better, the counts it reads, and its "how this is calculated" text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from peersupport.dashboard.cells import Counts, parts_from
from peersupport.dashboard.filters import FAMILIES, STAFF, Filters
from peersupport.dashboard.spc import Improvement

PROCESS, OUTCOME, BALANCING, ALSO = "process", "outcome", "balancing", "also"
SECTIONS = {
    PROCESS: "Process measures",
    OUTCOME: "Outcome measures",
    BALANCING: "Balancing measures",
    ALSO: "How support went",
}

SHARE, COUNT, MEAN, MEDIAN = "share", "count", "mean", "median"

PERSON_EXCLUSIONS = (
    "People who have not given consent to be contacted about peer support, or who have asked "
    "not to be contacted, are left out."
)


def named(fetch, numerator: str | None, denominator: str | None):
    """A fetch that names the counts it reads, so measures reading the same count (offers
    made, say) publish the same figure for it. None: not a count of people or things."""
    fetch.names = (numerator, denominator)
    return fetch


def counted(query: str, numerator: str, denominator: str | None = None, where=None):
    """A measure read from one of the shared queries."""
    return named(
        lambda q: Counts(parts_from(getattr(q, query), numerator, denominator, where)),
        f"{query}.{numerator}",
        f"{query}.{denominator}" if denominator else None,
    )


@dataclass(frozen=True)
class Measure:
    """One measure: what it counts, how, and which way is better. Its "how this is
    calculated" text (numerator, denominator, exclusions, source) is shown beside it."""

    slug: str
    name: str
    section: str
    kind: str  # SHARE, COUNT, MEAN or MEDIAN
    improvement: Improvement
    numerator: str
    denominator: str
    exclusions: str
    source: str
    fetch: Callable  # Queries -> Counts
    target: float | None = None
    unit: str = ""
    numerator_is_count: bool = True
    groups: tuple[str, ...] = (FAMILIES, STAFF)  # the groups it can be shown for
    by_service: bool = True  # False: it cannot be split by service (supporters)
    by_group: bool = True  # False: it cannot be split by group (supporters)
    only_group: str = ""  # the one group it counts: its figures are that group's of another
    part_of_whole: bool = True  # a share whose numerator counts some of its denominator
    ceiling: float | None = None  # a limit not to go over (caseload: 100% of capacity)
    cohort: bool = False  # people counted in the month they were logged: provisional at first
    note: str = ""  # shown with the figures (why many cells may be withheld)

    @property
    def names(self) -> tuple[str | None, str | None]:
        """The counts behind its numerator and denominator (see _named)."""
        numerator, denominator = self.fetch.names
        if not self.numerator_is_count or self.kind == MEDIAN:
            numerator = None
        return numerator, denominator if self.has_denominator else None

    @property
    def section_title(self) -> str:
        return SECTIONS[self.section]

    @property
    def has_denominator(self) -> bool:
        return self.kind != COUNT

    def applies_to(self, filters: Filters) -> bool:
        return not filters.group or not self.by_group or filters.group in self.groups
