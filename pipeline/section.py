"""Sectioning: a titled Draft of sections. Spoken headings are fixed; others are inferred.

The LLM only chooses where sections begin and what unnamed ones are called, by paragraph
number; it never rewrites a paragraph here, so sectioning cannot add or drop the speaker's words.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from voiceblog import topics
from voiceblog.clean import Paragraph
from voiceblog.cue_forms import alternatives
from voiceblog.errors import LLMOutputError
from voiceblog.fidelity import content_words
from voiceblog.languages import ENGLISH, Language
from voiceblog.llm import LLMClient, json_reply
from voiceblog.templates import Prompt
from voiceblog.title import offline_title

log = logging.getLogger("voiceblog")

# What a model may put in one line of the draft: plain text, this long at most.
HEADING_CHARS, TITLE_CHARS, SUMMARY_CHARS, TAG_CHARS = 80, 120, 300, 40
MAX_TAGS = 8
# The sectioning answer is short JSON: a title, summary and tags, and at most a heading a
# paragraph. A model that loops stops here.
SECTIONING_TOKENS, SECTIONING_TOKENS_PER_PARAGRAPH = 400, 40
PREVIEW_WORDS = 25  # the sectioning prompt sees each paragraph's opening: enough for a topic
# A title, heading, summary or tag of the model's must be made of the speaker's own words: one
# whose content words are mostly not in the draft is invented or in another language (a 0.5B
# model titled a German memo "Dieter's Weekly Routine" and summed it up as energy use).
# Short lines (title, heading, tag) may have one word in three of the model's own; a summary,
# a sentence with words to join things up, one in two.
MIN_GROUNDED = {"summary": 1 / 2, "title": 2 / 3, "heading": 2 / 3, "tag": 2 / 3}
STEM_CHARS = 4  # "laufe" and "laufen", "walk" and "walking": the same word at this prefix

SECTIONING_SCHEMA = {
    "type": "object",
    "required": ["title", "sections"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "summary": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["heading", "start"],
                "properties": {
                    "heading": {"type": "string", "minLength": 1},
                    "start": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
}


@dataclass
class Section:
    heading: str | None  # None only for a draft with a single, untitled section
    paragraphs: list[Paragraph]
    spoken: bool = False  # the speaker dictated this heading; nothing may rename it
    level: int = 1  # 1: a section (## / Heading 1); 2: a subsection under it (### / Heading 2)
    proposed: bool = False  # voiceblog found this section where the topic turns and named it


@dataclass
class Draft:
    title: str
    sections: list[Section]
    summary: str = ""
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # every note to the editor, in order

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]


@dataclass
class CleanBlock:
    """A dictated block after cleanup: the heading as spoken, the paragraphs as cleaned."""

    heading: str | None
    spoken: bool
    paragraphs: list[Paragraph]
    level: int = 1
    proposed: bool = False  # a section found where the topic turns, not dictated


def draft_by_rules(
    blocks: list[CleanBlock], spoken_title: str | None, lang: Language = ENGLISH
) -> Draft:
    """Sections exactly as dictated; an unnamed opening becomes the introduction."""
    sections = [
        Section(b.heading, b.paragraphs, b.spoken and bool(b.heading), b.level, b.proposed)
        for b in blocks
    ]
    title = spoken_title or title_from_opening(blocks, lang)
    return Draft(title=title, sections=name_untitled(name_proposed(sections, title, lang), lang))


def name_proposed(sections: list[Section], title: str, lang: Language = ENGLISH) -> list[Section]:
    """Headings for the sections found where the topic turns: a key phrase of each, unlike
    the title and the other headings."""
    for section in sections:  # "Now let's talk about money.": the speaker named its topic
        if section.proposed and not section.heading and section.paragraphs:
            heading = topics.announced_heading(section.paragraphs[0].text, lang)
            if heading and not topics.repeats(heading, title, lang):
                section.heading = heading
    unnamed = [s for s in sections if s.proposed and not s.heading]
    named = [title, *(s.heading for s in sections if s.heading)]
    texts = [" ".join(p.text for p in s.paragraphs) for s in unnamed]
    for section, heading in zip(unnamed, topics.headings(texts, named, lang), strict=True):
        section.heading = heading or None
    return sections


def name_untitled(sections: list[Section], lang: Language = ENGLISH) -> list[Section]:
    """Give every section a heading once there are several: "Introduction", then "Part N"
    (in the memo's language)."""
    opening = lang.text("title", "introduction", "Introduction")
    part = lang.text("title", "part", "Part")
    if len(sections) > 1:
        for number, section in enumerate(sections, start=1):
            if section.heading is None:
                section.heading = opening if number == 1 else f"{part} {number}"
    return sections


def title_from_opening(blocks: list[CleanBlock], lang: Language = ENGLISH) -> str:
    """A working title from what the speaker said, when they dictated none."""
    first = len(blocks[0].paragraphs) if len(blocks) > 1 and blocks[1].proposed else None
    return offline_title([p.text for b in blocks for p in b.paragraphs], lang, first)


@dataclass
class Sectioning:
    """The model's answer on where sections start and what they are called. Its paragraph
    numbers are those of the blocks it was shown: the rules' cleanup, so that it can be asked
    while the LLM is still cleaning (a local model decodes it in the same batch as the chunks)."""

    answer: dict
    shown: list[CleanBlock]
    candidates: list[int]  # the offline method's breaks, numbered as shown
    instructions: str  # the prompt's heading key, to tell a copied example from a heading

    def renumbered(self, proposed: list[dict], blocks: list[CleanBlock]) -> list[dict]:
        """The proposed starts moved from the paragraphs shown onto the draft's own: in the
        same block, the paragraph that starts nearest in time."""
        starts = [_start_number(s["start"], self.shown, blocks) for s in proposed]
        kept: dict[int, dict] = {}  # two starts on one paragraph: the one with a heading
        for section, number in zip(proposed, starts, strict=True):
            if not kept.get(number, {}).get("heading"):
                kept[number] = {**section, "start": number}
        return [kept[n] for n in sorted(kept)]


def _start_number(start: int, shown: list[CleanBlock], blocks: list[CleanBlock]) -> int:
    """Paragraph number start (1-based) of the shown blocks as a number in the draft's blocks."""
    first_shown, first = 1, 1
    for before, after in zip(shown, blocks, strict=True):
        if start < first_shown + len(before.paragraphs):
            if not after.paragraphs:
                return first
            at = before.paragraphs[start - first_shown].start
            nearest = min(
                range(len(after.paragraphs)), key=lambda j: abs(after.paragraphs[j].start - at)
            )
            return first + nearest
        first_shown += len(before.paragraphs)
        first += len(after.paragraphs)
    return first


def ask_sectioning(
    blocks: list[CleanBlock],
    client: LLMClient,
    prompt: Prompt,
    lang: Language = ENGLISH,
    pauses: topics.Pauses = None,
) -> Sectioning:
    """The model asked where sections start among these blocks' paragraphs and what the post,
    its sections and its summary are called (the offline breaks, found with the speaker's
    pauses, shown as likely)."""
    count = sum(len(b.paragraphs) for b in blocks)
    candidates = offline_breaks(blocks, lang, pauses)
    preview = _numbered_preview(blocks, set(candidates))
    messages = prompt.render(paragraphs=preview, count=str(count))
    answer = _sectioning_answer(client, messages, count)
    return Sectioning(answer, blocks, candidates, _heading_key(messages[0]["content"]))


def draft_by_llm(
    blocks: list[CleanBlock],
    spoken_title: str | None,
    sectioning: Sectioning,
    lang: Language = ENGLISH,
) -> Draft:
    """Title, summary, tags and inferred headings from the LLM around the fixed spoken ones."""
    answer, instructions = sectioning.answer, sectioning.instructions
    said = _said_words(blocks, lang)
    left_out: list[str] = []

    def line(text: str, limit: int, what: str) -> str:
        """The model's text as one plain line; "" where it only copied the prompt's example
        ("a short heading", as SmolLM2 answers) or is not in the speaker's words."""
        text = plain_line(without_label(text, lang), limit)
        if _heading_key(text) and _heading_key(text) in instructions:
            return ""
        if text and not grounded(text, said, lang, MIN_GROUNDED[what]):
            left_out.append(f'{what} "{text}"')
            return ""
        return text

    sections, first = [], 1
    proposed = [
        {**s, "heading": line(s["heading"], HEADING_CHARS, "heading")} for s in answer["sections"]
    ]
    proposed = with_candidates(proposed, sectioning.candidates, block_firsts(sectioning.shown))
    proposed = sectioning.renumbered(proposed, blocks)
    for block in blocks:
        sections += _split_block(block, first, proposed)
        first += len(block.paragraphs)
    tags = [line(t, TAG_CHARS, "tag").lower() for t in answer.get("tags", [])]
    title = spoken_title or line(answer["title"], TITLE_CHARS, "title")
    summary = line(answer.get("summary", ""), SUMMARY_CHARS, "summary")
    sections = without_repeated_headings(sections)
    title, summary, unsupported = supported_lines(
        sections, title, summary, bool(spoken_title), lang
    )
    _warn_left_out(left_out, unsupported)
    return Draft(
        title=title or title_from_opening(blocks, lang),
        sections=name_untitled(name_proposed(sections, title, lang), lang),
        summary=summary,
        tags=list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS],
    )


