"""Spoken structure: titles, sections, subsections, paragraph breaks, "scratch that" and notes
to the editor ("Note to self: check this number."), which leave the text.

The transcript becomes a stream of timed words, cut into sentences. A cue is a head phrase
("new section", "the next section is", "title:", "subsection") said where a sentence or clause
begins or after a pause; its name runs to the next punctuation mark or the speaker's next
pause. Heads that are ordinary English too ("part two", "heading", "title") count only when
punctuation or a pause sets them off, and a name that reads as the rest of a sentence ("of the
trail was steep", "the hardest") makes the sentence prose again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from voiceblog.cue_forms import GAP, Head, alternatives, compile_heads, lead_pattern, lead_words
from voiceblog.languages import ENGLISH, Language, language
from voiceblog.transcription.options import WordTimingNeeds
from voiceblog.transcription.transcript import Transcript

# A gap between two words this long is the speaker's pause. Whisper's word timings absorb part
# of a real pause into the word before it: a 0.5 s pause measures 0.34–0.72 s here.
PAUSE_SECONDS = 0.3
# A name runs to a punctuation mark or pause within this many words, or it was no cue.
MAX_NAME_WORDS = 12
# A cue whose name comes in the next sentence ("New section. Pricing.") takes it only if this
# short: a longer sentence is what the section says, not what it is called.
NEXT_SENTENCE_NAME_WORDS = 8
# ... or up to this long when the speaker pauses after it and no clause runs inside it:
# real headings run to nine words and more ("Why nobody warns you about the second week").
LONG_NAME_WORDS = 16
INNER_CLAUSE = re.compile(r"[,;:\u2014\u2013]")
# Longer than this, a name with no punctuation or pause to end it is cut where a new clause
# starts ("Part 3 I walked to the station" → "Part 3").
TYPICAL_NAME_WORDS = 6

# A weak head with no punctuation after it ("Section 4 crazy notes") is a cue only when said
# between pauses with a name this short.
SHORT_NAME_WORDS = 6


NAMED_KINDS = ("title", "section", "subsection", "heading", "name", "open_name")


@dataclass(frozen=True)
class Grammar:
    """One language's cue grammar, compiled from its file in pipeline/languages/."""

    heads: tuple[tuple[Head, re.Pattern], ...]
    not_a_name_start: frozenset[str]  # "the next section of the trail": rest of a sentence
    predicate_words: frozenset[str]  # "the last section is long": a judgement, not a name
    predicate_followers: frozenset[str]
    superlative: re.Pattern | None  # "the hardest"
    not_a_title: frozenset[str]  # "let's call it a day"
    clause_openers: frozenset[str]  # where a name with nothing else to end it is cut
    question_words: frozenset[str]
    name_joiners: frozenset[str]  # "the long run, and why …": a naming verb's name goes on
    number: re.Pattern  # a number said after a structure word
    finite_verbs: frozenset[str]  # a weak head's name holding one is a sentence
    aside: re.Pattern  # said between a head and its name: "let me think"
    abbreviations: frozenset[str]  # whose period does not end a sentence
    may_end_sentence: frozenset[str]  # ... unless the next word starts with a capital
    transition: re.Pattern | None  # "Alright, moving on." said on its own before a cue
    announce: re.Pattern | None  # "Now let's talk about money.": the topic it turns to


@cache
def grammar(lang: Language = ENGLISH) -> Grammar:
    cues = lang.data.get("cues", {})
    lead = lead_pattern(cues)
    heads = tuple(
        (head, re.compile(rf"{lead}(?:{head.pattern})(?![\w'-])", re.IGNORECASE))
        for head in compile_heads(cues)
    )
    prose = cues.get("prose", {})
    superlative = prose.get("superlative")
    return Grammar(
        heads=heads,
        not_a_name_start=frozenset(prose.get("not_a_name_start", ())),
        predicate_words=frozenset(prose.get("predicate_words", ())),
        predicate_followers=frozenset(prose.get("predicate_followers", ())),
        superlative=re.compile(superlative, re.IGNORECASE) if superlative else None,
        not_a_title=frozenset(prose.get("not_a_title", ())),
        clause_openers=frozenset(prose.get("clause_openers", ())),
        question_words=frozenset(prose.get("question_words", ())),
        name_joiners=frozenset(prose.get("name_joiners", ())),
        finite_verbs=frozenset(prose.get("finite_verbs", ())),
        aside=re.compile(alternatives(cues.get("parts", {}).get("aside", ())), re.IGNORECASE),
        number=re.compile(alternatives(cues.get("parts", {}).get("number", ())), re.IGNORECASE),
        abbreviations=lang.words("sentences", "abbreviations"),
        may_end_sentence=lang.words("sentences", "may_end_sentence"),
        transition=_transition(cues.get("parts", {})),
        announce=_announce(cues.get("parts", {})),
    )


