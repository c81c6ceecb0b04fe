"""Peer supporters, their training and supervision, and support offers.

Changes go through `supporters.services`; status changes are recorded as rows with who and
when (SupporterStatusChange, OfferStatusChange), so history is never lost.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from incidents.models import AffectedPerson, Organisation, Review


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
    gender = models.CharField(max_length=30, blank=True)
    background = models.CharField(max_length=200, blank=True)
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
        indexes = [models.Index(fields=["supporter", "status"]), models.Index(fields=["status"])]

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
    return Count("offers", filter=Q(offers__status__in=ASSIGNED_STATUSES), distinct=True)


SUPERVISION_INTERVAL = timedelta(weeks=6)


class SignpostService(models.Model):
    """A specialist (tier 3) service supporters can point people to. Administrators manage it."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    for_staff = models.BooleanField(default=True)
    for_families = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Resource(models.Model):
    """Self-help (tier 0), the support pack for supporters, guides for families."""

    class Kind(models.TextChoices):
        SELF_HELP = "self_help", "Self-help"
        SUPPORTER_PACK = "supporter_pack", "Support pack for supporters"
        FAMILY_GUIDE = "family_guide", "Guide for families: what a review involves"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title


class ContactMode(models.TextChoices):
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"
    MESSAGE = "message", "Message (text or email)"


class Topic(models.TextChoices):
    PROCESS = "process", "Information about the review process"
    EMOTIONAL = "emotional", "Emotional support"
    PRACTICAL = "practical", "Practical support"
    SIGNPOSTING = "signposting", "Signposting to other help"


class ContactQuerySet(models.QuerySet):
    def summaries(self):
        """What the team may see of contacts: never the note (the confidentiality wall)."""
        return self.defer("note")


class Contact(models.Model):
    """A contact between a supporter and the person they support.

    The note is behind the confidentiality wall: only its writer and the writer's named
    supervisor may read it, never anyone named on the person's review (supporters.access.
    may_read_note). Everyone else sees that the contact happened: when, how, how long, topics.
    """

    offer = models.ForeignKey(SupportOffer, on_delete=models.PROTECT, related_name="contacts")
    supporter = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="contacts")
    happened_on = models.DateField()
    mode = models.CharField(max_length=20, choices=ContactMode.choices)
    minutes = models.PositiveSmallIntegerField()
    topics = models.JSONField(default=list)
    signposted_to = models.ManyToManyField(SignpostService, blank=True, related_name="contacts")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["happened_on"])]

    def __str__(self):
        return f"Contact on {self.happened_on:%d %b %Y} ({self.get_mode_display()})"


class ConcernKind(models.TextChoices):
    SELF_HARM = "self_harm", "Risk of harm to themselves"
    HARM_TO_OTHERS = "harm_to_others", "Risk of harm to others"
    SAFEGUARDING = "safeguarding", "Safeguarding (a child or adult at risk)"


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)


class Concern(models.Model):
    """The agreed exception to confidentiality: a risk the team must know about at once."""

    offer = models.ForeignKey(SupportOffer, on_delete=models.PROTECT, related_name="concerns")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    raised_by = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="concerns")
    kind = models.CharField(max_length=20, choices=ConcernKind.choices)
    details = models.TextField(max_length=1000)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self):
        return f"Concern: {self.get_kind_display()}"


class WellbeingCheckIn(models.Model):
    """A supporter's own check-in: the two balancing questions and whether they want a debrief."""

    SCALE = [(n, str(n)) for n in range(1, 6)]

    supporter = models.ForeignKey(PeerSupporter, on_delete=models.CASCADE, related_name="checkins")
    empowered = models.PositiveSmallIntegerField(choices=SCALE)
    coping = models.PositiveSmallIntegerField(choices=SCALE)
    wants_debrief = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Check-in {self.created_at:%d %b %Y}"

    @property
    def needs_attention(self) -> bool:
        return self.empowered <= 2 or self.coping <= 2 or self.wants_debrief


class GroupDebrief(models.Model):
    """A group debrief for a staff team after an event."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="debriefs"
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="debriefs"
    )
    team = models.CharField(max_length=100)
    held_on = models.DateField()
    facilitators = models.CharField(max_length=300)
    attendance = models.PositiveSmallIntegerField()
    follow_up = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self):
        return f"Debrief for {self.team} on {self.held_on:%d %b %Y}"
