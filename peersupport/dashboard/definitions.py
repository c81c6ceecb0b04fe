"""The measures: one definition each (what it counts, how, which way is better, and its "how
this is calculated" text), read by the page, the CSV and the tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from peersupport.dashboard.cells import ANY, Counts, Part, parts_from
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


def _named(fetch, numerator: str | None, denominator: str | None):
    """A fetch that names the counts it reads, so measures reading the same count (offers
    made, say) publish the same figure for it. None: not a count of people or things."""
    fetch.names = (numerator, denominator)
    return fetch


def _count(query: str, numerator: str, denominator: str | None = None, where=None):
    """A measure read from one of the shared queries."""
    return _named(
        lambda q: Counts(parts_from(getattr(q, query), numerator, denominator, where)),
        f"{query}.{numerator}",
        f"{query}.{denominator}" if denominator else None,
    )


def _survey(code: str, positive: str):
    return _named(
        lambda q: Counts(parts_from(q.answers.get(code, []), positive, "answers")),
        f"answers.{code}.{positive}",
        f"answers.{code}.answers",
    )


def _feeling(code: str):
    """Supporters' own answers: their wellbeing check-ins and their quarterly survey."""

    def fetch(q):
        totals, by_organisation = q.checkins
        survey = parts_from(q.supporter_answers.get(code, []), "high", "answers")
        return Counts(
            cells=_supporter_cells(
                parts_from(totals, code, "answers") + survey,
                parts_from(by_organisation, code, "answers") + survey,
            )
        )

    return _named(fetch, f"feeling.{code}", f"feeling.{code}.answers")


def _supporters(numerator: str, denominator: str):
    def fetch(q):
        totals, by_organisation = q.supporters
        return Counts(
            cells=_supporter_cells(
                parts_from(totals, numerator, denominator),
                parts_from(by_organisation, numerator, denominator),
            )
        )

    return _named(fetch, f"supporters.{numerator}", f"supporters.{denominator}")


def _median_contacts(q):
    return Counts(parts_from(q.ended, "ended", "ended"), medians=q.contacts_per_person)


_named(_median_contacts, None, "ended.ended")


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

    @property
    def names(self) -> tuple[str | None, str | None]:
        """The counts behind its numerator and denominator (see _named)."""
        numerator, denominator = self.fetch.names
        if not self.numerator_is_count or self.kind == MEDIAN:
            numerator = None
        return numerator, denominator if self.has_denominator else None

    @property
    def has_denominator(self) -> bool:
        return self.kind != COUNT

    def applies_to(self, filters: Filters) -> bool:
        return not filters.group or not self.by_group or filters.group in self.groups


