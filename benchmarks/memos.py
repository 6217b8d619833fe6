"""Long synthetic memos for benchmarks and long-recording tests, with their reference text.

The speech is flite's "slt" voice reading blog texts (benchmarks/texts/), so what was said is
known word for word. Made once and kept in benchmarks/.cache/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))

from speech_text import speech_text  # noqa: E402

from voiceblog.audio import SAMPLE_RATE, decode  # noqa: E402

TEXTS = sorted((ROOT / "benchmarks" / "texts").iterdir())
CACHE = ROOT / "benchmarks" / ".cache"


def reference_text() -> str:
    return "\n".join(speech_text(path.read_text(encoding="utf-8")) for path in TEXTS)


def spoken_memo() -> tuple[np.ndarray, str]:
    """About 25 minutes of speech and the text it reads."""
    text = reference_text()
    wav = CACHE / "texts.wav"
    if not wav.exists():
        CACHE.mkdir(exist_ok=True)
        script = CACHE / "texts.txt"
        script.write_text(text)
        subprocess.run(["flite", "-voice", "slt", "-f", script, "-o", wav], check=True)
    return decode(wav), text


def room_noise(seconds: float, seed: int = 0) -> np.ndarray:
    """Quiet room tone: soft broadband noise with a mains hum, as a phone records a pause."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    hiss = rng.normal(0, 0.004, t.size)
    hum = 0.003 * np.sin(2 * np.pi * 50 * t)
    return (hiss + hum).astype(np.float32)
