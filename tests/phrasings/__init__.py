"""Spoken cues generated from their parts, as Whisper writes them, each with what it must give.

A cue is a lead ("Okay, so"), a head made of parts (a position, a structure word, a number, a
link, a request, a naming verb) and a name. Each language's module here lists its parts; every
form is built with every word of each part it uses, with names and leads spread over them, in
each punctuation Whisper writes (a colon, a comma, a dash, a full stop, only a pause, lower
case). The negatives are the same words running on as prose.

The lists are this test's own, written from how people dictate, not copied from the language
files in pipeline/languages/: a word the grammar lacks shows up as a failure.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from voiceblog.cues import apply_spoken_cues
from voiceblog.transcription.transcript import Segment, Transcript

PAUSE = " | "  # between two of Whisper's segments: the speaker paused
SEPARATORS = (": ", ", ", " — ", ". ", PAUSE, " ")  # " ": no mark at all


@dataclass(frozen=True)
class Phrasing:
    text: str  # what Whisper wrote; PAUSE where the speaker paused
    kind: str  # "title", "section", "subsection", "note" (notes.py) or "none"
    name: str  # the name it must give ("" for none)
    form: str  # the form that made it, for the failure report


@dataclass(frozen=True)
class Structure:
    word: str  # "section", "Abschnitt"
    kind: str  # "section" or "subsection"
    gender: str = ""  # picks the agreeing form of a template: "m", "f", "n"


Template = str | dict[str, str]  # one text, or one per gender


@dataclass(frozen=True)
class Lexicon:
    """One language's parts. In a template, {s} is the structure word, {x} the structure with
    its position ("a new section"), {n} the name."""

    code: str
    leads: tuple[str, ...]  # said before a cue, with their comma: "Okay, so, "
    names: tuple[str, ...]
    long_names: tuple[str, ...]  # nine words and more
    short_names: tuple[str, ...]  # said before the structure word: "the pricing section"
    structures: tuple[Structure, ...]
    fresh: tuple[Template, ...]  # "New {s}", "The next {s}"
    positions: tuple[Template, ...]  # "The first {s}", "Final {s}"
    numbers: tuple[str, ...]  # after the structure word: "two", "number 3"
    links: tuple[Template, ...]  # from the head to the name with no mark: " is called"
    named_links: tuple[Template, ...]  # links that name, good after a number too: " is about"
    moves: tuple[Template, ...]  # "Moving on to {x}": {x} from `moved`
    requests: tuple[Template, ...]  # "Let's start {x}"
    requested: tuple[Template, ...]  # the {x} of a request: "a new {s}"
    wants: tuple[Template, ...]  # "I want {x}"
    namings: tuple[Template, ...]  # "Let's call {x}": {x} from `named`
    named: tuple[Template, ...]  # "this {s}", "the next {s}"
    name_first: tuple[Template, ...]  # "On to the {n} {s}"
    after_bare: tuple[Template, ...]  # a naming sentence after a bare cue: "Let's call it {n}"
    asides: tuple[str, ...]  # between head and name, in commas: "let me think"
    qualifiers: tuple[str, ...]  # after the structure word: "for today"
    corrections: tuple[str, ...]  # "No, make that {x}" after a bare cue, {x} a subsection
    titles: tuple[str, ...]  # "Title: {n}"
    negatives: tuple[Template, ...]  # prose: {s} a structure word, {x} with a position
    prose_around: tuple[str, ...] = ("{}",)  # "We walked for hours, {}"
    articles: tuple[str, ...] = ()  # what a position template starts with: "The "
    renames: tuple[str, ...] = ()  # after a cue and its name: "No wait, call it {n}"
    context: tuple[str, ...] = field(default=())  # said before each phrasing (see heard())
    # The {x} of a move, where the move's words ask for a case or contraction of their own
    # ("Kommen wir zum nächsten Abschnitt"); by default the fresh and position heads.
    moved: tuple[Template, ...] = ()
    # What the speaker says after a long name, and after a name said first.
    went_on: str = "Then it went on from there."
    took: str = "It took a while."
    # Where a clause cannot follow a preposition ("über warum …" is not German): names that
    # start with one of clause_starts are said after no link ending in one of prepositions.
    prepositions: tuple[str, ...] = ()
    clause_starts: tuple[str, ...] = ()
    colon: str = ": "  # as Whisper writes it in the language: French " : "
    # A topic announced as the next thing to talk about, a section with no structure word:
    # "The last thing I want to cover", then a mark or a link and the name.
    topics: tuple[str, ...] = ()


def fill(template: Template, structure: Structure, **names: str) -> str:
    return pick(template, structure).format(s=structure.word, **names)


def pick(template: Template, structure: Structure) -> str:
    """The template's text for the structure's gender (the one text if it has no genders)."""
    return template[structure.gender] if isinstance(template, dict) else template


def agreeing(genders: tuple[str, ...], words: dict[str, tuple[str, ...]]):
    """A maker of templates that agree: with words {"der": ("der", "die", "das")} for genders
    ("m", "f", "n"), "<Der> erste {s}" is {"m": "Der erste {s}", "f": "Die erste {s}", …}; a
    text with no <word> in it stays one text."""

    def one(text: str, gender: int) -> str:
        def word(match: re.Match) -> str:
            key = match.group(1)
            said = words[key.lower()][gender]
            return upper_first(said) if key[:1].isupper() else said

        return re.sub(r"<([^<>]+)>", word, text)

    def template(text: str) -> Template:
        if "<" not in text:
            return text
        return {g: one(text, i) for i, g in enumerate(genders)}

    return template


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def expected(name: str) -> str:
    """The heading a name gives: as said, first letter upper, no closing mark."""
    return upper_first(name.strip().rstrip(".?!"))


class _Maker:
    """Builds phrasings, spreading leads and names over them so each form meets many."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.count = itertools.count()
        self.out: list[Phrasing] = []

    def lead(self) -> str:
        return self.lex.leads[next(self.count) % len(self.lex.leads)]

    def name(self, offset: int = 0, after: str = "") -> str:
        """The next name; after a preposition ("über"), the next that may follow it."""
        names = self.lex.names
        if after.split()[-1:] and after.split()[-1].lower() in self.lex.prepositions:
            starts = self.lex.clause_starts
            names = tuple(n for n in names if n.split()[0].lower() not in starts)
        return names[(next(self.count) + offset) % len(names)]

    def add(self, form: str, kind: str, text: str, name: str) -> None:
        self.out.append(Phrasing(text, kind, expected(name) if name else "", form))

    def marked(self, form: str, kind: str, head: str, separators=SEPARATORS) -> None:
        """The head, then the name after each separator; and once all lower case."""
        for separator in separators:
            name = self.name()
            while separator == " " and _starts_with_number(name, self.lex):
                name = self.name()  # "The last section five things …" is section five
            said = name if separator in (": ", ", ", " — ", PAUSE, " ") else upper_first(name)
            separator = self.lex.colon if separator == ": " else separator
            self.add(form, kind, f"{self.lead()}{head}{separator}{said}.", name)
        name = self.name()
        self.add(form + ", lower case", kind, f"{self.lead()}{head}, {name}.".lower(), name.lower())

    def linked(self, form: str, kind: str, head: str, links, s: Structure) -> None:
        for link in links:
            name = self.name(after=fill(link, s))
            self.add(form, kind, f"{self.lead()}{head}{fill(link, s)} {name}.", name)