def _transition(parts: dict) -> re.Pattern | None:
    """A sentence that only moves on ("Alright, moving on.", "Okay, next."): leads around a
    transition word, nothing else. Said right before a section cue, it belongs to the cue."""
    if not parts.get("transition"):
        return None
    around = lead_words(parts)
    core = alternatives(parts["transition"])
    return re.compile(rf"{around}{core}(?:,?\s+{around}{core})*[.!?…]?", re.IGNORECASE)


def _announce(parts: dict) -> re.Pattern | None:
    """A sentence that opens by announcing its topic: leads, an adverb ("next"), who speaks
    and a talking verb ("let's talk about", "I'd like to discuss"), then the topic (group
    "topic", up to the next mark) unless it starts with a word that names none ("it")."""
    if not (parts.get("announce_subject") and parts.get("announce_verb")):
        return None
    adverb = alternatives(parts.get("announce_adverb", ()))
    subject, verb = alternatives(parts["announce_subject"]), alternatives(parts["announce_verb"])
    manner = alternatives(parts.get("announce_manner", ()))
    not_topic = alternatives(parts.get("announce_not_topic", ()))
    topic = r"(?P<topic>[^.!?;:,\s][^.!?;:,]*)"
    if parts.get("announce_tail"):  # "über das Budget reden": the verb ends the topic
        topic = rf"(?P<topic>[^.!?;:,\s][^.!?;:,]*?)\s+{alternatives(parts['announce_tail'])}\b"
    return re.compile(
        rf"{lead_pattern({'parts': parts})}(?:{adverb},?\s+)*{subject}\s+(?:{manner}\s+)?"
        rf"{verb}{GAP}(?!{not_topic}(?![\w'-])){topic}",
        re.IGNORECASE,
    )


def announced_topic(text: str, g: Grammar) -> str | None:
    """What a sentence announces it turns to ("Now let's talk about money." → "money"), or
    None when it announces nothing."""
    if g.announce is None or not (m := g.announce.match(text.replace("\u2019", "'"))):
        return None
    return m.group("topic").strip()


INITIALISM = re.compile(r"^(?:[a-z]\.){2,}$", re.I)  # U.S., a.m.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
CLAUSE_END = re.compile(r"[,;:\u2014\u2013][\"'”’)\]]*$|^[\u2014\u2013-]+$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: float  # seconds
    end: float


@dataclass(frozen=True)
class TimedWord:
    text: str  # as Whisper wrote it, punctuation attached
    start: float
    end: float
    pause_after: bool  # the speaker paused after this word, or Whisper's segment ended here


@dataclass(frozen=True)
class Cue:
    kind: str  # one of the Head kinds
    name: str  # the dictated name; "" when it follows in the next sentence
    start: float
    end: float
    label: str = ""  # a numbered head is a name of its own when no other comes: "Part 7"
    said: str = ""  # the words of the cue as Whisper wrote them: prose again where context
    # says it names nothing ("It's called Rex." with no section waiting for a name)
    provisional: bool = False  # a naming cue right after it renames it: "The reading list
    # section. Call it what I read this winter."


@dataclass(frozen=True)
class Note:
    """A note to the editor: out of the text, shown beside the paragraph it follows."""

    text: str  # the rest of the sentence after "Note to self:", as Whisper wrote it
    start: float  # seconds: when the speaker said it, which places it after a paragraph
    end: float


@dataclass
class Block:
    """A stretch of dictation under one heading, in explicit paragraphs of sentences."""

    heading: str | None  # None: the speaker gave no name
    spoken: bool  # True when the speaker dictated this section, named or not
    paragraphs: list[list[Sentence]] = field(default_factory=lambda: [[]])
    level: int = 1  # 1 for a section, 2 for a subsection under the section before it
    turned: bool = False  # the speaker turned to another topic where this block starts or
    # ends ("Switching gears, …") and named no section: a section whose heading is proposed

    @property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.paragraphs for s in p]


@dataclass
class Dictation:
    title: str | None  # a spoken title, else None
    blocks: list[Block]
    language: str = "en"  # Whisper's code for the memo's language
    pauses: tuple[tuple[float, float], ...] | None = None  # the VAD's silences (Transcript)
    notes: tuple[Note, ...] = ()  # notes to the editor, in no block: never sent to an LLM


# Words and sentences -----------------------------------------------------------------------


def timed_words(transcript: Transcript) -> list[TimedWord]:
    """Every word with its time: Whisper's word timings where it gave them, else spread over
    the segment by characters. A segment's end counts as a pause."""
    words: list[TimedWord] = []
    for segment in transcript.segments:
        if segment.words:
            words += _from_word_timings(segment.words)
        else:
            words += _interpolated(segment.text, segment.start, segment.end)
        if words:
            words[-1] = TimedWord(words[-1].text, words[-1].start, words[-1].end, True)
    return words


