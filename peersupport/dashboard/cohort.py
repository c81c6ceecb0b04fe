"""The cohort behind the headline: people counted in the month they were logged, and their
state at the end of their window (WINDOW_DAYS working days after being logged), read only
from dated rows (offers, status changes, consent records, the person's change history), so
that nothing done after a window closes (a later "do not contact", an anonymisation) changes
a closed month."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from incidents.models import AffectedPerson, Consent, ConsentRecord, Nation
from peersupport.dashboard.filters import Filters, add_months
from peersupport.dashboard.spc import Improvement
from peersupport.dashboard.working_days import working_days
from peersupport.working_days import add_working_days
from supporters.models import OfferStatus, OfferStatusChange, SupportOffer

COHORT = (
    "Every person affected logged in the month (the date they were logged places them), "
    "whatever their consent"
)
COHORT_EXCLUSIONS = (
    "None: nobody is left out for not being asked, for refusing, or for asking later not to "
    "be contacted. Each person's state is taken at the end of 10 working days after being "
    "logged, from dated records, so the month is provisional until 10 working days after it "
    "ends and final from then on."
)
BY_REASON_NOTE = (
    "Many by-reason cells will be withheld by suppression at small scale: that is expected, "
    "since each reason counts only a few people."
)
# Why a person was not offered in time: (count, label, which way is better, because ...).
NOT_OFFERED = [
    ("not_asked", "not yet asked", Improvement.DECREASE, "they had not yet been asked"),
    (
        "waiting",
        "waiting for a supporter",
        Improvement.DECREASE,
        "they gave consent and were waiting for a supporter",
    ),
    (
        "not_contacted",
        "the team decided not to contact",
        Improvement.NEUTRAL,
        "the team had decided not to contact them (asked not to be contacted, or consent refused)",
    ),
]
# Counts that add up to another: suppression protects them together.
SUMS = {
    "cohort.people": (
        "cohort.offered",
        *(f"cohort.{reason}" for reason, *_ in NOT_OFFERED),
    )
}
# Counts that are some of another's people (part -> whole), though no measure divides one by
# the other: the rest (the whole less the part) is a count of people too, so suppression
# protects it as it does a rate's complement. The people timed for the wait to an offer less
# the people logged are those never offered whom the team may not contact.
PARTS = {
    "cohort.timed": "cohort.people",
    "cohort.with_review": "cohort.people",
    "cohort.within5": "cohort.offered",
    "cohort.declined": "cohort.offered",
}

WINDOW_DAYS = 10  # working days after being logged by which a person is to be offered
NATION = "organisation__nation"
MAY_OFFER = [Consent.GIVEN, Consent.NOT_ASKED]


def years_for(filters: Filters, *more: int) -> tuple[int, ...]:
    """The years whose bank holidays a count of working days in these months may cross."""
    return tuple(range(filters.first_month.year - 2, max((filters.last_month.year, *more)) + 2))


@lru_cache(maxsize=256)
def window_closes(month: date) -> date:
    """The last day of a cohort's window: WINDOW_DAYS working days after the month's last
    day (the latest of the nations). Until it has passed, the month is provisional."""
    last_day = add_months(month, 1) - timedelta(days=1)
    return max(add_working_days(last_day, WINDOW_DAYS, nation) for nation in Nation)


def cohort_told():
    """When a person was first told about peer support and given the choice: the earliest
    day a supporter was offered to them or, had no offer day been recorded, the earliest
    answer. A person who declined was offered."""
    offers = SupportOffer.objects.filter(person=OuterRef("pk")).order_by()

    def earliest(field):
        return Subquery(
            offers.filter(**{f"{field}__isnull": False}).order_by(field, "pk").values(field)[:1]
        )

    return Coalesce(earliest("offered_at"), earliest("answered_at"))


def _in_window(queryset, logged: str, moment: str, nation: str, years):
    """The rows dated no later than WINDOW_DAYS working days after the person was logged."""
    days = working_days(logged, moment, nation, years)
    return queryset.annotate(window_days=days).filter(window_days__lte=WINDOW_DAYS)


def consent_at_window_end(years):
    """The person's consent to be contacted as last recorded by the end of their window."""
    records = ConsentRecord.objects.filter(person=OuterRef("pk"), kind=ConsentRecord.Kind.CONTACT)
    records = _in_window(
        records, "person__created_at", "recorded_at", "person__organisation__nation", years
    )
    latest = Subquery(records.order_by("-recorded_at", "-pk").values("decision")[:1])
    return Coalesce(latest, Value(Consent.NOT_ASKED))


def dnc_at_window_end(years):
    """Whether the team had decided not to contact the person by the end of their window,
    from the person's change history (the first row if none is dated in the window)."""
    history = AffectedPerson.history.model.objects.filter(id=OuterRef("pk"))
    within = _in_window(
        history.annotate(
            logged_at=ExpressionWrapper(OuterRef("created_at"), output_field=DateTimeField())
        ),
        "logged_at",
        "history_date",
        NATION,
        years,
    )
    first = history.order_by("history_date", "history_id").values("do_not_contact")[:1]
    latest = within.order_by("-history_date", "-history_id").values("do_not_contact")[:1]
    return Coalesce(Subquery(latest), Subquery(first), Value(False))


def declined_in_window(years):
    """Whether the person declined an offer by the end of their window."""
    declines = OfferStatusChange.objects.filter(
        offer__person=OuterRef("pk"), to_status=OfferStatus.DECLINED
    )
    return Exists(
        _in_window(
            declines,
            "offer__person__created_at",
            "changed_at",
            "offer__person__organisation__nation",
            years,
        )
    )
