"""The proper names in a text: what the faithfulness check holds a cleanup to.

A name is a capitalised word that is not a sentence's first word and not a stop word or filler
("I", "The" in a title): English and the Romance languages capitalise nothing else
mid-sentence. A language whose nouns are all capitalised (German: nouns_capitalised in its
file) has no such sign of a name, and its names are not checked: a check that took every
reworded noun for a lost name would reject good cleanups.
"""

from __future__ import annotations

import re

from voiceblog.languages import Language

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Before a sentence's first word: quotes, brackets and dashes that open it.
OPENERS = "\"'“”‘’«»„‚([{¿¡—–- \t"
SENTENCE_END = ".!?…:;"


def key(word: str) -> str:
    """A word as names are compared: any case, without a possessive ("Susan's" → susan)."""
    return re.sub(r"'s?$", "", word.lower().replace("’", "'"))


def _parts(word: str) -> list[str]:
    return [key(part) for part in word.split("-") if part]


def _stems(word: str, lang: Language) -> set[str]:
    """The word, and the word without a plural ending: "the Smiths" are the Smith family."""
    endings = lang.items("fidelity", "plural_endings")
    return {word} | {
        word[: -len(e)] for e in endings if len(word) > len(e) + 2 and word.endswith(e)
    }


def vocabulary(text: str, lang: Language) -> set[str]:
    """Every word of the text as names are compared (hyphenated words part by part too), with
    its stem."""
    words = WORD.findall(text)
    keys = {key(w) for w in words} | {p for w in words for p in _parts(w)}
    return {stem for k in keys for stem in _stems(k, lang)}


def _found(name: str, words: set[str], lang: Language) -> bool:
    return all(_stems(part, lang) & words for part in _parts(name))


def starts_sentence(text: str, position: int, lang: Language) -> bool:
    """Whether the word at position opens a sentence (or a line, a quote, a clause after a
    colon): there a capital says nothing about a name."""
    before = text[:position]
    gap = len(before) - len(before.rstrip(OPENERS + "\n"))
    if "\n" in before[len(before) - gap :] or not before.rstrip(OPENERS + "\n"):
        return True
    before = before.rstrip(OPENERS + "\n")
    if before[-1] not in SENTENCE_END:
        return False
    last_word = before.rsplit(None, 1)[-1].lower()  # "Dr. Smith": no sentence ends at "Dr."
    return last_word not in lang.words("sentences", "abbreviations")


def names(text: str, lang: Language) -> list[str]:
    """The capitalised words of the text that are not at a sentence start, each once."""
    if lang.data.get("fidelity", {}).get("nouns_capitalised", True):
        return []  # also for a language without a file: nothing is known of its capitals
    # "Mr", "Dr": a model writes "Mr. Smith" for "mister smith"; no name of the speaker's.
    abbreviations = {a.rstrip(".") for a in lang.words("sentences", "abbreviations")}
    ignored = lang.words("fidelity", "stop_words") | abbreviations
    filler = lang.text("cleanup", "filler")
    found = {}
    for match in WORD.finditer(text):
        word = match.group()
        if not word[0].isupper() or starts_sentence(text, match.start(), lang):
            continue
        if key(word) in ignored or (filler and re.fullmatch(filler, word, re.I)):
            continue
        found.setdefault(key(word), re.sub(r"['’]s?$", "", word))
    return list(found.values())


def name_changes(source: str, output: str, lang: Language) -> tuple[list[str], list[str]]:
    """The names said and not written (in any case), and the names written that the speaker
    never said (in any case: Whisper's "monday" may come back as "Monday")."""
    said, written = vocabulary(source, lang), vocabulary(output, lang)
    lost = [n for n in names(source, lang) if not _found(n, written, lang)]
    added = [n for n in names(output, lang) if not _found(n, said, lang)]
    return lost, added
