"""What transcription produces and the options it takes: shared by every stage after audio."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from voiceblog.devices import DEVICES
from voiceblog.errors import ModelError
from voiceblog.workspace import sha256_bytes

# Bump when the cached Transcript's shape or meaning changes, so old cache entries are ignored.
CACHE_VERSION = 3
ENGINES = ("faster-whisper", "openai-whisper", "api")


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


@dataclass(frozen=True)
class TranscribeOptions:
    engine: str = "faster-whisper"  # or "openai-whisper"
    model: str = "tiny.en"  # a Whisper model name or a directory of CTranslate2 weights
    # Beam 3 is as accurate as Whisper's usual 5 (WER 13.6% both) and about 10% faster. Greedy
    # decoding (beam 1) is 16-20% faster again with the same WER, but it mishears spoken cues:
    # headings were lost in all four synthetic memos of tests/test_structure.py. See
    # benchmarks/transcribe.py --matrix.
    beam_size: int = 3
    # Windows that fail Whisper's quality thresholds (a loop, low confidence) are decoded
    # again with this beam (faster-whisper's batched path has no fallback of its own); 0: none.
    fallback_beam_size: int = 5
    # faster-whisper: decode this many 30 s windows at once, dealt among one worker per core
    # (0: one window after another, no VAD chunking). Batching and a worker per core are what
    # make a 2-core CPU fast; see benchmarks/transcribe.py.
    batch_size: int = 8
    vad: bool = True  # skip silence with Silero VAD: no text invented in pauses, and faster
    vocabulary: str | None = None  # names and jargon to bias every window towards
    words: bool = False  # word-level timestamps for every word
    # Word timings only for the windows where a spoken cue has no punctuation to end its name
    # ("New section Part 3 I walked …"), so it ends at the speaker's pause. Timing every word
    # costs 16% of transcription; these windows cost nothing on a memo without such cues.
    cue_timings: bool = True
    language: str | None = None  # None: English for ".en" models, detected otherwise
    threads: int = 0  # CPU cores (a decoding worker each); 0: all. Not in the cache key
    # "auto" (a CUDA GPU when the engine sees one), "cpu" or "cuda". Not in the cache key:
    # float16 on a GPU and int8 on a CPU may differ in a word now and then, but both are this
    # model's transcript of this audio. Keying on the device would transcribe a whole backlog
    # again (and draft it again) the day a GPU appears, or each time a synced workspace is used
    # from the laptop and then the desktop, which is the opposite of what a GPU is for; and
    # every transcript cached before --device existed stays valid.
    device: str = "auto"
    # --engine api: a server of one's own (openai/<model>), else the provider's address. It is
    # in the cache key: the same model name on another server may be another model.
    api_base: str | None = None
    api_timeout: float = 600.0  # seconds the provider may take; not in the cache key

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ModelError(f"unknown engine {self.engine!r} (choose {' or '.join(ENGINES)})")
        if self.device not in DEVICES:
            raise ModelError(f"unknown device {self.device!r} (choose {', '.join(DEVICES)})")
        if self.language is not None and self.engine != "api":  # a provider knows its own
            _check_language(self.language, self.model)

    def cache_key(self, audio_hash: str) -> str:
        options = asdict(self)
        for how_not_what in ("threads", "device", "api_timeout"):  # see their comments above
            options.pop(how_not_what)
        if options["api_base"] is None:  # Whisper on this machine: keys as before --engine api
            options.pop("api_base")
        payload = json.dumps([CACHE_VERSION, audio_hash, options], sort_keys=True)
        return sha256_bytes(payload.encode())

    @property
    def cpu_threads(self) -> int:
        return self.threads or os.cpu_count() or 1

    @property
    def language_or_default(self) -> str | None:
        return self.language or ("en" if self.model.endswith(".en") else None)


def _check_language(language: str, model: str) -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES  # Whisper's own list

    if language not in _LANGUAGE_CODES:
        raise ModelError(
            f"unknown language {language!r}: use auto or a code Whisper knows "
            f"({', '.join(sorted(_LANGUAGE_CODES))})"
        )
    if model.endswith(".en") and language != "en":
        raise ModelError(
            f"{model} understands English only; for {language!r} use --model base "
            "(pip install 'voiceblog[multilingual]') or another multilingual model"
        )
