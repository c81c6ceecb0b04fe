"""The measures: one definition each (what it counts, how, which way is better, and its "how
this is calculated" text), read by the page, the CSV and the tests. What a measure is, and the
helpers naming the counts it reads, are in measure.py; the supporters' measures are in
definitions_people.py."""

from __future__ import annotations

from peersupport.dashboard.cells import Counts, parts_from
from peersupport.dashboard.cohort import (
    BY_REASON_NOTE,
    COHORT,
    COHORT_EXCLUSIONS,
    NOT_OFFERED,
)
from peersupport.dashboard.definitions_people import SUPPORTER_MEASURES
from peersupport.dashboard.filters import STAFF
from peersupport.dashboard.measure import (  # noqa: F401 (read from here by the pages)
    ALSO,
    BALANCING,
    COUNT,
    MEAN,
    MEDIAN,
    OUTCOME,
    PERSON_EXCLUSIONS,
    PROCESS,
    SECTIONS,
    SHARE,
    Measure,
)
from peersupport.dashboard.measure import counted as _count
from peersupport.dashboard.measure import named as _named
from peersupport.dashboard.spc import Improvement


def _survey(code: str, positive: str):
    return _named(
        lambda q: Counts(parts_from(q.answers.get(code, []), positive, "answers")),
        f"answers.{code}.{positive}",
        f"answers.{code}.answers",
    )


def _median_contacts(q):
    return Counts(parts_from(q.ended, "ended", "ended"), medians=q.contacts_per_person)


_named(_median_contacts, None, "ended.ended")

ENDED_EXCLUSIONS = (
    PERSON_EXCLUSIONS + " Support that ended only because a new supporter was given, or that "
    "never started, is left out."
)


MEASURES = [
    Measure(
        "offered",
        "People offered a trained peer supporter",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        target=100,
        cohort=True,
        numerator="Of them, people told about peer support and given the choice within 10 "
        "working days of being logged (a supporter offered, or an answer given: someone who "
        "declines was offered)",
        denominator=COHORT,
        exclusions=COHORT_EXCLUSIONS,
        source="People affected (incidents) and support offers (supporters).",
        fetch=_count("cohort", "offered", "people"),
    ),
    Measure(
        "declined_offer",
        "People who declined the offer",
        PROCESS,
        SHARE,
        Improvement.NEUTRAL,
        cohort=True,
        numerator="Of them, people who declined a supporter within 10 working days of being "
        "logged (they count as offered too)",
        denominator=COHORT,
        exclusions=COHORT_EXCLUSIONS,
        source="Support offers and their status history (supporters).",
        fetch=_count("cohort", "declined", "people"),
    ),
    *[
        Measure(
            f"not_offered_{reason}",
            f"Not offered: {label}",
            PROCESS,
            SHARE,
            improvement,
            cohort=True,
            note=BY_REASON_NOTE,
            numerator=f"Of them, people not offered within 10 working days because {why}, "
            "as it stood at the end of those 10 days",
            denominator=COHORT,
            exclusions=COHORT_EXCLUSIONS,
            source="People affected, their consent records and change history (incidents), "
            "and support offers (supporters).",
            fetch=_count("cohort", reason, "people"),
        )
        for reason, label, improvement, why in NOT_OFFERED
    ],
    Measure(
        "offered_in_5",
        "People offered within 5 working days",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        cohort=True,
        numerator="Of them, people told about peer support and given the choice within 5 "
        "working days of being logged",
        denominator=COHORT,
        exclusions=COHORT_EXCLUSIONS,
        source="People affected (incidents) and support offers (supporters).",
        fetch=_count("cohort", "within5", "people"),
    ),
    Measure(
        "days_to_offer",
        "Working days from logging to offer",
        PROCESS,
        MEDIAN,
        Improvement.DECREASE,
        unit="working days",
        cohort=True,
        numerator="The middle wait, in working days from being logged to being offered a "
        "supporter; a wait still running counts at its length so far, so while people are "
        "still waiting the true middle wait may be longer",
        denominator="People logged in the month who were offered or may still be offered",
        exclusions="People never offered whom the team may not contact now (consent refused "
        "or asked not to be contacted) are not waiting and are left out. Working days leave "
        "out weekends and the bank holidays of the organisation's nation.",
        source="People affected (incidents) and support offers (supporters).",
        fetch=_named(
            lambda q: Counts(parts_from(q.cohort, "timed", "timed"), medians=q.days_to_offer),
            None,
            "cohort.timed",
        ),
    ),
    Measure(
        "review_to_logged",
        "Working days from review to logging",
        PROCESS,
        MEAN,
        Improvement.DECREASE,
        unit="working days",
        cohort=True,
        numerator_is_count=False,
        numerator="Working days from each review being logged to each person affected by it "
        "being logged, added up",
        denominator="People logged in the month who are part of a review",
        exclusions="Staff who asked for support without a review are left out. Working days "
        "leave out weekends and the bank holidays of the organisation's nation.",
        source="Reviews and the people affected (incidents).",
        fetch=_named(_count("cohort", "review_days", "with_review"), None, "cohort.with_review"),
    ),
    Measure(
        "accepted",
        "Offers accepted",
        PROCESS,
        SHARE,
        Improvement.INCREASE,
        numerator="Of them, people who accepted a supporter, on any offer (an acceptance "
        "after a new supporter was given counts)",
        denominator="People offered a supporter for the first time in the month (a second "
        "offer to the same person is not counted again)",
        exclusions=PERSON_EXCLUSIONS,
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
    *SUPPORTER_MEASURES,
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
        "tier_peer_only",
        "Tier reached: peer support only",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="People whose support ended at peer support: it came to an end, the person "
        "chose to stop, or the review closed, without moving on to specialist support",
        denominator="People whose peer support ended in the month, each counted once",
        exclusions=ENDED_EXCLUSIONS,
        source="Support offers: the reason support closed (supporters).",
        fetch=_count("ended", "peer_only", "ended"),
    ),
    Measure(
        "specialist",
        "Tier reached: moved on to specialist support",
        ALSO,
        SHARE,
        Improvement.NEUTRAL,
        numerator="People whose support ended because they moved on to specialist support "
        "(a person whose support ended more than once in the month counts here if any ending "
        "was a move to specialist support)",
        denominator="People whose peer support ended in the month, each counted once",
        exclusions=ENDED_EXCLUSIONS,
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
        exclusions=ENDED_EXCLUSIONS,
        source="Contacts recorded by supporters and support offers (supporters).",
        fetch=_median_contacts,
    ),
]

BY_SLUG = {measure.slug: measure for measure in MEASURES}
