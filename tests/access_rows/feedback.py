"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The pages a person reaches from the link in their offer need no login and answer everyone
alike: a link that does not work (here a made-up token, and the answer page with no link
opened) gets the same kind 404 page whoever asks. The invitation holder opened a real link. The thank-you page is a plain thank-you
without an answer in the session.
"""

from tests.access_table_base import NOT_FOUND, OK, everyone, row

ACCESS = {
    "feedback:offer_token": everyone(NOT_FOUND),
    # Only the holder of a real link, opened in this browser, reaches the answer form.
    "feedback:offer_answer": row(
        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, invitation_holder=OK
    ),
    "feedback:offer_thanks": everyone(OK),
}
URL_KWARGS = {
    "feedback:offer_token": lambda w: {"token": "not-a-real-token"},
}
POST_ONLY = set()
