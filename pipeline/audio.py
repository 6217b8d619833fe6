"""Decode any common recording (m4a, mp3, ogg/opus, wav, flac, webm, mp4) to 16 kHz mono float32.

PyAV carries its own FFmpeg libraries, so no system ffmpeg is needed.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import numpy as np

from pipeline.errors import AudioError

SAMPLE_RATE = 16_000


def check_readable(path: Path) -> None:
    """Fail early, with the reason in words, for paths that cannot be a recording."""
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if path.is_dir():
        raise AudioError(f"{path}: is a directory, not a recording")
    if not os.access(path, os.R_OK):
        raise AudioError(f"{path}: permission denied")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: empty file")


def decode(path: Path) -> np.ndarray:
    """Return the recording's first audio track as 16 kHz mono float32 samples in [-1, 1]."""
    import av  # imported here so `voiceblog --help` stays instant

    check_readable(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: has no audio track")
            return _resample_stream(container)
    except AudioError:
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        raise AudioError(f"{path}: not an audio file ({_reason(e)})") from e


def _resample_stream(container) -> np.ndarray:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    pieces = []
    stream = container.streams.audio[0]
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            pieces.append(out.to_ndarray().reshape(-1))
    for out in resampler.resample(None):  # flush the resampler's buffered tail
        pieces.append(out.to_ndarray().reshape(-1))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32, copy=False)


def _reason(error: Exception) -> str:
    """FFmpeg's own words for what went wrong, without the file path it repeats."""
    reason = getattr(error, "strerror", None) or str(error)
    return reason.split(": '")[0].strip()


def duration_seconds(samples: np.ndarray) -> float:
    return len(samples) / SAMPLE_RATE


def recorded_at(path: Path) -> datetime:
    """When the memo was recorded: the container's creation time (phones write it into
    m4a/mp4), else the file's modification time."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            stamp = container.metadata.get("creation_time") or _stream_creation_time(container)
    except (av.FFmpegError, OSError, ValueError):
        stamp = None
    if stamp:
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
        except ValueError:
            pass  # a container with a creation time nobody can read: use the file's
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def _stream_creation_time(container) -> str | None:
    streams = container.streams.audio
    return streams[0].metadata.get("creation_time") if streams else None
