"""Real audio made for tests: re-encodings of real speech, and silence. Also used by tools/."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from click.testing import CliRunner, Result

from voiceblog.cli import main

# container suffix → (codec, sample rate the codec wants)
FORMATS = {
    ".m4a": ("aac", 16_000),
    ".mp3": ("libmp3lame", 16_000),
    ".ogg": ("libopus", 48_000),
    ".webm": ("libopus", 48_000),
    ".mp4": ("aac", 16_000),
    ".wav": ("pcm_s16le", 16_000),
    ".flac": ("flac", 16_000),
}


def encode(source: Path, out: Path, bit_rate: int = 48_000) -> Path:
    """Re-encode source's audio as a phone or laptop would store it, chosen by out's suffix."""
    codec, rate = FORMATS[out.suffix]
    with av.open(str(source)) as src, av.open(str(out), "w") as target:
        stream = target.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if codec not in ("pcm_s16le", "flac"):
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for frame in src.decode(audio=0):
            for piece in resampler.resample(frame):
                target.mux(stream.encode(piece))
        for piece in resampler.resample(None):
            target.mux(stream.encode(piece))
        target.mux(stream.encode(None))
    return out


def write_wav(out: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """A 16-bit mono WAV of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(out), "w") as target:
        stream = target.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        target.mux(stream.encode(frame))
        target.mux(stream.encode(None))
    return out


def run(*args) -> Result:
    """Run the voiceblog CLI in-process (the model loads once per test session)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
