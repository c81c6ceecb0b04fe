"""Answers and row builders for the access table (see tests/access_table.py)."""

OK, LOGIN, HOME, FORBIDDEN, NOT_FOUND = "200", "login", "redirect", "403", "404"

PERSONAS = [
    "anonymous",
    "invitation_holder",
    "team",
    "other_team",
    "supporter",
    "other_supporter",
    "supervisor",
    "manager",
    "administrator",
]


def row(
    anonymous,
    team,
    other_team,
    supporter,
    manager,
    administrator,
    other_supporter=None,
    supervisor=None,
    invitation_holder=None,
):
    """One URL's answers. Unless told otherwise the second supporter answers as the first, the
    supervisor (a team member of the same organisation, named supervisor of the first
    supporter, on none of its reviews) as the team member, and the holder of a person's answer
    link (no login) as anyone anonymous."""
    return {
        "anonymous": anonymous,
        "invitation_holder": anonymous if invitation_holder is None else invitation_holder,
        "team": team,
        "other_team": other_team,
        "supporter": supporter,
        "other_supporter": supporter if other_supporter is None else other_supporter,
        "supervisor": team if supervisor is None else supervisor,
        "manager": manager,
        "administrator": administrator,
    }


def everyone(answer):
    return row(answer, answer, answer, answer, answer, answer)


def logged_in(answer, anonymous=LOGIN):
    return row(anonymous, answer, answer, answer, answer, answer)


def team_only(answer=OK, other_team=None):
    """A team page: the team member's answer, the other organisation's, everyone else 403."""
    other = answer if other_team is None else other_team
    return row(LOGIN, answer, other, FORBIDDEN, FORBIDDEN, FORBIDDEN)


def supporter_only(answer=OK, other_supporter=None):
    """A supporter's page: the assigned supporter's answer, the second supporter's, others 403."""
    return row(
        LOGIN, FORBIDDEN, FORBIDDEN, answer, FORBIDDEN, FORBIDDEN, other_supporter=other_supporter
    )
