"""Access-table rows for this area's URLs; merged into tests/access_table.py."""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    row,
    team_only,
)

ACCESS = {}
URL_KWARGS = {}
POST_ONLY = set()
