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
