"""Requests for support made on the public forms: by members of staff, and by bereaved families
and service users (the same queue, the same rate limit, the same ways to link or close)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from incidents.models.organisations import (
    Organisation,
    organisation_of,
)
from incidents.models.people import AffectedPerson
from incidents.models.reviews import Review
from incidents.validators import normalise_uk_phone
from peersupport.channels import Channel


class ReferralContactHow(models.TextChoices):
    """How someone who asked for support would like to be contacted (a subset of Channel)."""

    EMAIL = Channel.EMAIL.value, "Email"
    PHONE = Channel.PHONE.value, "Phone call"
    SMS = Channel.SMS.value, "Text message"


class ReferralCloseReason(models.TextChoices):
    """Why the team closed a request for support without adding the person."""

    DUPLICATE = "duplicate", "A duplicate of another request"
    IN_ERROR = "in_error", "Made in error"
    NOT_FOR_THIS_SERVICE = "not_for_service", "Not for this service"


class ReferralKind(models.TextChoices):
    """Who sent the request; the same values as PersonKind, so linking keeps the kind."""

    STAFF = "staff", "Member of staff"
    FAMILY = "family", "Family member or carer"
    SERVICE_USER = "service_user", "Patient or service user"


class SelfReferralQuerySet(models.QuerySet):
    def unconverted(self):
        return self.filter(converted_person__isnull=True)

    def waiting(self):
        """Neither added as a person affected nor closed: on the team's work queue."""
        return self.filter(converted_person__isnull=True, closed_at__isnull=True)

    def for_user(self, user):
        """Requests for the team user's organisation; none for anyone else."""
        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)


class SelfReferral(models.Model):
    """Someone asking for peer support themselves, from a public form: a member of staff, or a
    family member or service user (who may give a review reference and their needs instead of a
    team and what happened).

    It lands on the organisation's work queue at once; the team turns it into an AffectedPerson
    (incidents.referrals.convert_referral). No address of the sender's computer is kept.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals"
    )
    kind = models.CharField(max_length=20, choices=ReferralKind.choices, default=ReferralKind.STAFF)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    team = models.CharField(max_length=100, blank=True)
    what_happened = models.CharField(max_length=300, blank=True)
    review_reference = models.CharField(
        "Review reference they gave",
        max_length=50,
        blank=True,
        help_text="As typed by the person: it is never checked against the reviews on the form.",
    )
    needs = models.CharField("What would help them", max_length=500, blank=True)
    event_date = models.DateField("Date of the event", null=True, blank=True)
    contact_how = models.CharField(
        "How to contact them", max_length=10, choices=ReferralContactHow.choices
    )
    contact_when = models.CharField("Safe times to contact", max_length=200, blank=True)
    review = models.ForeignKey(
        Review,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        help_text="Set by the team when the request is linked to a review.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    converted_person = models.OneToOneField(
        AffectedPerson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referral",
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    close_reason = models.CharField(max_length=20, choices=ReferralCloseReason.choices, blank=True)

    objects = SelfReferralQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "request for support"
        verbose_name_plural = "requests for support"
        indexes = [models.Index(fields=["organisation", "converted_person"])]

    def __str__(self):
        return f"Request for support {self.pk}"

    @property
    def from_staff(self) -> bool:
        return self.kind == ReferralKind.STAFF

    @property
    def is_converted(self) -> bool:
        return self.converted_person_id is not None

    def clean(self):
        """Email lowercased, phone in +44 form; at least one of them, and the one they chose."""
        self.email = (self.email or "").strip().lower()
        errors = {}
        try:
            self.phone = normalise_uk_phone(self.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
        if errors:
            raise ValidationError(errors)
        if not self.email and not self.phone:
            errors["email"] = [
                "Enter a work email address or a phone number"
                if self.from_staff
                else "Enter an email address or a phone number"
            ]
        elif self.contact_how == ReferralContactHow.EMAIL and not self.email:
            errors["email"] = ["Enter your email address, or choose a phone call or text message"]
        elif self.contact_how in (ReferralContactHow.PHONE, ReferralContactHow.SMS) and not (
            self.phone
        ):
            errors["phone"] = ["Enter your phone number, or choose email"]
        if errors:
            raise ValidationError(errors)
