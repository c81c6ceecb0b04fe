"""Reviews of serious incidents and the people they affect.

Changes go through `incidents.services`; the history of every review and person is kept by
django-simple-history, which relies on `save()`, so code never changes a saved review or person
with `QuerySet.update()` or bulk methods (tests/test_no_bulk_changes.py guards this).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.validators import normalise_uk_phone


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Receives escalations: unacknowledged concerns, people waiting for a supporter.",
    )
    phone = models.CharField("Service phone number", max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    """Places a learning and investigations team user in their organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_membership"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="members")

    def __str__(self):
        return f"{self.user} ({self.organisation})"


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_service_name")
        ]

    def __str__(self):
        return self.name


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


class ReviewQuerySet(models.QuerySet):
    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def visible_to(self, user):
        """Reviews a team user may see: their organisation's, and restricted ones only if named."""
        from incidents.access import organisation_of

        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        named = Review.team_members.through.objects.filter(review=OuterRef("pk"), user=user)
        return self.filter(organisation=organisation).filter(
            Q(restricted=False) | Q(lead_investigator=user) | Exists(named)
        )

    def open(self):
        return self.exclude(status=ReviewStatus.CLOSED)

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
    history = HistoricalRecords(excluded_fields=["created_at"], m2m_fields=[team_members])

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="unique_review_reference_per_organisation",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

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


class PersonKind(models.TextChoices):
    FAMILY = "family", "Family member or carer"
    SERVICE_USER = "service_user", "Patient or service user"
    STAFF = "staff", "Member of staff"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class Consent(models.TextChoices):
    NOT_ASKED = "not_asked", "Not asked yet"
    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"


class ConsentMethod(models.TextChoices):
    PHONE = "phone", "On the phone"
    IN_PERSON = "in_person", "In person"
    WRITING = "writing", "In writing or by email"
    SELF_REFERRAL = "self_referral", "By asking for support themselves"


class AccessibleFormat(models.TextChoices):
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BSL = "bsl", "British Sign Language interpreter"
    BRAILLE = "braille", "Braille"


class AffectedPersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People of the user's organisation whose review they may see, or who have no review
        (staff who asked for support themselves)."""
        from incidents.access import organisation_of

        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        # An uncorrelated subquery: PostgreSQL runs it once and hashes it, where a correlated
        # EXISTS under OR would run for every person.
        visible_reviews = Review.objects.visible_to(user).values("pk")
        return self.filter(organisation=organisation).filter(
            Q(review__isnull=True) | Q(review__in=visible_reviews)
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
    prefers_supporter_gender = models.CharField(max_length=30, blank=True)
    prefers_shared_background = models.CharField(max_length=200, blank=True)
    prefers_language = models.CharField(max_length=50, blank=True)
    prefers_lived_experience = models.CharField(max_length=200, blank=True)
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


class ReferralContactHow(models.TextChoices):
    """How someone who asked for support would like to be contacted (a subset of Channel)."""

    EMAIL = Channel.EMAIL.value, "Email"
    PHONE = Channel.PHONE.value, "Phone call"
    SMS = Channel.SMS.value, "Text message"


class SelfReferralQuerySet(models.QuerySet):
    def unconverted(self):
        return self.filter(converted_person__isnull=True)

    def for_user(self, user):
        """Requests for the team user's organisation; none for anyone else."""
        from incidents.access import organisation_of

        organisation = organisation_of(user)
        if organisation is None:
            return self.none()
        return self.filter(organisation=organisation)


class SelfReferral(models.Model):
    """A member of staff asking for peer support themselves, from the public form.

    It lands on the organisation's work queue at once; the team turns it into an AffectedPerson
    (incidents.referrals.convert_referral). No address of the sender's computer is kept.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="referrals"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    team = models.CharField(max_length=100)
    what_happened = models.CharField(max_length=300)
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

    objects = SelfReferralQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "request for support"
        verbose_name_plural = "requests for support"
        indexes = [models.Index(fields=["organisation", "converted_person"])]

    def __str__(self):
        return f"Request for support {self.pk}"

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
            errors["email"] = ["Enter a work email address or a phone number"]
        elif self.contact_how == ReferralContactHow.EMAIL and not self.email:
            errors["email"] = ["Enter your email address, or choose a phone call or text message"]
        elif self.contact_how in (ReferralContactHow.PHONE, ReferralContactHow.SMS) and not (
            self.phone
        ):
            errors["phone"] = ["Enter your phone number, or choose email"]
        if errors:
            raise ValidationError(errors)
