"""Where a change to a review or a person starts work in a higher layer (peersupport.hooks).

incidents.services calls these; supporters and feedback connect to them in their
AppConfig.ready(). The rules themselves live with the listeners named below.
"""

from peersupport.hooks import Hook

naming_changed = Hook(
    "naming_changed",
    "naming_changed(people_of=review): someone newly named may have been the supervisor reading notes "
    "about its people (supporters.services.alert_if_notes_unsupervised).",
)
consent_changed = Hook(
    "consent_changed",
    "consent_changed(person, by=): support follows the person's consent and do-not-contact "
    "(supporters.services.consent_changed).",
)
milestone_added = Hook(
    "milestone_added",
    "milestone_added(milestone): nudges before a review milestone "
    "(supporters.reminders.milestone_added).",
)
review_closed = Hook(
    "review_closed",
    "review_closed(review): its people are invited to a survey (feedback.invitations.review_closed).",
)
