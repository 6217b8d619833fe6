"""The offline title: what the memo is about, in the speaker's own words, when no title was said.

First choice: what an opener introduces ("So, this is a memo about walking to work" → "Walking
to Work"). Otherwise the clause near the start of the memo that carries most of the words the
speaker keeps coming back to. Either is cut at a phrase boundary to at most ten words and set
in title case. A spoken title always wins over this one, and an LLM's title does too.
"""

from __future__ import annotations

import re
from collections import Counter

MIN_WORDS, MAX_WORDS = 3, 10
OPENING_SENTENCES = 6  # a title comes from how the memo starts, not from its middle
POSITION_PENALTY = 0.5  # the first sentences usually say what a memo is about

STOPWORDS = set(
    """a an the and or but so if then than that this these those there here it its it's i i'm
    i've i'd i'll me my we we're we've our us you you're your he she they them their his her
    is are was were be been being am do does did doing have has had having will would can could
    should shall may might must to of in on at by for with from about into over under up down
    out off as just really very quite also too not no yes ok okay um uh like well now then
    what which who whom whose when where why how all any some more most much many other such
    only own same again once because while until before after above below between through
    during each few both get got go going gonna want wanted thing things stuff something lot
    kind sort bit little way actually basically think know mean say said tell talk talking
    memo post note today""".split()
)
# Words that end the phrase before them: a title is cut before one of these, not after it.
BOUNDARY_WORDS = set(
    """and but or because so which that who when where while although though since if than
    for with without to in on at by from of about into after before during""".split()
)
# A title does not end on these: "Walking to Work", not "Walking to Work in the".
DANGLING_WORDS = BOUNDARY_WORDS | set(
    "a an the my our your their his her its this these those very really just like um uh "
    "is are was were be been am".split()
)
SMALL_WORDS = set("a an the and but or nor for on at to by of in as vs. via per".split())

LEADING_OPENERS = re.compile(
    r"^(?:(?:so|okay|ok|um|uh|well|right|alright|all right|now|and|but|or|also|plus|anyway|"
    r"basically|hi|hello|hey|today|yeah|yes)\b[,.]?\s*)+",
    re.IGNORECASE,
)
# What introduces the memo's own topic: "This is a memo about X", "I want to talk about X",
# "I've been thinking a lot about X", "some quick thoughts on X". Not "her post on X".
_TOPIC = r"\s+(?:about|on|regarding)\s+(?P<topic>[^.!?;:,]+)"
INTRODUCERS = [
    re.compile(p + _TOPIC, re.IGNORECASE)
    for p in (
        r"\b(?:this|today's)\s+(?:is\s+)?(?:(?:a|my|the)\s+)?(?:\w+\s+)?(?:memo|post|note|piece|"
        r"recording|episode|entry|rant)(?:\s+(?:is|will\s+be|'s))?",
        r"\b(?:i|we)(?:'m|\s+am|'d|\s+would|\s+want|\s+wanted|'ll|\s+will|\s+need|'ve\s+been|"
        r"\s+have\s+been|\s+keep)?\s+(?:like\s+to\s+|going\s+to\s+|gonna\s+|to\s+)?"
        r"(?:talk|talking|write|writing|say\s+something|think|thinking|ramble|rambling|rant|"
        r"tell\s+you|speak)(?:\s+(?:a\s+(?:little|bit|lot)|a\s+few\s+things|something|quickly|"
        r"briefly|again|today|here))*",
        r"\b(?:some|a\s+few|quick)\s+(?:quick\s+)?(?:thoughts|notes|words|ideas)",
    )
]
# "I have been baking bread …" → "baking bread …": the speaker is not the topic.
SUBJECT_LEAD = re.compile(
    r"^(?:i|we|you)(?:'ve|'m|'d|'ll)?\s+(?:(?:have|had|am|was|were|want|wanted|need|would|"
    r"like|decided|started|tried|been|to|just|really|finally|recently|also)\s+)*",
    re.IGNORECASE,
)
CLAUSE_SPLIT = re.compile(r"[,;:.!?]+\s*|\s+(?=(?:but|because|although|though|while)\s)", re.I)
UNTITLED = "Untitled Memo"


def offline_title(paragraphs: list[str]) -> str:
    """A 3–10 word title in title case for a memo given as its cleaned paragraphs."""
    text = re.sub(r"(\w) -(\w)", r"\1-\2", " ".join(paragraphs))  # Whisper's "pre -training"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    opening = sentences[:OPENING_SENTENCES]
    counts = _content_counts(text)
    for phrase in (_introduced_topic(opening), _best_clause(opening, counts)):
        if phrase and (title := _fit(phrase, counts)):
            return title_case(title)
    return _from_keywords(text, counts)


def _introduced_topic(sentences: list[str]) -> str | None:
    for sentence in sentences:
        for introducer in INTRODUCERS:
            if m := introducer.search(sentence):
                return m.group("topic")
    return None


def _best_clause(sentences: list[str], counts: Counter) -> str | None:
    """The clause whose content words recur most in the memo, earlier ones preferred."""
    best, best_score = None, 0.0
    for index, sentence in enumerate(sentences):
        for clause in CLAUSE_SPLIT.split(sentence):
            clause = _strip_leads(clause)
            words = {_stem(w) for w in clause.split()} - {""}
            score = sum(counts[w] for w in words) / (1 + POSITION_PENALTY * index)
            if score > best_score and len(clause.split()) >= MIN_WORDS:
                best, best_score = clause, score
    return best


def _strip_leads(clause: str) -> str:
    clause = LEADING_OPENERS.sub("", clause.strip())
    return SUBJECT_LEAD.sub("", clause).strip()


def _fit(phrase: str, counts: Counter) -> str | None:
    """The phrase cut to at most MAX_WORDS at a boundary, without a dangling small word."""
    words = _strip_leads(phrase).split()
    if len(words) > MAX_WORDS:
        cuts = [k for k in range(MIN_WORDS, MAX_WORDS + 1) if _bare(words[k]) in BOUNDARY_WORDS]
        words = words[: cuts[-1]] if cuts else words[:MAX_WORDS]
    while words and _bare(words[-1]) in DANGLING_WORDS:
        words.pop()
    if not any(_stem(w) in counts for w in words):
        return None  # nothing but fillers and function words
    if len(words) < MIN_WORDS:
        return f"Notes on {' '.join(words)}" if words else None
    return " ".join(words)


def _from_keywords(text: str, counts: Counter) -> str:
    """The memo's most frequent content words as said, for a memo with no usable clause."""
    said = {}
    for word in text.split():
        said.setdefault(_stem(word), _bare(word))
    top = [said[w] for w, _ in counts.most_common(2)]
    return title_case(f"Notes on {' and '.join(top)}") if top else UNTITLED


def title_case(text: str) -> str:
    """Capitalise the words of a title, except small words inside it; keep "iPhone", "NASA"."""
    words = text.strip(" .,;:!?\"'").split()
    out = []
    for i, word in enumerate(words):
        if 0 < i < len(words) - 1 and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        elif any(c.isupper() for c in word[1:]):
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _content_counts(text: str) -> Counter:
    return Counter(s for s in (_stem(w) for w in text.split()) if s)


def _stem(word: str) -> str:
    """A content word folded for counting ("Prices" and "price" alike), "" for a stopword."""
    word = _bare(word)
    if word in STOPWORDS or len(word) < 3 or word.isdigit():
        return ""
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word).lower()
