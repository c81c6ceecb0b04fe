"""Support offers: one supporter offered to one person, through its whole lifecycle, with a row
for every status change and the team's task when a supporter must be replaced."""

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from incidents.models import AffectedPerson
from supporters.models.supporters import PeerSupporter


class OfferStatus(models.TextChoices):
    NEEDS_SUPPORTER = "needs_supporter", "Needs a supporter"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    LATER = "later", "Asked to be contacted later"
    NO_RESPONSE = "no_response", "No response"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


OPEN_OFFER_STATUSES = [
    OfferStatus.NEEDS_SUPPORTER,
    OfferStatus.OFFERED,
    OfferStatus.ACCEPTED,
    OfferStatus.ACTIVE,
    OfferStatus.NO_RESPONSE,
]
ASSIGNED_STATUSES = [
    OfferStatus.OFFERED,
    OfferStatus.ACCEPTED,
    OfferStatus.ACTIVE,
    OfferStatus.NO_RESPONSE,
]


class CloseReason(models.TextChoices):
    NATURAL_END = "natural_end", "Support came to a natural end"
    PERSONS_CHOICE = "persons_choice", "The person's choice"
    REVIEW_CLOSED = "review_closed", "The review closed"
    SPECIALIST = "specialist", "Moved to specialist support"
    REASSIGNED = "reassigned", "Supporter unavailable: reassigned"
    SUPPORTER_UNAVAILABLE = "supporter_unavailable", "Supporter unavailable"


class OfferedVia(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call by the team"
    LETTER = "letter", "Letter"


class SupportOfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_OFFER_STATUSES)

    def assigned(self):
        return self.filter(status__in=ASSIGNED_STATUSES, supporter__isnull=False)

    def for_supporter(self, supporter):
        return self.assigned().filter(supporter=supporter)


class SupportOffer(models.Model):
    """The offer of a supporter to one person, through its whole lifecycle.

    Reassignment closes this offer (reason: reassigned) and opens a new one, so who supported
    whom, and when, is never lost.
    """

    person = models.ForeignKey(AffectedPerson, on_delete=models.PROTECT, related_name="offers")
    supporter = models.ForeignKey(
        PeerSupporter, null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(
        max_length=20, choices=OfferStatus.choices, default=OfferStatus.NEEDS_SUPPORTER
    )
    offered_via = models.CharField(max_length=10, choices=OfferedVia.choices, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    contact_again_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    pool_override_reason = models.CharField(max_length=300, blank=True)
    preference_override_reason = models.CharField(
        "Why offered although it does not meet what the person asked for",
        max_length=300,
        blank=True,
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next",
        help_text="The offer this one replaced when the supporter was reassigned.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SupportOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["supporter", "status"]),
            models.Index(fields=["status"]),
            # The work queue's people to contact again, from the earliest date they chose.
            models.Index(
                fields=["contact_again_on"],
                condition=Q(status=OfferStatus.LATER),
                name="offer_later_contact_again",
            ),
        ]

    def __str__(self):
        return f"Offer {self.pk}: {self.get_status_display()}"


class OfferStatusChange(models.Model):
    offer = models.ForeignKey(SupportOffer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=OfferStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OfferStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.offer_id}: {self.from_status or 'new'} to {self.to_status}"


class ReassignmentTask(models.Model):
    """A person whose supporter paused or left: on the team's work queue until reassigned."""

    offer = models.ForeignKey(
        SupportOffer, on_delete=models.CASCADE, related_name="reassignment_tasks"
    )
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Reassign offer {self.offer_id}"


def caseload_annotation():
    """A supporter's assigned offers, counted from the (supporter, status) index for each
    supporter: joining every offer of every supporter and grouping took half a second with
    3,000 supporters and 200,000 offers."""
    assigned = (
        SupportOffer.objects.filter(supporter=OuterRef("pk"), status__in=ASSIGNED_STATUSES)
        .order_by()
        .values("supporter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(assigned), 0)