def _starts_with_number(name: str, lex: Lexicon) -> bool:
    """ "The last section five things …" is section five: with no mark or pause, a name
    starting with a number is not this test's to ask for."""
    first = name.split()[0].lower()
    return first.isdigit() or first in {n.split()[-1].lower() for n in lex.numbers}


def positives(lex: Lexicon) -> list[Phrasing]:
    make = _Maker(lex)
    for s in lex.structures:
        _structure_forms(make, lex, s)
    section = Structure("", "section")
    for topic in lex.topics:
        make.marked("topic", "section", topic, (": ", ", ", ". ", PAUSE))
        make.linked("topic, link", "section", topic, (" is",), section)
    for title in lex.titles:
        for _ in range(3):
            name = make.name()
            make.add("title", "title", f"{make.lead()}{upper_first(title.format(n=name))}.", name)
    return make.out


def _structure_forms(make: _Maker, lex: Lexicon, s: Structure) -> None:
    for fresh in lex.fresh:
        head = upper_first(fill(fresh, s))
        make.marked("position", s.kind, head)
        make.linked("position, link", s.kind, head, lex.links, s)
    for position in lex.positions:
        head = upper_first(fill(position, s))
        make.marked("position", s.kind, head)
        make.linked("position, link", s.kind, head, lex.links[::3], s)
    for number in lex.numbers:
        head = upper_first(f"{s.word} {number}")
        make.marked("number", s.kind, head, (": ", ", ", " — ", PAUSE))
        make.linked("number, link", s.kind, head, lex.named_links[::2], s)
    moved = lex.moved or lex.fresh + lex.positions
    for i, move in enumerate(lex.moves):
        x = fill(moved[i % len(moved)], s)
        head = upper_first(fill(move, s, x=x[:1].lower() + x[1:]))
        make.marked("move", s.kind, head, (": ", ", ", " — "))
        make.linked("move, link", s.kind, head, lex.named_links[i % 2 :: 2], s)
    for i, request in enumerate(lex.requests):
        x = fill(lex.requested[i % len(lex.requested)], s)
        head = upper_first(fill(request, s, x=x))
        make.marked("request", s.kind, head, (": ", " — "))
        make.linked("request, link", s.kind, head, lex.named_links[i % 3 :: 3], s)
    for i, want in enumerate(lex.wants):
        head = upper_first(fill(want, s, x=fill(lex.requested[i % len(lex.requested)], s)))
        make.linked("want, link", s.kind, head, lex.named_links[i % 2 :: 2], s)
    for naming, named in itertools.product(lex.namings, lex.named):
        name = make.name()
        text = upper_first(fill(naming, s, x=fill(named, s)))
        make.add("naming verb", s.kind, f"{make.lead()}{text} {name}.", name)
    _bare_forms(make, lex, s)


