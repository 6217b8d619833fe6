"""The offline title: what the memo is about, in the speaker's own words, when no title was said.

First choice: what an opener introduces ("So, this is a memo about walking to work" → "Walking
to Work"). Otherwise the clause near the start of the memo that carries most of the words the
speaker keeps coming back to. Either is cut at a phrase boundary to at most ten words and set
in title case. A spoken title always wins over this one, and an LLM's title does too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from voiceblog.languages import ENGLISH, Language

MIN_WORDS, MAX_WORDS = 3, 10
OPENING_SENTENCES = 6  # a title comes from how the memo starts, not from its middle
POSITION_PENALTY = 0.5  # the first sentences usually say what a memo is about


@dataclass(frozen=True)
class TitleRules:
    """One language's title rules, from [title] in its file in pipeline/languages/."""

    stop_words: frozenset[str]
    boundary_words: frozenset[str]  # a title is cut before one of these, not after it
    dangling_words: frozenset[str]  # ... and does not end on one of these
    small_words: frozenset[str]  # lower case inside a title-cased title
    plural_endings: tuple[str, ...]
    leading_openers: re.Pattern | None  # "So, okay, …"
    introducers: tuple[re.Pattern, ...]  # "This is a memo about X"
    subject_lead: re.Pattern | None  # "I have been baking bread" → "baking bread"
    clause_split: re.Pattern
    title_case: bool
    untitled: str
    notes_on: str
    and_word: str


@cache
def rules(lang: Language = ENGLISH) -> TitleRules:
    def pattern(key: str, template: str = "{}") -> re.Pattern | None:
        text = lang.text("title", key)
        return re.compile(template.format(text), re.IGNORECASE) if text else None

    topic = rf"\s+(?:{lang.text('title', 'topic_word') or '(?!)'})\s+(?P<topic>[^.!?;:,]+)"
    conjunctions = lang.text("title", "clause_conjunctions")
    split = r"[,;:.!?]+\s*" + (rf"|\s+(?=(?:{conjunctions})\s)" if conjunctions else "")
    boundary = lang.words("title", "boundary_words")
    return TitleRules(
        stop_words=lang.words("title", "stop_words"),
        boundary_words=boundary,
        dangling_words=boundary | lang.words("title", "dangling_words"),
        small_words=lang.words("title", "small_words"),
        plural_endings=lang.items("title", "plural_endings"),
        leading_openers=pattern("openers", r"^(?:(?:{})\b[,.]?\s*)+"),
        introducers=tuple(
            # An introducer that names its own topic group needs no topic word after it.
            re.compile(p if "(?P<topic>" in p else p + topic, re.IGNORECASE)
            for p in lang.items("title", "introducers")
        ),
        subject_lead=pattern("subject_lead", "^{}"),
        clause_split=re.compile(split, re.IGNORECASE),
        title_case=bool(lang.data.get("title", {}).get("title_case", False)),
        untitled=lang.text("title", "untitled", "Untitled"),
        notes_on=lang.text("title", "notes_on"),
        and_word=lang.text("title", "and", "&"),
    )


def offline_title(
    paragraphs: list[str], lang: Language = ENGLISH, first_section: int | None = None
) -> str:
    """A 3–10 word title for a memo given as its cleaned paragraphs, in the memo's language
    (title case where the language uses it). first_section: how many of the paragraphs the
    opening section holds; the title comes from it, not from the next section's opener ("Next,
    I want to talk about the budget" names that section)."""
    r = rules(lang)
    opening = _sentences(paragraphs[:first_section])[:OPENING_SENTENCES]
    text = _unsplit(" ".join(paragraphs))
    counts = _content_counts(text, r)
    for phrase in (_introduced_topic(opening, r), _best_clause(opening, counts, r)):
        if phrase and (title := _fit(phrase, counts, r)):
            return _cased(title, r)
    return _from_keywords(text, counts, r)


def _unsplit(text: str) -> str:
    return re.sub(r"(\w) -(\w)", r"\1-\2", text)  # Whisper's "pre -training"


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", _unsplit(" ".join(paragraphs))) if s.strip()]


