"""What a person would like in a supporter: the lists they choose from, and the rules about them.

The same lists serve the offer page (the person chooses) and the team's form (the team records
what the person told them); a supporter describes themself from the same gender and background
lists, so a preference and a supporter can be compared. Every list ends in "prefer to
self-describe", with the person's own words beside it.

Gender and background are special category data (UK GDPR Article 9): they are kept only with
the person's explicit consent to use them for matching (`matching_consent_at`), withdrawing
that consent blanks them, and they never appear in an export or CSV (only in the person's own
subject access export, since they are their data).
"""

from datetime import time

from django.db import models
from django.utils import timezone

from peersupport import audit

SELF = "self"
SELF_LABEL = "Prefer to self-describe"


class Gender(models.TextChoices):
    WOMAN = "woman", "A woman"
    MAN = "man", "A man"
    NON_BINARY = "non-binary", "Non-binary"
    SELF_DESCRIBE = SELF, SELF_LABEL


class Background(models.TextChoices):
    """The Office for National Statistics' high-level ethnic groups (2021 census)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Another ethnic group"
    SELF_DESCRIBE = SELF, SELF_LABEL


class Language(models.TextChoices):
    ENGLISH = "english", "English"
    WELSH = "welsh", "Welsh"
    BSL = "bsl", "British Sign Language"
    ARABIC = "arabic", "Arabic"
    BENGALI = "bengali", "Bengali"
    CANTONESE = "cantonese", "Cantonese"
    GUJARATI = "gujarati", "Gujarati"
    POLISH = "polish", "Polish"
    PORTUGUESE = "portuguese", "Portuguese"
    PUNJABI = "punjabi", "Punjabi"
    ROMANIAN = "romanian", "Romanian"
    SOMALI = "somali", "Somali"
    SPANISH = "spanish", "Spanish"
    TURKISH = "turkish", "Turkish"
    URDU = "urdu", "Urdu"
    SELF_DESCRIBE = SELF, "Another language"


class Experience(models.TextChoices):
    BEREAVED_SUICIDE = "bereaved-suicide", "Bereaved by suicide"
    BEREAVED = "bereaved", "Bereaved in another way"
    HARMED_IN_CARE = "harmed-in-care", "Harmed in care, or close to someone who was"
    MENTAL_HEALTH = "mental-health", "Used mental health services"
    CARER = "carer", "Caring for a family member"
    STAFF_INCIDENT = "staff-incident", "Involved in an incident at work"
    SELF_DESCRIBE = SELF, SELF_LABEL


class ContactTime(models.TextChoices):
    ANY = "any", "Any time in the day"
    MORNINGS = "mornings", "Mornings (9am to 12pm)"
    AFTERNOONS = "afternoons", "Afternoons (12pm to 5pm)"
    EVENINGS = "evenings", "Evenings (5pm to 8pm)"
    SELF_DESCRIBE = SELF, SELF_LABEL


# Each preference: its field, the field for the person's own words, and its list.
PREFERENCES = {
    "gender": ("prefers_supporter_gender", "prefers_supporter_gender_own", Gender),
    "background": ("prefers_shared_background", "prefers_shared_background_own", Background),
    "language": ("prefers_language", "prefers_language_own", Language),
    "experience": ("prefers_lived_experience", "prefers_lived_experience_own", Experience),
    "contact_time": ("prefers_contact_time", "prefers_contact_time_own", ContactTime),
}
SPECIAL_CATEGORY = ("gender", "background")

# Every field this module looks after: the ones anonymisation blanks and no export may show.
FIELDS = (
    *(field for field, _own, _list in PREFERENCES.values()),
    *(own for _field, own, _list in PREFERENCES.values()),
    "preferences_note",
)


def wanted(person, kind: str) -> str:
    """What the person asked for, in words ("" for nothing): their own words when they
    described it themselves, otherwise the list's label."""
    field, own, choices = PREFERENCES[kind]
    code = getattr(person, field)
    if not code:
        return ""
    if code == SELF:
        return getattr(person, own).strip()
    return choices(code).label if code in choices.values else code


def special_category_usable(person) -> bool:
    """Gender and background are used for matching only with the person's explicit consent."""
    return person.matching_consent_at is not None


def gives_special_category(values: dict) -> bool:
    return any(values.get(PREFERENCES[kind][0]) for kind in SPECIAL_CATEGORY)


def clean_values(values: dict) -> dict:
    """Own words only beside "self-describe"; nothing kept beside any other choice."""
    cleaned = dict(values)
    for field, own, _choices in PREFERENCES.values():
        if field not in cleaned:
            continue
        code = cleaned[field] or ""
        cleaned[field] = code
        words = " ".join((cleaned.get(own) or "").split())
        cleaned[own] = words if code == SELF else ""
        if code == SELF and not words:
            cleaned[field] = ""
    return cleaned


