"""The cells a figure is counted in, and what the measures' queries return.

A count is made for each finest cell: (organisation, service, group), or (organisation, ANY,
ANY) for supporters, who belong to no service or group. `roll_up` adds the parts up into every
cell the filters can pick out; `partitions` gives each total with its parts, which suppression
protects together. The survey results read the same cells, so the two pages agree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

ANY = "*"  # a cell's organisation, service or group when it covers all of them


@dataclass(frozen=True)
class Part:
    """One month of a measure in one finest cell: (organisation, service, group), or
    (organisation, ANY, ANY) for supporters, who belong to no service or group."""

    month: date
    key: tuple
    numerator: float
    denominator: float | None = None


@dataclass
class Counts:
    """What a measure's queries return: the finest `parts`, to be added up into every cell;
    or, for supporters, ready-made `cells` (a supporter may serve several organisations, so
    the organisations' cells overlap and their total is counted on its own)."""

    parts: list[Part] = field(default_factory=list)
    cells: dict[date, dict[tuple, list]] | None = None
    medians: dict[date, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One row of a grouped query: a month, a cell's key, and the counts asked for."""

    month: date
    key: tuple
    counts: dict


def parts_from(rows: list[Row], numerator: str, denominator: str | None = None, where=None):
    return [
        Part(
            row.month,
            row.key,
            row.counts[numerator],
            row.counts[denominator] if denominator else None,
        )
        for row in rows
        if where is None or where(row)
    ]


def roll_up(parts: list[Part]) -> dict[date, dict[tuple, list]]:
    """Every cell the filters can pick out, month by month, from the finest parts: each
    (organisation, service, group), with ANY standing for all of them. A service belongs to
    one organisation, so there is no cell for a service across organisations."""
    cells = defaultdict(dict)
    for part in parts:
        org, service, group = part.key
        month = cells[part.month]
        for key in (
            (org, service, group),
            (org, service, ANY),
            (org, ANY, group),
            (org, ANY, ANY),
            (ANY, ANY, group),
            (ANY, ANY, ANY),
        ):
            cell = month.setdefault(key, [0, 0])
            cell[0] += part.numerator
            cell[1] += part.denominator or 0
    return cells


def partitions(keys) -> list[tuple[tuple, list[tuple]]]:
    """Each total with the parts it is made of, one way of splitting it at a time: by group,
    by service within an organisation, by organisation."""
    keys = set(keys)
    children = defaultdict(list)
    for key in keys:
        org, service, group = key
        if group != ANY:
            children[((org, service, ANY), "group")].append(key)
        if service != ANY and org != ANY:
            children[((org, ANY, group), "service")].append(key)
        if org != ANY and service == ANY:
            children[((ANY, ANY, group), "organisation")].append(key)
    return [(total, parts) for (total, _), parts in children.items() if total in keys]
