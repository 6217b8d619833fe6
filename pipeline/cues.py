"""Spoken structure: "Title: …", "New section: …", "new paragraph" and "scratch that".

The transcript is cut into timed sentences, and each sentence is tested against the cue
patterns below. Cues only count at the edges of a sentence, bounded by punctuation or by a
naming verb ("called", "titled"), so ordinary speech such as "the next section of the trail was
steep" or "I read the title of the paper" stays text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from pipeline.transcript import Transcript

# Whisper punctuates cues in every way: "New section: x", "New section. X", "new section, x",
# "Next section — x". SEP accepts any of those between a cue and what follows.
SEP = r"\s*[:,.;!?\u2014\u2013-]+\s*"
LEAD = r"^[\s\"'“”‘’(\[]*(?:(?:so|okay|ok|and|alright|all right|now)[,.]?\s+)?"
ORDINAL = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|next|last|final|new"
NUMBER = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten"
NAMING = r"(?:called|titled|named)"

SECTION_CUES = [
    # "New section: pricing models." / "Next section — the road ahead." / "New section." + name
    rf"{LEAD}(?:new|next)\s+section(?:{SEP}|\s+(?:is\s+)?{NAMING}\s+|\s*$)(?P<name>.*)$",
    # "The second section should be called what we learned." / "... should be about costs."
    rf"{LEAD}(?:the\s+)?(?:{ORDINAL})\s+section\s+(?:should|will|would|shall|is going to)\s+be"
    rf"(?:\s+{NAMING}|\s+about|{SEP})\s*[:,]?\s*(?P<name>.+)$",
    # "The next section is called the road ahead."
    rf"{LEAD}(?:the\s+)?(?:{ORDINAL})\s+section\s+is\s+{NAMING}\s*[:,]?\s*(?P<name>.+)$",
    # "Section two: costs."
    rf"{LEAD}section\s+(?:{NUMBER})(?:{SEP}|\s*$)(?P<name>.*)$",
    # "Let's start a new section called costs."
    rf"{LEAD}(?:let's\s+|let\s+us\s+)?(?:start|begin|open)\s+(?:a\s+)?new\s+section"
    rf"(?:\s+{NAMING}\s+|\s+about\s+|{SEP}|\s*$)(?P<name>.*)$",
]
TITLE_CUES = [
    # "Title: Why I walk." / "title. Why I walk." / "Title, why I walk."
    rf"{LEAD}title(?:{SEP}|\s*$)(?P<name>.*)$",
    # "The title should be why I walk." / "The title of this post is going to be …"
    rf"{LEAD}(?:the\s+)?title\s+(?:of\s+(?:this|the)\s+(?:blog\s+)?(?:post|piece|draft|article|memo)\s+)?"
    rf"(?:should|will|would|shall|is going to)\s+be(?:\s+{NAMING})?\s*[:,]?\s*(?P<name>.+)$",
    # "Call this post why I walk."
    rf"{LEAD}(?:let's\s+)?call\s+(?:this|the)\s+(?:blog\s+)?(?:post|piece|draft|article|memo)"
    rf"(?:{SEP}|\s+)(?P<name>.+)$",
]
PARAGRAPH_ALONE = rf"{LEAD}new\s+paragraph\W*$"
PARAGRAPH_FIRST = rf"{LEAD}new\s+paragraph(?:{SEP}|\s+)(?P<rest>.+)$"
SCRATCH_ALONE = rf"{LEAD}(?:scratch|strike)\s+that\W*$"
SCRATCH_FIRST = rf"{LEAD}(?:scratch|strike)\s+that{SEP}(?P<rest>.+)$"

# A cue whose name comes in the next sentence ("New section. Pricing.") takes it only if short.
MAX_NAME_WORDS = 12


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float  # seconds; interpolated inside a Whisper segment
    end: float


@dataclass
class Block:
    """A stretch of dictation under one heading, in explicit paragraphs of sentences."""

    heading: str | None  # None: the speaker gave no name
    spoken: bool  # True when the speaker dictated this section, named or not
    paragraphs: list[list[Sentence]] = field(default_factory=lambda: [[]])

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p]


@dataclass
class Dictation:
    title: str | None  # a spoken title, else None
    blocks: list[Block]


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


_SECTION = [_compile(p) for p in SECTION_CUES]
_TITLE = [_compile(p) for p in TITLE_CUES]
_PARAGRAPH_ALONE, _PARAGRAPH_FIRST = map(_compile, (PARAGRAPH_ALONE, PARAGRAPH_FIRST))
_SCRATCH_ALONE, _SCRATCH_FIRST = map(_compile, (SCRATCH_ALONE, SCRATCH_FIRST))
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_CLAUSE_START = re.compile(r"[,;\u2014\u2013]\s*")  # where a cue may hide inside a sentence


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """Timed sentences from the transcript; Whisper segments often end mid-sentence.

    Whisper often writes a spoken cue after a comma ("…much, new section, what changed."), so
    a clause that is a cue becomes a sentence of its own.
    """
    text, offsets, spans = "", [], []
    for segment in transcript.segments:
        text += " " if text else ""
        offsets.append(len(text))
        spans.append((segment.start, segment.end, len(segment.text)))
        text += segment.text

    def time_at(char: int) -> float:
        i = max(0, bisect.bisect_right(offsets, char) - 1)
        start, end, length = spans[i]
        share = min(1.0, max(0.0, (char - offsets[i]) / max(1, length)))
        return round(start + share * (end - start), 2)

    sentences = []
    for begin, end in _sentence_spans(text):
        for a, b in _cue_clause_spans(text, begin, end):
            piece = text[a:b].strip()
            if b < end:  # cut at a comma before a cue: end this part as a sentence
                piece = _with_stop(piece)
            if piece:
                sentences.append(Sentence(piece, time_at(a), time_at(b)))
    return sentences


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _cue_clause_spans(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """Cut the sentence before every clause that is a spoken cue, and nowhere else."""
    cuts = [
        m.end()
        for m in _CLAUSE_START.finditer(text, begin, end)
        if is_clause_cue(text[m.end() : end])
    ]
    bounds = [begin, *cuts, end]
    return list(zip(bounds, bounds[1:], strict=False))


def is_clause_cue(text: str) -> bool:
    """A cue that may follow a comma. Titles and "section two" may not: "the book's title,
    cover and all" is ordinary speech."""
    patterns = [*_SECTION[:3], _PARAGRAPH_ALONE, _PARAGRAPH_FIRST, _SCRATCH_ALONE, _SCRATCH_FIRST]
    return any(p.match(text) for p in patterns)


