"""Topic breaks: sections and paragraphs for a stretch of dictation with no spoken cue.

Paragraphs first: a new one wherever the speaker paused long (a silence Silero VAD heard
between two stretches of speech, kept in the Transcript), and a paragraph longer than a
reader's is cut again where its words turn (lexical cohesion between the sentences on either
side, as in Hearst's TextTiling: content words only, the language's stop words left out and its
endings folded, rare words weighing more). Sections are a subset of those paragraph breaks: a
stretch gets one section per WORDS_PER_SECTION words, its breaks at the paragraph boundaries
where the topic turns most, none closer than a short section. A boundary's turn adds four
things, each in standard units of the memo: how deep the cohesion of a few paragraphs on either
side dips there (TextTiling's depth), how much of what is said just after it is new to the memo,
a penalty where the next paragraph opens by carrying on ("However", "This", "Second"), and, at
PAUSE_WEIGHT, how long the speaker paused there against their own pauses between paragraphs. A
sentence-embedding model (all-MiniLM-L6-v2) in place of the words or beside them found fewer of
the authors' breaks on benchmarks/structure.py, so none is used.
Each section found is named with a key phrase of its own: the run of the speaker's words whose
content words are most particular to that section. Spoken cues always win: this module sees
only what no cue structured.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from voiceblog.clean import Paragraph, clean_sentence
from voiceblog.cues import Block, Sentence, announced_topic, grammar
from voiceblog.fidelity import content_words
from voiceblog.languages import ENGLISH, Language
from voiceblog.title import cut_at_boundary, title_case
from voiceblog.title import rules as title_rules


@dataclass(frozen=True)
class Grain:
    """How finely to cut: sections of a post, or paragraphs of a section."""

    window: int  # content words compared on each side of a gap
    min_words: int  # no piece shorter than this
    max_words: int  # a piece longer than this pays for its length
    threshold: float  # a break is worth making where its score passes this
    pause_weight: float  # what a long pause adds to a gap's score


# Paragraphs: a thought, usually 40-130 words; a pause matters more here than for sections.
PARAGRAPHS = Grain(window=25, min_words=35, max_words=140, threshold=0.15, pause_weight=0.6)
LONG_PAUSE = 1.5  # seconds: a pause this long scores in full (cf. clean.PAUSE_FOR_PARAGRAPH)
HEADING_WORDS = (2, 7)  # a heading is a phrase of the speaker's, this many words long


@dataclass(frozen=True)
class TopicRules:
    """One language's [topics] from its file: how words are folded, what a phrase may hold."""

    endings: tuple[str, ...]  # folded off ("prices", "priced" → "pric"), longest first
    joiners: frozenset[str]  # small words a heading may have inside ("Removal of Tuples")
    stop_words: frozenset[str]  # words that end a heading phrase (the title's stop words)
    openers: frozenset[str]  # a paragraph opening with one carries on ("however", "this")


@cache
def topic_rules(lang: Language = ENGLISH) -> TopicRules:
    endings = sorted(lang.items("topics", "endings"), key=len, reverse=True)
    return TopicRules(
        tuple(endings),
        lang.words("topics", "joiners"),
        lang.words("title", "stop_words") | lang.words("fidelity", "stop_words"),
        lang.words("topics", "openers"),
    )


def stems(text: str, lang: Language = ENGLISH) -> list[str]:
    """The text's content words, each folded to a stem of at least three letters."""
    return [_stem(w, topic_rules(lang)) for w in content_words(text, lang) if len(w) > 2]


def _stem(word: str, r: TopicRules) -> str:
    for ending in r.endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


# Scoring the gaps between sentences ------------------------------------------------------


