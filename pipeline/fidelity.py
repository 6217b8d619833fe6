"""Faithfulness: does the cleaned text say what the speaker said, and nothing else?

Both sides are reduced to content words (no stop words or fillers, plurals and number words
folded), then compared: "kept" is the share of the speaker's content words the draft still has,
"invented" the draft's content words the speaker never said. A chunk that keeps too little,
invents too much, or answers the memo instead of editing it is replaced by the rules' cleanup.
So is one that changes a single number or name the speaker said ("58" → "85", "Susan" →
"Suzanne"): shares cannot see one wrong word, and it is the word that matters most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from voiceblog.languages import ENGLISH, Language
from voiceblog.names import name_changes
from voiceblog.numbers import number_changes

UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen \
fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()

# How an LLM sounds when it answers or comments on a memo instead of editing it.
ANSWERING = re.compile(
    r"^\W*(sure|certainly|of course|absolutely|great question|here(?:'s| is| are)\b"
    r"|i(?:'m| am) (?:sorry|happy|glad|an ai)|as an ai|i can(?:'t|not)? help"
    r"|this (?:memo|transcript|text|recording|passage)"
    r" (?:is|seems|appears|talks|discusses|describes))"
    r"|\bthe speaker (?:says|said|mentions|talks|discusses|describes|is)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Limits:
    min_kept: float  # below this share of the speaker's content words kept, reject
    max_invented: float  # above this share of the output's content words new, reject


LIMITS = {"light": Limits(min_kept=0.8, max_invented=0.1), "polished": Limits(0.65, 0.2)}


def limits_for(style: str) -> Limits:
    """A style of the user's own is held to the light style's limits."""
    return LIMITS.get(style, LIMITS["light"])


PASSAGE_WORDS = 6  # this many words in a row make a passage: said once, written once


@dataclass(frozen=True)
class Comparison:
    kept: float  # share of the source's content words still there
    dropped: tuple[str, ...]  # content words of the source the output lost
    invented: tuple[str, ...]  # content words of the output the source does not have
    invented_share: float
    answering: bool  # the output reads as a reply to the memo, not an edit of it
    repeated: tuple[str, ...] = ()  # passages written more often than they were said
    borrowed: tuple[str, ...] = ()  # passages of the context or the prompt, not of the source
    changed: tuple[str, ...] = ()  # numbers and names said and not written, or the reverse

    def problem(self, limits: Limits) -> str | None:
        """Why the output cannot stand for the speaker's words, or None when it can."""
        if self.answering:
            return "it answers or comments on the memo instead of cleaning it"
        if self.borrowed:
            return f'it copies text that is not this part of the memo ("{self.borrowed[0]}")'
        if self.repeated:
            return f'it writes a passage twice that was said once ("{self.repeated[0]}")'
        if self.changed:
            return f"it changes what the speaker said: {'; '.join(self.changed)}"
        # Counts as well as shares: on a short chunk one respelled word is not a loss.
        if self.kept < limits.min_kept and len(self.dropped) > 2:
            return f"it keeps only {self.kept:.0%} of what the speaker said"
        if self.invented_share > limits.max_invented and len(self.invented) > 2:
            return f"it adds words the speaker never said ({', '.join(self.invented[:5])})"
        return None


def number_word(n: int) -> str:
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + ("" if unit == 0 else f"-{UNITS[unit]}")


# A word in any alphabet ("größer", "café", "año"), with inner apostrophes and hyphens.
WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def _fold(word: str, lang: Language) -> str:
    """One form per word: 40 → forty, plans → plan, speaker's → speaker (English)."""
    if word.isdigit() and int(word) < 100 and lang is ENGLISH:
        word = number_word(int(word))
    word = re.sub(r"'s$", "", word)
    for ending in lang.items("fidelity", "plural_endings"):
        if len(word) > len(ending) + 2 and word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)]
    return word


def content_words(text: str, lang: Language = ENGLISH) -> list[str]:
    """The words that carry content, in one form each: the language's stop words left out."""
    stop = lang.words("fidelity", "stop_words")
    words = WORD.findall(text.lower().replace("’", "'"))
    parts = [part for word in words for part in word.split("-")]
    return [f for w in parts if w not in stop and (f := _fold(w, lang)) not in stop]


def compare(
    source: str, output: str, context: str = "", prompt: str = "", lang: Language = ENGLISH
) -> Comparison:
    """How faithful output is to source. Words from the read-only context do not count as new,
    but a passage of it (or of the prompt) copied into the output does."""
    said, written = content_words(source, lang), content_words(output, lang)
    known = set(said) | set(content_words(context, lang))
    dropped = tuple(dict.fromkeys(w for w in said if w not in set(written)))
    kept = 1 - len(dropped) / max(1, len(set(said)))
    invented = tuple(dict.fromkeys(w for w in written if w not in known))
    share = sum(1 for w in written if w not in known) / max(1, len(written))
    answering = bool(ANSWERING.search(output))
    return Comparison(
        round(kept, 3),
        dropped,
        invented,
        round(share, 3),
        answering,
        repeated_passages(source, output),
        borrowed_passages(source, output, f"{context}\n{prompt}"),
        changed_facts(source, output, lang),
    )


