"""The organisations that run the service, their teams and their services."""

from django.conf import settings
from django.db import models

from peersupport.access import is_team


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


def organisation_of(user):
    """The organisation a team user belongs to, or None (incidents.access starts from here)."""
    if not is_team(user):
        return None
    membership = getattr(user, "team_membership", None)
    return membership.organisation if membership is not None else None
