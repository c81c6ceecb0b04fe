"""Access-table rows for the families' pages; merged into tests/access_table.py.

The page for families, its guides, the public resources and the form to ask for a supporter
answer everyone. A supporter chooses their own words for the page; the team checks the words
of its own organisation's supporters (another organisation's team gets 404).
"""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    everyone,
    row,
    supporter_only,
    team_only,
)


def _profile(world):
    """The first supporter's words, agreed to and waiting for a check, made once per world."""
    from supporters.public_profiles import agree

    profile = getattr(world, "_public_profile", None)
    if profile is None:
        profile = agree(world.supporter, first_name="Sam", words="I lost my dad in 2019.")
        world._public_profile = profile
    return profile


ACCESS = {
    "public:families": everyone(OK),
    "public:family_guide": everyone(OK),
    "public:resources": everyone(OK),
    "public:family_request": everyone(OK),
    "public:family_request_thanks": everyone(OK),
    "supporters:my_public_profile": supporter_only(OK),
    "supporters:public_profiles": team_only(OK),
    "supporters:public_profile_check": team_only(HOME, other_team=NOT_FOUND),
}
URL_KWARGS = {
    "public:family_guide": lambda w: {"slug": "inquest"},
    "supporters:public_profile_check": lambda w: {"pk": _profile(w).pk},
}
POST_ONLY = {"supporters:public_profile_check"}
