"""Who may see which supporter or support offer.

A supporter sees a person only while assigned to them (offered, accepted or active), only
until they leave the service, and only after accepting the current code of conduct; the team
sees supporters who serve their organisation and offers for people they may see. Once support
has ended, the supporter's old link says so without naming the person
(ended_assignment_for_supporter). Contact notes sit behind the confidentiality wall:
readable_contacts."""

from django.db.models import Exists, F, OuterRef, Q
from django.shortcuts import get_object_or_404

from incidents.access import ever_named_on, organisation_of, reviews_ever_named
from incidents.models import AffectedPerson
from peersupport.access import is_supporter, is_team
from supporters.models import (
    ASSIGNED_STATUSES,
    Concern,
    Contact,
    OfferStatus,
    PeerSupporter,
    SupervisorAssignment,
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


ENDED_STATUSES = [OfferStatus.CLOSED, OfferStatus.DECLINED, OfferStatus.LATER]


def ended_assignment_for_supporter(user, pk) -> SupportOffer | None:
    """The supporter's own offer that has ended (closed, reassigned to someone else, declined
    or put off until later), or None. Their old links to the person then say that support has
    ended and who to contact, never who the person is. None once they have left the service,
    and for anyone else's offer: those still answer 404."""
    supporter = supporter_profile(user)
    if supporter is None or supporter.status == SupporterStatus.LEFT:
        return None
    return (
        SupportOffer.objects.filter(supporter=supporter, pk=pk, status__in=ENDED_STATUSES)
        .select_related("person__organisation")
        .first()
    )


def concerns_raised_by(supporter, person):
    """The concerns this supporter raised about this person, for their own page about them:
    whether the team acknowledged each and what was done. A later supporter of the same
    person sees none of them."""
    if supporter is None:
        return Concern.objects.none()
    return Concern.objects.filter(raised_by=supporter, offer__person=person)


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


def concerns_about_person(user, person):
    """The concerns about this person that this team user may open (concerns_for_team), for
    their person page: open ones first, then the newest."""
    return (
        concerns_for_team(user)
        .filter(offer__person=person)
        .select_related("raised_by__user", "acknowledged_by")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-raised_at", "-pk")
    )


def may_open_concern(user, concern) -> bool:
    """Whether oversight:concern_detail would show this user the concern."""
    return concerns_for_team(user).filter(pk=concern.pk).exists()


def readable_contacts(user):
    """The confidentiality wall, defined once: the contacts whose note this user may read.

    - the supporter who wrote it, always;
    - the supervisor named for the person's organisation (SupervisorAssignment), while they
      belong to that organisation's team;
    - never anyone who is or ever was named on the person's review (its lead investigator or
      team), whatever else they are: incidents.access.reviews_ever_named.

    Every page that shows a note asks this (or may_read_note, which asks it for one contact).
    """
    if not getattr(user, "is_authenticated", False):
        return Contact.objects.none()
    wrote = Q(supporter__user=user)
    organisation = organisation_of(user)
    if organisation is None:
        return Contact.objects.filter(wrote)
    supervises = Exists(
        SupervisorAssignment.objects.filter(
            supporter=OuterRef("supporter"),
            organisation=OuterRef("offer__person__organisation"),
            supervisor=user,
        )
    )
    never_named = Q(offer__person__review__isnull=True) | ~Q(
        offer__person__review__in=reviews_ever_named(user).values("pk")
    )
    return Contact.objects.filter(
        wrote | (Q(supervises, offer__person__organisation=organisation) & never_named)
    )


def may_read_note(user, contact) -> bool:
    """Whether the wall lets this user read this contact's note (readable_contacts)."""
    return readable_contacts(user).filter(pk=contact.pk).exists()


def supervised_supporters(user):
    """The supporters this user supervises: as their main supervisor, or for an organisation."""
    if not user.is_authenticated:
        return PeerSupporter.objects.none()
    for_organisation = SupervisorAssignment.objects.filter(
        supporter=OuterRef("pk"), supervisor=user
    )
    return PeerSupporter.objects.filter(Q(supervisor=user) | Exists(for_organisation))


def supervisor_for(supporter, organisation):
    """The supervisor named for the supporter's work with this organisation's people, or None."""
    assignment = (
        SupervisorAssignment.objects.filter(supporter=supporter, organisation=organisation)
        .select_related("supervisor")
        .first()
    )
    return assignment.supervisor if assignment is not None else None


def note_supervisor_missing(offer) -> bool:
    """Whether nobody but the supporter may read their notes about this offer's person: no
    supervisor named for the person's organisation, one who has left its team, or one who is
    or ever was named on the person's review (the same rule as readable_contacts)."""
    person = offer.person
    supervisor = supervisor_for(offer.supporter, person.organisation)
    if supervisor is None or not supervisor.is_active:
        return True
    if organisation_of(supervisor) != person.organisation:
        return True
    return ever_named_on(supervisor, person.review)
