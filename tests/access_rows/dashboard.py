"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The measures dashboard's CSV answers exactly as the dashboard page does: managers, the team
(their own organisation's figures) and administrators; never supporters.
"""

from tests.access_table_base import FORBIDDEN, LOGIN, OK, row

ACCESS = {
    "dashboard_csv": row(LOGIN, OK, OK, FORBIDDEN, OK, OK),
}
URL_KWARGS = {}
POST_ONLY = set()
