"""Peer supporters: their status, the organisations they serve and who supervises them there,
their training, supervision sessions and the code of conduct they accept."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidents.models import Organisation, Review
from incidents.preferences import Background, Gender


class Pool(models.TextChoices):
    LIVED_EXPERIENCE = "lived_experience", "Family or service-user peer (lived experience)"
    STAFF = "staff", "Staff peer"


class SupporterStatus(models.TextChoices):
    IN_TRAINING = "in_training", "In training"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"


class PeerSupporter(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_supporter"
    )
    pool = models.CharField(max_length=20, choices=Pool.choices)
    organisations = models.ManyToManyField(
        Organisation,
        related_name="supporters",
        help_text="The organisations they support people for.",
    )
    home_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_peers",
        help_text="For staff peers: the organisation they work for.",
    )
    staff_team = models.CharField(
        max_length=100, blank=True, help_text="For staff peers: their own team."
    )
    conflicts = models.ManyToManyField(
        Review,
        blank=True,
        related_name="conflicted_supporters",
        help_text="Reviews they have declared a conflict with (involved, or know the people).",
    )
    conflict_note = models.CharField(max_length=200, blank=True)
    languages = models.CharField(
        max_length=200, blank=True, help_text="Comma-separated, e.g. English, Urdu"
    )
    # From the lists a person chooses from (incidents.preferences), so the two can be compared.
    gender = models.CharField(max_length=30, blank=True, choices=Gender.choices)
    gender_own = models.CharField("Gender, in their own words", max_length=100, blank=True)
    background = models.CharField(max_length=200, blank=True, choices=Background.choices)
    background_own = models.CharField(
        "Background, in their own words",
        max_length=200,
        blank=True,
        help_text="What they chose to share, e.g. Somali, Muslim.",
    )
    experience = models.CharField(
        max_length=200, blank=True, help_text="What they chose to share, e.g. bereaved by suicide."
    )
    region = models.CharField(max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(
        default=3, help_text="Most people supported at once."
    )
    status = models.CharField(
        max_length=20, choices=SupporterStatus.choices, default=SupporterStatus.IN_TRAINING
    )
    paused_until = models.DateField(null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_supporters",
    )
    public_first_name = models.CharField(max_length=50, blank=True)
    public_role = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self):
        return str(self.user)

    @property
    def language_list(self) -> list[str]:
        return [item.strip() for item in self.languages.split(",") if item.strip()]


class SupervisorAssignment(models.Model):
    """The supporter's named supervisor for one of the organisations they serve.

    Notes about a person are read by the supervisor named for the person's organisation, and
    never by anyone ever named on the person's review (supporters.access.readable_contacts).
    A supporter with no supervisor for an organisation is not shortlisted for its people.
    `PeerSupporter.supervisor` stays the supporter's main supervisor: supervision sessions,
    wellbeing alerts and reminders go to them; it opens no notes by itself.
    """

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="supervisor_assignments"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supervisor_assignments"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervises_for"
    )
    named_at = models.DateTimeField(default=timezone.now)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "organisation"], name="one_supervisor_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.supervisor} supervises {self.supporter} for {self.organisation}"


class SupporterStatusChange(models.Model):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=SupporterStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SupporterStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.supporter}: {self.to_status}"


class Course(models.Model):
    """A training course; administrators choose which are mandatory."""

    name = models.CharField(max_length=200, unique=True)
    mandatory = models.BooleanField(default=False)
    valid_for_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TrainingRecord(models.Model):
    supporter = models.ForeignKey(PeerSupporter, on_delete=models.CASCADE, related_name="training")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="records")
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self):
        return f"{self.course} ({self.completed_on:%d %b %Y})"


class SupervisionSession(models.Model):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="supervision"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"Supervision on {self.held_on:%d %b %Y}"


class CodeOfConduct(models.Model):
    """The code of conduct and role descriptor; a new version must be accepted again."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "codes of conduct"

    def __str__(self):
        return f"Code of conduct version {self.version}"


class CodeAcceptance(models.Model):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="acceptances"
    )
    code = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "code"], name="accept_code_once")
        ]

    def __str__(self):
        return f"{self.supporter} accepted version {self.code.version}"