MEASURES = [
    Measure(
        "offered",
        "People offered a trained peer supporter",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        target=100,
        numerator="People offered a trained peer supporter (so far)",
        denominator="People affected who gave consent to be contacted, by the month their "
        "consent was recorded",
        exclusions=PERSON_EXCLUSIONS,
        source="People affected (incidents) and support offers (supporters).",
        fetch=_count("people", "offered", "people"),
    ),
    Measure(
        "days_to_offer",
        "Working days from logging to offer",
        PROCESS,
        MEAN,
        Improvement.DECREASE,
        unit="working days",
        numerator_is_count=False,
        numerator="Working days from the day each person was logged with consent (their offer "
        "opened) to the day a supporter was offered, added up",
        denominator="Offers made in the month",
        exclusions=PERSON_EXCLUSIONS + " A new supporter given in place of another is not "
        "counted again. Working days leave out weekends and the bank holidays of the "
        "organisation's nation.",
        source="Support offers (supporters).",
        fetch=_named(_count("offers", "days", "offers"), None, "offers.offers"),
    ),
    Measure(
        "accepted",
        "Offers accepted",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        numerator="Offers the person accepted",
        denominator="Offers made in the month",
        exclusions=PERSON_EXCLUSIONS + " A new supporter given in place of another is not "
        "counted again.",
        source="Support offers and their status history (supporters).",
        fetch=_count("offers", "accepted", "offers"),
    ),
    Measure(
        "accessing",
        "People accessing support",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        numerator="People with at least one contact with their supporter in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "people"),
    ),
    Measure(
        "contacts",
        "Contacts",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        numerator="Contacts between supporters and the people they support in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "contacts"),
    ),
    Measure(
        "staff_accessing",
        "Staff accessing support",
        PROCESS,
        COUNT,
        Improvement.NEUTRAL,
        groups=(STAFF,),
        only_group=STAFF,
        numerator="Members of staff with at least one contact with their supporter in the month",
        denominator="",
        exclusions=PERSON_EXCLUSIONS,
        source="Contacts recorded by supporters (supporters).",
        fetch=_count("contacts", "people"),
    ),
    Measure(
        "satisfaction",
        "Satisfaction with peer support",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Answers to \u201cI am satisfied with the peer support I was given\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("satisfaction", "high"),
    ),
    Measure(
        "engage_with_review",
        "Willingness to engage with the review",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Answers to \u201cHaving a peer supporter made me feel more able to take "
        "part in the review\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("engage_with_review", "high"),
    ),
    Measure(
        "not_supported",
        "People not feeling supported by the process",
        OUTCOME,
        SHARE,
        Improvement.DECREASE,
        numerator="Answers of disagree or strongly disagree (1 or 2)",
        denominator="Answers to \u201cI felt supported during the review process\u201d",
        exclusions="Questions left unanswered are left out. Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("supported_by_process", "low"),
    ),
    Measure(
        "fft_positive",
        "Friends and Family Test: positive",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        numerator="Answers of very good or good",
        denominator="Answers to the Friends and Family Test question",
        exclusions="\u201cDon't know\u201d answers and questions left unanswered are left out. "
        "Supporters' answers are not included.",
        source="Surveys after support or a review closes (feedback).",
        fetch=_survey("fft", "low"),
    ),
    Measure(
        "staff_perception",
        "Staff perception of support",
        OUTCOME,
        SHARE,
        Improvement.INCREASE,
        groups=(STAFF,),
        numerator="Answers of agree or strongly agree (4 or 5)",
        denominator="Staff answers to \u201cI feel my organisation supports staff well after a "
        "serious incident\u201d",
        exclusions="Questions left unanswered are left out. Only staff are asked.",
        source="Staff surveys after support or a review closes (feedback).",
        fetch=_survey("staff_perception", "high"),
    ),
    Measure(
        "empowered",
        "Supporters feeling empowered",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Answers of 4 or 5",
        denominator="Supporters' answers to \u201cI feel empowered to support the people I am "
        "matched with\u201d, in wellbeing check-ins and the quarterly survey",
        exclusions="None: every answer counts.",
        source="Wellbeing check-ins (supporters) and the supporters' survey (feedback).",
        fetch=_feeling("empowered"),
    ),
    Measure(
        "coping",
        "Supporters coping emotionally",
        BALANCING,
        SHARE,
        Improvement.INCREASE,
        by_service=False,
        by_group=False,
        numerator="Answers of 4 or 5",
        denominator="Supporters' answers to \u201cI am coping emotionally with being a peer "
        "supporter\u201d, in wellbeing check-ins and the quarterly survey",
        exclusions="None: every answer counts.",
        source="Wellbeing check-ins (supporters) and the supporters' survey (feedback).",
        fetch=_feeling("coping"),
    ),
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
        Improvement.NEUTRAL,
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
    Measure(
        "declined",
        "Offers declined",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="Answers declining the offer",
        denominator="Offers answered in the month (accepted, declined, or contact me later)",
        exclusions=PERSON_EXCLUSIONS,
        source="Support offers and their status history (supporters).",
        fetch=_count("answered", "declined", "answered"),
    ),
    Measure(
        "specialist",
        "Moved on to specialist support",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="People whose support ended because they moved on to specialist support",
        denominator="People whose peer support ended in the month (the rest ended at peer support)",
        exclusions=PERSON_EXCLUSIONS + " Support that ended only because a new supporter was "
        "given, or that never started, is left out.",
        source="Support offers: the reason support closed (supporters).",
        fetch=_count("ended", "specialist", "ended"),
    ),
    Measure(
        "median_contacts",
        "Median contacts per person",
        ALSO,
        MEDIAN,
        Improvement.NEUTRAL,
        unit="contacts",
        numerator="The middle number of contacts each person had, in order from fewest to most",
        denominator="People whose peer support ended in the month",
        exclusions=PERSON_EXCLUSIONS + " Support that ended only because a new supporter was "
        "given, or that never started, is left out.",
        source="Contacts recorded by supporters and support offers (supporters).",
        fetch=_median_contacts,
    ),
]

BY_SLUG = {measure.slug: measure for measure in MEASURES}
