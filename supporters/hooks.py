"""Where a change to support starts work in a higher layer (peersupport.hooks).

supporters.services calls these; feedback connects to them in its AppConfig.ready().
"""

from peersupport.hooks import Hook

support_closed = Hook(
    "support_closed",
    "support_closed(offer): the person is invited to a survey about their support "
    "(feedback.invitations.support_closed); not called after a reassignment.",
)
