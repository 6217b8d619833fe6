"""The numbers in a text, as values: what the faithfulness check holds a cleanup to.

"forty minutes", "40 minutes" and "a 40-minute walk" all say 40; "$1,200", "1200 dollars" and
"twelve hundred" 1200; "3:30", "three thirty" and "half past three" 3 and 30. Units ($, %,
"dollars", "p.m.") are not part of a value: a model that writes "40%" for "forty percent" keeps
the number. Number words are language data ([numbers] in pipeline/languages/<code>.toml);
digits read the same in every language.

A number is said once but may be read more than one way: "1,200" is 1200 in English and 1.2 in
German, "twenty twenty-six" is a year (2026) or two numbers (a time, 20:26). Each mention keeps
every reading, and one side keeps a mention of the other when any of its readings is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from voiceblog.languages import Language

# Digits with their separators ("1,200", "3.5", "3:30", "1 200"), a word (with inner hyphens and
# apostrophes: "twenty-five", "o'clock"), or one mark, which ends any spelled number.
TOKEN = re.compile(
    r"(?P<digits>\d+(?:[.,:\u00a0\u202f]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:['’-][^\W\d_]+)*)"
    r"|(?P<mark>[^\w\s])"
)
SEPARATORS = re.compile(r"[.,\u00a0\u202f]")


def canonical(value: Decimal) -> str:
    """One spelling per value: 40, 3.5, 1200 (never 4E+1 or 3.50)."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Mention:
    """A number as the text has it, with what it may mean."""

    text: str  # as written: "forty", "$1,200" → "1,200", "half past three"
    readings: tuple[frozenset[str], ...]  # each a set of values that must all be there
    soft: bool = False  # "one", "second", "a couple": may stand for a number, never missed
    also: frozenset[str] = frozenset()  # values it may stand for, never missed: see _spaced

    @property
    def values(self) -> frozenset[str]:
        return frozenset().union(*self.readings, self.also)

    def found_in(self, values: frozenset[str]) -> bool:
        return any(reading <= values for reading in self.readings)


def mention(text: str, *readings: set, soft: bool = False) -> Mention:
    return Mention(text, tuple(frozenset(map(canonical, r)) for r in readings), soft)


# Reading digits ----------------------------------------------------------------------------


def digit_readings(digits: str) -> list[set[Decimal]]:
    """What a run of digits may mean: "1,200" → 1200 or 1.2; "3:30" → 3 and 30; "3.30" → 3.3
    or 3 and 30 (a British time); "12.05.2024" → 12, 5 and 2024."""
    if ":" in digits:  # a time (3:30, 3:00 is just 3) or a ratio (3:1)
        hours, *rest = (Decimal(part) for part in digits.split(":"))
        return [{hours, *(r for r in rest if r)}]
    groups = SEPARATORS.split(digits)
    marks = SEPARATORS.findall(digits)
    if not marks:
        return [{Decimal(digits)}]
    readings = []
    if len(set(marks)) == 1:
        if len(groups) == 2 and marks[0] in ".,":
            readings.append({Decimal(f"{groups[0]}.{groups[1]}")})
            if len(groups[1]) == 2 and int(groups[0]) <= 24 and int(groups[1]) < 60:
                readings.append({Decimal(groups[0]), Decimal(groups[1])} - {Decimal(0)})
        if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            readings.append({Decimal("".join(groups))})
    elif len(set(marks[:-1])) == 1 and marks[-1] != marks[0] and marks[-1] in ".,":
        whole = "".join(groups[:-1])  # "1,234.56" and "1.234,56": the last mark is the point
        readings.append({Decimal(f"{whole}.{groups[-1]}")})
    return readings or [{Decimal(g) for g in groups}]


# Reading spelled numbers -------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One number word, or one part of a compound ("fünf", "und", "zwanzig")."""

    text: str
    kind: str  # add ("twenty"), multiply ("hundred"), scale ("thousand"), join ("and")
    value: Decimal = Decimal(0)
    ends: bool = False  # an ordinal: nothing more belongs to the number
    in_word: bool = False  # part of a compound word


@dataclass(frozen=True)
class Lexicon:
    """A language's number words ([numbers] in its file), by what each does to a number."""

    pieces: dict[str, Piece]
    soft: frozenset[str]
    loose: dict[str, Decimal]
    point: frozenset[str]
    hour_fractions: dict[str, int]
    fractions: dict[tuple[str, ...], Decimal]  # said after a number: "and a half"
    past: frozenset[str]
    to: frozenset[str]
    compound: re.Pattern | None  # a word made of number words only
    piece: re.Pattern | None  # one number word inside such a word


def _number(value) -> Decimal:
    return Decimal(str(value))