def set_preferences(person, values: dict, *, consent: bool, by=None, request=None):
    """Keep what the person would like in a supporter (a dict of model field: value).

    Gender and background are kept only with `consent`; without it they are blanked, which is
    also how a person withdraws them. Audited without the values themselves.
    """
    values = clean_values(values)
    if not consent:
        for kind in SPECIAL_CATEGORY:
            field, own, _choices = PREFERENCES[kind]
            values[field] = values[own] = ""
    keeps_special = gives_special_category(values)
    withdrawn = person.matching_consent_at is not None and not keeps_special
    if keeps_special and person.matching_consent_at is None:
        values["matching_consent_at"] = timezone.now()
    elif not keeps_special:
        values["matching_consent_at"] = None
    changed = [name for name, value in values.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, values[name])
    if changed:
        person.save(update_fields=changed)
        audit.record(
            "person.preferences_changed",
            request=request,
            actor=by,
            obj=person,
            by_person=by is None,
            matching_consent=keeps_special,
            consent_withdrawn=withdrawn,
        )
    return person


CONTACT_WINDOWS = {
    ContactTime.MORNINGS: ("09:00", "12:00"),
    ContactTime.AFTERNOONS: ("12:00", "17:00"),
    ContactTime.EVENINGS: ("17:00", "20:00"),
}


def contact_window(code: str):
    """The safe window (from, until) the outbox keeps to for a chosen time of day, or None."""
    window = CONTACT_WINDOWS.get(code)
    if window is None:
        return None
    return tuple(time.fromisoformat(t) for t in window)


GENDER_WORDS = {
    "f": Gender.WOMAN,
    "female": Gender.WOMAN,
    "woman": Gender.WOMAN,
    "m": Gender.MAN,
    "male": Gender.MAN,
    "man": Gender.MAN,
    "nonbinary": Gender.NON_BINARY,
    "non binary": Gender.NON_BINARY,
    "non-binary": Gender.NON_BINARY,
}


def from_words(choices, text: str) -> tuple[str, str]:
    """The list's code for words someone typed, and the words themselves when no code fits
    ("prefer to self-describe"): for demo data and commands that still speak in words."""
    words = " ".join(text.split())
    if not words:
        return "", ""
    key = words.casefold()
    if choices is Gender and key in GENDER_WORDS:
        return str(GENDER_WORDS[key]), ""
    for code, label in choices.choices:
        if code != SELF and key in (code, label.casefold()):
            return code, ""
    first = key.split()[0]
    if choices is Background and first in Background.values:
        return first, words
    return SELF, words


QUESTIONS = {
    "gender": "Supporter's gender",
    "background": "Shared background",
    "language": "Supporter's language",
    "experience": "Similar experience",
    "contact_time": "Best time to contact",
}


def summary(person) -> list[tuple[str, str]]:
    """Each preference the person gave, as (what it is about, what they asked for)."""
    return [(QUESTIONS[kind], words) for kind in PREFERENCES if (words := wanted(person, kind))]


def special_category_unused(person) -> bool:
    """A gender or background preference held without consent (recorded before the lists
    asked for it), which matching leaves out until someone records it."""
    return not special_category_usable(person) and any(
        wanted(person, kind) for kind in SPECIAL_CATEGORY
    )


DETAILS_FOR_CHANNEL = {"email": "email", "phone": "phone", "sms": "phone", "letter": "address"}


def has_details_for(person, channel: str) -> bool:
    """Whether we hold what `channel` needs (an address for a letter, a number for a text)."""
    return bool(getattr(person, DETAILS_FOR_CHANNEL[channel], "").strip())


def set_contact_preferences(person, *, channel: str, time_code: str, time_own: str, request=None):
    """How and when the person would like to be contacted, from the offer page: the channel
    (only one we hold details for) and a time of day, which the outbox keeps to."""
    changed = []
    if channel and channel != person.preferred_channel and has_details_for(person, channel):
        person.preferred_channel = channel
        changed.append("preferred_channel")
    if time_code:
        label = time_own if time_code == SELF else ContactTime(time_code).label
        window = contact_window(time_code)
        updates = {
            "safe_times": label[:200],
            "safe_from": window[0] if window else None,
            "safe_until": window[1] if window else None,
        }
        for name, value in updates.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed.append(name)
    if changed:
        person.save(update_fields=changed)
        audit.record("person.contact_preferences_changed", request=request, obj=person)
    return person