def match_section(text: str) -> str | None:
    """The section name a sentence dictates ("" when it comes next), or None for no cue."""
    return _first_name(_SECTION, text)


def match_title(text: str) -> str | None:
    """The title a sentence dictates ("" when it comes next), or None for no cue."""
    return _first_name(_TITLE, text)


def _first_name(patterns: list[re.Pattern], text: str) -> str | None:
    for pattern in patterns:
        if m := pattern.match(text):
            return tidy_name(m.group("name"))
    return None


def tidy_name(name: str) -> str:
    """A heading as the speaker said it: quotes and closing period off, first letter upper."""
    name = name.strip().strip("\"'“”‘’").strip()
    name = re.sub(r"[.,;:!\s\"'“”‘’]+$", "", name)
    return name[:1].upper() + name[1:]


def _split_long_name(name: str) -> tuple[str, str]:
    """A name running on past a comma into the speech after it: ("Name", "the speech.")."""
    if len(name.split()) <= MAX_NAME_WORDS or "," not in name:
        return name, ""
    head, rest = name.split(",", 1)
    return tidy_name(head), rest.strip()


def _with_capital(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _with_stop(text: str) -> str:
    text = text.rstrip(" ,;:\u2014\u2013-")
    return text if text.endswith((".", "!", "?")) else text + "."


class _Builder:
    """Applies cues sentence by sentence, keeping the blocks built so far."""

    def __init__(self) -> None:
        self.title: str | None = None
        self.blocks: list[Block] = [Block(heading=None, spoken=False)]
        self.pending: str | None = None  # "title" or "section": a cue waiting for its name

    @property
    def block(self) -> Block:
        return self.blocks[-1]

    def start_section(self, name: str | None) -> None:
        if not self.block.sentences and not self.block.spoken:
            self.blocks.pop()  # nothing was said before the first cue: no empty opening
        self.blocks.append(Block(heading=name or None, spoken=True))

    def new_paragraph(self) -> None:
        if self.block.paragraphs[-1]:
            self.block.paragraphs.append([])

    def add(self, sentence: Sentence) -> None:
        self.block.paragraphs[-1].append(sentence)

    def scratch_last(self) -> None:
        for paragraph in reversed(self.block.paragraphs):
            if paragraph:
                paragraph.pop()
                return

    def take_name(self, sentence: Sentence) -> bool:
        """Use this sentence as the name a bare cue announced, if it is short enough."""
        kind, self.pending = self.pending, None
        if kind is None or len(sentence.text.split()) > MAX_NAME_WORDS:
            return False
        if kind == "title":
            self.title = tidy_name(sentence.text)
        else:
            self.block.heading = tidy_name(sentence.text)
        return True

    def feed(self, s: Sentence) -> None:
        if self.take_name(s):
            return
        if (name := match_title(s.text)) is not None:
            name, rest = _split_long_name(name)
            self.title = name or self.title
            self.pending = None if name else "title"
            self._feed_rest(rest, s)
        elif (name := match_section(s.text)) is not None:
            name, rest = _split_long_name(name)
            self.start_section(name)
            self.pending = None if name else "section"
            self._feed_rest(rest, s)
        elif _PARAGRAPH_ALONE.match(s.text):
            self.new_paragraph()
        elif m := _PARAGRAPH_FIRST.match(s.text):
            self.new_paragraph()
            self.feed(Sentence(_with_capital(m.group("rest")), s.start, s.end))
        elif _SCRATCH_ALONE.match(s.text):
            self.scratch_last()
        elif m := _SCRATCH_FIRST.match(s.text):
            self.scratch_last()
            self.feed(Sentence(_with_capital(m.group("rest")), s.start, s.end))
        else:
            self.add(s)

    def _feed_rest(self, rest: str, s: Sentence) -> None:
        if rest:
            self.feed(Sentence(_with_stop(_with_capital(rest)), s.start, s.end))

    def result(self) -> Dictation:
        for block in self.blocks:
            block.paragraphs = [p for p in block.paragraphs if p]
        blocks = [b for b in self.blocks if b.spoken or b.paragraphs]
        return Dictation(title=self.title, blocks=blocks)


def apply_spoken_commands(transcript: Transcript) -> Dictation:
    """Turn the speaker's dictated structure into a title and blocks of paragraphs."""
    builder = _Builder()
    for sentence in split_sentences(transcript):
        builder.feed(sentence)
    return builder.result()


def merge_dictations(parts: list[Dictation], offsets: list[float]) -> Dictation:
    """Memos dictated in pieces as one: times shifted to run on, and a piece that starts
    without a section cue continues the section the piece before it ended in."""
    blocks: list[Block] = []
    for dictation, offset in zip(parts, offsets, strict=True):
        for index, block in enumerate(dictation.blocks):
            shifted = Block(
                block.heading, block.spoken, [_shift(p, offset) for p in block.paragraphs]
            )
            if index == 0 and blocks and not block.spoken:
                blocks[-1].paragraphs += shifted.paragraphs
            else:
                blocks.append(shifted)
    titles = [d.title for d in parts if d.title]
    return Dictation(title=titles[0] if titles else None, blocks=blocks)


def _shift(paragraph: list[Sentence], offset: float) -> list[Sentence]:
    return [
        Sentence(s.text, round(s.start + offset, 2), round(s.end + offset, 2)) for s in paragraph
    ]
