"""Reviews of serious incidents: their status, naming, milestones and deadline rules.

Changes go through `incidents.services`; the history of every review is kept by
django-simple-history, which relies on `save()` (tests/test_no_bulk_changes.py guards this).
"""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models.organisations import (
    Nation,
    Organisation,
    Service,
    organisation_of,
)


class ResponseType(models.TextChoices):
    PSII = "psii", "Patient safety incident investigation (PSII)"
    AFTER_ACTION = "after_action", "After action review"
    SWARM = "swarm", "SWARM huddle"
    THEMATIC = "thematic", "Thematic review"
    SI_COMPREHENSIVE = "si_comprehensive", "Comprehensive serious incident investigation"
    SI_CONCISE = "si_concise", "Concise serious incident investigation"
    OTHER = "other", "Other"


SERIOUS_INCIDENT_FRAMEWORK = {ResponseType.SI_COMPREHENSIVE, ResponseType.SI_CONCISE}


class Category(models.TextChoices):
    DEATH = "death", "Unexpected death"
    SUICIDE = "suicide", "Suspected suicide"
    HOMICIDE = "homicide", "Homicide"
    SELF_HARM = "self_harm", "Serious self-harm"
    HARM = "harm", "Serious harm"
    OTHER = "other", "Other"


class HarmLevel(models.TextChoices):
    DEATH = "death", "Death"
    SEVERE = "severe", "Severe harm"
    MODERATE = "moderate", "Moderate harm"
    LOW = "low", "Low harm"
    NONE = "none", "No harm"


class ReviewStatus(models.TextChoices):
    LOGGED = "logged", "Logged"
    SCOPING = "scoping", "Scoping"
    INVESTIGATING = "investigating", "Investigating"
    DRAFTING = "drafting", "Drafting report"
    SHARING = "sharing", "Sharing findings"
    CLOSED = "closed", "Closed"
    PAUSED = "paused", "Paused"


OPEN_STATUSES = [s for s in ReviewStatus if s not in (ReviewStatus.CLOSED,)]


SEARCHED = ["reference", "steis_ref", "lfpse_ref", "datix_ref", "summary"]
SEARCH_SEPARATOR = "\x1f"  # the unit separator: nobody types it into a search


def visible_review(user, organisation, via: str = "") -> Q:
    """The condition that a review, reached through the relation `via` ("review__" from a
    person), is one `user` of `organisation` may see: their organisation's, and a restricted one
    only if they lead it or are named on it.

    A condition on a join rather than `review__in=<visible reviews>`: PostgreSQL then reads the
    one review of each row it looks at, instead of first gathering every visible review of the
    organisation (75,000 at national scale) into a hash for every query.
    """
    review = OuterRef(via.removesuffix("__") or "pk")
    named = Review.team_members.through.objects.filter(review=review, user=user)
    return Q(**{f"{via}organisation": organisation}) & (
        Q(**{f"{via}restricted": False}) | Q(**{f"{via}lead_investigator": user}) | Exists(named)
    )


class ReviewQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def visible_to(self, user):
        """Reviews a team user may see: their organisation's, and restricted ones only if named."""
        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        return self.filter(visible_review(user, organisation))

    def open(self):
        return self.exclude(status=ReviewStatus.CLOSED)

    def matching(self, text: str):
        """Reviews whose references or summary contain `text`, ignoring case (as icontains)."""
        if SEARCH_SEPARATOR in text:  # it could span two fields of search_text
            return self.filter(
                functools.reduce(
                    operator.or_, [Q(**{f"{name}__icontains": text}) for name in SEARCHED]
                )
            )
        return self.filter(search_text__contains=Upper(Value(text)))

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(
            Q(candour_due_on__lt=today, candour_notified_on__isnull=True)
            | Q(initial_report_due_on__lt=today, initial_report_sent_on__isnull=True)
            | Q(report_due_on__lt=today, report_sent_on__isnull=True)
        )