def offline_breaks(
    blocks: list[CleanBlock], lang: Language, pauses: topics.Pauses = None
) -> list[int]:
    """Paragraph numbers (1-based) where the offline method would start a section, in the
    blocks the speaker did not name: the candidates the model chooses among."""
    found, first = [], 1
    for block in blocks:
        if not block.spoken and not block.heading:
            breaks = topics.paragraph_breaks(block.paragraphs, lang, pauses)
            found += [first + b for b in breaks]
        first += len(block.paragraphs)
    return found


def with_candidates(answer: list[dict], candidates: list[int], firsts: list[int]) -> list[dict]:
    """The offline breaks, each named by the model's heading for a section it starts there or
    one paragraph away, and the model's heading for each block's first paragraph (firsts).
    A start of the model's anywhere else is left out: a program's choice beats a small model's.
    On benchmarks/structure.py the boundaries the offline method ranks next after its own
    breaks are near an author's 9% of the time, and Qwen 0.5B, free to add, added 3-4 breaks a
    memo, nearly all far from any of the author's (F1 0.50 against 0.67-0.75 offline)."""
    allowed = sorted({*candidates, *firsts})
    starts = {c: {"start": c, "heading": ""} for c in candidates}
    ignored = []
    for section in answer:
        near = [c for c in allowed if abs(c - section["start"]) <= 1]
        if not near:
            ignored.append(str(section["start"]))
            continue
        at = min(near, key=lambda c: abs(c - section["start"]))
        if not starts.get(at, {}).get("heading"):
            starts[at] = {**section, "start": at}
    if ignored:
        log.info(
            "the LLM's sections at paragraphs %s start where the topic does not turn; left out",
            ", ".join(ignored),
        )
    return sorted(starts.values(), key=lambda s: s["start"])


