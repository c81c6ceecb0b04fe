"""Where a change to support starts work in a higher layer (peersupport.hooks).

supporters.services and supporters.practice.services call these; feedback connects to them in
its AppConfig.ready().
"""

from peersupport.hooks import Hook

support_closed = Hook(
    "support_closed",
    "support_closed(offer): the person is invited to a survey about their support "
    "(feedback.invitations.support_closed); not called after a reassignment.",
)
concern_raised = Hook(
    "concern_raised",
    "concern_raised(concern): a survey to its person that has not gone yet (or its reminder) is "
    "held until the concern is closed (feedback.invitations.concern_raised).",
)
concern_acknowledged = Hook(
    "concern_acknowledged",
    "concern_acknowledged(concern): once the person has no open concern, their held surveys "
    "are sent (feedback.invitations.concern_acknowledged).",
)