@cache
def lexicon(lang: Language) -> Lexicon:
    pieces: dict[str, Piece] = {}
    for word in lang.items("numbers", "joiners"):
        pieces[word] = Piece(word, "join")
    for key, kind in (("words", "add"), ("multipliers", "multiply"), ("scales", "scale")):
        for word, value in lang.table("numbers", key).items():
            pieces[word] = Piece(word, kind, _number(value))
    for stem, value in lang.table("numbers", "ordinals").items():
        kind = "add" if value < 100 else "multiply" if value == 100 else "scale"
        for ending in lang.items("numbers", "ordinal_endings") or ("",):
            pieces[stem + ending] = Piece(stem + ending, kind, _number(value), ends=True)
    # Longest first: "sechzehn" before "sechs".
    alternatives = "|".join(map(re.escape, sorted(pieces, key=len, reverse=True)))
    compound = re.compile(f"(?:{alternatives}|-)+") if pieces else None
    piece = re.compile(alternatives) if pieces else None
    return Lexicon(
        pieces,
        lang.words("numbers", "soft"),
        {w: _number(v) for w, v in lang.table("numbers", "loose").items()},
        lang.words("numbers", "point"),
        dict(lang.table("numbers", "hour_fractions")),
        {tuple(k.split()): _number(v) for k, v in lang.table("numbers", "fractions").items()},
        lang.words("numbers", "past"),
        lang.words("numbers", "to"),
        compound,
        piece,
    )


def word_pieces(word: str, lex: Lexicon) -> list[Piece] | None:
    """The number words a word is made of ("twenty-five", "fünfundzwanzig"), or None when it is
    not a number word (or not one through and through: "often", "Achtung")."""
    if word in lex.pieces:
        return [lex.pieces[word]]
    if not lex.compound or not lex.piece or not lex.compound.fullmatch(word):
        return None
    names = lex.piece.findall(word)
    if "".join(names).replace("-", "") != word.replace("-", ""):
        return None
    pieces = [Piece(n, p.kind, p.value, p.ends, True) for n in names if (p := lex.pieces[n])]
    if pieces[0].kind == "join" or pieces[-1].kind == "join":
        return None
    return pieces


@dataclass
class _Spoken:
    """A spelled number being read, one piece at a time."""

    first: int  # the index of its first token
    words: list[str] = field(default_factory=list)  # its tokens, as written
    last_token: int = -1
    total: Decimal = Decimal(0)  # the groups closed by a scale word
    current: Decimal = Decimal(0)  # the group of three digits being said
    scale: Decimal | None = None  # the last scale word: the next one must be smaller
    last: Piece | None = None
    joined: Piece | None = None  # a joiner just read ("and"), waiting for what follows
    decimals: str = ""  # spelled after "point"
    fraction: Decimal = Decimal(0)  # "and a half"
    done: bool = False  # an ordinal was read

    def accepts(self, piece: Piece, same_word: bool = False) -> bool:
        if self.done:
            return False
        if piece.kind == "scale":  # "one point five | million", "three hundred | thousand"
            return self.scale is None or piece.value < self.scale
        if self.decimals or self.fraction:  # only a scale may follow: "two and a half million"
            return False
        if piece.kind == "multiply":
            return Decimal(0) < self.current < 100
        if piece.value >= 100:  # "doscientos", "cien": the start of a group
            return self.current == 0
        if same_word and (self._inverted(piece) or self._compounded(piece)):
            return True
        if self.current % 100 == 0:  # "two hundred | five", "two thousand | five"
            return self.current > 0 or self.total > 0
        return self.current % 10 == 0 and self.current % 100 >= 20 and piece.value < 10

    def _compounded(self, piece: Piece) -> bool:
        """Inside one word, a smaller number after a ten or more adds to it: "soixante-dix"
        (70), "quatre-vingt-dix-neuf" (99), "dix-sept" (17), "diecisiete" ("five-six" is two)."""
        last = self.last
        after_tens = last is not None and last.in_word and last.kind == "add" and last.value >= 10
        fits = self.current % 100 + piece.value < 100
        return bool(after_tens and piece.value < last.value and fits)

    def _inverted(self, piece: Piece) -> bool:
        unit = self.last is not None and self.last.kind == "add" and 0 < self.last.value < 10
        tens = piece.value % 10 == 0 and 20 <= piece.value < 100
        return bool(self.joined and self.joined.in_word and unit and tens)

    def take(self, piece: Piece, word: str, index: int) -> None:
        if index != self.last_token:
            self.words.append(word)
            self.last_token = index
        if piece.kind == "multiply":
            self.current = (self.current or 1) * piece.value
        elif piece.kind == "scale":
            self.total += (self._group() or 1) * piece.value
            self.current, self.scale = Decimal(0), piece.value
            self.decimals, self.fraction = "", Decimal(0)
        else:
            self.current += piece.value
        self.last, self.joined, self.done = piece, None, piece.ends

    def _group(self) -> Decimal:
        decimals = Decimal(f"0.{self.decimals}") if self.decimals else 0
        return self.current + decimals + self.fraction

    def mention(self, lex: Lexicon) -> Mention:
        value = self.total + self._group()
        soft = len(self.words) == 1 and self.words[0] in lex.soft
        return _as_mention(" ".join(self.words), {value}, soft)


