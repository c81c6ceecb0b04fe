"""Who may see which review or person: team users see their own organisation's, and a
restricted review only when they are named on it."""

from django.shortcuts import get_object_or_404

from peersupport.access import is_team


def organisation_of(user):
    """The organisation a team user belongs to, or None."""
    if not is_team(user):
        return None
    membership = getattr(user, "team_membership", None)
    return membership.organisation if membership is not None else None


def get_review_for_user(user, pk):
    """The review, or 404 if this user may not see it (other organisation, or restricted)."""
    from incidents.models import Review

    return get_object_or_404(Review.objects.visible_to(user), pk=pk)


def get_person_for_user(user, pk):
    """The person, or 404 if this user may not see their review."""
    from incidents.models import AffectedPerson

    return get_object_or_404(
        AffectedPerson.objects.visible_to(user).select_related("review"), pk=pk
    )
