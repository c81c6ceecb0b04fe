"""What a supporter chose to show bereaved families on the public page."""

from django.conf import settings
from django.db import models

from supporters.models.supporters import PeerSupporter


class PublicProfile(models.Model):
    """A first name and a few words a supporter chose, shown on the families' page only while
    their consent stands (they may withdraw it at any time) and only once the team has checked
    this exact text cannot identify an incident or a family. Any change to the text needs a new
    check (supporters.public_profiles)."""

    supporter = models.OneToOneField(
        PeerSupporter, on_delete=models.CASCADE, related_name="public_profile"
    )
    first_name = models.CharField(max_length=50)
    words = models.CharField("A few words about them", max_length=200)
    consented_at = models.DateTimeField(
        "Agreed to be shown", null=True, blank=True, help_text="Empty once they withdraw."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_back_at = models.DateTimeField(
        null=True, blank=True, help_text="The team asked them to change their words."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_name", "pk"]

    def __str__(self):
        return f"Public profile of supporter {self.supporter_id}"

    @property
    def consented(self) -> bool:
        return self.consented_at is not None

    @property
    def checked(self) -> bool:
        return self.checked_at is not None