def _from_word_timings(raw) -> list[TimedWord]:
    words = []
    for i, word in enumerate(raw):
        gap = raw[i + 1].start - word.end if i + 1 < len(raw) else 0.0
        for text in word.text.split():  # Whisper's "words" may hold "3.5" or "U.S." whole
            words.append(TimedWord(text, word.start, word.end, False))
        if words and gap >= PAUSE_SECONDS:
            words[-1] = TimedWord(words[-1].text, words[-1].start, words[-1].end, True)
    return words


def _interpolated(text: str, start: float, end: float) -> list[TimedWord]:
    pieces = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    scale = (end - start) / max(1, len(text))
    return [
        TimedWord(word, round(start + a * scale, 2), round(start + b * scale, 2), False)
        for a, b, word in pieces
    ]


def ends_sentence(word: str, following: str | None, g: Grammar) -> bool:
    """The word closes a sentence: a stop that is not an abbreviation's or a number's."""
    if not SENTENCE_END.search(word):
        return False
    bare = word.lower().strip("\"'“”‘’()[]")
    if following is None or not word.endswith("."):
        return True
    starts_lower = following[:1].islower() or following[:1].isdigit()
    if bare in g.abbreviations:
        return bare in g.may_end_sentence and not starts_lower
    if INITIALISM.match(bare):
        return not starts_lower
    return True


def sentences_of(words: list[TimedWord], g: Grammar) -> list[list[TimedWord]]:
    sentences, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        following = words[i + 1].text if i + 1 < len(words) else None
        if ends_sentence(word.text, following, g):
            sentences.append(current)
            current = []
    return sentences + ([current] if current else [])


def _text(words: list[TimedWord]) -> str:
    return " ".join(w.text for w in words)


# Cues --------------------------------------------------------------------------------------


def find_cue(
    words: list[TimedWord], i: int, weak_allowed: bool, g: Grammar
) -> tuple[Cue, int] | None:
    """The cue that starts at words[i], with the index after its name, or None. The longest
    head said there is tried first: "call this post" is a title, "call this" names a section."""
    # Of heads as long, one that names the structure word wins over one that takes the
    # word before it for a name ("a smaller heading", not a heading called "Smaller").
    heads = sorted(_heads_at(words, i, weak_allowed, g), key=lambda h: (-h[1], h[0].name_first))
    for head, last, separated, match in heads:
        said = lambda end: _text(words[i:end])  # noqa: E731
        label = tidy_name(said(last + 1)) if head.alone_ok else ""
        if head.alone and not _ends_here(words, last):
            continue
        if head.kind == "note":  # the note is the rest of its sentence, whatever it says
            note = _note_text(words[last + 1 :])
            cue = Cue("note", note, words[i].start, words[-1].end, said=said(len(words)))
            return cue, len(words)
        if head.kind not in NAMED_KINDS:
            return Cue(
                head.kind, "", words[i].start, words[last].end, said=said(last + 1)
            ), last + 1
        if head.kind in BARE_KINDS and (
            _names_next(words, last + 1, g) or _cue_follows(words, last + 1, g)
        ):
            # "New section, this one's about shoes.": the naming cue after it names it;
            # "New section, no, no, make that a subsection, the rusted chain.": the cue after
            # it re-types it and takes the name
            return Cue(
                head.kind, "", words[i].start, words[last].end, label, said(last + 1)
            ), last + 1
        provisional = head.name_first
        if head.name_first:  # "On to the pricing section."
            name, name_end = tidy_name(match.group("name")), last + 1
        elif (span := _name_span(words, last + 1, g, head, separated)) is not None:
            name, name_end = tidy_name(_text(words[span[0] : span[1]])), span[1]
        else:
            continue
        if (not separated or head.name_first) and _is_prose(head.kind, name, g):
            continue
        if not (separated or head.strong) and _is_a_clause(name, g):
            continue  # "The first part on the tour was brutal": a sentence, not a name
        end = words[max(last, name_end - 1)].end
        cue = Cue(head.kind, name, words[i].start, end, label, said(name_end), provisional)
        return cue, name_end
    return None


def _note_text(words: list[TimedWord]) -> str:
    """What a note says: its words after the mark that set off its head; "" when the head ended
    the sentence ("Note to self." and the note in the next one)."""
    text = re.sub(r"^[\W_]+", "", _text(words))
    return _with_stop(_with_capital(text)) if text else ""


# Cues whose name may be said by a naming cue right after them ("Last section, call it …").
BARE_KINDS = ("title", "section", "subsection", "heading")
# Cues that name what was announced before them.
NAMING_KINDS = ("name", "open_name")


def _ends_here(words: list[TimedWord], last: int) -> bool:
    """The head ends its sentence, or the speaker pauses after it."""
    return (
        last + 1 == len(words)
        or words[last].pause_after
        or bool(SENTENCE_END.search(words[last].text))
    )


