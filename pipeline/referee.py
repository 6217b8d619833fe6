"""The LLM as referee for near misses: sentences that open with a structure word ("section",
"part", "title", …) but that the grammar did not take as a cue.

All of a memo's near misses go to the model in one small request, for a verdict each: a cue of
which kind and its name, or prose. A cue takes the kind its structure word names (the model
tells cue from prose; the speaker's word says which kind), and is kept only when its name is a
run of that sentence's own words next to the structure word, or after one of the grammar's
heads, so the model can make a heading of what was said but never write one, nor drop what
the speaker went on to say. Offline, or when the model fails, the grammar's decision stands.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import cache

from voiceblog.cue_forms import alternatives, lead_pattern
from voiceblog.cues import Block, Dictation, Sentence, grammar, tidy_name
from voiceblog.errors import LLMError, LLMOutputError
from voiceblog.languages import Language, language
from voiceblog.llm import LLMClient, json_reply
from voiceblog.templates import Prompt

log = logging.getLogger("voiceblog")

# A cue's structure word comes early ("Okay so, final section, …"): this many words after the
# leads. Later, it is a sentence about a section ("I cut the whole middle section").
OPENING_WORDS = 4
# A verdict is a few words of JSON; a model that loops stops here. The fixed part leaves room
# for a small model that answers as many verdicts as the prompt's example has (Qwen2.5 0.5B).
VERDICT_TOKENS, VERDICT_TOKENS_EACH = 160, 40
MAX_NAME_WORDS = 16  # as long as a heading said on its own may be (cues.LONG_NAME_WORDS)
# Between the structure word and the name: "for today, call it", "for the post I would
# pick". A verdict whose name comes later would drop what the speaker said in between.
MAX_LINK_WORDS = 6
KINDS = ("title", "subsection", "section")  # the language file's parts of structure words

VERDICT_SCHEMA = {
    "type": "object",
    "required": ["verdicts"],
    "properties": {
        "verdicts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["n", "kind"],
                "properties": {
                    "n": {"type": "integer", "minimum": 1},
                    "kind": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                },
            },
        }
    },
}


@dataclass(frozen=True)
class NearMiss:
    """A sentence of speech whose opening holds a structure word."""

    sentence: Sentence
    structure_at: int  # index of the structure word among the sentence's words
    kind: str  # the cue the word names: "section", "subsection" or "title"


@dataclass(frozen=True)
class Verdict:
    kind: str  # "section", "subsection" or "title" (prose is no verdict to apply)
    name: str  # the heading, in the sentence's own words as Whisper wrote them
    rest: str  # what the sentence goes on to say after its cue ("Final section, the costs,
    # which surprised me": "which surprised me"): speech still


# Finding near misses ---------------------------------------------------------------------


@cache
def _opening_patterns(lang: Language) -> tuple[re.Pattern, re.Pattern] | None:
    """(the leads said before a cue, the language's structure words, a group by kind), from
    its file's parts; None for a language without cues."""
    cues = lang.data.get("cues", {})
    parts = cues.get("parts", {})
    # A title's words first: German "Überschrift des Beitrags" is the post's, "Überschrift"
    # alone a subheading.
    groups = [f"(?P<{kind}>{alternatives(parts[kind])})" for kind in KINDS if parts.get(kind)]
    if not groups:
        return None
    leads = re.compile(lead_pattern(cues), re.IGNORECASE)
    structure = re.compile(rf"(?<![\w'-])(?:{'|'.join(groups)})(?![\w'-])", re.IGNORECASE)
    return leads, structure


def structure_word(text: str, lang: Language) -> tuple[int, str] | None:
    """(the index of the word where a structure word starts in the sentence's opening, leads
    not counted; the kind of cue it names), or None."""
    patterns = _opening_patterns(lang)
    if patterns is None:
        return None
    leads, structure = patterns
    lead = leads.match(text.replace("\u2019", "'"))
    skipped = len(text[: lead.end()].split()) if lead else 0
    opening = " ".join(text.split()[skipped : skipped + OPENING_WORDS])
    if not (found := structure.search(opening.replace("\u2019", "'"))):
        return None
    kind = next(kind for kind, word in found.groupdict().items() if word)
    return skipped + len(opening[: found.start()].split()), kind


def near_misses(dictation: Dictation) -> list[NearMiss]:
    """Every sentence of speech that opens with a structure word, in order."""
    lang = language(dictation.language)
    found = []
    for block in dictation.blocks:
        for sentence in block.sentences:
            if (word := structure_word(sentence.text, lang)) is not None:
                found.append(NearMiss(sentence, *word))
    return found


# Asking and checking ---------------------------------------------------------------------


def referee(dictation: Dictation, client: LLMClient, prompt: Prompt, name: str) -> Dictation:
    """The dictation with the model's verdicts on its near misses applied; as it was where
    there are none, the model has stopped answering, or its answer is unusable."""
    misses = near_misses(dictation)
    if not misses or client.health.down is not None:
        return dictation
    try:
        verdicts = ask(misses, client, prompt, language(dictation.language))
    except LLMError as e:  # the grammar's decision stands, as offline
        log.info("%s: no verdict on %d near-miss cues (%s)", name, len(misses), e)
        return dictation
    if verdicts:
        said = "; ".join(f'{v.kind} "{v.name}"' for v in verdicts.values())
        log.info(
            "%s: the LLM took %d of %d near-miss cues: %s", name, len(verdicts), len(misses), said
        )
    return apply_verdicts(dictation, verdicts)


def ask(
    misses: list[NearMiss], client: LLMClient, prompt: Prompt, lang: Language
) -> dict[Sentence, Verdict]:
    """The verdicts that hold, by sentence."""
    raw = model_verdicts(misses, client, prompt)
    checked = {
        n: checked_verdict(kind, name, misses[n - 1], lang) for n, (kind, name) in raw.items()
    }
    return {misses[n - 1].sentence: v for n, v in checked.items() if v is not None}


def model_verdicts(
    misses: list[NearMiss], client: LLMClient, prompt: Prompt
) -> dict[int, tuple[str, str]]:
    """{sentence number: (kind, name)} as the model answered, unchecked; the answer is cached
    only when it parses."""
    numbered = "\n".join(f"[{i}] {m.sentence.text}" for i, m in enumerate(misses, start=1))
    messages = prompt.render(sentences=numbered, count=str(len(misses)))
    budget = VERDICT_TOKENS + VERDICT_TOKENS_EACH * len(misses)
    answer = client.answer(messages, json_mode=True, max_tokens=budget)
    try:
        raw = parse_verdicts(answer.text, len(misses))
    except LLMOutputError:
        answer.forget()
        raise
    answer.keep()
    return raw


def parse_verdicts(reply: str, count: int) -> dict[int, tuple[str, str]]:
    """{sentence number: (kind, name)} from the JSON in the reply; numbers past count and
    kinds not known are dropped, an answer that is no such JSON is an LLMOutputError."""
    answer = json_reply(reply, VERDICT_SCHEMA, "verdict on near-miss cues")
    verdicts = {}
    for item in answer["verdicts"]:
        kind = item["kind"].strip().lower()
        if 1 <= item["n"] <= count and kind in (*KINDS, "prose") and item["n"] not in verdicts:
            verdicts[item["n"]] = (kind, item.get("name") or "")
    return verdicts


def checked_verdict(kind: str, name: str, miss: NearMiss, lang: Language) -> Verdict | None:
    """The verdict when it holds: a cue, of the kind its structure word names whatever kind
    the model said (a sentence that says "section" starts no title; small models mix the
    labels up, not the words), named by a run of the sentence's own words said right before
    its structure word ("the pricing section") or just after it, not too long to be a
    heading; None for prose or a name the speaker did not say so."""
    if kind == "prose":
        return None
    said = miss.sentence.text.split()
    wanted = _bare_words(name)
    if not wanted or len(wanted) > MAX_NAME_WORDS or wanted[0] in _not_a_name_start(lang):
        return None
    bare = [_bare(w) for w in said]
    for start in range(len(said) - len(wanted) + 1):
        end = start + len(wanted)
        if bare[start:end] == wanted and _names_the_cue(start, end, miss, bare, lang):
            rest = " ".join(said[max(end, miss.structure_at + 1) :])
            return Verdict(miss.kind, tidy_name(" ".join(said[start:end])), rest)
    return None


def _names_the_cue(start: int, end: int, miss: NearMiss, bare: list[str], lang: Language) -> bool:
    """Whether words start:end of the near miss can be the cue's name: next to the structure
    word, so that what the cue drops is a few words of link ("for today, call it"), never
    what the speaker went on to say; and not after words that make the structure word part
    of a sentence ("the first section of the trail"), unless what comes before the name is
    one of the grammar's own heads of that kind ("The title of this post is …")."""
    at = miss.structure_at
    if end <= at:  # the name first: "the pricing section"
        return at - end <= 1
    if start <= at:
        return False  # the structure word is no part of its name
    link = bare[at + 1 : start]
    if len(link) <= MAX_LINK_WORDS and not (link and link[0] in _not_a_name_start(lang)):
        return True
    return _ends_with_a_head(miss.sentence.text.split()[:start], miss.kind, lang)


def _ends_with_a_head(words: list[str], kind: str, lang: Language) -> bool:
    """Whether the words end with a whole head of a cue of this kind, as the grammar reads
    heads before a name. A section's or subsection's include the heads of either ("heading"),
    which cues.py tells apart by the memo so far."""
    kinds = {kind} if kind == "title" else {kind, "heading"}
    heads = [pattern for head, pattern in grammar(lang).heads if head.kind in kinds]
    for first in range(len(words)):
        text = " ".join(words[first:]).rstrip(",:;").replace("\u2019", "'")
        if any(head.fullmatch(text) for head in heads):
            return True
    return False


@cache
def _not_a_name_start(lang: Language) -> frozenset[str]:
    """Words no heading starts with, nor the link to one: the grammar's own ("of", "was") and
    the leads ("so")."""
    cues = lang.data.get("cues", {})
    leads = [w for w in cues.get("parts", {}).get("lead", ()) if re.fullmatch(r"[\w' ]+", w)]
    return frozenset(cues.get("prose", {}).get("not_a_name_start", ())) | frozenset(leads)


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word.replace("\u2019", "'")).casefold()


