"""Where the speech is: Silero VAD's stretches of speech packed into Whisper's windows, and the
pauses a word's timing should end in. Both engines use these."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from math import ceil

import numpy as np

from voiceblog.audio import SAMPLE_RATE
from voiceblog.transcription.transcript import Segment, Word

WINDOW_SECONDS = 30  # Whisper's input window
# VAD pieces of at most 10 s (cut at the speaker's short pauses) pack into 30 s windows more
# tightly than 30 s pieces do: 56 windows instead of 58 for the 25-minute benchmark memo.
VAD_PIECE_SECONDS = 10
# faster-whisper pads each stretch by 400 ms (speech_pad_ms) and splits a shorter silence
# between two stretches, so a gap between them is a silence of more than 0.8 s: a long pause,
# not the breath between sentences. A gap shorter than this is a 10 s cut, not a pause.
MIN_PAUSE_SECONDS = 0.05
JOIN_GAP_SECONDS = 2.0  # speech closer than this goes into one window; longer silences are cut
# Silero VAD is one thread, and faster-whisper holds its work on the whole memo at once (400 MB
# for 25 minutes). So a memo longer than a minute is listened to in parts, one per core at once,
# of at most 5 minutes each, cut in its quietest moment near each boundary (no word is cut).
PARALLEL_VAD_SECONDS = 60
VAD_PART_SECONDS = 300
QUIET_SEARCH_SECONDS = 15  # how far from an even cut to look for the quietest moment
QUIET_FRAME = SAMPLE_RATE // 4  # the quietest 0.25 s is where the cut goes
VAD_FRAME = 512  # samples Silero VAD scores at a time


def speech_clips(samples: np.ndarray, cores: int = 1) -> list[dict[str, float]]:
    """Stretches of speech found by Silero VAD, joined into windows of at most 30 s."""
    return windows(_speech(samples, cores))


def heard(samples: np.ndarray, cores: int = 1):
    """Silero VAD's windows of speech for Whisper and the pauses between its stretches."""
    stretches = _speech(samples, cores)
    return windows(stretches), pauses_between(stretches)


def pauses_between(stretches: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The silences between stretches of speech. A stretch cut at 10 s for length, not at a
    silence, touches the next one: no pause there."""
    return tuple(
        (round(end, 2), round(start, 2))
        for (_, end), (start, _) in zip(stretches, stretches[1:], strict=False)
        if start - end >= MIN_PAUSE_SECONDS
    )


def windows(stretches: list[tuple[float, float]]) -> list[dict[str, float]]:
    """Stretches of speech (start, end seconds) joined into windows of at most 30 s."""
    clips: list[dict[str, float]] = []
    for start, end in stretches:
        if clips and start - clips[-1]["end"] < JOIN_GAP_SECONDS:
            if end - clips[-1]["start"] <= WINDOW_SECONDS:
                clips[-1]["end"] = end
                continue
        clips.append({"start": start, "end": end})
    return clips


def _speech(samples: np.ndarray, cores: int) -> list[tuple[float, float]]:
    """(start, end) seconds of every stretch of speech, the parts listened to side by side."""
    seconds = len(samples) / SAMPLE_RATE
    parts = 1 if seconds < PARALLEL_VAD_SECONDS else max(cores, ceil(seconds / VAD_PART_SECONDS))
    cuts = [0, *_quiet_cuts(samples, parts), len(samples)]
    starts, ends = cuts[:-1], cuts[1:]
    with ThreadPoolExecutor(min(parts, cores)) as pool:
        found = pool.map(_speech_in, [samples[a:b] for a, b in zip(starts, ends, strict=True)])
        return [
            ((offset + s["start"]) / SAMPLE_RATE, (offset + s["end"]) / SAMPLE_RATE)
            for offset, stretches in zip(starts, found, strict=True)
            for s in stretches
        ]


def _speech_in(samples: np.ndarray) -> list[dict[str, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(max_speech_duration_s=VAD_PIECE_SECONDS, min_silence_duration_ms=160)
    return get_speech_timestamps(samples, vad)  # its ONNX session runs without the GIL


def _quiet_cuts(samples: np.ndarray, parts: int) -> list[int]:
    """Where to cut samples into parts of about equal length: the quietest moment near each
    even cut, so that no word is cut in two."""
    cuts = []
    reach = QUIET_SEARCH_SECONDS * SAMPLE_RATE
    for k in range(1, parts):
        even = k * len(samples) // parts
        around = samples[max(0, even - reach) : even + reach]
        frames = around[: len(around) // QUIET_FRAME * QUIET_FRAME].reshape(-1, QUIET_FRAME)
        quietest = int(np.argmin(np.square(frames).mean(axis=1)))
        cut = max(0, even - reach) + quietest * QUIET_FRAME + QUIET_FRAME // 2
        cuts.append(cut - cut % VAD_FRAME)  # on a frame boundary: the frames of one pass
    return sorted({cut for cut in cuts if 0 < cut < len(samples)})


VAD_FRAME_SECONDS = VAD_FRAME / SAMPLE_RATE
SILENCE_PROBABILITY = 0.35  # below this speech probability a frame is a pause (Silero's own)
MIN_WORD_SECONDS = 0.1  # speech shorter than this after a silence is no word


def snapped_segment(segment: Segment, samples: np.ndarray, pause_seconds: float) -> Segment:
    """The segment with its word boundaries moved into the pauses heard in its audio."""
    audio = samples[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]
    words = snapped_to_pauses(list(segment.words), audio, segment.start, pause_seconds)
    return replace(segment, words=tuple(words))


def snapped_to_pauses(
    words: list[Word], audio: np.ndarray, offset: float, pause_seconds: float
) -> list[Word]:
    """Word boundaries moved into the silences Silero VAD hears between them.

    Whisper's cross-attention timings smear a pause over the words on both sides of it ("3"
    0.8 s long, "It" 0.76 s), so a pause the speaker made shows no gap. Where the audio between
    the middles of two words holds a silence of pause_seconds or more (the cue grammar's pause,
    given by its caller), the first word ends where it begins and the second starts where it
    ends.
    """
    from faster_whisper.vad import get_vad_model

    padded = np.pad(audio, (0, VAD_FRAME - len(audio) % VAD_FRAME))
    silent = get_vad_model()(padded).reshape(-1) < SILENCE_PROBABILITY

    def frame(t: float) -> int:
        return max(0, int((t - offset) / VAD_FRAME_SECONDS))

    for k in range(len(words) - 1):
        middle = (words[k].start + words[k].end) / 2, (words[k + 1].start + words[k + 1].end) / 2
        first = frame(middle[0])
        run = _longest_run(silent[first : frame(middle[1])])
        if not run or (run[1] - run[0]) * VAD_FRAME_SECONDS < pause_seconds:
            continue
        # The second word must still be heard after the silence; else the silence is the pause
        # after it, which its timing swallowed.
        heard_after = ~silent[first + run[1] : frame(words[k + 1].end)]
        if heard_after.sum() * VAD_FRAME_SECONDS < MIN_WORD_SECONDS:
            continue
        start, end = (round(offset + (first + i) * VAD_FRAME_SECONDS, 2) for i in run)
        words[k] = replace(words[k], end=max(words[k].start, start))
        words[k + 1] = replace(words[k + 1], start=min(words[k + 1].end, end))
    return words


def _longest_run(flags: np.ndarray) -> tuple[int, int] | None:
    """(first, last + 1) of the longest run of True in flags, or None."""
    best, start = None, None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if best is None or i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    return best
