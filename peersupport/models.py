from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Every user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email


class AuditEvent(models.Model):
    """Who did what, when and from where: never the personal data itself.

    Rows are only ever added (see peersupport.audit.record): on PostgreSQL the database refuses
    UPDATE and DELETE too (migration 0008). So the actor is PROTECTed, not SET_NULL: deleting a
    user would have to update their rows. An account that did anything audited is deactivated,
    or anonymised once its retention ends (peersupport.privacy), never deleted.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"


class JobRun(models.Model):
    """When each periodic job last ran, so health pages can show the scheduler is alive."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"
    IN_APP = "in_app", "In-app alert"
    RECORD = "record", "Recording channel (tests and benchmarks)"


class Message(models.Model):
    """One message the service will send: the outbox row.

    Written in the same transaction as the change that causes it; a periodic sweep claims due
    rows with a conditional UPDATE and sends them (peersupport.outbox). The recipient's address
    is looked up when sending, never stored here, and `context` holds ids only.
    """

    kind = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    person = models.ForeignKey(
        "incidents.AffectedPerson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    context = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=200, blank=True)
    # The timing rule that set due_at, and the moment it counts from: an administrator's edit
    # of the rule moves every message still waiting (peersupport.outbox.reschedule_rule).
    rule = models.SlugField(max_length=60, blank=True, db_index=True)
    anchor_at = models.DateTimeField(null=True, blank=True)
    nation = models.CharField(max_length=20, blank=True)
    deferred_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["cause_type", "cause_id"]),
        ]

    def __str__(self):
        return f"{self.kind} by {self.channel} ({self.status})"


class Alert(models.Model):
    """An in-app alert for a staff user, shown on their pages until read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="alert"
    )
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text


class DelayUnit(models.TextChoices):
    MINUTES = "minutes", "Minutes"
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"
    WORKING_DAYS = "working_days", "Working days"
    WORKING_HOURS = "working_hours", "Working hours (09:00 to 17:00)"


class TimingRule(models.Model):
    """When a scheduled message or task falls due, after the event that causes it.

    Seeded by a migration with the design's defaults; administrators may change the delay or
    switch a rule off. Code refers to rules by `key` only.
    """

    key = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300)
    delay = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=DelayUnit.choices)
    before = models.BooleanField(
        default=False,
        help_text="Counts back from the event (a milestone, a training expiry) instead of after it.",
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["key"]

    def __str__(self):
        when = "before" if self.before else "after"
        return f"{self.description}: {self.delay} {self.get_unit_display().lower()} {when}"


class PublicPage(models.Model):
    """The text of a public page anyone can read without logging in: the privacy notice and
    the accessibility statement. Seeded by a migration; administrators edit the text."""

    PRIVACY = "privacy"
    ACCESSIBILITY = "accessibility"

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(
        help_text=(
            "Plain text. Leave a blank line between paragraphs. A line starting with ## is a"
            " heading; lines starting with - make a bulleted list; web addresses become links."
        )
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.title


class Letter(models.Model):
    """A letter the letter channel has prepared: the team prints it and marks it posted.

    Its text is drawn when it is printed (peersupport.team_messages.letters), and an answer link in it is
    made then, once per copy: only that link's token hash is kept (`link_hash`), and a reprint
    revokes it. `reference` is a short code the person can read out on the phone instead of
    typing a link.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="letter")
    reference = models.CharField(max_length=12, unique=True)
    large_print = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    printed_at = models.DateTimeField(null=True, blank=True, help_text="When first printed.")
    last_printed_at = models.DateTimeField(null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who printed the latest copy.",
    )
    copies = models.PositiveSmallIntegerField(default=0, help_text="Copies printed so far.")
    link_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The hash of the answer link's token in the latest copy; never the link.",
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["posted_at", "created_at"]

    def __str__(self):
        return f"Letter {self.reference}"


class Anonymisation(models.Model):
    """A record whose identity and free text were removed (peersupport.privacy), by whom, when
    and why. Its counts stay for the measures; the retention job skips it from then on."""

    class Reason(models.TextChoices):
        ERASURE_REQUEST = "erasure_request", "The person asked for their details to be erased"
        RETENTION = "retention", "The retention period ended"

    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_id"], name="anonymise_once")
        ]

    def __str__(self):
        return f"{self.object_type} {self.object_id} anonymised on {self.at:%d %B %Y}"


class ErasureRefusal(models.Model):
    """A request to erase a person's details that an administrator refused, and why (for
    example: the records are needed for an inquest, or the law requires keeping them)."""

    person = models.ForeignKey(
        "incidents.AffectedPerson", on_delete=models.PROTECT, related_name="erasure_refusals"
    )
    reason = models.TextField(max_length=1000)
    refused_at = models.DateTimeField(auto_now_add=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-refused_at", "-id"]

    def __str__(self):
        return f"Erasure refused on {self.refused_at:%d %B %Y}"


class ChartEventKind(models.TextChoices):
    REBASE = "rebase", "Rebase: a change to the service (limits recalculated from this date)"
    ANNOTATION = "annotation", "Annotation: a dated note on the chart"


class ChartEvent(models.Model):
    """A dated event on one measure's chart on the dashboard, recorded by an administrator.

    A rebase marks a change to the service: the chart's mean and process limits are worked out
    again from the month it falls in (peersupport.dashboard.spc.xmr). An annotation is a note
    drawn on the chart. `measure` is a measure's key (peersupport.dashboard.definitions): the
    platform does not import the dashboard, so the choice of measures is the dashboard's admin
    form's (peersupport.dashboard.admin)."""

    measure = models.CharField(max_length=60)
    on = models.DateField("Date")
    kind = models.CharField(max_length=20, choices=ChartEventKind.choices)
    reason = models.TextField(help_text="Why: the change to the service, or the note to show.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "on", "id"]

    def __str__(self):
        what = "Rebase" if self.kind == ChartEventKind.REBASE else "Note"
        return f"{what} on {self.on:%d %B %Y} ({self.measure})"
