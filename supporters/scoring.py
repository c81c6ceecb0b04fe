"""Matching's soft scoring: how well an eligible supporter fits what the person asked for.

Points (`WEIGHTS`) for the preferences the person chose to give (language, gender, shared
background, similar experience), bereavement, and current caseload. Each point scored comes with
a reason shown beside the candidate, such as "Speaks Urdu, as Amina asked". The scoring ranks,
it never hides anyone who is eligible: who may be offered at all is the hard filters'
(supporters.matching.HARD_FILTERS). Gender and background count only with the person's consent
(incidents.preferences); a preference a candidate does not meet is said, never hidden.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from incidents.preferences import SELF, Experience, Gender, special_category_usable, wanted
from supporters.models import Pool

if TYPE_CHECKING:
    from supporters.matching import MatchContext

# Points for each kind of match. Integers so a score is easy to explain.
WEIGHTS = {
    "language": 40,  # speaks the language the person asked for, or their own if not English
    "experience": 30,  # has shared an experience like the one the person asked for
    "gender": 20,  # the gender the person asked for
    "background": 20,  # shares the background the person asked for
    "bereavement": 15,  # the person is bereaved (or asked for it) and so is the supporter
    "per_person_supported": -5,  # for each person the supporter supports now
}


# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "the", "of", "by", "to", "in", "on", "at", "for", "from", "with", "after",
    "about", "my", "our", "their", "his", "her", "who", "was", "were", "been", "being", "through",
    "went", "have", "has", "had", "someone", "person", "people", "member", "lived", "experience",
    "experienced",
})
# fmt: on
BEREAVEMENT_STEMS = ("bereav", "griev", "grief", "widow")
GENDER_SYNONYMS = {
    "f": "woman",
    "female": "woman",
    "woman": "woman",
    "women": "woman",
    "m": "man",
    "male": "man",
    "man": "man",
    "men": "man",
    "nonbinary": "non-binary",
    "non binary": "non-binary",
    "non-binary": "non-binary",
}


def normal(text: str) -> str:
    """Casefolded, with runs of whitespace made one space: for comparing what people typed."""
    return " ".join(text.split()).casefold()


def _words(text: str) -> list[str]:
    """The words that carry meaning, as written (compare them casefolded)."""
    return [w for w in re.findall(r"[\w']+", text) if w.casefold() not in STOP_WORDS]


def _stem(word: str) -> str:
    """A crude stem (first five letters), so "bereaved" meets "bereavement", "suicide" "suicidal"."""
    return word.casefold()[:5]


def _overlap(wanted: str, offered: str) -> list[str]:
    """The words of `wanted` that `offered` shares (by stem), in the order they were asked for."""
    offered_stems = {_stem(w) for w in _words(offered) if len(w) >= 3}
    shared = []
    for word in _words(wanted):
        if len(word) >= 3 and _stem(word) in offered_stems and word not in shared:
            shared.append(word)
    return shared


def _bereft(word: str) -> bool:
    return word.casefold().startswith(BEREAVEMENT_STEMS)


def _gender(text: str) -> str:
    value = normal(text)
    return GENDER_SYNONYMS.get(value, value)


def wanted_language(person) -> tuple[str, bool]:
    """The language to match, and whether the person asked for it (or it is just their own)."""
    asked = wanted(person, "language")
    if asked:
        return asked, True
    own = person.language.strip()
    if own and normal(own) != "english":
        return own, False
    return "", False


def _speaks(supporter, language: str) -> bool:
    return normal(language) in {normal(lang) for lang in supporter.language_list}


def _same_gender(supporter, person) -> bool:
    code = person.prefers_supporter_gender
    if code != SELF and code == supporter.gender:
        return True
    theirs = supporter.gender_own if supporter.gender == SELF else supporter.gender
    return bool(theirs.strip()) and _gender(wanted(person, "gender")) == _gender(theirs)


def _shared_background(supporter, person) -> list[str]:
    """What of the background the person asked for the supporter shares, in their words."""
    asked = wanted(person, "background")
    code = person.prefers_shared_background
    if code != SELF and code == supporter.background:
        return [asked]
    theirs = f"{supporter.get_background_display() if supporter.background else ''} "
    theirs += supporter.background_own
    if not theirs.strip():
        return []
    if normal(asked) in normal(theirs):
        return [asked]
    return _overlap(asked, theirs)


def _gender_asked(person) -> str:
    code = person.prefers_supporter_gender
    if code in (Gender.WOMAN, Gender.MAN, Gender.NON_BINARY):
        return f"a {code} supporter"
    return f"a supporter who is {wanted(person, 'gender')}"


def asked_for(person) -> dict[str, str]:
    """Each preference matching may use, in words: gender and background only with consent."""
    asked = {}
    language, chosen = wanted_language(person)
    if chosen:
        asked["language"] = f"a supporter who speaks {language}"
    if special_category_usable(person):
        if wanted(person, "gender"):
            asked["gender"] = _gender_asked(person)
        if wanted(person, "background"):
            asked["background"] = f"a shared background ({wanted(person, 'background')})"
    if wanted(person, "experience"):
        asked["experience"] = f"similar experience ({wanted(person, 'experience')})"
    return asked


def unmet_preferences(supporter, person) -> list[str]:
    """Where the supporter does not meet what the person asked for, one sentence each, for the
    shortlist and for the team to confirm before offering them."""
    matched = _matched(supporter, person)
    return [
        f"Asked for {words}: not matched"
        for kind, words in asked_for(person).items()
        if not _meets(kind, matched, person)
    ]


def _matched(supporter, person) -> dict[str, str]:
    """Each preference the supporter meets, with the reason shown beside them."""
    name = person.preferred_name or person.full_name
    matched = {}
    language, asked = wanted_language(person)
    if language and _speaks(supporter, language):
        matched["language"] = (
            f"Speaks {language}, as {name} asked"
            if asked
            else f"Speaks {language}, {name}'s language"
        )
    if special_category_usable(person):
        if wanted(person, "gender") and _same_gender(supporter, person):
            shown = supporter.gender_own or supporter.get_gender_display().lower()
            matched["gender"] = f"Gender: {shown}, as {name} asked"
        shared = _shared_background(supporter, person) if wanted(person, "background") else []
        if shared:
            matched["background"] = f"Shared background ({', '.join(shared)}), as {name} asked"
    # Bereavement has its own weight, so "bereaved by suicide" ranks a supporter bereaved by
    # suicide above one bereaved another way, rather than level with them.
    experience = wanted(person, "experience")
    if experience and supporter.experience.strip():
        shared = [w for w in _overlap(experience, supporter.experience) if not _bereft(w)]
        if shared:
            matched["experience"] = (
                f"Similar experience ({', '.join(shared)}): "
                f'"{supporter.experience.strip()}", as {name} asked'
            )
    wants_bereaved = person.bereaved or any(_bereft(w) for w in _words(experience))
    if wants_bereaved and any(_bereft(w) for w in _words(supporter.experience)):
        matched["bereavement"] = "Has been bereaved too, and chose to share it"
    return matched


def _meets(kind, matched, person) -> bool:
    if kind in matched:
        return True
    # "Bereaved in another way" is met by any bereavement the supporter shared.
    return (
        kind == "experience"
        and person.prefers_lived_experience == Experience.BEREAVED
        and "bereavement" in matched
    )


def score(supporter, ctx: MatchContext) -> tuple[int, list[str]]:
    """The supporter's points for this person, each point scored with its reason."""
    matched = _matched(supporter, ctx.person)
    points = sum(WEIGHTS[kind] for kind in matched)
    reasons = list(matched.values())

    needed = ctx.needed_pool
    if ctx.override_pool and needed is not None and supporter.pool != needed:
        reasons.append(f"{Pool(supporter.pool).label}: offered because the team widened the pool")

    points += WEIGHTS["per_person_supported"] * supporter.caseload
    reasons.append(f"Supporting {supporter.caseload} of {supporter.capacity} people")
    return points, reasons
