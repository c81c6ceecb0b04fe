"""Who may see which supporter or support offer.

A supporter sees a person only while assigned to them (offered, accepted or active), only
until they leave the service, and only after accepting the current code of conduct; the team
sees supporters who serve their organisation and offers for people they may see."""

from django.shortcuts import get_object_or_404

from incidents.access import organisation_of
from incidents.models import AffectedPerson
from peersupport.access import is_supporter, is_team
from supporters.models import (
    ASSIGNED_STATUSES,
    Concern,
    PeerSupporter,
    SupporterStatus,
    SupportOffer,
)


def supporter_profile(user) -> PeerSupporter | None:
    if not is_supporter(user):
        return None
    return PeerSupporter.objects.filter(user=user).first()


def assignments_for_supporter(supporter):
    """The supporter's current assignments; none once they have left the service."""
    if supporter is None or supporter.status == SupporterStatus.LEFT:
        return SupportOffer.objects.none()
    return SupportOffer.objects.filter(supporter=supporter, status__in=ASSIGNED_STATUSES)


def get_assignment_for_supporter(user, pk) -> SupportOffer:
    """The supporter's own current assignment, or 404 (someone else's, ended, or they left)."""
    return get_object_or_404(
        assignments_for_supporter(supporter_profile(user)).select_related(
            "person__review__organisation"
        ),
        pk=pk,
    )


def supporters_for_team(user):
    organisation = organisation_of(user)
    if organisation is None:
        return PeerSupporter.objects.none()
    return PeerSupporter.objects.filter(organisations=organisation)


def get_supporter_for_team(user, pk) -> PeerSupporter:
    return get_object_or_404(supporters_for_team(user).select_related("user", "supervisor"), pk=pk)


def get_offer_for_team(user, pk) -> SupportOffer:
    return get_object_or_404(
        SupportOffer.objects.filter(
            person__in=AffectedPerson.objects.visible_to(user)
        ).select_related("person__review__organisation", "supporter__user"),
        pk=pk,
    )


def concerns_for_team(user):
    """Concerns a team user may open: about people they may see (their organisation's,
    restricted reviews only when named on them). Managers and supporters open none."""
    if not is_team(user):
        return Concern.objects.none()
    return Concern.objects.filter(offer__person__in=AffectedPerson.objects.visible_to(user))


def may_open_concern(user, concern) -> bool:
    """Whether oversight:concern_detail would show this user the concern."""
    return concerns_for_team(user).filter(pk=concern.pk).exists()


def may_read_note(user, contact) -> bool:
    """The confidentiality wall: a contact note is readable by the supporter who wrote it and
    that supporter's named supervisor, and never by anyone named on the person's review (its
    lead investigator or team), even one who also supervises the supporter."""
    if not user.is_authenticated:
        return False
    if contact.supporter.user_id == user.pk:
        return True
    if contact.supporter.supervisor_id != user.pk:
        return False
    review = contact.offer.person.review
    if review is None:
        return True
    named = (
        review.lead_investigator_id == user.pk or review.team_members.filter(pk=user.pk).exists()
    )
    return not named


def supervised_supporters(user):
    """The supporters this user is the named supervisor of."""
    if not user.is_authenticated:
        return PeerSupporter.objects.none()
    return PeerSupporter.objects.filter(supervisor=user)
