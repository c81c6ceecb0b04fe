"""Matching's soft scoring: how well an eligible supporter fits what the person asked for.

Points (`WEIGHTS`) for the preferences the person chose to give (language, gender, shared
background, similar experience), bereavement, and current caseload. Each point scored comes with
a reason shown beside the candidate, such as "Speaks Urdu, as Amina asked". The scoring ranks,
it never hides anyone who is eligible: who may be offered at all is the hard filters'
(supporters.matching.HARD_FILTERS).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
    if person.prefers_language.strip():
        return person.prefers_language.strip(), True
    own = person.language.strip()
    if own and normal(own) != "english":
        return own, False
    return "", False


def score(supporter, ctx: MatchContext) -> tuple[int, list[str]]:
    """The supporter's points for this person, each point scored with its reason."""
    person = ctx.person
    name = ctx.person_name
    points = 0
    reasons = []

    language, asked = wanted_language(person)
    if language and normal(language) in {normal(lang) for lang in supporter.language_list}:
        points += WEIGHTS["language"]
        if asked:
            reasons.append(f"Speaks {language}, as {name} asked")
        else:
            reasons.append(f"Speaks {language}, {name}'s language")

    wanted_gender = person.prefers_supporter_gender.strip()
    if (
        wanted_gender
        and supporter.gender.strip()
        and _gender(wanted_gender) == _gender(supporter.gender)
    ):
        points += WEIGHTS["gender"]
        reasons.append(f"Gender: {supporter.gender.strip()}, as {name} asked")

    wanted_background = person.prefers_shared_background.strip()
    if wanted_background and supporter.background.strip():
        if normal(wanted_background) in normal(supporter.background):
            shared = [wanted_background]
        else:
            shared = _overlap(wanted_background, supporter.background)
        if shared:
            points += WEIGHTS["background"]
            reasons.append(f"Shared background ({', '.join(shared)}), as {name} asked")

    # Bereavement has its own weight, so "bereaved by suicide" ranks a supporter bereaved by
    # suicide above one bereaved another way, rather than level with them.
    wanted_experience = person.prefers_lived_experience.strip()
    if wanted_experience and supporter.experience.strip():
        shared = [w for w in _overlap(wanted_experience, supporter.experience) if not _bereft(w)]
        if shared:
            points += WEIGHTS["experience"]
            reasons.append(
                f"Similar experience ({', '.join(shared)}): "
                f'"{supporter.experience.strip()}", as {name} asked'
            )

    wants_bereaved = person.bereaved or any(_bereft(w) for w in _words(wanted_experience))
    if wants_bereaved and any(_bereft(w) for w in _words(supporter.experience)):
        points += WEIGHTS["bereavement"]
        reasons.append("Has been bereaved too, and chose to share it")

    needed = ctx.needed_pool
    if ctx.override_pool and needed is not None and supporter.pool != needed:
        reasons.append(f"{Pool(supporter.pool).label}: offered because the team widened the pool")

    points += WEIGHTS["per_person_supported"] * supporter.caseload
    reasons.append(f"Supporting {supporter.caseload} of {supporter.capacity} people")
    return points, reasons
