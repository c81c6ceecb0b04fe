"""The team's oversight of support in practice: concerns, supervision and group debriefs.

- `views`, `forms`, `urls`: the team's pages, included with the namespace `oversight`.

The rules these pages call (acknowledging a concern, recording a debrief) are in
supporters.practice.services; who may read a contact note is in supporters.access.
"""