def block_firsts(blocks: list[CleanBlock]) -> list[int]:
    """The number (1-based) of each block's first paragraph."""
    firsts, number = [], 1
    for block in blocks:
        firsts.append(number)
        number += len(block.paragraphs)
    return firsts


def supported_lines(
    sections: list[Section], title: str, summary: str, spoken_title: bool, lang: Language
) -> tuple[str, str, list[str]]:
    """The model's headings, title and summary that say what their section (or the memo)
    says; each that does not is replaced by the offline one (a heading) or left out. Returns
    the title and summary kept, and what was not."""
    texts = [" ".join(p.text for p in s.paragraphs) for s in sections]
    memo, failed = " ".join(texts), []
    for section in sections:
        if section.heading and not section.spoken and is_sentence(section.heading, "heading"):
            failed.append(f'heading "{section.heading}" (a sentence, not a heading)')
            section.heading, section.proposed = None, True
    if title and not spoken_title and is_sentence(title, "title"):
        failed.append(f'title "{title}" (a sentence, not a title)')
        title = ""
    for section, text in zip(sections, texts, strict=True):
        if (
            section.heading
            and not section.spoken
            and not topics.supported(section.heading, text, memo, lang)
        ):
            failed.append(f'heading "{section.heading}"')
            section.heading, section.proposed = None, True
    if title and not spoken_title:
        for section in sections:  # a heading of the model's that only repeats the title
            if section.heading and not section.spoken and topics.repeats(section.heading, title):
                failed.append(f'heading "{section.heading}" (the title again)')
                section.heading, section.proposed = None, True
    spoken = [s.heading for s in sections if s.heading and s.spoken]
    if title and not spoken_title and not topics.title_supported(title, spoken, memo, lang):
        failed.append(f'title "{title}"')
        title = ""
    if summary and not topics.summary_supported(summary, memo, lang):
        failed.append(f'summary "{summary}"')
        summary = ""
    return title, summary, failed


