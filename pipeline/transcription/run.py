"""Speech to text with Whisper, cached by the audio's content, the engine, model and options.

Two engines give the same Transcript: faster-whisper (CTranslate2, the default) and
openai-whisper (PyTorch, the reference implementation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from voiceblog.audio import duration_seconds, read_recording
from voiceblog.transcription.options import TranscribeOptions, WordTimingNeeds
from voiceblog.transcription.transcript import Segment, Transcript
from voiceblog.workspace import Workspace, atomic_write

log = logging.getLogger("voiceblog")

# Called with (seconds of audio done, seconds in all) as transcription goes on.
ProgressCallback = Callable[[float, float], None]


def transcribe(
    path: Path,
    audio_hash: str,
    options: TranscribeOptions,
    workspace: Workspace,
    on_progress: ProgressCallback | None = None,
    word_timings: WordTimingNeeds | None = None,
) -> tuple[Transcript, bool]:
    """Transcript of the recording, from the cache when this audio was done with these options.

    Returns the transcript and whether it came from the cache. The audio is decoded only when
    it has to be transcribed, so a cached re-run of a long memo costs a hash and nothing more.
    word_timings: which windows the caller's spoken cues need timed (cues.WORD_TIMINGS).
    """
    cache_file = workspace.cache_dir("transcripts") / f"{options.cache_key(audio_hash)}.json"
    if (cached := cached_transcript(audio_hash, options, workspace)) is not None:
        upgraded = timed_for_the_grammar(path, cached, options, word_timings) or cached
        upgraded = with_pauses(path, upgraded, options) or upgraded
        if upgraded is not cached:
            atomic_write(cache_file, upgraded.to_json().encode())
        return upgraded, True
    recording = read_recording(path)
    samples = recording.samples
    log.info(
        "%s: transcribing %.0f s of audio with %s %s%s",
        path.name,
        duration_seconds(samples),
        options.engine,
        options.model,
        _on_the_gpu(options),
    )
    transcript = transcribe_samples(samples, options, workspace, on_progress, word_timings)
    transcript = replace(transcript, ends_early=recording.ends_early)
    if transcript.language_probability is not None:
        log.info(
            "%s: language %s (%.2f), detected",
            path.name,
            transcript.language,
            transcript.language_probability,
        )
    atomic_write(cache_file, transcript.to_json().encode())
    return transcript, False


def _on_the_gpu(options: TranscribeOptions) -> str:
    """' on the GPU (CUDA, float16)' when it runs there; nothing on the CPU, as always."""
    if options.engine == "api":
        return ""  # the provider's machines, not this one's
    from voiceblog.transcription import local_engines  # imported here: it pulls in faster-whisper

    return " on the GPU (CUDA, float16)" if local_engines.device_of(options) == "cuda" else ""


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


def timed_for_the_grammar(
    path: Path, transcript: Transcript, options: TranscribeOptions, timings: WordTimingNeeds | None
) -> Transcript | None:
    """The cached transcript with word timings added where today's cue grammar needs the
    speaker's pauses and an older grammar did not; None when nothing needs them.

    Which windows get word timings depends on the grammar (timings.needed). A transcript
    kept from before a grammar change would keep missing a cue the new grammar can read, so a
    cache hit is checked, and only the segments that now need timings are aligned again: no
    window is decoded twice.
    """
    if options.engine != "faster-whisper" or not options.cue_timings or options.words:
        return None  # openai-whisper times every word already; --words times them all
    if timings is None:
        return None  # the caller reads no cues
    from voiceblog.transcription import local_engines  # imported here: it pulls in faster-whisper

    untimed = local_engines.needing_cue_timings(transcript.segments, transcript.language, timings)
    if not untimed:
        return None
    log.info("%s: timing %d segments the cue grammar now reads", path.name, len(untimed))
    samples = read_recording(path).samples
    segments = local_engines.with_cue_timings(samples, transcript, untimed, options, timings)
    return replace(transcript, segments=segments)


def with_pauses(path: Path, transcript: Transcript, options: TranscribeOptions):
    """A transcript cached before the speaker's pauses were kept, with them: VAD listens
    again (a few seconds for ten minutes of audio), nothing is decoded again. None when the
    transcript has them or VAD is off."""
    if transcript.pauses is not None or not options.vad:
        return None
    from voiceblog.transcription.vad import heard

    _, pauses = heard(read_recording(path).samples, options.cpu_threads)
    return replace(transcript, pauses=pauses)


def transcribe_samples(
    samples: np.ndarray,
    options: TranscribeOptions,
    workspace: Workspace,
    on_progress: ProgressCallback | None = None,
    word_timings: WordTimingNeeds | None = None,
) -> Transcript:
    """Run the engine on 16 kHz mono samples; no cache. word_timings: as for transcribe()."""
    duration = duration_seconds(samples)
    cost = None  # what transcribing cost, where a provider charged for it
    if options.engine == "api":
        language, probability, raw_segments, pauses, cost = _by_api(samples, options)
    else:
        from voiceblog.transcription import (
            local_engines,  # imported here: it pulls in faster-whisper
        )

        local = {
            "faster-whisper": local_engines.faster_whisper,
            "openai-whisper": local_engines.openai_whisper,
        }
        run = local[options.engine]
        language, probability, raw_segments, pauses = run(samples, options, workspace, word_timings)
    segments = tuple(_report(raw_segments, duration, on_progress))
    return Transcript(
        segments=tuple(s for s in segments if s.text),
        duration=round(duration, 2),
        language=language,
        language_probability=probability,
        engine=options.engine,
        model=options.model,
        pauses=pauses,
        cost=cost,
    )


def _by_api(samples: np.ndarray, options: TranscribeOptions):
    """A provider's transcript, with the pauses Silero VAD hears here: the grammar and the
    paragraphs go by them, whoever transcribed, and a memo over the upload limit is cut in
    them."""
    from voiceblog.transcription.api_engine import api_transcription
    from voiceblog.transcription.vad import heard

    pauses = heard(samples, options.cpu_threads)[1] if options.vad else None
    language, probability, segments, cost = api_transcription(samples, options, pauses)
    return language, probability, iter(segments), pauses, cost


def _report(
    segments: Iterator[Segment], duration: float, on_progress: ProgressCallback | None
) -> Iterator[Segment]:
    for segment in segments:
        if on_progress:
            on_progress(min(segment.end, duration), duration)
        yield segment
    if on_progress:
        on_progress(duration, duration)
