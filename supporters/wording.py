"""The facts a message's wording turns on: who a message to a person is written for, how their
supporter may truthfully be described, and the name a supporter or colleague is greeted by.

The words themselves are in templates/messages/ (one template per kind, with a block for each
kind of reader where they differ); these functions only give the templates the facts, so a
message never says something untrue about its reader or their supporter.
"""

import re

from django.conf import settings
from django.utils import timezone

from supporters.models import PeerSupporter, Pool, TrainingRecord

# A course is Trauma Risk Management training if its name says so: "TRiM" as a word (in that
# spelling: "trim" alone is an ordinary word), or the name in full in any case.
TRIM_COURSE = re.compile(r"\bTRiM\b|(?i:trauma risk management)")


def is_trim_practitioner(supporter, *, today=None) -> bool:
    """Whether the supporter holds current Trauma Risk Management (TRiM) training: a TRiM
    course completed and not expired (a record with no expiry never does). Only then does a
    member of staff read that their supporter is "a TRiM practitioner": lapsed training would
    make it untrue."""
    if supporter is None:
        return False
    today = today or timezone.localdate()
    records = TrainingRecord.objects.filter(supporter=supporter, completed_on__lte=today)
    return any(
        TRIM_COURSE.search(course) and (expires_on is None or expires_on >= today)
        for course, expires_on in records.values_list("course__name", "expires_on")
    )


def person_first_name(person) -> str:
    """What we call a person affected in a message: the name they asked us to use, else the
    first word of their full name."""
    return person.preferred_name.strip() or next(iter(person.full_name.split()), "")


def supporter_first_name(supporter) -> str:
    """How a person affected is told their supporter's name: first name only, the one the
    supporter chose to show if any."""
    return supporter.public_first_name.strip() or supporter.user.first_name.strip()


def supporter_full_name(supporter) -> str:
    """How a supporter is named to the team and their supervisor: their full name, else the
    first name they chose to show, else their login's address (never blank)."""
    user = supporter.user
    return user.get_full_name().strip() or supporter.public_first_name.strip() or user.email


def greeting_name(user) -> str:
    """The name a supporter or colleague is greeted by ("Hello Sam,"): the first name on their
    account, else (for a supporter) the first name they chose to show, else "there" ("Hello
    there,"), so that no message ever opens "Hello ,"."""
    if user is None:
        return "there"
    first = user.first_name.strip()
    if not first:
        shown = PeerSupporter.objects.filter(user=user).values_list("public_first_name", flat=True)
        first = (shown.first() or "").strip()
    return first or "there"


def reader_facts(person, supporter) -> dict:
    """What a message to a person must know to be right for them: `reader` (the person's
    PersonKind: family, service_user or staff), whether their supporter is a staff peer, and
    whether that supporter is a TRiM practitioner now."""
    return {
        "reader": person.kind,
        "staff_peer": supporter is not None and supporter.pool == Pool.STAFF,
        "trim_practitioner": is_trim_practitioner(supporter),
    }


def site_url() -> str:
    """The service's address for links in emails, read from settings when the message is
    built (never a constant), without a trailing slash: each link's path starts with one."""
    return settings.SITE_URL.rstrip("/")
