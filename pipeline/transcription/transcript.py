"""What transcription produces: the Transcript that every later stage reads."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# Bump when the cached Transcript's shape or meaning changes, so old cache entries are ignored.
CACHE_VERSION = 3


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # with its leading space, as Whisper writes it
    probability: float | None  # None: a transcription API does not say how sure it is


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str  # as Whisper wrote it, leading space removed
    words: tuple[Word, ...] = ()  # only when word timestamps were asked for


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    duration: float  # seconds of audio
    language: str
    engine: str
    model: str
    # Why the recording ends before its stated length ("" when read to its end): a memo still
    # syncing or damaged, transcribed as far as it goes. Old cache entries lack it: "".
    ends_early: str = ""
    language_probability: float | None = None  # how sure detection was; None when given
    # The silences Silero VAD heard between stretches of speech, (start, end) seconds: the
    # speaker's pauses, which 30-second segments hide. None: not listened for (VAD off, or a
    # transcript cached before they were kept).
    pauses: tuple[tuple[float, float], ...] | None = None
    # What transcribing it cost in dollars, as litellm prices a provider's request (--engine
    # api); None: free (Whisper here), or no price known. Paid once: a cached re-draft is free.
    cost: float | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, data: str) -> Transcript:
        raw = json.loads(data)
        raw["segments"] = tuple(
            Segment(**{**s, "words": tuple(Word(**w) for w in s.get("words", ()))})
            for s in raw["segments"]
        )
        if raw.get("pauses") is not None:
            raw["pauses"] = tuple(tuple(p) for p in raw["pauses"])
        return cls(**raw)
