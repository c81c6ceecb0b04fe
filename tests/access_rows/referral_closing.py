"""Access-table rows for this area's URLs; merged into tests/access_table.py.

Closing a request for support is the team's, scoped like the request's own page: only the
team of the request's organisation; another organisation's team gets 404.
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


def _referral(world):
    """A request for support to the team member's organisation, still waiting, made once."""
    from incidents.models import SelfReferral

    referral = getattr(world, "_referral_to_close", None)
    if referral is None:
        referral = SelfReferral.objects.create(
            organisation=world.review.organisation,
            name="Robin Hale",
            email="robin.hale@example.nhs.uk",
            team="Theatres",
            what_happened="A colleague collapsed during a long list.",
            contact_how="email",
        )
        world._referral_to_close = referral
    return referral


ACCESS = {
    "incidents:referral_close": team_only(other_team=NOT_FOUND),
}
URL_KWARGS = {
    "incidents:referral_close": lambda w: {"pk": _referral(w).pk},
}
POST_ONLY = set()
