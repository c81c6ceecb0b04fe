"""Access-table rows for the board pack (issue 20); merged into tests/access_table.py.

The summary, a measure's page and the pack answer exactly as the dashboard does: managers, the
team (their own organisation's figures) and administrators; never supporters.
"""

from tests.access_table_base import FORBIDDEN, LOGIN, OK, row

DASHBOARD = row(LOGIN, OK, OK, FORBIDDEN, OK, OK)

ACCESS = {
    "dashboard_summary": DASHBOARD,
    "dashboard_measure": DASHBOARD,
    "dashboard_pack": DASHBOARD,
}
URL_KWARGS = {"dashboard_measure": lambda w: {"slug": "offered"}}
POST_ONLY = set()