def _cased(title: str, r: TitleRules) -> str:
    if r.title_case:
        return title_case(title, r)
    title = title.strip(" .,;:!?\"'")
    return title[:1].upper() + title[1:]


def _introduced_topic(sentences: list[str], r: TitleRules) -> str | None:
    for sentence in sentences:
        for introducer in r.introducers:
            if m := introducer.search(sentence):
                return m.group("topic")
    return None


def _best_clause(sentences: list[str], counts: Counter, r: TitleRules) -> str | None:
    """The clause whose content words recur most in the memo, earlier ones preferred."""
    best, best_score = None, 0.0
    for index, sentence in enumerate(sentences):
        for clause in r.clause_split.split(sentence):
            clause = _strip_leads(clause, r)
            words = {_stem(w, r) for w in clause.split()} - {""}
            score = sum(counts[w] for w in words) / (1 + POSITION_PENALTY * index)
            if score > best_score and len(clause.split()) >= MIN_WORDS:
                best, best_score = clause, score
    return best


def _strip_leads(clause: str, r: TitleRules) -> str:
    clause = clause.strip()
    if r.leading_openers:
        clause = r.leading_openers.sub("", clause)
    if r.subject_lead:
        clause = r.subject_lead.sub("", clause)
    return clause.strip()


def _fit(phrase: str, counts: Counter, r: TitleRules) -> str | None:
    """The phrase cut to at most MAX_WORDS at a boundary, without a dangling small word."""
    words = _strip_leads(phrase, r).split()
    cut = cut_at_boundary(words, MIN_WORDS, MAX_WORDS, r)
    words = cut if cut is not None else without_dangling(words[:MAX_WORDS], r)
    if not any(_stem(w, r) in counts for w in words):
        return None  # nothing but fillers and function words
    if len(words) < MIN_WORDS:
        return f"{r.notes_on} {' '.join(words)}".strip() if words else None
    return " ".join(words)


def cut_at_boundary(
    words: list[str], shortest: int, longest: int, r: TitleRules
) -> list[str] | None:
    """The words, if longer than longest, cut before the last boundary word that leaves
    shortest to longest of them ("the budget for next year, because …"), with no dangling small
    word at the end; None when a long phrase has no boundary word to cut at."""
    if len(words) > longest:
        cuts = [k for k in range(shortest, longest + 1) if _bare(words[k]) in r.boundary_words]
        if not cuts:
            return None
        words = words[: cuts[-1]]
    return without_dangling(words, r)


def without_dangling(words: list[str], r: TitleRules) -> list[str]:
    words = list(words)
    while words and _bare(words[-1]) in r.dangling_words:
        words.pop()
    return words


def _from_keywords(text: str, counts: Counter, r: TitleRules) -> str:
    """The memo's most frequent content words as said, for a memo with no usable clause."""
    said = {}
    for word in text.split():
        said.setdefault(_stem(word, r), _bare(word))
    top = [said[w] for w, _ in counts.most_common(2)]
    if not top:
        return r.untitled
    return _cased(f"{r.notes_on} {f' {r.and_word} '.join(top)}".strip(), r)


def title_case(text: str, r: TitleRules | None = None) -> str:
    """Capitalise the words of a title, except small words inside it; keep "iPhone", "NASA"."""
    small = (r or rules()).small_words
    words = text.strip(" .,;:!?\"'").split()
    out = []
    for i, word in enumerate(words):
        if 0 < i < len(words) - 1 and word.lower() in small:
            out.append(word.lower())
        elif any(c.isupper() for c in word[1:]):
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _content_counts(text: str, r: TitleRules) -> Counter:
    return Counter(s for s in (_stem(w, r) for w in text.split()) if s)


def _stem(word: str, r: TitleRules) -> str:
    """A content word folded for counting ("Prices" and "price" alike), "" for a stopword."""
    word = _bare(word)
    if word in r.stop_words or len(word) < 3 or word.isdigit():
        return ""
    for suffix in r.plural_endings:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word).lower()
