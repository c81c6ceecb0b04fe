"""The supporters' measures (balancing: how the supporters are), in definitions.MEASURES."""

from __future__ import annotations

from collections import defaultdict

from peersupport.dashboard.cells import ANY, Counts, Part, parts_from
from peersupport.dashboard.measure import BALANCING, SHARE, Measure, named
from peersupport.dashboard.spc import Improvement


def _supporter_cells(totals: list[Part], by_organisation: list[Part]) -> dict:
    """Supporters' cells: each organisation's, and the total (counted on its own)."""
    cells = defaultdict(dict)
    for parts, org in ((totals, None), (by_organisation, True)):
        for part in parts:
            key = (part.key[0], ANY, ANY) if org else (ANY, ANY, ANY)
            cell = cells[part.month].setdefault(key, [0, 0])
            cell[0] += part.numerator
            cell[1] += part.denominator or 0
    return cells


def _feeling(code: str):
    """Supporters' wellbeing check-ins: each supporter's latest in the month, counted once."""

    def fetch(q):
        totals, by_organisation = q.checkins
        return Counts(
            cells=_supporter_cells(
                parts_from(totals, code, "answers"), parts_from(by_organisation, code, "answers")
            )
        )

    return named(fetch, f"feeling.{code}", f"feeling.{code}.supporters")


def _supporters(numerator: str, denominator: str):
    def fetch(q):
        totals, by_organisation = q.supporters
        return Counts(
            cells=_supporter_cells(
                parts_from(totals, numerator, denominator),
                parts_from(by_organisation, numerator, denominator),
            )
        )

    return named(fetch, f"supporters.{numerator}", f"supporters.{denominator}")


# (code, name, the question) of the supporters' feelings, asked in their check-ins.
FEELINGS = [
    (
        "empowered",
        "Supporters feeling empowered",
        "I feel empowered to support the people I am matched with",
    ),
    (
        "coping",
        "Supporters coping emotionally",
        "I am coping emotionally with being a peer supporter",
    ),
]

SUPPORTER_MEASURES = [
    *[
        Measure(
            code,
            name,
            BALANCING,
            SHARE,
            Improvement.INCREASE,
            by_service=False,
            by_group=False,
            numerator="Of them, supporters whose latest check-in in the month answered 4 or 5",
            denominator=f"Supporters who answered \u201c{question}\u201d in a wellbeing "
            "check-in in the month (each supporter once, by their latest check-in)",
            exclusions="Supporters with no check-in in the month are left out. The quarterly "
            "supporters' survey is left out: it is anonymous, so its answers cannot be counted "
            "once for each supporter.",
            source="Wellbeing check-ins (supporters).",
            fetch=_feeling(code),
        )
        for code, name, question in FEELINGS
    ],
    Measure(
        "supervision",
        "Supervision kept up",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Of them, supporters with a supervision session in the 6 weeks before",
        denominator="Supporters active at the end of the month (or now, this month)",
        exclusions="Supporters in training, paused or who have left are left out.",
        source="Supporters' status history and supervision sessions (supporters).",
        fetch=_supporters("supervised", "active"),
    ),
    Measure(
        "caseload",
        "Caseload against capacity",
        BALANCING,
        SHARE,
        Improvement.DECREASE,  # lower is better; over 100% of capacity is a concern
        ceiling=100,
        by_service=False,
        by_group=False,
        part_of_whole=False,  # a caseload can be over capacity
        numerator="People assigned to the supporters active at the end of the month (their "
        "whole caseload, whichever organisation the person is in)",
        denominator="Places: the most people each of those supporters supports at once, added up",
        exclusions="Supporters in training, paused or who have left are left out; so are "
        "offers not yet made and support that has ended.",
        source="Support offers, supporters' capacity and status history (supporters).",
        fetch=_supporters("assigned", "places"),
    ),
    Measure(
        "pausing",
        "Supporters pausing or leaving",
        BALANCING,
        SHARE,
        Improvement.DECREASE,
        by_service=False,
        by_group=False,
        numerator="Of them, supporters who paused or left during the month",
        denominator="Supporters active at the start of the month",
        exclusions="Supporters still in training are left out.",
        source="Supporters' status history (supporters).",
        fetch=_supporters("left", "started"),
    ),
]
