"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The team's oversight pages: concerns, supervision and group debriefs. A concern about a person
in another organisation answers 404. A supervisee's page answers only their named supervisor:
the `team` persona is not the world supporter's supervisor, so it gets 404 like everyone else
on the team; the `supervisor` persona is, and gets 200.
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


def _concern(world):
    """The world's concern: `world.concern` if the world has one, else one raised (once) by the
    world's supporter about the person they support."""
    concern = getattr(world, "concern", None)
    if concern is not None:
        return concern
    from supporters.models import Concern
    from supporters.practice import services as practice

    existing = Concern.objects.filter(offer=world.offer).first()
    if existing is not None:
        return existing
    return practice.raise_concern(
        world.offer, world.supporter, kind="self_harm", details="Said they felt unsafe tonight."
    )


ACCESS = {
    "oversight:concern_list": team_only(),
    "oversight:concern_detail": team_only(other_team=NOT_FOUND),
    # Any team member may open the page; it lists only the supporters they supervise.
    "oversight:supervision": team_only(),
    # Only the named supervisor: the team persona does not supervise the world's supporter.
    "oversight:supervisee": row(
        LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, supervisor=OK
    ),
    "oversight:debrief_list": team_only(),
    "oversight:debrief_add": team_only(),
}

URL_KWARGS = {
    "oversight:concern_detail": lambda w: {"pk": _concern(w).pk},
    "oversight:supervisee": lambda w: {"pk": w.supporter.pk},
}

POST_ONLY = set()
