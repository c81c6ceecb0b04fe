"""How hard a text is to read: the Flesch–Kincaid grade, worked out here with no download.

Public pages for families are held at grade 6 and the statutory pages at grade 8
(tests/test_readability.py). Syllables are counted by the usual rule of thumb (groups of vowels,
less a silent "e"); it is within a syllable of a dictionary for almost every everyday word,
which is close enough to keep a page plain.
"""

import re
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# A sentence ends at . ! or ? followed by a space, or at a line break (headings, list items,
# labels and table cells are lines of their own).
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n")
VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables in one English word, by rule of thumb; at least one."""
    word = re.sub(r"[^a-z]", "", word.lower())
    if not word:
        return 0
    if len(word) <= 3:
        return 1
    count = len(VOWELS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1  # a silent e: "care", "page"
    elif word.endswith("le") and len(word) > 2 and word[-3] in "aeiouy":
        count -= 1  # "while", "people" keeps its "ple"
    if word.endswith(("ed", "es")) and not word.endswith(("ted", "ded", "ses", "zes", "ces")):
        count -= 1 if len(VOWELS.findall(word[:-2])) >= 1 and word[-3] not in "aeiouy" else 0
    # Two sounds in one vowel group ("via", "period", "usual"), but not "-tion", "-cial", "quality".
    count += len(re.findall(r"(?<![tscgq])i[ao]|(?<![qg])u[ao]", word))
    return max(count, 1)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text) if words(part)]


def grade(text: str) -> float:
    """The Flesch–Kincaid grade level of `text` (0.39 words per sentence + 11.8 syllables per
    word − 15.59). An empty text reads at grade 0."""
    found = words(text)
    if not found:
        return 0.0
    per_sentence = len(found) / max(len(sentences(text)), 1)
    per_word = sum(syllables(word) for word in found) / len(found)
    return round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1)


BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "label", "legend", "td", "th",
    "div", "button", "caption", "br", "ul", "ol", "summary", "title",
}  # fmt: skip
VOID = {"br", "input", "img", "meta", "link", "hr", "source", "wbr"}


class _Text(HTMLParser):
    """The words a reader meets in a page's <main>, each block on a line of its own; nothing
    hidden from everyone (aria-hidden, scripts, styles)."""

    def __init__(self):
        super().__init__()
        self.parts, self.depth, self.hidden, self.in_main = [], 0, 0, False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        self.depth += 1
        attributes = dict(attrs)
        if self.hidden or tag in {"script", "style"} or attributes.get("aria-hidden") == "true":
            self.hidden += 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "main":
            self.in_main = False
        self.depth -= 1
        if self.hidden:
            self.hidden -= 1
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_main and not self.hidden:
            self.parts.append(data)


def text_of_html(html: str) -> str:
    """What a reader reads in the page's main content, for `grade`."""
    parser = _Text()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
