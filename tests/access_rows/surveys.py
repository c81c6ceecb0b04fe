"""Access-table rows for the survey URLs; merged into tests/access_table.py.

The public survey pages need no login and answer everyone alike: a made-up token, and the
survey or opt-out page with no survey opened in the session, get the same kind 404 page
whoever asks (a logged-in supporter included). The thank-you pages are plain thank-yous.
A supporter's own survey page answers every supporter (here with "no survey just now").
The results page is the team's (its own organisation) and the managers' (numbers only);
the CSV export is the team's alone.
"""

from tests.access_table_base import FORBIDDEN, LOGIN, NOT_FOUND, OK, everyone, row, team_only

ACCESS = {
    "feedback:survey_token": everyone(NOT_FOUND),
    # Only the holder of a real survey link, opened in this browser, reaches these.
    "feedback:survey": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, invitation_holder=OK
    ),
    "feedback:survey_thanks": everyone(OK),
    "feedback:survey_opt_out": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, invitation_holder=OK
    ),
    "feedback:survey_opted_out": everyone(OK),
    "feedback:survey_mine": row(LOGIN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
    "feedback:survey_results": row(LOGIN, OK, OK, FORBIDDEN, OK, FORBIDDEN),
    "feedback:survey_export": team_only(),
}
URL_KWARGS = {
    "feedback:survey_token": lambda w: {"token": "not-a-real-token"},
}
POST_ONLY = set()
