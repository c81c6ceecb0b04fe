"""Access-table rows for the person's say in who supports them (issue 19); merged into
tests/access_table.py.

No URL is new: preferences are given on the offer answer page (`feedback:offer_answer`, a
public page only the holder of a real link reaches: its row is in tests/access_rows/feedback.py),
recorded by the team on `incidents:person_edit` and shown on `incidents:person_detail` and
`supporters:match` (team only, another organisation's person 404), and a mismatch is confirmed on
`supporters:assign` (team only). Those rows stand unchanged. The states the rows cannot show
(the link opened again after answering: the answer to change; after support starts: how to reach
the team; without a link: the kind 404) are tested in tests/test_preferences.py.
"""

ACCESS = {}
URL_KWARGS = {}
POST_ONLY = set()