def gap_scores(sentences: list[Sentence], grain: Grain, lang: Language = ENGLISH) -> list[float]:
    """For each gap (before sentence 1, 2, …) how strongly the topic turns there."""
    bags = [stems(s.text, lang) for s in sentences]
    weight = _rarity(bags)
    cohesion = [_cohesion(bags, g, grain.window, weight) for g in range(1, len(bags))]
    # In standard units of this memo: how deep a dip or long a pause is depends on the speaker
    # and the subject, how much deeper than the others it is does not.
    depth = _standard(_depths(cohesion))
    pauses = _standard([_pause(sentences, g) for g in range(1, len(sentences))])
    return [d + grain.pause_weight * max(0.0, p) for d, p in zip(depth, pauses, strict=True)]


def _standard(values: list[float], least_spread: float = 0.0) -> list[float]:
    """Values as z-scores; all zero when they do not vary (no pauses heard, say). A spread
    smaller than least_spread counts as that: values that hardly vary stay near zero."""
    mean = sum(values) / max(1, len(values))
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / max(1, len(values)))
    spread = max(spread, least_spread)
    return [(v - mean) / spread if spread > 1e-9 else 0.0 for v in values]


def _rarity(bags: list[list[str]]) -> dict[str, float]:
    """Inverse document frequency over the sentences: a word said everywhere weighs little."""
    counts = Counter(w for bag in bags for w in set(bag))
    return {w: math.log(1 + len(bags) / c) for w, c in counts.items()}


def _cohesion(bags: list[list[str]], gap: int, window: int, weight: dict) -> float:
    """Cosine of the words just before the gap and just after it (window words each)."""
    before = Counter(_take(bags[:gap][::-1], window))
    after = Counter(_take(bags[gap:], window))
    dot = sum(before[w] * after[w] * weight[w] ** 2 for w in before.keys() & after.keys())
    norm = math.sqrt(_square(before, weight) * _square(after, weight))
    return dot / norm if norm else 0.0


def _take(bags: list[list[str]], window: int) -> list[str]:
    """Whole sentences' words, nearest first, until there are window words."""
    words: list[str] = []
    for bag in bags:
        if len(words) >= window:
            break
        words += bag
    return words


def _square(bag: Counter, weight: dict) -> float:
    return sum((n * weight[w]) ** 2 for w, n in bag.items())


def _depths(cohesion: list[float]) -> list[float]:
    """TextTiling's depth of the cohesion between sentences, smoothed over three gaps."""
    smooth = [sum(cohesion[max(0, i - 1) : i + 2]) / len(cohesion[max(0, i - 1) : i + 2])
              for i in range(len(cohesion))]  # fmt: skip
    return _depth_of(smooth)


def _depth_of(values: list[float]) -> list[float]:
    """TextTiling's depth: how far cohesion falls at a gap from the peaks on either side."""
    return [_peak(values, i, -1) + _peak(values, i, 1) - 2 * values[i] for i in range(len(values))]


def _peak(values: list[float], i: int, step: int) -> float:
    """The highest value reached climbing from i in one direction."""
    top = values[i]
    while 0 <= i + step < len(values) and values[i + step] >= top:
        i += step
        top = values[i]
    return top


def _pause(sentences: list[Sentence], i: int) -> float:
    """The speaker's pause before sentence i, as a share of a long pause (at most 1)."""
    return min(1.0, max(0.0, sentences[i].start - sentences[i - 1].end) / LONG_PAUSE)


# Choosing the breaks ---------------------------------------------------------------------


def choose_breaks(sizes: list[int], scores: list[float], grain: Grain) -> list[int]:
    """The indices (1…n-1) that start a new piece: the set whose scores above the threshold
    add up to most, every piece at least min_words long, long pieces paying for their length.
    scores[g - 1] is the score of a break before item g; None marks a gap that cannot break."""
    ends = [0]
    for size in sizes:
        ends.append(ends[-1] + size)
    best: list[tuple[float, list[int]]] = [(0.0, [])]
    for j in range(1, len(sizes) + 1):
        best.append(max(_options(best, ends, scores, grain, j), key=lambda o: o[0]))
    return best[-1][1]