# Longer than this, a line of the model's is a passage it copied, not a heading or title (Qwen
# 0.5B headed a section "Whether to move forward with PEP 703 as well as ultimately making it
# the default"); the offline headings are at most 7 words.
LINE_WORDS = {"heading": 10, "title": 14}


def is_sentence(line: str, what: str) -> bool:
    """Whether a heading or title of the model's is a sentence copied from the text rather than
    a name for it: a sentence ends inside it ("Internal documentation. We have …"), or it runs
    longer than LINE_WORDS."""
    return bool(re.search(r"\w{3}[.!?]\s+[A-Z]", line)) or len(line.split()) > LINE_WORDS[what]


def _warn_left_out(invented: list[str], unsupported: list[str]) -> None:
    """One warning for every line of the model's that was not kept: words the speaker did not
    say, or a line its own text does not support."""
    if not invented and not unsupported:
        return
    reasons = []
    if invented:
        reasons.append(
            "what the speaker did not say (invented, or in another language): "
            + "; ".join(invented)
        )
    if unsupported:
        reasons.append("what the text it names does not say: " + "; ".join(unsupported))
    log.warning("the LLM wrote %s; left out, voiceblog's own used instead", " and ".join(reasons))


def _said_words(blocks: list[CleanBlock], lang: Language) -> frozenset[str]:
    """The content words of the draft: its paragraphs and the speaker's headings."""
    text = "\n".join(
        [b.heading or "" for b in blocks] + [p.text for b in blocks for p in b.paragraphs]
    )
    return frozenset(content_words(text, lang))


def grounded(
    text: str, said: frozenset[str], lang: Language = ENGLISH, share: float = 2 / 3
) -> bool:
    """Whether at least this share of text's content words are the speaker's (words about the
    text itself, "post", "describes", do not count)."""
    words = set(content_words(text, lang)) - _words_about_the_text(lang)
    found = [w for w in words if w in said or any(_same_stem(w, s) for s in said)]
    return not words or len(found) >= share * len(words) - 1e-9


@cache
def _words_about_the_text(lang: Language) -> frozenset[str]:
    """The language's words about the text itself, folded as content words are."""
    return frozenset(content_words(" ".join(lang.items("fidelity", "words_about_the_text")), lang))


def _same_stem(a: str, b: str) -> bool:
    """One inflection of the other: they share all but the last two letters of the shorter,
    and at least STEM_CHARS ("laufe"/"laufen", "walk"/"walking"; not "energy"/"enough")."""
    shared = len(os.path.commonprefix([a, b]))
    return shared >= max(STEM_CHARS, min(len(a), len(b)) - 2)


MARKUP = [
    (re.compile(r"<[^>]*>"), " "),  # HTML tags: <script>, <br>, <before>
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # Markdown links and images: their text
    (re.compile(r"[`*_~#>|\\]+"), " "),  # emphasis, code, heading marks, quotes, tables
    (re.compile(r"^[\s\-+=.:]+|[\s\-=:]+$"), ""),  # list markers, rules ("---") at the ends
]


def without_label(text: str, lang: Language = ENGLISH) -> str:
    """A model's line without the label it may put first ("Title: …", "**Heading** …",
    "Section 3 - …"), in the memo's language or in English, as models often answer."""
    match = _label(lang).match(str(text))
    rest = str(text)[match.end() :] if match else ""
    return rest if rest.strip() else str(text)


@cache
def _label(lang: Language) -> re.Pattern:
    languages = {lang, ENGLISH}
    words = "|".join(x.text("title", "label") for x in languages if x.text("title", "label"))
    numbers = "|".join(
        alternatives(x.data.get("cues", {}).get("parts", {}).get("number", [r"\d+"]))
        for x in languages
    )
    # The label ends at a colon, a dash after a space, or where its emphasis closes.
    return re.compile(
        rf"^[\s*_#>\"'“]*(?:{words})(?:\s+(?:{numbers}|[ivxlc]+)\b)?"
        rf"\s*(?:[*_]{{1,2}}\s*[:：.\-–—]?|[:：]|\s[-–—])\s*",
        re.IGNORECASE,
    )


