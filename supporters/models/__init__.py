"""The supporters app's models, one module per part of the service:

- `supporters`: peer supporters, their training, supervision and code of conduct;
- `offers`: support offers and their status history;
- `practice`: contacts, concerns, wellbeing check-ins, debriefs, signposting and resources;
- `public_profiles`: what a supporter chose to show families on the public page.

Changes go through `supporters.services` and `supporters.practice.services`; status changes are
recorded as rows with who and when (SupporterStatusChange, OfferStatusChange), so history is
never lost.
"""

from supporters.models.offers import (
    ASSIGNED_STATUSES,
    OPEN_OFFER_STATUSES,
    CloseReason,
    OfferedVia,
    OfferStatus,
    OfferStatusChange,
    ReassignmentTask,
    SupportOffer,
    SupportOfferQuerySet,
    caseload_annotation,
)
from supporters.models.practice import (
    Concern,
    ConcernKind,
    ConcernQuerySet,
    Contact,
    ContactMode,
    ContactQuerySet,
    GroupDebrief,
    Resource,
    SignpostService,
    Topic,
    WellbeingCheckIn,
)
from supporters.models.public_profiles import PublicProfile
from supporters.models.supporters import (
    CodeAcceptance,
    CodeOfConduct,
    Course,
    PeerSupporter,
    Pool,
    SupervisionSession,
    SupervisorAssignment,
    SupporterStatus,
    SupporterStatusChange,
    TrainingRecord,
)

__all__ = [
    "PublicProfile",
    "ASSIGNED_STATUSES",
    "CloseReason",
    "CodeAcceptance",
    "CodeOfConduct",
    "Concern",
    "ConcernKind",
    "ConcernQuerySet",
    "Contact",
    "ContactMode",
    "ContactQuerySet",
    "Course",
    "GroupDebrief",
    "OPEN_OFFER_STATUSES",
    "OfferStatus",
    "OfferStatusChange",
    "OfferedVia",
    "PeerSupporter",
    "Pool",
    "ReassignmentTask",
    "Resource",
    "SignpostService",
    "SupervisionSession",
    "SupervisorAssignment",
    "SupportOffer",
    "SupportOfferQuerySet",
    "SupporterStatus",
    "SupporterStatusChange",
    "Topic",
    "TrainingRecord",
    "WellbeingCheckIn",
    "caseload_annotation",
]
