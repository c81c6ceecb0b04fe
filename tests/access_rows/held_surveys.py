"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The team stops a survey held while a concern is open: only the team of the person's
organisation, and only when they may see the person. Another organisation's team gets 404;
supporters, managers and administrators are refused as on every team page.
"""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    row,
    team_only,
)


def _held_invitation(world):
    """The world's held survey: `world.held_invitation` if the world has one, else a survey to
    the world's person, held because a concern about them is open (raised by their supporter
    unless one already is); made once."""
    held = getattr(world, "held_invitation", None)
    if held is not None:
        return held
    from feedback.invitations import invite_person
    from feedback.models import Invitation
    from supporters.models import Concern
    from supporters.practice import services as practice

    held = Invitation.objects.held().filter(person=world.person).first()
    if held is not None:
        return held
    if not Concern.objects.open().filter(offer__person=world.person).exists():
        practice.raise_concern(
            world.offer, world.supporter, kind="self_harm", details="Said they felt unsafe tonight."
        )
    return invite_person(world.person, offer=world.offer)


ACCESS = {
    "feedback:invitation_cancel": team_only(other_team=NOT_FOUND),
}
URL_KWARGS = {
    "feedback:invitation_cancel": lambda w: {"pk": _held_invitation(w).pk},
}
POST_ONLY = set()