def mentions(text: str, lang: Language) -> list[Mention]:
    """Every number in the text, in order."""
    lex = lexicon(lang)
    tokens = [(m.lastgroup, m.group().lower().replace("’", "'")) for m in TOKEN.finditer(text)]
    found: list[tuple[int, int, Mention]] = []  # (first token, last token, mention)
    spoken: _Spoken | None = None

    def close(last: int) -> None:
        nonlocal spoken
        if spoken and spoken.words:
            found.append((spoken.first, last, spoken.mention(lex)))
        spoken = None

    i = 0
    while i < len(tokens):
        kind, token = tokens[i]
        if kind == "digits":
            close(i - 1)
            i = _read_digits(tokens, i, lex, found)
        elif kind == "word" and (time := _hour_fraction(tokens, i, lex)):
            close(i - 1)
            found.append((i, i + 2, time))
            i += 3
        elif kind == "word" and spoken and (fraction := _fraction(tokens, i, lex)):
            words, value = fraction
            spoken.words += words
            spoken.fraction = value
            i += len(words)
        elif kind == "word" and (token in lex.loose or token in lex.hour_fractions):
            close(i - 1)
            found.append((i, i, _loose(token, lex)))
            i += 1
        elif kind == "word" and spoken and token in lex.point and _read_decimals(tokens, i, lex):
            digits = _read_decimals(tokens, i, lex)
            spoken.decimals = "".join(digits)
            spoken.words += [t for _, t in tokens[i : i + 1 + len(digits)]]
            i += 1 + len(digits)
        elif (pieces := word_pieces(token, lex) if kind == "word" else None) is not None:
            for piece in pieces:
                if piece.kind == "join":
                    if spoken and piece.in_word:
                        spoken.joined = piece
                    continue
                if not (spoken and spoken.accepts(piece, spoken.last_token == i)):
                    close(i - 1 if piece is pieces[0] else i)
                    spoken = _Spoken(i)
                spoken.take(piece, token, i)
            i += 1
            if pieces[0].kind == "join" and spoken:
                if _joins(spoken, tokens, i, lex):
                    spoken.words.append(token)
                else:
                    close(i - 2)  # "two and three": the "and" joins nothing
        elif kind == "word" and "-" in token:  # "nine-to-five", "forty-minute": one at a time
            tokens[i : i + 1] = [("word", part) for part in token.split("-") if part]
        else:
            close(i - 1)
            i += 1
    close(len(tokens) - 1)
    return _years(found)


def _joins(spoken: _Spoken, tokens: list, i: int, lex: Lexicon) -> bool:
    """Whether the word after a joiner goes on the number before it: "hundred and | fifty"."""
    if i >= len(tokens) or tokens[i][0] != "word":
        return False
    pieces = word_pieces(tokens[i][1], lex)
    return bool(pieces) and spoken.accepts(pieces[0])


def _fraction(tokens: list, i: int, lex: Lexicon) -> tuple[list[str], Decimal] | None:
    """ "and a half" after a number: its words and its value."""
    for words, value in lex.fractions.items():
        if tuple(t for _, t in tokens[i : i + len(words)]) == words:
            return list(words), value
    return None


def _loose(word: str, lex: Lexicon) -> Mention:
    """A word that stands for a number and is never part of one: soft. "half" may stand for 30
    as well, and "quarter" for 15: "half an hour" → "30 minutes"."""
    values = {lex.loose[word]} if word in lex.loose else set()
    if word in lex.hour_fractions:
        values.add(_number(lex.hour_fractions[word]))
    return mention(word, *({v} for v in values), soft=True)


def _as_mention(text: str, values: set[Decimal], soft: bool = False) -> Mention:
    # A lone 1 is "one", "a", "an", "first" as often as a number: it may stand for a 1 the other
    # side has, and is never missed ("one hour" → "an hour" → "1 hour" all agree).
    return mention(text, values, soft=soft or values == {Decimal(1)})


def _read_digits(tokens: list, i: int, lex: Lexicon, found: list) -> int:
    """The digits at i, times a scale word after them ("1.5 million"); the next token's index."""
    text, readings, end = tokens[i][1], digit_readings(tokens[i][1]), i
    scale = lex.pieces.get(tokens[i + 1][1]) if i + 1 < len(tokens) else None
    if scale and scale.kind == "scale" and all(len(r) == 1 for r in readings):
        readings = [{v * scale.value for v in r} for r in readings]
        text, end = f"{text} {tokens[i + 1][1]}", i + 1
    soft = readings == [{Decimal(1)}]
    found.append((i, end, mention(text, *readings, soft=soft)))
    return end + 1