def changed_facts(source: str, output: str, lang: Language = ENGLISH) -> tuple[str, ...]:
    """What the output says differently of the numbers and names the speaker said: "58 -> 85",
    '"Susan" became "Suzanne"', "drops the number 58", "adds the name Suzanne". A number or name
    lost beside one added is taken for one changed into the other. Numbers from the read-only
    context count as new here: a cleanup writes this chunk's numbers, not its neighbours'."""
    lost, added = number_changes(source, output, lang)
    changes = _paired(lost, added, "{} -> {}", "the number {}")
    lost, added = name_changes(source, output, lang)
    return changes + _paired(lost, added, '"{}" became "{}"', "the name {}")


def _paired(lost: list[str], added: list[str], changed: str, what: str) -> tuple[str, ...]:
    pairs = [changed.format(a, b) for a, b in zip(lost, added, strict=False)]
    dropped = [f"drops {what.format(x)}" for x in lost[len(added) :]]
    new = [f"adds {what.format(x)}" for x in added[len(lost) :]]
    return tuple(pairs + dropped + new)


def _passages(text: str) -> Counter:
    """Every run of PASSAGE_WORDS words, as plain lower-case words, with how often it occurs."""
    words = re.findall(r"[^\W_][\w']*", text.lower().replace("’", "'"))
    n = PASSAGE_WORDS
    return Counter(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def repeated_passages(source: str, output: str) -> tuple[str, ...]:
    """Passages the output has more often than the source: a model that writes a sentence twice,
    or loops."""
    said = _passages(source)
    return tuple(p for p, count in _passages(output).items() if count > max(1, said[p]))


def borrowed_passages(source: str, output: str, elsewhere: str) -> tuple[str, ...]:
    """Passages of the output found elsewhere (the neighbouring chunks, the prompt) and not in
    the source: text a model copied from what it was only shown."""
    said, other = _passages(source), _passages(elsewhere)
    return tuple(p for p in _passages(output) if p in other and p not in said)


def build_report(results: list, draft, usage, limits: Limits) -> dict:
    """What the LLM did to each chunk and paragraph, for <draft>.report.json.

    results are clean.ChunkResult; draft is a section.Draft; usage is an llm.Usage.
    """
    headings = {id(p): s.heading for s in draft.sections for p in s.paragraphs}
    said = " ".join(r.chunk.text for r in results)
    written = " ".join(p.text for r in results for p in r.paragraphs)
    lang = results[0].chunk.lang if results else ENGLISH
    overall = compare(said, written, lang=lang)
    return {
        "limits": {"min_kept": limits.min_kept, "max_invented": limits.max_invented},
        "kept": overall.kept,
        "invented": list(overall.invented),
        "chunks_by_rules": sum(r.by == "rules" for r in results),
        "usage": usage.as_dict(),
        "chunks": [_chunk_entry(r) for r in results],
        "paragraphs": [
            _paragraph_entry(p, r, headings.get(id(p))) for r in results for p in r.paragraphs
        ],
    }


def summary_line(report: dict, usage) -> str:
    rules = report["chunks_by_rules"]
    chunks = len(report["chunks"])
    fallback = f"{rules} of {chunks} chunks cleaned by the rules" if rules else f"{chunks} chunks"
    return (
        f"fidelity {report['kept']:.0%} of the speaker's content words kept, "
        f"{len(report['invented'])} new; {fallback}; {usage.summary()}"
    )


def _chunk_entry(result) -> dict:
    start, end = result.chunk.span
    comparison = result.comparison
    return {
        "number": result.chunk.number,
        "start": start,
        "end": end,
        "by": result.by,
        "problem": result.problem,
        "kept": comparison.kept if comparison else None,
        "invented": list(comparison.invented) if comparison else [],
        "changed": list(comparison.changed) if comparison else [],
    }


def _paragraph_entry(paragraph, result, heading: str | None) -> dict:
    spoken = [s.text for s in result.chunk.sentences if paragraph.start <= s.start < paragraph.end]
    said = " ".join(spoken) or result.chunk.text
    check = compare(said, paragraph.text, result.chunk.text, lang=result.chunk.lang)
    return {
        "section": heading,
        "start": paragraph.start,
        "end": paragraph.end,
        "by": result.by,
        "kept": check.kept,
        "invented": list(check.invented),
        "flagged": result.problem,
        "text": paragraph.text[:80],
    }
