"""Access-table rows for this area's URLs; merged into tests/access_table.py.

Contacts and concerns are about the supporter's own assignment: the other supporter gets 404.
The check-in is any supporter's own. Resources and signposting are for supporters and the
team (any organisation's: they hold nothing about people); managers and administrators 403.
"""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    row,
    supporter_only,
)

ACCESS = {
    "practice:contact_add": supporter_only(other_supporter=NOT_FOUND),
    "practice:concern_raise": supporter_only(other_supporter=NOT_FOUND),
    "practice:checkin": supporter_only(),
    "practice:resources": row(LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
    "practice:signposting": row(LOGIN, OK, OK, OK, FORBIDDEN, FORBIDDEN),
}
URL_KWARGS = {
    "practice:contact_add": lambda w: {"pk": w.offer.pk},
    "practice:concern_raise": lambda w: {"pk": w.offer.pk},
}
POST_ONLY = set()