def _read_decimals(tokens: list, i: int, lex: Lexicon) -> list[str]:
    """The digits spelled after "point": "one point five" → ["5"]."""
    digits = []
    for kind, token in tokens[i + 1 :]:
        piece = lex.pieces.get(token)
        if kind != "word" or not piece or piece.kind != "add" or piece.value >= 10:
            break
        digits.append(canonical(piece.value))
    return digits


def _hour_fraction(tokens: list, i: int, lex: Lexicon) -> Mention | None:
    """ "half past three" (3 and 30), "quarter to four" (3 and 45)."""
    if tokens[i][1] not in lex.hour_fractions or i + 2 >= len(tokens):
        return None
    link, (kind, hour_text) = tokens[i + 1][1], tokens[i + 2]
    piece = lex.pieces.get(hour_text)
    hour = Decimal(hour_text) if kind == "digits" and hour_text.isdigit() else None
    if piece and piece.kind == "add" and not piece.ends:
        hour = piece.value
    if hour is None or not 0 < hour <= 24 or link not in lex.past | lex.to:
        return None
    minutes = lex.hour_fractions[tokens[i][1]]
    if link in lex.to:
        hour, minutes = hour - 1 or 24, 60 - minutes
    text = " ".join(t for _, t in tokens[i : i + 3])
    return mention(text, {hour, Decimal(minutes)})


def _years(found: list[tuple[int, int, Mention]]) -> list[Mention]:
    """Numbers said one after the other that may be one: two spelled numbers, the first and
    the second of 10–99, may be a year ("nineteen eighty-seven" is 1987, or 19 and 87 as in
    "twelve thirty"); digits one by one may be one number (Whisper's "2 0 2 2")."""
    merged: list[tuple[int, int, Mention]] = []
    for first, last, m in found:
        before = merged[-1][2] if merged and merged[-1][1] == first - 1 else None
        if before and (joined := _as_year(before, m) or _spaced(before, m)):
            merged[-1] = (merged[-1][0], last, joined)
        else:
            merged.append((first, last, m))
    return [m for _, _, m in merged]


def _spaced(before: Mention, digit: Mention) -> Mention | None:
    """Single digits in a row, "2 0 2 2": the digits, or the number they make; and any run of
    them may be one of the numbers a model makes of them ("2 1 0 2 9 6" → "2102 96"). Past two
    digits, which number was said is anyone's guess: such a run is soft."""
    digits = before.text.replace(" ", "")
    if not (digits.isdigit() and len(digit.text) == 1 and digit.text.isdigit()):
        return None
    if len(before.text) != 2 * len(digits) - 1:  # "12 3": not digits one by one
        return None
    digits += digit.text
    runs = {
        canonical(Decimal(digits[i:j]))
        for i in range(len(digits))
        for j in range(i + 1, len(digits) + 1)
    }
    readings = (frozenset(digits), frozenset({canonical(Decimal(digits))}))
    soft = len(digits) > 2
    return Mention(f"{before.text} {digit.text}", readings, soft, frozenset(runs))


def _whole(m: Mention) -> Decimal | None:
    """The one whole number a spelled mention says, or None."""
    if len(m.readings) != 1 or len(m.readings[0]) != 1 or any(c.isdigit() for c in m.text):
        return None
    value = Decimal(next(iter(m.readings[0])))
    return value if value == value.to_integral_value() else None


def _as_year(century: Mention, rest: Mention) -> Mention | None:
    high, low = _whole(century), _whole(rest)
    if high is None or low is None or not (10 <= high < 100 and 10 <= low < 100):
        return None
    return mention(f"{century.text} {rest.text}", {high, low}, {high * 100 + low})


# Comparing ---------------------------------------------------------------------------------


def values_in(found: list[Mention]) -> frozenset[str]:
    return frozenset().union(*(m.values for m in found))


def missing(found: list[Mention], elsewhere: list[Mention]) -> list[Mention]:
    """The numbers of found (soft ones aside) that elsewhere does not have, each once."""
    there = values_in(elsewhere)
    lost = {m.text: m for m in found if not m.soft and not m.found_in(there)}
    return list(lost.values())


def number_changes(source: str, output: str, lang: Language) -> tuple[list[str], list[str]]:
    """The numbers said and not written, and written and not said, as the texts have them.

    Values are compared as sets, not counts: a model that writes "58, 58 minutes" as "58
    minutes" removed a repetition, not a number."""
    said, written = mentions(source, lang), mentions(output, lang)
    return [m.text for m in missing(said, written)], [m.text for m in missing(written, said)]