def _bare_forms(make: _Maker, lex: Lexicon, s: Structure) -> None:
    """A bare cue, then its name: in a naming sentence, after an aside, as a long sentence."""
    bare = [upper_first(fill(f, s)) for f in lex.fresh + lex.positions]
    for i, after in enumerate(lex.after_bare):
        name, head = make.name(after=pick(after, s).split("{n}")[0]), bare[i % len(bare)]
        naming = fill(after, s, n=name)
        make.add("bare, naming sentence", s.kind, f"{head}. {upper_first(naming)}.", name)
        make.add("bare, naming clause", s.kind, f"{head}, {naming}.", name)
    for i, aside in enumerate(lex.asides):
        name, head = make.name(), bare[i % len(bare)]
        make.add("aside", s.kind, f"{make.lead()}{head}, {aside}, {name}.", name)
        link = fill(lex.links[i % len(lex.links)], s)
        name = make.name(after=link)
        make.add("aside after link", s.kind, f"{head}{link}, {aside}, {name}.", name)
        link = fill(lex.named_links[i % len(lex.named_links)], s).strip(" ,")
        name = make.name(after=link)
        make.add("aside, then link", s.kind, f"{head}, {aside}, {link} {name}.", name)
    for i, rename in enumerate(lex.renames):
        first, name, head = make.name(), make.name(), bare[i % len(bare)]
        renamed = upper_first(rename.format(n=name))
        make.add("renamed", s.kind, f"{head}. {upper_first(first)}. {renamed}.", name)
        make.add("renamed, one sentence", s.kind, f"{head}: {first}. {renamed}.", name)
    for i, qualifier in enumerate(lex.qualifiers):
        name, head = make.name(), bare[i % len(bare)]
        make.add("qualifier", s.kind, f"{make.lead()}{head} {qualifier}: {name}.", name)
    for i, name in enumerate(lex.long_names):
        head = bare[i % len(bare)]
        after = lex.went_on
        make.add(
            "bare, long name", s.kind, f"{head}.{PAUSE}{upper_first(name)}.{PAUSE}{after}", name
        )
        make.add("long name after a comma", s.kind, f"{head}, {name}.{PAUSE}{after}", name)
    for template in lex.name_first:
        for name in lex.short_names:
            text = upper_first(fill(template, s, n=name))
            make.add("name first", s.kind, f"{make.lead()}{text}.{PAUSE}{lex.took}", name)
    if s.kind == "subsection":
        return
    for correction in lex.corrections:
        for sub in (x for x in lex.structures if x.kind == "subsection"):
            name, head = make.name(), bare[0]
            fixed = upper_first(correction.format(x=fill(lex.requested[0], sub)))
            make.add("corrected", "subsection", f"{head}. {fixed}. {upper_first(name)}.", name)
            # As Whisper writes it as often: one sentence, in commas.
            in_commas = f"{head}, {fixed[:1].lower()}{fixed[1:]}, {name}."
            make.add("corrected, in commas", "subsection", in_commas, name)


def negatives(lex: Lexicon) -> list[Phrasing]:
    """The parts running on as prose, on their own and after a clause."""
    out: dict[str, Phrasing] = {}
    for template, s in itertools.product(lex.negatives, lex.structures):
        positions = _without_article(lex, [fill(p, s) for p in lex.positions + lex.fresh])
        position = positions[len(out) % len(positions)]
        text = upper_first(fill(template, s, x=position))
        around = lex.prose_around[len(out) % len(lex.prose_around)]
        for said in (text, around.format(text[:1].lower() + text[1:]), text.lower()):
            out.setdefault(said, Phrasing(said, "none", "", pick(template, s)))
    return list(out.values())


def _without_article(lex: Lexicon, heads: list[str]) -> list[str]:
    """ "The first section" → "first section", for templates that say their own article."""
    return [h[len(a) :] for h in heads for a in lex.articles if h.startswith(a)]


def heard(phrasing: Phrasing, lex: Lexicon) -> tuple[str, str]:
    """(kind, name) the grammar makes of the phrasing, said after a section with speech in it
    (so a subsection has a section to sit under, and nothing waits for a name)."""
    segments = [*lex.context, *phrasing.text.split(PAUSE)]
    transcript = Transcript(
        segments=tuple(
            Segment(2.5 * i, 2.5 * i + 2, text.strip()) for i, text in enumerate(segments)
        ),
        duration=2.5 * len(segments),
        language=lex.code,
        engine="faster-whisper",
        model="tiny",
    )
    dictation = apply_spoken_cues(transcript)
    spoken = [b for b in dictation.blocks if b.spoken][1:]  # the context's own section first
    if spoken:
        block = spoken[0]
        return ("subsection" if block.level == 2 else "section"), block.heading or ""
    if dictation.title:
        return "title", dictation.title
    return "none", ""
