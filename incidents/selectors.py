"""Named reads for the team's pages."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.functional import cached_property

from incidents import queue_totals
from incidents.access import organisation_of
from incidents.models import AffectedPerson, Milestone, Organisation, Review, SelfReferral
from incidents.validators import display_phone
from peersupport.working_days import add_working_days

# The team's work queue also gathers support waiting on the team (supporters' offers,
# concerns, reassignments): pyproject.toml's import contract ignores this import, with why.
from supporters.models import Concern, OfferStatus, ReassignmentTask, SupportOffer

DUE_SOON_WORKING_DAYS = 5
QUEUE_LIMIT = 25  # rows shown in each section of the work queue: the team works from the top


SECTIONS = ("concerns", "referrals", "waiting", "milestones", "contact_again", "reassign")


def first_of(queryset, limit: int = QUEUE_LIMIT) -> list:
    """The first `limit` rows: a section of the work queue shows the same rows for ten people
    waiting or ten thousand, read from the top of an index where one matches its order."""
    return list(queryset[:limit])


class _CountOf(Subquery):
    """How many rows a queryset has, as a scalar subquery: every section's total in one query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def count_all(organisation, querysets: dict) -> dict[str, int]:
    """{name: how many rows} for each queryset, in one query however many there are."""
    counts = {
        f"count_{name}": _CountOf(queryset.order_by().values("pk"))
        for name, queryset in querysets.items()
    }
    row = Organisation.objects.filter(pk=organisation.pk).values(**counts).get()
    return {name: row[f"count_{name}"] for name in querysets}


@dataclass(frozen=True)
class DeadlineItem:
    review: Review
    label: str
    due_on: date
    overdue: bool


DEADLINES = [
    ("candour_due_on", "candour_notified_on", "Duty of Candour notification"),
    ("initial_report_due_on", "initial_report_sent_on", "72-hour report"),
    ("report_due_on", "report_sent_on", "Report"),
]


def pending_deadlines(reviews, horizon: date) -> dict:
    """{kind of deadline: open reviews with it overdue or due by `horizon`}."""
    open_reviews = reviews.open().only("id", "reference", "status", *[d for d, _, _ in DEADLINES])
    return {
        due: open_reviews.filter(**{f"{due}__lte": horizon, f"{done}__isnull": True})
        for due, done, _ in DEADLINES
    }


def deadlines_due(pending: dict, today: date, limit: int) -> list[DeadlineItem]:
    """Open deadlines overdue or due by the horizon, soonest first: the first `limit`.

    Limited in the database, one kind of deadline at a time (counted with the queue's totals),
    so the page costs the same whether an organisation has ten open reviews or ten thousand.
    """
    items = []
    for due, _, label in DEADLINES:
        for review in pending[due].order_by(due, "reference")[:limit]:
            due_on = getattr(review, due)
            items.append(DeadlineItem(review, label, due_on, due_on < today))
    items.sort(key=lambda item: (item.due_on, item.review.reference))
    return items[:limit]


def people_waiting_for_a_supporter(user):
    """People with consent to contact whose offer still needs a supporter.

    Every person with consent gets an offer at once (supporters.services.open_offer), so an
    offer in "needs a supporter" is exactly the waiting state.
    """
    waiting = SupportOffer.objects.filter(status=OfferStatus.NEEDS_SUPPORTER, person=OuterRef("pk"))
    return (
        AffectedPerson.objects.visible_to(user)
        .with_contact_consent()
        .exclude(review__status="closed")
        .filter(Exists(waiting))
        .select_related("review")
        .order_by("created_at", "pk")
    )


