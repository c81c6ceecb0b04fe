"""The design's timing rules: (key, description, delay, unit). Seeded into TimingRule rows by
migration 0005 (0007 adds later ones); also used to restore a rule whose row is missing, so a page never fails on it."""

DEFAULTS = [
    ("offer-send", "Send a support offer after a supporter is assigned", 0, "minutes"),
    (
        "no-supporter-alert",
        "Person with consent has no supporter: alert the team",
        1,
        "working_days",
    ),
    (
        "no-supporter-escalate",
        "Person with consent has no supporter: escalate to the review lead",
        2,
        "working_days",
    ),
    ("offer-reminder-1", "Offer not answered: first reminder", 5, "days"),
    ("offer-reminder-2", "Offer not answered: second reminder", 10, "days"),
    ("offer-phone-task", "Offer not answered: a task for the team to phone", 14, "days"),
    ("staff-assign-within", "Staff after an event: supporter assigned within", 1, "working_days"),
    ("staff-check-in", "Staff after an event: first check-in (not sooner)", 72, "hours"),
    ("staff-follow-up", "Staff after an event: follow-up", 28, "days"),
    ("staff-three-months", "Staff after an event: optional check at 3 months", 91, "days"),
    ("no-contact-nudge", "Active support with no contact logged: remind the supporter", 14, "days"),
    ("milestone-before", "Review milestone: nudge the supporter before", 7, "days"),
    ("milestone-after", "Review milestone: nudge the supporter after", 1, "days"),
    ("survey-reminder", "Survey not answered: reminder", 7, "days"),
    ("survey-expiry", "Survey link expires", 28, "days"),
    (
        "wellbeing-after-contact",
        "Supporter wellbeing check-in prompt after a contact",
        0,
        "minutes",
    ),
    ("wellbeing-monthly", "Supporter wellbeing check-in prompt", 30, "days"),
    ("supervision-due", "Supervision due", 42, "days"),
    ("training-expiry-warning", "Training expires: warn ahead", 30, "days"),
    ("concern-alert", "Concern raised: alert the team (at once, whatever the hour)", 0, "minutes"),
    (
        "concern-escalate",
        "Concern unacknowledged: escalate to the organisation's lead",
        4,
        "working_hours",
    ),
    ("contact-later-default", "Person asked to be contacted later: default wait", 28, "days"),
]

# Rules that count back from their event (a milestone, a training expiry) rather than after it.
BEFORE = {"milestone-before", "training-expiry-warning"}
