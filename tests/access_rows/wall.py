"""Access-table rows for the confidentiality wall's pages: a supporter's supervisor for each
organisation, named by that organisation's team. Another organisation's team gets 404 (the
supporter does not serve it), like every page about a supporter."""

from tests.access_table_base import NOT_FOUND, team_only

ACCESS = {
    "supporters:supporter_supervisors": team_only(other_team=NOT_FOUND),
}

URL_KWARGS = {
    "supporters:supporter_supervisors": lambda w: {"pk": w.supporter.pk},
}

POST_ONLY = set()
