"""Who the families' public page shows: supporters who agreed, in words the team has checked.

A supporter's consent to appear is separate from everything else they agreed to, and they can
withdraw it at any time: they leave the page at once. The team checks each first name and few
words so they cannot identify an incident or another family; changed words need a new check.
Each step is audited.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peersupport import audit
from supporters.models import PeerSupporter, Pool, PublicProfile, SupporterStatus


def shown_to_families() -> list[dict]:
    """Active family and service-user peers who agreed and whose words were checked: the first
    name and words only."""
    return list(
        # scoped: the shared fields of profiles their owners agreed to show
        PublicProfile.objects.filter(
            consented_at__isnull=False,
            checked_at__isnull=False,
            supporter__status=SupporterStatus.ACTIVE,
            supporter__user__is_active=True,
            supporter__pool=Pool.LIVED_EXPERIENCE,
        )
        .order_by("first_name", "pk")
        .values("first_name", "words")
    )


def waiting_for_check():
    """Profiles agreed to and not yet checked: the team's to look at."""
    return PublicProfile.objects.filter(
        consented_at__isnull=False, checked_at__isnull=True, sent_back_at__isnull=True
    ).select_related("supporter__user")


@transaction.atomic
def agree(supporter: PeerSupporter, *, first_name: str, words: str, request=None) -> PublicProfile:
    """The supporter agrees to be shown with these words. New or changed words wait for a check."""
    profile, _ = PublicProfile.objects.select_for_update().get_or_create(
        supporter=supporter, defaults={"first_name": first_name, "words": words}
    )
    changed = (profile.first_name, profile.words) != (first_name, words)
    if changed or not profile.consented:
        profile.checked_at = profile.checked_by = profile.sent_back_at = None
    profile.first_name, profile.words = first_name, words
    profile.consented_at = profile.consented_at or timezone.now()
    profile.withdrawn_at = None
    profile.save()
    audit.record("public_profile.agreed", request=request, actor=supporter.user, obj=profile)
    return profile


@transaction.atomic
def withdraw(supporter: PeerSupporter, *, request=None) -> None:
    """The supporter withdraws their consent: off the page at once; their words are removed."""
    profile = PublicProfile.objects.select_for_update().filter(supporter=supporter).first()
    if profile is None or not profile.consented:
        return
    profile.consented_at = None
    profile.withdrawn_at = timezone.now()
    profile.first_name = profile.words = ""
    profile.checked_at = profile.checked_by = profile.sent_back_at = None
    profile.save()
    audit.record("public_profile.withdrawn", request=request, actor=supporter.user, obj=profile)


@transaction.atomic
def check(profile: PublicProfile, *, by, shown: bool, request=None) -> PublicProfile:
    """The team checks the words: shown, or sent back (not shown, and off the list to check
    until the supporter changes them)."""
    profile = PublicProfile.objects.select_for_update().get(pk=profile.pk)
    if not profile.consented:
        raise ValidationError("They have withdrawn their consent, so there is nothing to check.")
    profile.checked_at = timezone.now() if shown else None
    profile.checked_by = by if shown else None
    profile.sent_back_at = None if shown else timezone.now()
    profile.save(update_fields=["checked_at", "checked_by", "sent_back_at", "updated_at"])
    audit.record(
        "public_profile.checked", request=request, actor=by, obj=profile, shown=bool(shown)
    )
    return profile