class Review(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reviews")
    reference = models.CharField(max_length=50)
    steis_ref = models.CharField("StEIS reference", max_length=50, blank=True)
    lfpse_ref = models.CharField("LFPSE reference", max_length=50, blank=True)
    datix_ref = models.CharField("Datix reference", max_length=50, blank=True)
    incident_date = models.DateField()
    reported_date = models.DateField("Date reported")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="reviews")
    category = models.CharField(max_length=20, choices=Category.choices)
    response_type = models.CharField(max_length=20, choices=ResponseType.choices)
    harm_level = models.CharField(max_length=20, choices=HarmLevel.choices)
    lead_investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_reviews"
    )
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="named_reviews",
        help_text="Named team members; on a restricted review only they and administrators see it.",
    )
    summary = models.TextField(
        max_length=500, help_text="A short summary with no names or identifying details."
    )
    restricted = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.LOGGED
    )
    status_before_pause = models.CharField(max_length=20, choices=ReviewStatus.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    family_agreed_due_on = models.DateField(
        "Timeframe agreed with the family",
        null=True,
        blank=True,
        help_text="PSIRF sets no fixed clock: record the date agreed with the family.",
    )
    candour_due_on = models.DateField("Duty of Candour notification due", null=True, blank=True)
    candour_notified_on = models.DateField(
        "Duty of Candour notification made", null=True, blank=True
    )
    initial_report_due_on = models.DateField("72-hour report due", null=True, blank=True)
    initial_report_sent_on = models.DateField("72-hour report sent", null=True, blank=True)
    report_due_on = models.DateField("Report due", null=True, blank=True)
    report_sent_on = models.DateField("Report sent", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the review list's search reads: its references and summary in capitals, each after
    # SEARCH_SEPARATOR, kept by the database. One column compared per review, not five each put
    # in capitals on every search (200 ms to count the matches among 75,000 reviews).
    search_text = models.GeneratedField(
        expression=Upper(
            Concat(
                *[part for name in SEARCHED for part in (Value(SEARCH_SEPARATOR), name)],
                output_field=models.TextField(),
            )
        ),
        output_field=models.TextField(),
        db_persist=True,
    )
    history = HistoricalRecords(
        excluded_fields=["created_at", "search_text"], m2m_fields=[team_members]
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="unique_review_reference_per_organisation",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The review list's order: its first page read from the index, not a sort of all.
            models.Index(
                fields=["organisation", "-reported_date", "-id"], name="review_list_order"
            ),
            # Who may see a review, to count the review list from the index alone.
            models.Index(
                fields=["organisation", "restricted", "lead_investigator", "id"],
                name="review_visibility",
            ),
            # The work queue's deadlines, soonest first: only the open ones are indexed.
            *[
                models.Index(
                    fields=["organisation", due, "reference"],
                    condition=Q(**{f"{done}__isnull": True}),
                    name=f"review_{name}_due",
                )
                for name, due, done in [
                    ("candour", "candour_due_on", "candour_notified_on"),
                    ("initial", "initial_report_due_on", "initial_report_sent_on"),
                    ("report", "report_due_on", "report_sent_on"),
                ]
            ],
        ]

    def __str__(self):
        return self.reference


class ReviewStatusChange(models.Model):
    """One row per status change, with who and when: the status history is never lost."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReviewStatus.choices)
    reason = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.review} {self.from_status or 'new'} to {self.to_status}"


class NamingRole(models.TextChoices):
    LEAD = "lead", "Lead investigator"
    TEAM_MEMBER = "team_member", "Named team member"


class ReviewNamingQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class ReviewNaming(models.Model):
    """One period during which a user was named on a review (lead investigator or team member).

    Rows are never deleted: removing someone sets `removed_at`. The confidentiality wall reads
    every row, current or not (incidents.access.reviews_ever_named), so a supervisor who takes
    their own name off a review still cannot read notes about its people. Written only by
    incidents.services.change_naming; started by migration 0008 from who was named then.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="namings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_namings"
    )
    role = models.CharField(max_length=20, choices=NamingRole.choices)
    named_at = models.DateTimeField(default=timezone.now)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReviewNamingQuerySet.as_manager()

    class Meta:
        ordering = ["named_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user", "role"],
                condition=Q(removed_at__isnull=True),
                name="one_current_naming_per_role",
            )
        ]
        indexes = [models.Index(fields=["user", "review"])]

    def __str__(self):
        return f"{self.user} named on {self.review} ({self.get_role_display()})"


class MilestoneKind(models.TextChoices):
    TERMS_OF_REFERENCE = "terms_of_reference", "Terms of reference agreed"
    FAMILY_INPUT = "family_input", "Family input invited"
    DRAFT_SHARED = "draft_shared", "Draft report shared"
    FINAL_MEETING = "final_meeting", "Final report meeting"
    INQUEST = "inquest", "Inquest"


class MilestoneQuerySet(models.QuerySet):
    def upcoming_between(self, start, end):
        return self.filter(due_on__gte=start, due_on__lte=end, completed_on__isnull=True)


class Milestone(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=30, choices=MilestoneKind.choices)
    due_on = models.DateField("Date")
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        # The work queue's milestones this week: the open ones, by date.
        indexes = [
            models.Index(
                fields=["due_on", "id"],
                condition=Q(completed_on__isnull=True),
                name="milestone_open_due",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.due_on:%d %B %Y}"


class DeadlineKind(models.TextChoices):
    CANDOUR = "candour", "Duty of Candour notification"
    INITIAL_REPORT = "initial_report", "72-hour report"
    REPORT = "report", "Report"


class DeadlineRule(models.Model):
    """How many working days after the date reported a deadline falls. Administrators edit these.

    A rule applies to one nation or, with no nation, to all; to one response type or, with none,
    to all. The most specific matching rule wins.
    """

    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    nation = models.CharField(max_length=20, choices=Nation.choices, blank=True)
    response_type = models.CharField(max_length=20, choices=ResponseType.choices, blank=True)
    working_days = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "nation", "response_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "nation", "response_type"], name="unique_deadline_rule"
            )
        ]

    def __str__(self):
        scope = " ".join(
            filter(None, [self.get_nation_display(), self.get_response_type_display()])
        )
        return f"{self.get_kind_display()}: {self.working_days} working days ({scope or 'all'})"
