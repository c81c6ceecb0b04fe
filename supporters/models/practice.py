"""Support in practice: contacts and their notes (behind the confidentiality wall, see
supporters.access), concerns, wellbeing check-ins, group debriefs, and the signposting directory
and resource library supporters point people to."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidents.models import Organisation, Review
from supporters.models.offers import SupportOffer
from supporters.models.supporters import PeerSupporter


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
    followed_up_at = models.DateTimeField(
        null=True, blank=True, help_text="When the supervisor recorded their follow-up."
    )
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.TextField(
        "What the supervisor did",
        max_length=1000,
        blank=True,
        help_text="Seen by the supporter's supervisors only, never by the wider team.",
    )

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
