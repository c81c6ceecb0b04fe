"""Who may see which review or person: team users see their own organisation's, and a
restricted review only when they are named on it."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from incidents.models import AffectedPerson, Review, ReviewNaming, organisation_of
from peersupport.access import is_administrator, is_team

# The organisation a team user belongs to (defined beside TeamMember, which the querysets'
# `visible_to` read too): who may see what starts from it.
__all__ = [
    "ever_named_on",
    "ever_named_user_ids",
    "get_person_for_user",
    "get_review_for_user",
    "may_change_naming",
    "organisation_of",
    "reviews_ever_named",
    "team_of",
]


def team_of(organisation) -> list:
    """The organisation's active team members: who is alerted about its people."""
    members = organisation.members.filter(user__is_active=True).select_related("user")
    return [member.user for member in members]


def get_review_for_user(user, pk):
    """The review, or 404 if this user may not see it (other organisation, or restricted)."""
    return get_object_or_404(Review.objects.visible_to(user), pk=pk)


def get_person_for_user(user, pk):
    """The person, or 404 if this user may not see their review."""
    return get_object_or_404(
        AffectedPerson.objects.visible_to(user).select_related("review"), pk=pk
    )


def reviews_ever_named(user):
    """The reviews this user is or ever was named on, as lead investigator or team member.

    The confidentiality wall in one place: nobody named on a review, now or at any time since
    the naming history began, reads the notes about its people (supporters.access). The
    current naming is read too, so a change that bypassed the history still counts.
    """
    if not getattr(user, "is_authenticated", False):
        return Review.objects.none()
    named = Review.team_members.through.objects.filter(review=OuterRef("pk"), user=user)
    history = ReviewNaming.objects.filter(review=OuterRef("pk"), user=user)
    return Review.objects.filter(Q(lead_investigator=user) | Exists(named) | Exists(history))


def ever_named_on(user, review) -> bool:
    return review is not None and reviews_ever_named(user).filter(pk=review.pk).exists()


def ever_named_user_ids(review) -> set[int]:
    """Everyone who is or ever was named on the review."""
    if review is None:
        return set()
    ids = set(ReviewNaming.objects.filter(review=review).values_list("user_id", flat=True))
    ids.update(review.team_members.values_list("pk", flat=True))
    ids.add(review.lead_investigator_id)
    return ids


def may_change_naming(user, review) -> bool:
    """Who is named on a review (its lead investigator and team members) decides who may see
    a restricted review and who is kept from its people's notes: only the review's lead
    investigator and administrators change it. Whoever logs a new review names its first team."""
    if is_administrator(user):
        return True
    if review is None or review.pk is None:
        return is_team(user)
    lead_id = Review.objects.filter(pk=review.pk).values_list("lead_investigator_id", flat=True)
    return user.is_authenticated and user.pk in list(lead_id)