def _names_next(words: list[TimedWord], first: int, g: Grammar) -> bool:
    """A naming cue ("call it …", "this one's about …") starts at words[first], after the lone
    mark there or an aside said without commas ("the last part I think let's call it …")."""
    while first < len(words) and re.fullmatch(r"[\W_]+", words[first].text):
        first += 1
    for start in [first] + _after_aside(words, first, g):
        if start < len(words) and any(
            head.kind in NAMING_KINDS
            for head, *_ in _heads_at(words, start, True, g, naming_only=True)
        ):
            return True
    return False


def _cue_follows(words: list[TimedWord], first: int, g: Grammar) -> bool:
    """A strong cue (one that may follow a comma mid-sentence) is said right after a head,
    its leads included ("no, no, make that a subsection"): what follows is that cue, not the
    head's name."""
    while first < len(words) and re.fullmatch(r"[\W_]+", words[first].text):
        first += 1
    return first < len(words) and any(
        head.kind not in NAMING_KINDS for head, *_ in _heads_at(words, first, False, g)
    )


def _after_aside(words: list[TimedWord], first: int, g: Grammar) -> list[int]:
    """Where an aside said at words[first] ("I think", "um") ends."""
    return [
        k
        for k in range(first + 1, min(len(words), first + 4) + 1)
        if g.aside.fullmatch(_text(words[first:k]).rstrip(",").replace("\u2019", "'"))
    ]


def _heads_at(
    words: list[TimedWord], i: int, weak_allowed: bool, g: Grammar, strict=True, naming_only=False
):
    """Each head said at words[i]: (head, index of its last word, whether punctuation or a
    pause sets it off from what follows, the match). strict: only heads set off as they must
    be; naming_only: only naming cues."""
    text = _text(words[i:]).replace("\u2019", "'")  # Whisper writes "let’s" now and then
    starts = _word_starts(words[i:])
    for head, pattern in g.heads:
        if naming_only and head.kind not in NAMING_KINDS:
            continue
        if not (head.strong or weak_allowed) or not (m := pattern.match(text)):
            continue
        last = i + _word_index(starts, m.end() - 1)  # the word the head ends in
        if last > i and words[last - 1].pause_after and g.number.fullmatch(_bare(words[last].text)):
            # "The first section | five things I wish I knew": after a pause, the number
            # starts the name
            if not (m := pattern.match(text[: starts[last - i]].rstrip())):
                continue
            last -= 1
        after_head = words[last].text[m.end() - starts[last - i] :]
        if after_head and not re.fullmatch(r"[\W_]+", after_head):
            continue  # the head ended inside a word
        separated = (
            bool(after_head)
            or m.group().rstrip().endswith((",", ":", ";"))
            or words[last].pause_after
            or last + 1 == len(words)
            or bool(re.fullmatch(r"[\W_]+", words[last + 1].text))  # a lone dash
        )
        if head.needs_separator and not separated and strict:
            alone = head.alone_ok and _said_on_its_own(words, i, last)
            if not (alone or (head.kind in BARE_KINDS and _names_next(words, last + 1, g))):
                continue  # … unless a naming cue sets it off: "the last part let's call it …"
        yield head, last, separated, m


def _said_on_its_own(words: list[TimedWord], i: int, last: int) -> bool:
    """Pauses on both sides and a short name: "… here. | Section 4 crazy notes | Not only …".

    Whisper often writes no punctuation after "Section 4" or "Subsection"; the speaker's pauses
    around the whole cue still set it apart from prose like "section 2 of the report says …".
    """
    if i > 0 and not words[i - 1].pause_after:
        return False
    return any(w.pause_after for w in words[last + 1 : last + 1 + SHORT_NAME_WORDS])


def _word_starts(words: list[TimedWord]) -> list[int]:
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word.text) + 1
    return starts


def _word_index(starts: list[int], char: int) -> int:
    return max(k for k, start in enumerate(starts) if start <= char)


def _name_span(
    words: list[TimedWord], first: int, g: Grammar, head: Head | None = None, set_off: bool = True
) -> tuple[int, int] | None:
    """Where the name that starts at words[first] lies: up to a punctuation mark or a pause.

    None when there is no end within MAX_NAME_WORDS: a long clause with no pause is prose.
    A name run on from its head, with no mark, pause or link between, is cut where a new
    clause starts; a naming verb's name goes on over ", and …" ("the long run, and why I
    stopped dreading it").
    """
    while first < len(words) and re.fullmatch(r"[\W_]+", words[first].text):
        first += 1  # a lone dash or colon after the head
    run_on = head is not None and not (set_off or head.linked or head.kind in NAMING_KINDS)
    joins = head is not None and head.kind in NAMING_KINDS
    for k in range(first, min(len(words), first + LONG_NAME_WORDS)):
        if k - first >= MAX_NAME_WORDS and (run_on or not _ends_sentence_at(words, k, g)):
            continue  # a long name only when set off and said as the rest of its sentence
        if _closes_name(words, k, g) and not (joins and _joined_on(words, k, g)):
            paused = words[k].pause_after and k + 1 < len(words)  # mid-sentence: a real pause
            if paused or not run_on:
                return first, k + 1
            return first, _cut_at_clause(words, first, k + 1, g)
    return None if len(words) > first else (first, first)