def plain_line(text: str, limit: int) -> str:
    """One line of plain text from whatever a model wrote: no markup, no control characters,
    at most limit characters, cut at a word."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in str(text))
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return text.strip(" ,;:-")


def _heading_key(heading: str | None) -> str:
    return re.sub(r"\W+", " ", (heading or "").casefold()).strip()


def without_repeated_headings(sections: list[Section]) -> list[Section]:
    """A model's heading that repeats one already in the draft (the speaker's above all) goes;
    its paragraphs join the section before it."""
    spoken = {_heading_key(s.heading) for s in sections if s.spoken}
    kept: list[Section] = []
    seen: set[str] = set()
    for section in sections:
        key = _heading_key(section.heading)
        if not section.spoken and key and (key in seen or key in spoken):
            if kept:
                kept[-1].paragraphs = kept[-1].paragraphs + section.paragraphs
                continue
            section.heading = None
        seen.add(key)
        kept.append(section)
    return kept


def _sectioning_answer(client: LLMClient, messages: list[dict], count: int) -> dict:
    """The model's sectioning, with one chance to repair an answer that does not parse."""
    budget = SECTIONING_TOKENS + SECTIONING_TOKENS_PER_PARAGRAPH * count
    answer = client.answer(messages, json_mode=True, max_tokens=budget)
    try:
        return _kept(answer, count)
    except LLMOutputError as e:
        log.info("the sectioning answer was unusable (%s); asking once more", e)
        repair = f"That answer could not be used: {e}. Reply with the JSON object only."
        retry = [
            *messages,
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": repair},
        ]
        return _kept(client.answer(retry, json_mode=True, max_tokens=budget), count)


def _kept(answer, count: int) -> dict:
    """The parsed answer, cached only when it parses (else asked again on the next run)."""
    try:
        parsed = parse_sectioning(answer.text, count)
    except LLMOutputError:
        answer.forget()
        raise
    answer.keep()
    return parsed


def _split_block(block: CleanBlock, first: int, proposed: list[dict]) -> list[Section]:
    """The block as one section, or, when the speaker named none, cut where the model says."""
    if block.heading:  # the speaker named it: no heading of the model's goes inside
        return [Section(block.heading, block.paragraphs, spoken=True, level=block.level)]
    last = first + len(block.paragraphs) - 1
    cuts = {s["start"]: s["heading"] or None for s in proposed if first <= s["start"] <= last}
    bounds = sorted({first, *cuts}) + [last + 1]
    # cut where the topic turns (or the speaker turned it); a block left whole is as dictated
    found = len(bounds) > 2 or block.proposed
    return [
        Section(cuts.get(start), block.paragraphs[start - first : end - first], proposed=found)
        for start, end in zip(bounds, bounds[1:], strict=False)
    ]


def _numbered_preview(blocks: list[CleanBlock], candidates: set[int] = frozenset()) -> str:
    lines, number = [], 0
    for block in blocks:
        if block.spoken:
            kind = "SPEAKER SUBSECTION" if block.level == 2 else "SPEAKER SECTION"
            lines.append(f"{kind}: {block.heading or '(unnamed)'}")
        for paragraph in block.paragraphs:
            number += 1
            if number in candidates:
                lines.append("LIKELY TOPIC CHANGE")
            words = paragraph.text.split()
            more = " …" if len(words) > PREVIEW_WORDS else ""
            lines.append(f"[{number}] {' '.join(words[:PREVIEW_WORDS])}{more}")
    return "\n".join(lines)


def parse_sectioning(reply: str, paragraph_count: int) -> dict:
    """The JSON object in the reply, checked against the schema and the paragraph count.

    Sections said to start past the last paragraph are left out (a small model counts on
    past the end now and then; asking again costs a second whole answer, 2-3 minutes in
    process); an answer with nothing else in it is unusable."""
    answer = json_reply(reply, SECTIONING_SCHEMA, "sectioning answer")
    inside = [s for s in answer["sections"] if s["start"] <= paragraph_count]
    past = [str(s["start"]) for s in answer["sections"] if s["start"] > paragraph_count]
    if past and not inside:
        raise LLMOutputError("the LLM's sectioning answer points past the last paragraph")
    if past:
        log.info(
            "the LLM's sectioning answer points past the last paragraph (%d); left out: %s",
            paragraph_count,
            ", ".join(past),
        )
    return {**answer, "sections": inside}
