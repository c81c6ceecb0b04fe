"""Access-table rows for this area's URLs; merged into tests/access_table.py.

A supervisor's follow-up to a wellbeing check-in that needed attention. Like the supervisee's
page, only the supporter's supervisor may open it: the `supervisor` persona is the world
supporter's named supervisor and gets 200; the `team` persona is not, so it gets 404 like the
other organisation's team; supporters (the supporter themselves too), managers and
administrators are refused by role.
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


def _checkin(world):
    """The world's check-in needing attention: `world.checkin` if the world has one, else one
    the world's supporter made (once), scoring 2 for coping, not yet followed up."""
    checkin = getattr(world, "checkin", None)
    if checkin is not None:
        return checkin
    from supporters.models import WellbeingCheckIn

    existing = WellbeingCheckIn.objects.filter(
        supporter=world.supporter, coping=2, followed_up_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    return WellbeingCheckIn.objects.create(
        supporter=world.supporter, empowered=4, coping=2, wants_debrief=False
    )


ACCESS = {
    "oversight:checkin_follow_up": row(
        LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, supervisor=OK
    ),
}

URL_KWARGS = {
    "oversight:checkin_follow_up": lambda w: {"pk": _checkin(w).pk},
}

POST_ONLY = set()
