"""Template helpers for the incidents pages (templates/incidents/).

    {% load incidents_tags %}

Filters
* `review|is_overdue:today`: an open review with a deadline past and not done.
* `review|review_deadlines:today`: the review's three deadlines as rows for a table, each
  {"label", "due_on", "done_on", "state", "not_set"}; `state` is one of overdue, due_soon,
  done, upcoming, not_done (a closed review), not_set.
* `value|display_phone`: a stored phone number written the way people read it.
* `codes|accessible_format_labels`: the labels of the accessible format codes a person chose.
* `status|review_status_tag`, `decision|consent_tag`, `state|deadline_tag`: nhsuk-tag colour classes;
  `state|deadline_label`: "Overdue", "Due soon", "Done", "Not due yet"...
* `person|support_status`: "Needs a supporter", "Do not contact" or "No consent to be contacted".
* `page|elided_pages`: page numbers for nhsuk-pagination, with "…" for the gaps.
* `form|error_summary_with:other_form`: one NHS error summary for two forms on one page.

Tags
* `{% due_soon_working_days as days %}`: how far ahead the work queue looks (selectors).
"""

from datetime import date

from django import template

from incidents import preferences, validators
from incidents.deadlines import uses_agreed_timeframe
from incidents.models import AccessibleFormat, Consent, ReviewStatus
from incidents.selectors import DEADLINES, DUE_SOON_WORKING_DAYS
from peersupport.templatetags.nhsuk import nhsuk_error_summary
from peersupport.working_days import add_working_days

register = template.Library()

_STATUS_TAGS = {
    ReviewStatus.LOGGED: "nhsuk-tag--white",
    ReviewStatus.SCOPING: "nhsuk-tag--aqua-green",
    ReviewStatus.INVESTIGATING: "nhsuk-tag--blue",
    ReviewStatus.DRAFTING: "nhsuk-tag--purple",
    ReviewStatus.SHARING: "nhsuk-tag--green",
    ReviewStatus.CLOSED: "nhsuk-tag--grey",
    ReviewStatus.PAUSED: "nhsuk-tag--orange",
}

_CONSENT_TAGS = {
    Consent.GIVEN: "nhsuk-tag--green",
    Consent.REFUSED: "nhsuk-tag--red",
    Consent.NOT_ASKED: "nhsuk-tag--grey",
}

_DEADLINE_TAGS = {
    "overdue": ("nhsuk-tag--red", "Overdue"),
    "due_soon": ("nhsuk-tag--yellow", "Due soon"),
    "done": ("nhsuk-tag--green", "Done"),
    "upcoming": ("nhsuk-tag--white", "Not due yet"),
    "not_done": ("nhsuk-tag--grey", "Not recorded"),
    "not_set": ("nhsuk-tag--grey", "Not set"),
}


@register.filter
def display_phone(value) -> str:
    return validators.display_phone(value or "")


@register.filter
def is_overdue(review, today) -> bool:
    """True for an open review with a deadline before `today` that has not been met.

    Matches `ReviewQuerySet.overdue()`: closed reviews are never overdue.
    """
    if not isinstance(today, date) or review.status == ReviewStatus.CLOSED:
        return False
    for due_field, done_field, _ in DEADLINES:
        due_on = getattr(review, due_field)
        if due_on and due_on < today and getattr(review, done_field) is None:
            return True
    return False


@register.filter
def review_deadlines(review, today) -> list[dict]:
    """The review's deadlines in order, with a state for the tag beside each."""
    horizon = None
    if isinstance(today, date):
        horizon = add_working_days(today, DUE_SOON_WORKING_DAYS, review.organisation.nation)
    rows = []
    for due_field, done_field, label in DEADLINES:
        due_on, done_on = getattr(review, due_field), getattr(review, done_field)
        if done_on:
            state = "done"
        elif due_on is None:
            state = "not_set"
        elif review.status == ReviewStatus.CLOSED:
            state = "not_done"
        elif horizon and due_on < today:
            state = "overdue"
        elif horizon and due_on <= horizon:
            state = "due_soon"
        else:
            state = "upcoming"
        not_set = ""
        if due_on is None:
            if due_field == "report_due_on" and uses_agreed_timeframe(review.response_type):
                not_set = "Agreed with the family: not recorded yet"
            else:
                not_set = "Not set"
        rows.append(
            {
                "label": label,
                "due_on": due_on,
                "done_on": done_on,
                "state": state,
                "not_set": not_set,
            }
        )
    return rows


@register.filter
def deadline_tag(state) -> str:
    return _DEADLINE_TAGS.get(state, ("nhsuk-tag--grey", ""))[0]


@register.filter
def deadline_label(state) -> str:
    return _DEADLINE_TAGS.get(state, ("", ""))[1]


@register.filter
def review_status_tag(status) -> str:
    return _STATUS_TAGS.get(status, "nhsuk-tag--grey")


@register.filter
def consent_tag(decision) -> str:
    return _CONSENT_TAGS.get(decision, "nhsuk-tag--grey")


@register.filter
def accessible_format_labels(codes) -> list[str]:
    labels = dict(AccessibleFormat.choices)
    return [str(labels.get(code, code)) for code in (codes or [])]


@register.filter
def support_status(person) -> str:
    """Whether a person can be offered peer support: "Needs a supporter", "Do not contact"
    or "No consent to be contacted"."""
    if person.do_not_contact:
        return "Do not contact"
    if person.may_be_offered_support:
        return "Needs a supporter"
    return "No consent to be contacted"


@register.filter
def error_summary_with(form, other_form) -> list[dict]:
    """The error summary items of two forms shown on one page, in page order."""
    return nhsuk_error_summary(form) + nhsuk_error_summary(other_form)


@register.filter
def elided_pages(page) -> list:
    """Page numbers around the current page, with Paginator.ELLIPSIS ("…") for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


@register.simple_tag
def due_soon_working_days() -> int:
    """How many working days ahead the work queue looks for deadlines due soon."""
    return DUE_SOON_WORKING_DAYS


@register.simple_tag
def person_preferences(person):
    """What the person would like in a supporter, and whether gender and background may be used."""
    return {
        "given": preferences.summary(person),
        "consent_at": person.matching_consent_at,
        "unused": preferences.special_category_unused(person),
        "note": person.preferences_note,
    }