def _ends_sentence_at(words: list[TimedWord], k: int, g: Grammar) -> bool:
    following = words[k + 1].text if k + 1 < len(words) else None
    return words[k].pause_after or ends_sentence(words[k].text, following, g)


def _joined_on(words: list[TimedWord], k: int, g: Grammar) -> bool:
    """A comma after words[k], then a word that joins more on to the name ("and", "or")."""
    return (
        words[k].text.endswith(",")
        and k + 1 < len(words)
        and _bare(words[k + 1].text) in g.name_joiners
    )


def _closes_name(words: list[TimedWord], k: int, g: Grammar) -> bool:
    if k + 1 == len(words) or words[k].pause_after:
        return True
    if CLAUSE_END.search(words[k].text):
        return True
    return ends_sentence(words[k].text, words[k + 1].text, g)


def _cut_at_clause(words: list[TimedWord], first: int, end: int, g: Grammar) -> int:
    """A long name that only punctuation closed ends where a new clause starts: Whisper drops
    the stop in "New section Part 3 I walked to the station"."""
    if end - first <= TYPICAL_NAME_WORDS:
        return end
    for k in range(first + 1, end):
        word = _bare(words[k].text)
        if word in g.clause_openers and _bare(words[k - 1].text) not in g.question_words:
            return k
    return end


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word).lower()


def _is_prose(kind: str, name: str, g: Grammar) -> bool:
    """The "name" reads as the rest of an ordinary sentence, not as a heading."""
    words = [_bare(w) for w in name.split()]
    if not words:
        return False
    if words[0] in g.not_a_name_start:
        return True
    if len(words) > 1 and g.number.fullmatch(words[0]) and words[1] in g.not_a_name_start:
        return True  # "Section | 2 of the report says …": the number's sentence runs on
    if kind in ("title", "name") and name.lower() in g.not_a_title:
        return True
    if g.superlative and g.superlative.fullmatch(" ".join(words)):
        return True  # "the hardest"
    if words[0] in g.predicate_words:
        return len(words) == 1 or words[1] in g.predicate_followers | g.predicate_words
    return False


def _is_a_clause(name: str, g: Grammar) -> bool:
    """The name holds a finite verb ("the tour was brutal") and no question word starts it
    ("why prices are rising" is a heading)."""
    words = [_bare(w) for w in name.split()]
    return (
        bool(words) and words[0] not in g.question_words and bool(g.finite_verbs & set(words[1:]))
    )


def tidy_name(name: str) -> str:
    """A heading as the speaker said it: quotes and closing period off, first letter upper."""
    name = name.strip().strip("\"'“”‘’").strip()
    name = re.sub(r"[.,;:!\s\"'“”‘’\u2014\u2013-]+$", "", name)
    return name[:1].upper() + name[1:]


def _cue_positions(words: list[TimedWord]) -> list[tuple[int, bool]]:
    """Where a cue may start in a sentence, and whether weak heads may start there."""
    positions = [(0, True)]
    for i in range(1, len(words)):
        if words[i - 1].pause_after:
            positions.append((i, True))
        elif CLAUSE_END.search(words[i - 1].text):
            positions.append((i, False))
    return positions


def split_sentence(words: list[TimedWord], g: Grammar) -> list[Sentence | Cue]:
    """A sentence as the speech and the cues in it, in order."""
    pieces: list[Sentence | Cue] = []
    text_from = 0
    positions = dict(_cue_positions(words))
    i = 0
    while i < len(words):
        # Right after a cue is as good as after a pause: "Last section, call it …"
        weak_allowed = positions.get(i, i == text_from and bool(pieces))
        if (i not in positions and i != text_from) or not (
            found := find_cue(words, i, weak_allowed, g)
        ):
            i += 1
            continue
        cue, after = found
        if i > text_from:
            pieces.append(_speech(words[text_from:i], closes=True))
        pieces.append(cue)
        text_from = i = after
    if text_from < len(words):
        pieces.append(_speech(words[text_from:], closes=text_from > 0))
    return pieces


def _speech(words: list[TimedWord], closes: bool) -> Sentence:
    text = _text(words)
    if closes:  # a piece cut off by a cue ends as a sentence of its own
        text = _with_stop(_with_capital(text))
    return Sentence(text, words[0].start, words[-1].end)


