"""Who may see which supporter or support offer.

A supporter sees a person only while assigned to them (offered, accepted or active), and only
after accepting the current code of conduct; the team sees supporters who serve their
organisation and offers for people they may see."""

from django.shortcuts import get_object_or_404

from incidents.access import organisation_of
from incidents.models import AffectedPerson
from peersupport.access import is_supporter
from supporters.models import ASSIGNED_STATUSES, PeerSupporter, SupportOffer


def supporter_profile(user) -> PeerSupporter | None:
    if not is_supporter(user):
        return None
    return PeerSupporter.objects.filter(user=user).first()


def get_assignment_for_supporter(user, pk) -> SupportOffer:
    """The supporter's own current assignment, or 404 (someone else's, or ended)."""
    supporter = supporter_profile(user)
    return get_object_or_404(
        SupportOffer.objects.select_related("person__review__organisation"),
        pk=pk,
        supporter=supporter,
        status__in=ASSIGNED_STATUSES,
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