def _bare_words(text: str) -> list[str]:
    return [b for w in str(text).split() if (b := _bare(w))]


# Applying verdicts -----------------------------------------------------------------------


def apply_verdicts(dictation: Dictation, verdicts: dict[Sentence, Verdict]) -> Dictation:
    """The dictation again, each sentence with a verdict turned into the cue it was judged:
    a section starts there (its sentences after it go with it), a title names the post when
    the speaker dictated none."""
    title = dictation.title
    blocks: list[Block] = []
    for block in dictation.blocks:
        blocks.append(Block(block.heading, block.spoken, [], block.level, block.turned))
        for paragraph in block.paragraphs:
            blocks[-1].paragraphs.append([])
            for sentence in paragraph:
                title = _apply(sentence, verdicts.get(sentence), blocks, title)
    for block in blocks:
        block.paragraphs = [p for p in block.paragraphs if p]
    kept = [b for b in blocks if b.spoken or b.paragraphs]
    return replace(dictation, title=title, blocks=kept)


def _apply(sentence: Sentence, verdict: Verdict | None, blocks: list[Block], title: str | None):
    """The sentence into the blocks as speech, or as the cue it was judged; returns the post's
    title after it."""
    if verdict is None or (verdict.kind == "title" and title is not None):
        blocks[-1].paragraphs[-1].append(sentence)
        return title
    if verdict.kind == "title":
        title = verdict.name
    else:
        _start_section(blocks, verdict)
    if verdict.rest.strip(" .,;:!?"):  # the rest of the sentence is speech still
        rest = verdict.rest[:1].upper() + verdict.rest[1:]
        blocks[-1].paragraphs[-1].append(replace(sentence, text=rest))
    return title


def _start_section(blocks: list[Block], verdict: Verdict) -> None:
    """A new block named by the verdict; a bare section cue just before, still waiting for
    its name, takes it instead."""
    current = blocks[-1]
    if current.spoken and current.heading is None and not current.sentences:
        current.heading = verdict.name
        return
    level = 2 if verdict.kind == "subsection" else 1
    if level == 2 and not any(b.spoken for b in blocks):
        level = 1  # a subheading with no section above it heads a section, as when dictated
    blocks.append(Block(verdict.name, True, [[]], level))