def people_to_contact_again(user, today):
    """People who asked to be contacted later, from the date they chose.

    "Not followed by another offer" is a NOT EXISTS rather than `next__isnull` (a left join
    filtered on NULL), which PostgreSQL estimated at one row and so sorted every offer due
    rather than reading the first from the index by date."""
    followed = SupportOffer.objects.filter(previous=OuterRef("pk"))
    return (
        SupportOffer.objects.filter(
            person__in=AffectedPerson.objects.visible_to(user).with_contact_consent(),
            status=OfferStatus.LATER,
            contact_again_on__lte=today,
        )
        .filter(~Exists(followed))
        .exclude(person__offers__status__in=["needs_supporter", "offered", "accepted", "active"])
        .select_related("person", "person__review")
        .order_by("contact_again_on")
    )


def reassignment_tasks(user):
    return (
        ReassignmentTask.objects.filter(
            done_at__isnull=True,
            offer__person__in=AffectedPerson.objects.visible_to(user),
        )
        .select_related("offer__person__review", "offer__supporter__user")
        .order_by("created_at")
    )


def open_concerns(user):
    """Open concerns about people this user may see, oldest first: the most urgent items."""
    return (
        Concern.objects.open()
        .filter(offer__person__in=AffectedPerson.objects.visible_to(user))
        .select_related("offer__person", "raised_by__user")
        .order_by("raised_at", "pk")
    )


def requests_for_support(user):
    """Staff who asked for support themselves, not yet added as people nor closed by the team:
    oldest first."""
    return SelfReferral.objects.for_user(user).waiting().order_by("created_at", "pk")


def work_queue_for(user, today: date | None = None) -> dict:
    """What the team member should act on: open concerns first, then deadlines, people
    waiting, milestones this week."""
    today = today or timezone.localdate()
    organisation = organisation_of(user)
    if organisation is None:
        empty = {name: [] for name in SECTIONS} | {f"{name}_total": 0 for name in SECTIONS}
        return {
            **empty,
            "deadlines": [],
            "deadlines_total": 0,
            "horizon": today,
            "limit": QUEUE_LIMIT,
        }
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS, organisation.nation)
    reviews = Review.objects.visible_to(user)
    week_start = today - timedelta(days=today.weekday())
    milestones = (
        Milestone.objects.filter(review__in=reviews)
        .upcoming_between(week_start, week_start + timedelta(days=6))
        .select_related("review")
    )
    pending = pending_deadlines(reviews, horizon)
    sections = {
        "concerns": open_concerns(user),
        "referrals": requests_for_support(user),
        "waiting": people_waiting_for_a_supporter(user),
        "milestones": milestones.order_by("due_on", "pk"),
        "contact_again": people_to_contact_again(user, today),
        "reassign": reassignment_tasks(user),
    }
    queue = {"deadlines": deadlines_due(pending, today, QUEUE_LIMIT)}
    for name, queryset in sections.items():
        queue[name] = first_of(queryset)
    totals = queue_totals.totals_for(
        user,
        organisation,
        (today, horizon),
        lambda: count_all(organisation, {**sections, **pending}),
    )
    for name in SECTIONS:
        queue[f"{name}_total"] = queue_totals.at_least(totals[name], queue[name], QUEUE_LIMIT)
    queue["deadlines_total"] = sum(totals[due] for due, _, _ in DEADLINES)
    return {**queue, "horizon": horizon, "limit": QUEUE_LIMIT}


class ReviewPaginator(Paginator):
    """Counts the reviews open to everyone in the organisation and the restricted ones apart:
    PostgreSQL then counts the first (nearly all of them) from the review_visibility index
    alone, where one count over both read every review (50 ms at 75,000 reviews)."""

    @cached_property
    def count(self):
        rows = self.object_list
        return rows.filter(restricted=False).count() + rows.filter(restricted=True).count()


def phone_numbers() -> list[dict]:
    """Each organisation's service phone number, for people who would rather call."""
    return [
        {"name": name, "phone": display_phone(phone)}
        for name, phone in Organisation.objects.exclude(phone="").values_list("name", "phone")
    ]


def organisation_phone(organisation) -> list[dict]:
    """The person's own organisation's number where we know it, else every organisation's."""
    if organisation is not None and organisation.phone:
        return [{"name": organisation.name, "phone": display_phone(organisation.phone)}]
    return phone_numbers()
