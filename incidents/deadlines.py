"""A review's deadlines (duty of candour, initial report, report) in working days of the
organisation's nation, under the administrators' deadline rules. Working days themselves are
counted by peersupport.working_days."""

from datetime import date

from incidents.models import (
    SERIOUS_INCIDENT_FRAMEWORK,
    DeadlineKind,
    DeadlineRule,
    ResponseType,
)
from peersupport.working_days import add_working_days


def _best_rule(rules, kind, nation, response_type):
    matching = [
        r
        for r in rules
        if r.kind == kind and r.nation in ("", nation) and r.response_type in ("", response_type)
    ]
    return max(matching, key=lambda r: (bool(r.response_type), bool(r.nation)), default=None)


def compute_deadlines(review, rules=None) -> dict[str, date | None]:
    """The due dates for a review under the current rules; PSIRF reports use the agreed date."""
    rules = list(DeadlineRule.objects.all()) if rules is None else rules
    nation = review.organisation.nation
    due = {}
    for kind, field in [
        (DeadlineKind.CANDOUR, "candour_due_on"),
        (DeadlineKind.INITIAL_REPORT, "initial_report_due_on"),
        (DeadlineKind.REPORT, "report_due_on"),
    ]:
        rule = _best_rule(rules, kind, nation, review.response_type)
        due[field] = (
            add_working_days(review.reported_date, rule.working_days, nation) if rule else None
        )
    if review.response_type not in SERIOUS_INCIDENT_FRAMEWORK:
        due["report_due_on"] = review.family_agreed_due_on
    return due


def uses_agreed_timeframe(response_type: str) -> bool:
    return response_type != ResponseType.OTHER and response_type not in SERIOUS_INCIDENT_FRAMEWORK