def _options(best, ends: list[int], scores: list, grain: Grain, j: int):
    """Every way to end a piece at item j: after the best segmentation up to some i < j."""
    last = j == len(ends) - 1
    gain = 0.0 if last or scores[j - 1] is None else scores[j - 1] - grain.threshold
    for i in range(j):
        words = ends[j] - ends[i]
        short = words < grain.min_words and not (i == 0 and last)
        if short or (not last and scores[j - 1] is None):
            continue
        value = best[i][0] + gain - max(0, words - grain.max_words) / grain.max_words
        yield value, best[i][1] + ([] if last else [j])
    yield -math.inf, []  # j cannot end a piece


def cut(items: list, breaks: list[int]) -> list[list]:
    bounds = [0, *breaks, len(items)]
    return [items[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _sizes(sentences: list[Sentence]) -> list[int]:
    return [len(s.text.split()) for s in sentences]


def sections_of(
    sentences: list[Sentence], lang: Language = ENGLISH, pauses: Pauses = None
) -> list[list[Sentence]]:
    """An uncued stretch of sentences as sections, where the topic turns; one section when the
    stretch is too short to need more."""
    groups = paragraph_groups(sentences, pauses, lang)
    breaks = paragraph_breaks([_paragraph(g) for g in groups], lang, pauses)
    return [[s for g in part for s in g] for part in cut(groups, breaks)]


def paragraphs_of(sentences: list[Sentence], lang: Language = ENGLISH) -> list[Paragraph]:
    """A section's sentences as paragraphs that follow the thought: breaks where the topic
    shifts a little and at the speaker's longer pauses, within a paragraph's usual length."""
    return [_paragraph(g) for g in _by_cohesion(sentences, lang)]


def _by_cohesion(sentences: list[Sentence], lang: Language) -> list[list[Sentence]]:
    if len(sentences) < 2:
        return [sentences] if sentences else []
    scores = gap_scores(sentences, PARAGRAPHS, lang)
    return cut(sentences, choose_breaks(_sizes(sentences), scores, PARAGRAPHS))


def _paragraph(sentences: list[Sentence]) -> Paragraph:
    return Paragraph(_text(sentences), sentences[0].start, sentences[-1].end)


def _text(sentences: list[Sentence]) -> str:
    return " ".join(s.text for s in sentences)


# Paragraphs from the speaker's pauses ------------------------------------------------------

Pauses = tuple[tuple[float, float], ...] | None  # the VAD's silences; None: not listened for
# How far from a sentence boundary, in seconds, a silence may be heard and still be the pause
# there: a sentence's time is its share of its 30 s segment's characters, which is off by up to
# about half the silence in that segment.
PAUSE_REACH = 2.5


def paragraph_groups(
    sentences: list[Sentence], pauses: Pauses, lang: Language = ENGLISH
) -> list[list[Sentence]]:
    """Sentences in paragraphs: a new one wherever the speaker paused long (a silence the VAD
    heard), a long one cut again where its topic shifts. With no pauses to go by, by cohesion
    alone."""
    if pauses is None:
        return _by_cohesion(sentences, lang)
    paused = pause_gaps(sentences, pauses)
    groups = cut(sentences, [g for g in range(1, len(sentences)) if paused[g - 1]])
    return [p for g in groups for p in _split_if_long(g, lang)]


def _split_if_long(group: list[Sentence], lang: Language) -> list[list[Sentence]]:
    """A paragraph said without a long pause but longer than a reader's, cut by cohesion."""
    if sum(_sizes(group)) <= PARAGRAPHS.max_words:
        return [group]
    return _by_cohesion(group, lang)


def pause_gaps(
    sentences: list[Sentence] | list[Paragraph], pauses: tuple[tuple[float, float], ...]
) -> list[float]:
    """For each gap between two sentences (or paragraphs), the silence heard there (seconds, 0
    for none): each silence goes to the boundary nearest it, if one is within PAUSE_REACH."""
    gaps = [0.0] * max(0, len(sentences) - 1)
    bounds = [(a.end + b.start) / 2 for a, b in zip(sentences, sentences[1:], strict=False)]
    for start, end in pauses:
        middle = (start + end) / 2
        near = min(range(len(bounds)), key=lambda g: abs(bounds[g] - middle), default=None)
        if near is not None and abs(bounds[near] - middle) <= PAUSE_REACH:
            gaps[near] = max(gaps[near], end - start)
    return gaps


# Sections among paragraphs ---------------------------------------------------------------

# A reader's section: the benchmark's authors wrote 100-900 words a section, 300 on average
# over its posts. Tuned on benchmarks/structure.py's tuning texts only: of 150-350, 200 found
# most of the authors' breaks (a break 50 words off still counts, an extra one costs less).
WORDS_PER_SECTION = 200
SHORTEST_SECTION = 100  # words: no section shorter, and no two breaks closer
# Whole paragraphs on each side of a boundary, until this many words: a section's vocabulary
# shows over a few paragraphs (100 and 200 were noisier on the tuning texts, 400 no better).
COMPARE_WORDS = 300
NEW_WORDS = 50  # the words just after a boundary, checked for vocabulary not said before it
# What a boundary loses, in standard units, where the paragraph after it opens by carrying
# on ("However, …", "This means …", "Second, …"): enough that another boundary is taken first.
CARRIES_ON = 2.0


def section_breaks(
    paragraphs: list[str], lang: Language = ENGLISH, pauses: list[float] | None = None
) -> list[int]:
    """Where sections start among these paragraphs (indices): as many sections as a text of
    this length has (one per WORDS_PER_SECTION words), their breaks at the paragraph boundaries
    where the topic turns most (boundary_turns) and, given the silence before each paragraph
    (pauses[g - 1] before paragraph g, 0 for none heard), where the speaker paused longest."""
    sizes = [len(p.split()) for p in paragraphs]
    count = round(sum(sizes) / WORDS_PER_SECTION)
    if count < 2:
        return []
    ends = [sum(sizes[:g]) for g in range(len(sizes) + 1)]
    turns = boundary_turns(paragraphs, lang)
    if pauses is not None:
        turns = [t + PAUSE_WEIGHT * p for t, p in zip(turns, pause_scores(pauses), strict=True)]
    chosen: list[int] = []
    for g in sorted(range(1, len(paragraphs)), key=lambda g: -turns[g - 1]):
        if _room_for(ends[g], [ends[c] for c in chosen], ends[-1]):
            chosen.append(g)
        if len(chosen) == count - 1:
            break
    return sorted(chosen)


def _room_for(at: int, taken: list[int], length: int) -> bool:
    """Whether a break at this word leaves every section at least SHORTEST_SECTION long."""
    edges = [0, *taken, length]
    return all(abs(at - e) >= SHORTEST_SECTION for e in edges)


def boundary_turns(paragraphs: list[str], lang: Language = ENGLISH) -> list[float]:
    """For each boundary between paragraphs, how strongly the topic turns there, in standard
    units of this text: how deep the cohesion of the words on its two sides dips there
    (TextTiling's depth), plus how much of what is said just after it is new to the text,
    less CARRIES_ON where the paragraph after it opens by carrying on. Each alone found
    fewer of the authors' breaks than the three together."""
    depth = _standard(_depth_of(boundary_likeness(paragraphs, lang)))
    new = _standard(new_vocabulary(paragraphs, lang))
    rules = topic_rules(lang)
    carry = [CARRIES_ON * carries_on(p, rules) for p in paragraphs[1:]]
    return [d + n - c for d, n, c in zip(depth, new, carry, strict=True)]


def boundary_likeness(paragraphs: list[str], lang: Language = ENGLISH) -> list[float]:
    """For each boundary between paragraphs, the cosine of the content words of about
    COMPARE_WORDS words before it and after it, each word weighted by its rarity in the text."""
    bags = [stems(p, lang) for p in paragraphs]
    weight = _rarity(bags)
    sizes = [len(p.split()) for p in paragraphs]
    out = []
    for g in range(1, len(bags)):
        before = Counter(_words_until(bags[:g][::-1], sizes[:g][::-1], COMPARE_WORDS))
        after = Counter(_words_until(bags[g:], sizes[g:], COMPARE_WORDS))
        dot = sum(before[w] * after[w] * weight[w] ** 2 for w in before.keys() & after.keys())
        norm = math.sqrt(_square(before, weight) * _square(after, weight))
        out.append(dot / norm if norm else 0.0)
    return out


def new_vocabulary(paragraphs: list[str], lang: Language = ENGLISH) -> list[float]:
    """For each boundary between paragraphs, the share of the content words in the NEW_WORDS
    words after it that were not said before it: a new section brings its own words."""
    bags = [stems(p, lang) for p in paragraphs]
    sizes = [len(p.split()) for p in paragraphs]
    out = []
    for g in range(1, len(bags)):
        said = {w for bag in bags[:g] for w in bag}
        after = _words_until(bags[g:], sizes[g:], NEW_WORDS)
        out.append(sum(w not in said for w in after) / max(1, len(after)))
    return out


def _words_until(bags: list[list[str]], sizes: list[int], words: int) -> list[str]:
    """The content words of whole paragraphs, nearest first, until that many words are said."""
    out, said = [], 0
    for bag, size in zip(bags, sizes, strict=True):
        out += bag
        said += size
        if said >= words:
            break
    return out


def carries_on(paragraph: str, r: TopicRules) -> bool:
    """Whether a paragraph opens by carrying on from the one before (the language's
    [topics] openers: "however", "this", "for example"), so starts no new topic."""
    words = [_bare(w) for w in paragraph.split()[:2]]
    return bool(words) and (words[0] in r.openers or " ".join(words) in r.openers)


def paragraph_breaks(
    paragraphs: list[Paragraph], lang: Language = ENGLISH, pauses: Pauses = None
) -> list[int]:
    """Where sections would start among these paragraphs (indices), for a draft whose
    paragraphs came from elsewhere (an LLM), given the silences the VAD heard."""
    before = pauses_before(paragraphs, pauses)
    return section_breaks([p.text for p in paragraphs], lang, before)


# The speaker's pauses between paragraphs ---------------------------------------------------

# What a paragraph boundary gains, per standard unit of how long the speaker paused there
# compared with their other paragraph breaks. Set on benchmarks/structure.py's tuning texts:
# read as a person reads, F1 0.39 with no weight, 0.52 at 0.5, 0.49 at 1 with a spread floor
# of 0.3 (of 8 memos then measured: 0.44 at 0, 0.55 at 0.5 with either floor); with the same
# pause at every paragraph, 0.53 at 0 and 0.5, 0.51 at 1, 0.50 at 1.5 (pauses then vary only
# by what the VAD hears, and where a long paragraph was cut with no pause at all). Held out
# at 0.5: 0.66 -> 0.69 flat, 0.69 -> 0.71 read.
PAUSE_WEIGHT = 0.5
# A silence heard between two stretches of speech is the speaker's pause less the VAD's
# padding of the speech on either side (faster-whisper's speech_pad_ms, 400 ms each side).
VAD_PADDING = 0.8
# Pauses are compared as ratios (a slow reader's 2 s and a fast one's 1 s are alike), and a
# spread of ratios smaller than this is no spread: a speaker who pauses the same at every
# paragraph (a synthetic voice, or one pause length recorded) gives them no weight.
LEAST_SPREAD = 0.15


def pauses_before(paragraphs: list[Paragraph], pauses: Pauses) -> list[float] | None:
    """The silence the VAD heard before each paragraph but the first (seconds, 0 for none);
    None when the memo was not listened for pauses."""
    return None if pauses is None else pause_gaps(paragraphs, pauses)


def pause_scores(pauses: list[float]) -> list[float]:
    """Each boundary's pause in standard units of this speaker's pauses between paragraphs:
    how many times longer than their usual one, on a log scale. A boundary where no silence was
    heard counts as a pause of half the VAD's padding (shorter than any it hears)."""
    logs = [math.log(VAD_PADDING + p if p > 0 else VAD_PADDING / 2) for p in pauses]
    return _standard(logs, LEAST_SPREAD)


# Headings -------------------------------------------------------------------------------


def headings(sections: list[str], avoid: list[str], lang: Language = ENGLISH) -> list[str]:
    """A heading for each section (given as its text): a key phrase of its own words, 2-7
    words, in the language's title style, none like another or like what is in avoid."""
    counts = [Counter(stems(text, lang)) for text in sections]
    memo = sum(counts, Counter())
    taken = [set(stems(a, lang)) for a in avoid if a]
    names = []
    for text, count in zip(sections, counts, strict=True):
        name = _best_phrase(text, count, memo, taken, lang)
        taken.append(set(stems(name, lang)))
        names.append(name)
    return names


def announced_heading(section: str, lang: Language = ENGLISH) -> str | None:
    """The topic a section's first sentence announces, as its heading: "Now let's talk about
    the budget for next year, because …" → "The Budget for Next Year". At most HEADING_WORDS
    words, cut before a joining word; None when it announces none or names no content word."""
    first = re.split(r"(?<=[.!?])\s+", section.strip(), maxsplit=1)[0]
    topic = announced_topic(first, grammar(lang))
    if topic is None:
        return None
    words = cut_at_boundary(topic.split(), 1, HEADING_WORDS[1], title_rules(lang)) or []
    if not any(_is_content(w, topic_rules(lang)) for w in words):
        return None
    return _styled(" ".join(words), lang)


def _best_phrase(text: str, count: Counter, memo: Counter, taken: list, lang: Language) -> str:
    weight = {w: n / memo[w] * math.log(1 + n) for w, n in count.items()}
    seen = Counter(p.lower() for p in _phrases(text, lang))
    best, best_score = "", -1.0
    for phrase in dict.fromkeys(_phrases(text, lang)):
        words = set(stems(phrase, lang))
        if not words or any(_alike(words, t) for t in taken):
            continue
        score = sum(weight.get(w, 0.0) for w in words) / len(phrase.split()) ** 0.5
        score *= 1 + 0.5 * (seen[phrase.lower()] - 1)
        if score > best_score:
            best, best_score = phrase, score
    return _styled(best, lang) if best else ""


def _alike(words: set[str], other: set[str]) -> bool:
    """Two headings about the same thing: half their content words or more in common."""
    return bool(other) and len(words & other) * 2 >= min(len(words), len(other))


def _phrases(text: str, lang: Language) -> list[str]:
    """Runs of the speaker's words with no clause break or stop word inside (small joining
    words excepted), 2-7 words, starting and ending on a content word."""
    r = topic_rules(lang)
    low, high = HEADING_WORDS
    phrases = []
    for run in re.split(r"[,;:.!?()\[\]\"“”—–]+|\s-\s", text):
        words = run.split()
        content = [_is_content(w, r) for w in words]
        for start in range(len(words)):
            for end in range(start + low, min(len(words), start + high) + 1):
                inner = words[start:end]
                if not content[start] or not content[end - 1]:
                    continue
                if all(
                    content[k] or _bare(inner[k - start]) in r.joiners for k in range(start, end)
                ):
                    phrases.append(" ".join(inner))
    return phrases


def _is_content(word: str, r: TopicRules) -> bool:
    bare = _bare(word)
    return len(bare) > 2 and bare not in r.stop_words and not bare.isdigit()


def _bare(word: str) -> str:
    return re.sub(r"[^\w'-]", "", word).lower()


def _styled(phrase: str, lang: Language) -> str:
    r = title_rules(lang)
    if r.title_case:
        return title_case(phrase, r)
    return phrase[:1].upper() + phrase[1:]


# A dictated block ------------------------------------------------------------------------


def block_sections(
    block: Block, lang: Language = ENGLISH, pauses: Pauses = None
) -> list[list[Paragraph]]:
    """A block cleaned by the rules, as sections of paragraphs: one section when the speaker
    named it (cues win) or it is short, else one per topic. The speaker's "new paragraph"
    always breaks a paragraph."""
    groups = [
        p
        for spoken in block.paragraphs
        for p in paragraph_groups(_cleaned(spoken, lang), pauses, lang)
        if p
    ]
    paragraphs = [_paragraph(g) for g in groups]
    if block.heading or block.spoken:
        return [paragraphs] if paragraphs else []
    return cut(paragraphs, paragraph_breaks(paragraphs, lang, pauses))


def _cleaned(spoken: list[Sentence], lang: Language) -> list[Sentence]:
    return [
        Sentence(text, s.start, s.end) for s in spoken if (text := clean_sentence(s.text, lang))
    ]


# Does a line say what its section says? -------------------------------------------------

SUPPORTED_SHARE = 2 / 3  # of a line's content words in its own text, said close together
SUPPORT_WINDOW = 40  # content words: "close together" is within a window this long


def supported(heading: str, section: str, memo: str, lang: Language = ENGLISH) -> bool:
    """Whether a heading says what its section says: most of its content words are said
    together somewhere in the section, and they belong to it more than to the rest of the
    memo (not words gathered from all over it)."""
    words = set(stems(heading, lang))
    if not words:
        return True
    if not _said_together(words, stems(section, lang)):
        return False
    own, everywhere = Counter(stems(section, lang)), Counter(stems(memo, lang))
    found = [w for w in words if own[w]]
    share = len(stems(section, lang)) / max(1, len(stems(memo, lang)))
    return sum(own[w] for w in found) >= share * sum(everywhere[w] for w in found) - 1e-9


def title_supported(title: str, headings: list[str], memo: str, lang: Language = ENGLISH) -> bool:
    """A title says what the memo says (its words said together in it) and is none of these
    headings (the speaker's: a heading of the model's that repeats the title gives way)."""
    words = set(stems(title, lang))
    if any(_repeats(words, set(stems(h, lang))) for h in headings):
        return False
    said = stems(memo, lang)  # a title spans the memo: its words together in a quarter of it
    return not words or _said_together(words, said, max(SUPPORT_WINDOW, len(said) // 4))


def repeats(line: str, other: str, lang: Language = ENGLISH) -> bool:
    """Whether two lines (a heading and a title) say the same thing."""
    return _repeats(set(stems(line, lang)), set(stems(other, lang)))


def _repeats(words: set[str], other: set[str]) -> bool:
    """A line that says what another does: two thirds of the longer one's words in both."""
    return bool(words & other) and len(words & other) >= SUPPORTED_SHARE * max(
        len(words), len(other)
    )


def summary_supported(summary: str, memo: str, lang: Language = ENGLISH) -> bool:
    """Each clause of a summary says something the memo says, its words said together."""
    said = stems(memo, lang)
    clauses = re.split(r"[,;:.!?]+|\s(?:and|but|while|with)\s", summary)
    # A clause of one content word ("what it costs") says too little to check.
    claims = [set(stems(c, lang)) for c in clauses]
    return all(_said_together(words, said) for words in claims if len(words) > 1)


def _said_together(words: set[str], said: list[str], window: int = SUPPORT_WINDOW) -> bool:
    """Whether SUPPORTED_SHARE of the words occur within one window of the text."""
    need = math.ceil(SUPPORTED_SHARE * len(words) - 1e-9)
    counts: Counter = Counter()
    for i, word in enumerate(said):
        counts[word] += 1
        if i >= window:
            counts[said[i - window]] -= 1
        if sum(1 for w in words if counts[w] > 0) >= need:
            return True
    return need == 0
