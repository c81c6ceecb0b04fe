"""How long a logged-in session may last: 30 minutes idle, 12 hours in all.

The times live in the session itself (seconds since the epoch), so every web process agrees.
`peersupport.middleware.SessionTimeoutMiddleware` stamps and enforces them; the page script
(static/js/session-timeout.js) asks `seconds_left` how long it has before it warns.
"""

import time

from django.conf import settings

LOGGED_IN_AT = "peersupport.logged_in_at"
LAST_SEEN_AT = "peersupport.last_seen_at"


def now() -> int:
    return int(time.time())


def stamp(session, *, active: bool = True) -> None:
    """Note the login time once, and (for a request the person made) the time of this request."""
    at = now()
    session.setdefault(LOGGED_IN_AT, at)
    if active or LAST_SEEN_AT not in session:
        session[LAST_SEEN_AT] = at


def expiry(session) -> str | None:
    """Why this session has ended ("idle" or "absolute"), or None while it is still good."""
    at = now()
    if LOGGED_IN_AT in session and at - session[LOGGED_IN_AT] >= settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if LAST_SEEN_AT in session and at - session[LAST_SEEN_AT] >= settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


def seconds_left(session) -> tuple[int, bool]:
    """Seconds before the session ends, and whether activity can put that off (idle, not 12 h)."""
    at = now()
    idle = settings.SESSION_IDLE_TIMEOUT - (at - session.get(LAST_SEEN_AT, at))
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT - (at - session.get(LOGGED_IN_AT, at))
    return max(0, min(idle, absolute)), idle <= absolute
