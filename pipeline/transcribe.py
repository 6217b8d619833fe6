"""Speech to text with Whisper, cached by the audio's content, the engine, model and options.

Two engines give the same Transcript: faster-whisper (CTranslate2, the default) and
openai-whisper (PyTorch, the reference implementation).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from pipeline.audio import decode, duration_seconds
from pipeline.errors import ModelError
from pipeline.workspace import Workspace, atomic_write, sha256_bytes

log = logging.getLogger("voiceblog")

# Bump when the cached Transcript's shape or meaning changes, so old cache entries are ignored.
CACHE_VERSION = 2
ENGINES = ("faster-whisper", "openai-whisper")

# Called with (seconds of audio done, seconds in all) as transcription goes on.
ProgressCallback = Callable[[float, float], None]


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # with its leading space, as Whisper writes it
    probability: float


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
        return cls(**raw)


@dataclass(frozen=True)
class TranscribeOptions:
    engine: str = "faster-whisper"  # or "openai-whisper"
    model: str = "tiny.en"  # a Whisper model name or a directory of CTranslate2 weights
    # Beam 3 is as accurate as Whisper's usual 5 on the benchmark memo (WER 13.6% both) and
    # about 10% faster; see benchmarks/transcribe.py.
    beam_size: int = 3
    # faster-whisper: decode this many 30 s windows at once (0: one after another, no VAD
    # chunking). Batching is what makes a 2-core CPU fast; see benchmarks/transcribe.py.
    batch_size: int = 8
    vad: bool = True  # skip silence with Silero VAD: no text invented in pauses, and faster
    vocabulary: str | None = None  # names and jargon to bias every window towards
    words: bool = False  # word-level timestamps
    language: str | None = None  # None: English for ".en" models, detected otherwise
    threads: int = 0  # CPU threads; 0 means all cores. Does not change the text, so not cached

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ModelError(f"unknown engine {self.engine!r} (choose {' or '.join(ENGINES)})")

    def cache_key(self, audio_hash: str) -> str:
        options = asdict(self)
        options.pop("threads")
        payload = json.dumps([CACHE_VERSION, audio_hash, options], sort_keys=True)
        return sha256_bytes(payload.encode())

    @property
    def cpu_threads(self) -> int:
        return self.threads or os.cpu_count() or 1

    @property
    def language_or_default(self) -> str | None:
        return self.language or ("en" if self.model.endswith(".en") else None)


def transcribe(
    path: Path,
    audio_hash: str,
    options: TranscribeOptions,
    workspace: Workspace,
    on_progress: ProgressCallback | None = None,
) -> tuple[Transcript, bool]:
    """Transcript of the recording, from the cache when this audio was done with these options.

    Returns the transcript and whether it came from the cache. The audio is decoded only when
    it has to be transcribed, so a cached re-run of a long memo costs a hash and nothing more.
    """
    if (cached := cached_transcript(audio_hash, options, workspace)) is not None:
        return cached, True
    cache_file = workspace.cache_dir("transcripts") / f"{options.cache_key(audio_hash)}.json"
    samples = decode(path)
    log.info(
        "%s: transcribing %.0f s of audio with %s %s",
        path.name,
        duration_seconds(samples),
        options.engine,
        options.model,
    )
    transcript = transcribe_samples(samples, options, workspace, on_progress)
    atomic_write(cache_file, transcript.to_json().encode())
    return transcript, False


def cached_transcript(
    audio_hash: str, options: TranscribeOptions, workspace: Workspace
) -> Transcript | None:
    """The transcript of this audio with these options, if it was made before."""
    cache_file = workspace.cache_dir("transcripts") / f"{options.cache_key(audio_hash)}.json"
    try:
        return Transcript.from_json(cache_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError):
        log.warning("ignoring a damaged cached transcript: %s", cache_file.name)
        return None


def transcribe_samples(
    samples: np.ndarray,
    options: TranscribeOptions,
    workspace: Workspace,
    on_progress: ProgressCallback | None = None,
) -> Transcript:
    """Run the engine on 16 kHz mono samples; no cache."""
    from pipeline import engines  # engines imports this module's types

    duration = duration_seconds(samples)
    run = engines.faster_whisper if options.engine == "faster-whisper" else engines.openai_whisper
    language, raw_segments = run(samples, options, workspace)
    segments = tuple(_report(raw_segments, duration, on_progress))
    return Transcript(
        segments=tuple(s for s in segments if s.text),
        duration=round(duration, 2),
        language=language,
        engine=options.engine,
        model=options.model,
    )


def _report(
    segments: Iterator[Segment], duration: float, on_progress: ProgressCallback | None
) -> Iterator[Segment]:
    for segment in segments:
        if on_progress:
            on_progress(min(segment.end, duration), duration)
        yield segment
    if on_progress:
        on_progress(duration, duration)