def _as_speech(cue: Cue) -> Sentence:
    """A cue that context says is no cue, as the sentence the speaker said."""
    return Sentence(_with_stop(_with_capital(cue.said)), cue.start, cue.end)


def _with_capital(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _with_stop(text: str) -> str:
    text = text.rstrip(" ,;:\u2014\u2013-")
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def split_sentences(transcript: Transcript, g: Grammar) -> list[Sentence | Cue]:
    """The transcript as timed sentences of speech and the cues between them."""
    return [
        piece
        for sentence in sentences_of(timed_words(transcript), g)
        for piece in split_sentence(sentence, g)
    ]


def match_cue(text: str, lang: Language = ENGLISH) -> Cue | None:
    """The cue a sentence, said on its own, makes: for tests and the corpus. On its own, a
    naming cue ("Let's call it …") names the post, and "It's called …" is prose."""
    g = grammar(lang)
    for sentence in sentences_of(_interpolated(text, 0.0, 1.0), g):
        for piece in split_sentence(sentence, g):
            if isinstance(piece, Cue) and piece.kind != "open_name":
                kind = {"name": "title", "heading": "section"}.get(piece.kind, piece.kind)
                return replace(piece, kind=kind)
    return None


def needs_pauses(text: str, lang: Language = ENGLISH) -> bool:
    """Whisper's punctuation alone leaves a cue's extent open: a cue head in the text has no
    punctuation before it, or none after its name. Then word timings are worth their cost."""
    g = grammar(lang)
    for sentence in sentences_of(_interpolated(text, 0.0, 1.0), g):
        i = 0
        while i < len(sentence):
            heads = list(_heads_at(sentence, i, True, g, strict=False))
            if any(_left_open(sentence, i, last, g) for _, last, _, _ in heads):
                return True
            i = max([last for _, last, _, _ in heads], default=i) + 1  # not inside a head
    return False


def needs_word_timings(text: str, language_code: str) -> bool:
    """needs_pauses for a language named by its Whisper code, as transcription knows it."""
    return needs_pauses(text, _rules_of(language_code))


@cache
def _rules_of(language_code: str) -> Language:
    return language(language_code)  # read from its file once, not once a window


# What transcription is told to time for the cue grammar: it imports no later stage, so the
# callers that draft (flow.py, `voiceblog transcribe`) pass this in.
WORD_TIMINGS = WordTimingNeeds(needed=needs_word_timings, pause_seconds=PAUSE_SECONDS)


def _left_open(sentence: list[TimedWord], i: int, last: int, g) -> bool:
    after = sentence[last + 1 : last + 2 + TYPICAL_NAME_WORDS]
    if after and _bare(after[0].text) in g.not_a_name_start:
        return False  # "the next section of the trail": prose, punctuated or not
    before = i == 0 or CLAUSE_END.search(sentence[i - 1].text)
    # Punctuation after the head is not enough: "New section, part I may be the remaining …"
    # (Whisper's hearing of "New section, part 9." and a pause) has no mark to end the name.
    # A head that ends its sentence takes the next sentence, which punctuation delimits.
    named = not after or any(
        _closes_name(sentence, k, g) for k in range(last + 1, last + 1 + len(after))
    )
    return not (before and named)


# Building the dictation --------------------------------------------------------------------


class _Builder:
    """Applies cues in order, keeping the blocks built so far."""

    def __init__(self, g: Grammar) -> None:
        self.grammar = g
        self.title: str | None = None
        self.blocks: list[Block] = [Block(heading=None, spoken=False)]
        self.pending: str | None = None  # a bare cue's kind, waiting for its name
        self.section_said = False  # a section cue was said: a "heading" is a subsection now
        self.renamable = False  # the open section's name came before its structure word: a
        # naming cue right after it renames it
        self.labelled = False  # the waiting section has a number for a name ("Part 15"): a
        # short sentence after it may still name it, a long one is what it says
        self.held: Sentence | None = None  # a long sentence after a bare cue: its name if the
        # speaker pauses after it
        self.notes: list[Note] = []
        self.note_waiting: Cue | None = None  # "Note to self." said alone: the next sentence
        # is the note
        self.last_was_note = False  # "scratch that" right after a note takes the note back

    @property
    def block(self) -> Block:
        return self.blocks[-1]

    def start_section(self, name: str | None, level: int) -> None:
        self._drop_transition()
        if level == 2 and not any(b.spoken for b in self.blocks):
            level = 1  # a subheading with no section above it heads a section
        if not self.block.sentences and not self.block.spoken:
            self.blocks.pop()  # nothing was said before the first cue: no empty opening
        self.blocks.append(Block(heading=name or None, spoken=True, level=level))

    def _drop_transition(self) -> None:
        """ "Alright, moving on." said just before the section cue is part of the cue, not the
        last words of the section before it."""
        paragraph = self.block.paragraphs[-1]
        transition = self.grammar.transition  # a sentence that only moves on to the next cue
        if paragraph and transition and transition.fullmatch(paragraph[-1].text):
            paragraph.pop()

    def turn(self) -> None:
        """ "Switching gears, …": under a section the speaker named, a new paragraph; in a
        stretch they named none, a new section (result() keeps it only if long enough)."""
        if self.block.spoken:
            self.new_paragraph()
        elif self.block.sentences:
            self.blocks.append(Block(heading=None, spoken=False, turned=True))

    def new_paragraph(self) -> None:
        if self.block.paragraphs[-1]:
            self.block.paragraphs.append([])

    def scratch_last(self) -> None:
        for paragraph in reversed(self.block.paragraphs):
            if paragraph:
                paragraph.pop()
                return
        if self.block.spoken and self.block.heading:  # "Next section. Budget. Scratch that."
            self.block.heading = None  # the name is taken back; the next one names it
            self.pending = "subsection" if self.block.level == 2 else "section"

    def say(self, sentence: Sentence) -> None:
        self.block.paragraphs[-1].append(sentence)

    def name_pending(self, name: str) -> None:
        """The name a bare cue announced: the post's, or the open section's."""
        kind, self.pending = self.pending, None
        if kind == "title":
            self.title = tidy_name(name)
        else:
            self.block.heading = tidy_name(name)

    def take_name(self, sentence: Sentence) -> bool:
        """This sentence as the name a bare cue announced: a short one at once; a longer one
        without a clause inside it if the speaker pauses after it (decided by the next piece)."""
        if self.pending is None:
            return False
        words = len(sentence.text.split())
        if words <= NEXT_SENTENCE_NAME_WORDS:
            self.name_pending(sentence.text)
            return True
        long_allowed = not self.labelled
        if (
            long_allowed
            and words <= LONG_NAME_WORDS
            and not INNER_CLAUSE.search(sentence.text.rstrip(".!?…"))
        ):
            self.held = sentence
            return True
        self.pending = None
        return False

    def settle_held(self, following_start: float | None) -> None:
        """A held sentence is the name when a pause (or the end) follows it, else speech."""
        held, self.held = self.held, None
        if following_start is None or following_start - held.end >= PAUSE_SECONDS:
            self.name_pending(held.text)
        else:
            self.pending = None
            self.say(held)

    def feed(self, piece: Sentence | Cue) -> None:
        if self.held is not None:
            self.settle_held(piece.start)
        if self.take_note(piece):
            return
        if isinstance(piece, Cue) and piece.kind == "section":
            self.section_said = True
        elif isinstance(piece, Cue) and piece.kind == "heading":  # "Next heading: …"
            piece = replace(piece, kind="subsection" if self.section_said else "section")
        if isinstance(piece, Sentence):
            if not self.take_name(piece):
                if announced_topic(piece.text, self.grammar):
                    self.turn()  # "Now let's talk about money.": kept as said, a turn before it
                self.say(piece)
            return
        if piece.kind.startswith("retype"):
            self.retype(piece)
            return
        if self._names_the_open_section(piece) or self._names_by_context(piece):
            return
        self.pending, self.labelled = None, False
        self.renamable = piece.provisional
        if piece.kind == "title":
            self.title = piece.name or self.title
        elif piece.kind in ("section", "subsection"):
            self.start_section(piece.name or piece.label, 2 if piece.kind == "subsection" else 1)
        elif piece.kind == "paragraph":
            self.new_paragraph()
        elif piece.kind == "turn":
            self.turn()
        elif piece.kind == "scratch":
            self.scratch_last()
        if piece.kind in ("title", "section", "subsection") and not piece.name:
            self.pending = piece.kind
            self.labelled = bool(piece.label)

    def take_note(self, piece: Sentence | Cue) -> bool:
        """Notes to the editor go aside, leaving what the cues around them announced as it was:
        "New section. Note to self: rename this. Pricing." names the section Pricing."""
        waiting, self.note_waiting = self.note_waiting, None
        after_note, self.last_was_note = self.last_was_note, False
        if waiting is not None and isinstance(piece, Sentence):
            self.notes.append(Note(piece.text, waiting.start, piece.end))
        elif isinstance(piece, Cue) and piece.kind == "note":
            if piece.name:
                self.notes.append(Note(piece.name, piece.start, piece.end))
            else:
                self.note_waiting = piece
        elif after_note and isinstance(piece, Cue) and piece.kind == "scratch":
            self.notes.pop()
        else:
            return False
        self.last_was_note = bool(self.notes) and self.note_waiting is None
        return True

    def retype(self, cue: Cue) -> None:
        """ "New section. No, make that a subsection." The section just announced, still
        empty, becomes what the speaker corrected it to; anywhere else it is speech."""
        if not (self.block.spoken and not self.block.sentences):
            self.say(_as_speech(cue))
            return
        to_subsection = cue.kind == "retype_subsection" and any(b.spoken for b in self.blocks[:-1])
        self.block.level = 2 if to_subsection else 1
        if self.pending in ("section", "subsection"):
            self.pending = "subsection" if to_subsection else "section"

    def _names_by_context(self, cue: Cue) -> bool:
        """What a naming cue names depends on what came before it. "Let's call this one …" or
        "It's called …" right after a bare section cue names that section; a title cue names
        the post once, and never a section's name; what names nothing is prose again."""
        # A section just announced, with nothing said in it yet, takes the name a naming cue
        # gives: "Next section. Budget. No wait, call it money on the road."
        just_announced = self.block.spoken and not self.block.sentences
        waiting = just_announced and (
            self.pending in ("section", "subsection") or self.renamable or cue.kind != "title"
        )
        if cue.kind not in ("title", "name", "open_name"):
            return False
        if waiting and cue.name:
            self.name_pending(cue.name)
            self.renamable = False
        elif cue.kind == "open_name" or (self.title is not None and cue.name):
            self.say(_as_speech(cue))
        elif cue.kind == "name":
            self.title = cue.name or None
            self.pending = None if cue.name else "title"
        else:
            return False  # a title cue: the usual way
        return True

    def _names_the_open_section(self, cue: Cue) -> bool:
        """ "New section. Part 7." is one section called Part 7, not two."""
        if self.pending not in ("section", "subsection") or self.block.sentences:
            return False
        if cue.kind not in ("section", "subsection") or not (cue.name or cue.label):
            return False
        self.block.heading = cue.name or cue.label
        self.pending = None if cue.name else self.pending
        self.labelled = not cue.name
        return True

    def result(self) -> Dictation:
        if self.held is not None:
            self.settle_held(None)
        for block in self.blocks:
            block.paragraphs = [p for p in block.paragraphs if p]
        blocks = _sized_turns([b for b in self.blocks if b.spoken or b.paragraphs])
        return Dictation(title=self.title, blocks=blocks, notes=tuple(self.notes))


# A turn of topic makes a section only between stretches this long (in words): "Buy milk.
# Switching gears, call mom." is two paragraphs, not two sections.
TURN_SECTION_WORDS = 50


def _sized_turns(blocks: list[Block]) -> list[Block]:
    """The blocks with each turn of topic that has too little said on either side of it
    joined back to the block before it as a new paragraph; a block a kept turn ends is
    marked as turned too (its heading is proposed as well)."""
    kept: list[Block] = []
    for block in blocks:
        before = kept[-1] if kept else None
        if block.turned and before is not None and not before.spoken:
            if min(_words(before), _words(block)) < TURN_SECTION_WORDS:
                before.paragraphs += block.paragraphs
                continue
            before.turned = True
        kept.append(block)
    return kept


def _words(block: Block) -> int:
    return sum(len(s.text.split()) for s in block.sentences)


def apply_spoken_cues(transcript: Transcript) -> Dictation:
    """Turn the speaker's dictated structure, in the memo's language, into a title and blocks
    of paragraphs."""
    g = grammar(language(transcript.language))
    builder = _Builder(g)
    for piece in split_sentences(transcript, g):
        builder.feed(piece)
    return replace(builder.result(), language=transcript.language, pauses=transcript.pauses)


def merge_dictations(parts: list[Dictation], offsets: list[float]) -> Dictation:
    """Memos dictated in pieces as one: times shifted to run on, and a piece that starts
    without a section cue continues the section the piece before it ended in."""
    blocks: list[Block] = []
    for dictation, offset in zip(parts, offsets, strict=True):
        for index, block in enumerate(dictation.blocks):
            shifted = Block(
                block.heading,
                block.spoken,
                [_shift(p, offset) for p in block.paragraphs],
                block.level,
                block.turned,
            )
            if index == 0 and blocks and not block.spoken:
                blocks[-1].paragraphs += shifted.paragraphs
            else:
                blocks.append(shifted)
    titles = [d.title for d in parts if d.title]
    language = parts[0].language if parts else "en"
    pauses = None  # the pieces' pauses run on too, when every piece was listened for them
    if parts and all(d.pauses is not None for d in parts):
        pauses = tuple(
            (a + offset, b + offset)
            for d, offset in zip(parts, offsets, strict=True)
            for a, b in d.pauses
        )
    notes = tuple(
        Note(n.text, round(n.start + offset, 2), round(n.end + offset, 2))
        for d, offset in zip(parts, offsets, strict=True)
        for n in d.notes
    )
    return Dictation(titles[0] if titles else None, blocks, language, pauses, notes)


def _shift(paragraph: list[Sentence], offset: float) -> list[Sentence]:
    return [
        Sentence(s.text, round(s.start + offset, 2), round(s.end + offset, 2)) for s in paragraph
    ]
