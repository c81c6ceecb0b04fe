"""The people a review affects, their consent records and the dates they asked us to avoid.

Changes go through `incidents.services`; the history of every person is kept by
django-simple-history, which relies on `save()` (tests/test_no_bulk_changes.py guards this).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models.organisations import (
    Organisation,
    organisation_of,
)
from incidents.models.reviews import Review, visible_review
from incidents.preferences import Background, ContactTime, Experience, Gender, Language
from peersupport.channels import Channel


class PersonKind(models.TextChoices):
    FAMILY = "family", "Family member or carer"
    SERVICE_USER = "service_user", "Patient or service user"
    STAFF = "staff", "Member of staff"


class Consent(models.TextChoices):
    NOT_ASKED = "not_asked", "Not asked yet"
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"


class ConsentMethod(models.TextChoices):
    PHONE = "phone", "On the phone"
    IN_PERSON = "in_person", "In person"
    WRITING = "writing", "In writing or by email"
    SELF_REFERRAL = "self_referral", "By asking for support themselves"


class AffectedPersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People of the user's organisation whose review they may see, or who have no review
        (staff who asked for support themselves)."""
        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        # A join to each person's own review, not `review__in=<every visible review>`, which
        # PostgreSQL hashed in full (75,000 reviews at national scale) for each query.
        return self.filter(organisation=organisation).filter(
            Q(review__isnull=True) | visible_review(user, organisation, via="review__")
        )

    def with_contact_consent(self):
        return self.filter(consent_to_contact=Consent.GIVEN, do_not_contact=False)


class AffectedPerson(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="None for staff who asked for support themselves after an event with no review.",
    )
    kind = models.CharField(max_length=20, choices=PersonKind.choices)
    relationship = models.CharField(
        max_length=100, blank=True, help_text="For example: mother, partner, ward nurse."
    )
    bereaved = models.BooleanField(default=False)
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.PHONE
    )
    safe_times = models.CharField(
        "Safe times to contact",
        max_length=200,
        blank=True,
        help_text="For example: weekdays after 6pm, never on Mondays.",
    )
    # The safe times above, as a window the outbox keeps to (UK time); empty means any time.
    safe_from = models.TimeField("Send messages no earlier than", null=True, blank=True)
    safe_until = models.TimeField("Send messages no later than", null=True, blank=True)
    language = models.CharField(max_length=50, default="English")
    interpreter_needed = models.BooleanField(default=False)
    accessible_formats = models.JSONField(default=list, blank=True)
    accessibility_needs = models.TextField(blank=True)
    staff_role = models.CharField(max_length=100, blank=True)
    staff_team = models.CharField(max_length=100, blank=True)
    # What they would like in a supporter (incidents.preferences): each from a list, with their
    # own words beside "prefer to self-describe". Gender and background only with consent.
    prefers_supporter_gender = models.CharField(
        "Would like a supporter who is", max_length=30, blank=True, choices=Gender.choices
    )
    prefers_supporter_gender_own = models.CharField(
        "Gender, in their own words", max_length=100, blank=True
    )
    prefers_shared_background = models.CharField(
        "Would like a supporter with the background",
        max_length=200,
        blank=True,
        choices=Background.choices,
    )
    prefers_shared_background_own = models.CharField(
        "Background, in their own words", max_length=100, blank=True
    )
    prefers_language = models.CharField(
        "Would like a supporter who speaks", max_length=50, blank=True, choices=Language.choices
    )
    prefers_language_own = models.CharField(
        "Language, in their own words", max_length=100, blank=True
    )
    prefers_lived_experience = models.CharField(
        "Would like a supporter with experience of",
        max_length=200,
        blank=True,
        choices=Experience.choices,
    )
    prefers_lived_experience_own = models.CharField(
        "Experience, in their own words", max_length=200, blank=True
    )
    prefers_contact_time = models.CharField(
        "Best time to contact them", max_length=20, blank=True, choices=ContactTime.choices
    )
    prefers_contact_time_own = models.CharField(
        "Best time, in their own words", max_length=100, blank=True
    )
    matching_consent_at = models.DateTimeField(
        "Agreed to their gender and background being used for matching", null=True, blank=True
    )
    preferences_note = models.TextField("Preferences recorded before the lists", blank=True)
    consent_to_contact = models.CharField(
        "Consent to be contacted about peer support",
        max_length=10,
        choices=Consent.choices,
        default=Consent.NOT_ASKED,
    )
    consent_to_share = models.CharField(
        "Consent to share contact details with a supporter",
        max_length=10,
        choices=Consent.choices,
        default=Consent.NOT_ASKED,
    )
    do_not_contact = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField("Opted out of all messages", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["created_at"])

    objects = AffectedPersonQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "id"]
        # The work queue's people waiting, longest first: only those who may be contacted.
        indexes = [
            models.Index(
                fields=["organisation", "created_at", "id"],
                condition=Q(consent_to_contact="given", do_not_contact=False),
                name="person_contactable_since",
            )
        ]
        verbose_name = "person affected"
        verbose_name_plural = "people affected"

    def __str__(self):
        return self.preferred_name or self.full_name

    @property
    def may_be_offered_support(self) -> bool:
        return self.consent_to_contact == Consent.GIVEN and not self.do_not_contact


class ConsentRecord(models.Model):
    """Each consent decision, with who recorded it, when and how."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contacted about peer support"
        SHARE = "share", "Details shared with a supporter"

    person = models.ForeignKey(AffectedPerson, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    decision = models.CharField(max_length=10, choices=Consent.choices)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_decision_display()}"


class AvoidDate(models.Model):
    """A date on which nobody should contact the person (anniversary, funeral, inquest)."""

    class Reason(models.TextChoices):
        ANNIVERSARY = "anniversary", "Anniversary"
        FUNERAL = "funeral", "Funeral"
        INQUEST = "inquest", "Inquest"
        OTHER = "other", "Other"

    person = models.ForeignKey(AffectedPerson, on_delete=models.CASCADE, related_name="avoid_dates")
    date = models.DateField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.date:%d %B %Y}"
