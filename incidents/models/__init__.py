"""Reviews of serious incidents and the people they affect (app label `incidents`).

- `organisations`: organisations, their team members and services; `organisation_of(user)`.
- `reviews`: reviews, their status history, naming, milestones and deadline rules.
- `people`: the people a review affects, consent records, dates to avoid.
- `self_referrals`: requests for support from staff, families and service users.

Changes go through `incidents.services`; the history of every review and person is kept by
django-simple-history, which relies on `save()`, so code never changes a saved review or person
with `QuerySet.update()` or bulk methods (tests/test_no_bulk_changes.py guards this). The
contact choices (Channel, AccessibleFormat) belong to the platform (peersupport.channels) and
are re-exported here for the forms and pages that offer them.
"""

from incidents.models.organisations import (
    Nation,
    Organisation,
    Service,
    TeamMember,
    organisation_of,
)
from incidents.models.people import (
    AffectedPerson,
    AffectedPersonQuerySet,
    AvoidDate,
    Consent,
    ConsentMethod,
    ConsentRecord,
    PersonKind,
)
from incidents.models.reviews import (
    OPEN_STATUSES,
    SERIOUS_INCIDENT_FRAMEWORK,
    Category,
    DeadlineKind,
    DeadlineRule,
    HarmLevel,
    Milestone,
    MilestoneKind,
    MilestoneQuerySet,
    NamingRole,
    ResponseType,
    Review,
    ReviewNaming,
    ReviewNamingQuerySet,
    ReviewQuerySet,
    ReviewStatus,
    ReviewStatusChange,
)
from incidents.models.self_referrals import (
    ReferralCloseReason,
    ReferralContactHow,
    ReferralKind,
    SelfReferral,
    SelfReferralQuerySet,
)
from peersupport.channels import AccessibleFormat, Channel

__all__ = [
    "ReferralKind",
    "AccessibleFormat",
    "AffectedPerson",
    "AffectedPersonQuerySet",
    "AvoidDate",
    "Category",
    "Channel",
    "Consent",
    "ConsentMethod",
    "ConsentRecord",
    "DeadlineKind",
    "DeadlineRule",
    "HarmLevel",
    "Milestone",
    "MilestoneKind",
    "MilestoneQuerySet",
    "NamingRole",
    "Nation",
    "OPEN_STATUSES",
    "Organisation",
    "PersonKind",
    "ReferralCloseReason",
    "ReferralContactHow",
    "ResponseType",
    "Review",
    "ReviewNaming",
    "ReviewNamingQuerySet",
    "ReviewQuerySet",
    "ReviewStatus",
    "ReviewStatusChange",
    "SERIOUS_INCIDENT_FRAMEWORK",
    "SelfReferral",
    "SelfReferralQuerySet",
    "Service",
    "TeamMember",
    "organisation_of",
]
