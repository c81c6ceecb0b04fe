"""Single-purpose links for people without an account (feedback/tokens.py makes and checks them).

Only a hash of each token is stored, so a copy of the database cannot be used to answer for
anyone. A token names what it is for (`object_type`, `object_id`) rather than holding a foreign
key, so the same table serves offers now and surveys later.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, purpose: str):
        """Tokens for `purpose` that have not expired and have not been used."""
        return self.filter(purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now())

    def revoke(self, token_hash: str) -> bool:
        """Stop the link with this token hash working: it expires now. False if it already had."""
        if not token_hash:
            return False
        moment = timezone.now()
        return bool(
            self.filter(token_hash=token_hash, used_at__isnull=True, expires_at__gt=moment).update(
                expires_at=moment
            )
        )


class AccessToken(models.Model):
    purpose = models.SlugField(max_length=40)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    person = models.ForeignKey(
        "incidents.AffectedPerson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_tokens",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="access_tokens",
    )
    object_type = models.CharField(
        max_length=100, help_text='What the link is for, as "app_label.model".'
    )
    object_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.purpose} link {self.pk}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()

    def revoke(self) -> bool:
        """Stop this link working (peersupport.links: a letter's spare links)."""
        return type(self).objects.revoke(self.token_hash)


# Surveys ----------------------------------------------------------------------------------------


class Audience(models.TextChoices):
    FAMILY_SERVICE_USER = "family_service_user", "Families and service users"
    STAFF = "staff", "Staff"
    SUPPORTER = "supporter", "Peer supporters"


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Scale of 1 to 5 (strongly disagree to strongly agree)"
    YES_NO = "yes_no", "Yes or no"
    FFT = "fft", "NHS Friends and Family Test"
    TEXT = "text", "Free text"


class Group(models.TextChoices):
    """Who answered, as the dashboard splits them: never more than this about the person."""

    FAMILY = "family", "Family member or carer"
    SERVICE_USER = "service_user", "Patient or service user"
    STAFF = "staff", "Member of staff"
    SUPPORTER = "supporter", "Peer supporter"


# The answers each kind of question takes, as stored in Answer.value. Scale answers run from 1
# (strongly disagree) to 5 (strongly agree), so a higher number is always more positive.
SCALE_CHOICES = [
    (5, "Strongly agree"),
    (4, "Agree"),
    (3, "Neither agree nor disagree"),
    (2, "Disagree"),
    (1, "Strongly disagree"),
]
YES_NO_CHOICES = [(1, "Yes"), (0, "No")]
FFT_CHOICES = [
    (1, "Very good"),
    (2, "Good"),
    (3, "Neither good nor poor"),
    (4, "Poor"),
    (5, "Very poor"),
    (6, "Don't know"),
]
FFT_POSITIVE = (1, 2)
ANSWER_CHOICES = {
    QuestionKind.SCALE: SCALE_CHOICES,
    QuestionKind.YES_NO: YES_NO_CHOICES,
    QuestionKind.FFT: FFT_CHOICES,
}


class Questionnaire(models.Model):
    """A survey for one audience. Its questions live in versions: the current one is the
    highest number, and a change makes a new version (feedback.questionnaires.new_version), so
    an answer always keeps the question it was given to."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    audience = models.CharField(max_length=30, choices=Audience.choices)
    intro = models.TextField(
        blank=True, help_text="Shown at the top of the survey page: why we are asking."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="unique_questionnaire_version"
            )
        ]

    def __str__(self):
        return f"{self.questionnaire} (version {self.number})"


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="questions"
    )
    code = models.SlugField(
        max_length=50,
        help_text="What the question measures, the same in every version (the dashboard and "
        "the export read it): change the wording freely, but keep the code unless the meaning "
        "changes.",
    )
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_question_code")
        ]

    def __str__(self):
        return f"{self.code}: {self.text}"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations that can still be answered: not answered, not expired, not opted out."""
        return self.filter(
            completed_at__isnull=True,
            opted_out_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )

    def held(self):
        """Invitations waiting, unsent, while the person has an open concern."""
        return self.filter(held_since__isnull=False, cancelled_at__isnull=True)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)


class Invitation(models.Model):
    """An invitation to answer one questionnaire (feedback.invitations makes them).

    To an affected person when their support closes (`offer` set) or their review closes
    (`review` set), or to a peer supporter each quarter (`user` set). The link in each message
    is a fresh single-use token (feedback.tokens) made when the message is sent; the
    invitation holds no token.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="invitations"
    )
    person = models.ForeignKey(
        "incidents.AffectedPerson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        help_text="The peer supporter asked, for the supporters' survey.",
    )
    organisation = models.ForeignKey(
        "incidents.Organisation", on_delete=models.PROTECT, related_name="survey_invitations"
    )
    offer = models.ForeignKey(
        "supporters.SupportOffer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    review = models.ForeignKey(
        "incidents.Review",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    held_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while the person has an open concern: nothing is sent until it is cleared.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "questionnaire", "created_at"])]

    def __str__(self):
        return f"Survey invitation {self.pk}"

    @property
    def is_open(self) -> bool:
        return (
            self.completed_at is None
            and self.opted_out_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class Response(models.Model):
    """One completed survey: no names and no contact details, only the group, organisation
    and service it counts towards."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    group = models.CharField(max_length=20, choices=Group.choices)
    organisation = models.ForeignKey(
        "incidents.Organisation", on_delete=models.PROTECT, related_name="survey_responses"
    )
    service = models.ForeignKey(
        "incidents.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"Response {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.IntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_each")
        ]

    def __str__(self):
        return f"{self.question.code}: {self.value if self.value is not None else self.text}"
