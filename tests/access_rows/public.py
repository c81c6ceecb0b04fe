"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The public pages (about peer support, asking for it, privacy, accessibility) answer everyone,
logged in or not. A request for support is the team's, and only its own organisation's.
"""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    everyone,
    row,
    team_only,
)


def _referral(world):
    """A request for support to the team member's organisation, made once per world."""
    from incidents.models import SelfReferral

    referral = getattr(world, "_referral", None)
    if referral is None:
        referral = SelfReferral.objects.create(
            organisation=world.review.organisation,
            name="Jordan Ashby",
            email="jordan.ashby@example.nhs.uk",
            team="Ward 7",
            what_happened="A patient I was caring for died unexpectedly on a night shift.",
            contact_how="email",
        )
        world._referral = referral
    return referral


ACCESS = {
    "public:about": everyone(OK),
    "public:referral_form": everyone(OK),
    "public:referral_thanks": everyone(OK),
    "public:privacy": everyone(OK),
    "public:accessibility": everyone(OK),
    "public:referral_detail": team_only(other_team=NOT_FOUND),
}
URL_KWARGS = {
    "public:referral_detail": lambda w: {"pk": _referral(w).pk},
}
POST_ONLY = set()
