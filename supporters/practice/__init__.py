"""Support in practice: what a supporter records and raises while supporting someone.

- `services`: the rules (the first contact makes support active, who a concern or a low
  wellbeing check-in alerts and to whom it escalates, acknowledging a concern, group debriefs).
- `views`, `forms`, `urls`: the supporter's pages, included with the namespace `practice`.

The team's side of the same records (concerns, supervision, debriefs) is supporters.oversight.
"""
