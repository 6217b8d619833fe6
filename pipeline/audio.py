"""Decode any common recording (m4a, mp3, ogg/opus, wav, flac, webm, mp4) to 16 kHz mono float32.

PyAV carries its own FFmpeg libraries, so no system ffmpeg is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from voiceblog.errors import AudioError

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


@dataclass(frozen=True)
class Recording:
    """A decoded recording, and why it ends early if it does."""

    samples: np.ndarray  # 16 kHz mono float32 in [-1, 1]: everything that could be read
    ends_early: str = ""  # how much could be read, in words (no path); "" when complete


def decode(path: Path) -> np.ndarray:
    """Return the recording's first audio track as 16 kHz mono float32 samples in [-1, 1]."""
    return read_recording(path).samples


def read_recording(path: Path) -> Recording:
    """Decode the first audio track to its end, noticing a file that stops short of it.

    A memo still being copied by a phone's sync, or cut off by a full disk, opens fine and
    decodes for a while: the recording says so instead of passing for a shorter memo.
    """
    import av  # imported here so `voiceblog --help` stays instant

    check_readable(path)
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: has no audio track")
            samples, stopped_by = _resample_stream(container)
            expected = _declared_seconds(path, container)
            exact_length = container.format.name.split(",")[0] in EXACT_LENGTH_FORMATS
    except AudioError:
        raise
    except (av.FFmpegError, OSError, ValueError) as e:
        raise AudioError(f"{path}: not an audio file ({_reason(e)})") from e
    read = duration_seconds(samples)
    if stopped_by is not None and not len(samples):
        raise AudioError(f"{path}: not an audio file ({_reason(stopped_by)})")
    return Recording(samples, _ends_early(path, read, expected, exact_length, stopped_by))


# Containers whose header states the exact length (WAV, FLAC, MP4/M4A, Matroska/WebM): a file
# that decodes to less is cut short. Elsewhere (MP3 without a Xing header, ADTS) FFmpeg
# estimates the length from the bitrate, so only a large shortfall counts.
EXACT_LENGTH_FORMATS = {"wav", "flac", "mov", "matroska", "aiff", "caf"}
SHORTFALL_SECONDS = 0.5  # decoders pad or trim a few frames at either end
ESTIMATE_SHORTFALL = 0.05  # of the estimated length


def _ends_early(path, read: float, expected, exact_length: bool, stopped_by) -> str:
    if stopped_by is not None:
        return (
            f"damaged or still being copied: decoding stopped after {read:.1f} s "
            f"({_reason(stopped_by)})"
        )
    if expected and read < expected - max(
        SHORTFALL_SECONDS, 0 if exact_length else ESTIMATE_SHORTFALL * expected
    ):
        return f"ends early: only {read:.1f} of {expected:.1f} s could be read"
    if path.suffix.lower() in (".ogg", ".oga", ".opus") and not _ogg_has_end_mark(path):
        return f"ends early: no end-of-stream mark after {read:.1f} s"
    return ""


def _declared_seconds(path: Path, container) -> float | None:
    if container.format.name == "wav":  # FFmpeg takes a cut-off WAV's length from its size
        return _wav_data_seconds(path)
    return container.duration / 1_000_000 if container.duration else None


def _wav_data_seconds(path: Path) -> float | None:
    """The length a WAV's header states: its data chunk's size over its byte rate. None when
    the writer left the size open (0 or 0xFFFFFFFF, as recorders streaming to disk do)."""
    import struct

    with open(path, "rb") as f:
        header = f.read(4096)
    byte_rate = None
    position = 12  # after "RIFF", the size, "WAVE"
    while position + 8 <= len(header):
        chunk, size = (
            header[position : position + 4],
            struct.unpack_from("<I", header, position + 4)[0],
        )
        if chunk == b"fmt " and position + 16 <= len(header):
            byte_rate = struct.unpack_from("<I", header, position + 16)[0]
        if chunk == b"data":
            return size / byte_rate if byte_rate and 0 < size < 0xFFFFFFFF else None
        position += 8 + size + (size & 1)  # chunks are padded to an even length
    return None


def _ogg_has_end_mark(path: Path) -> bool:
    """An Ogg file's last page carries the end-of-stream flag; a cut-off copy's does not.
    (Ogg states no length up front: FFmpeg takes it from the last page there is.)"""
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 65_536))  # a page is at most 65,307 bytes
        tail = f.read()
    page = tail.rfind(b"OggS")
    return page >= 0 and len(tail) > page + 5 and bool(tail[page + 5] & 0x04)


def _resample_stream(container) -> tuple[np.ndarray, Exception | None]:
    """All the samples that decode, and the error that stopped decoding early, if one did."""
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    pieces = []
    stopped_by = None
    try:
        for frame in container.decode(container.streams.audio[0]):
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
    except (av.FFmpegError, OSError, ValueError) as e:
        stopped_by = e
    for out in resampler.resample(None):  # flush the resampler's buffered tail
        pieces.append(out.to_ndarray().reshape(-1))
    if not pieces:
        return np.zeros(0, dtype=np.float32), stopped_by
    return np.concatenate(pieces).astype(np.float32, copy=False), stopped_by


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
