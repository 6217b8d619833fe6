"""The Whisper engines. Each turns 16 kHz mono samples into (language, how sure the model is
of it, Segments); the probability is None when the language was given, not detected."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from math import ceil
from pathlib import Path

import numpy as np

from voiceblog.audio import SAMPLE_RATE
from voiceblog.errors import ModelError
from voiceblog.memory import give_back_memory, keep_freed_memory
from voiceblog.transcription import devices
from voiceblog.transcription.engine_output import segments_of, word_of
from voiceblog.transcription.options import TranscribeOptions, WordTimingNeeds
from voiceblog.transcription.transcript import Segment
from voiceblog.transcription.vad import WINDOW_SECONDS, heard, snapped_segment, snapped_to_pauses
from voiceblog.transcription.whisper_weights import (
    MULTILINGUAL_HINT,
    ct2_model_dir,
    openai_whisper_checkpoint,
)
from voiceblog.workspace import Workspace

# faster-whisper -------------------------------------------------------------------------


def faster_whisper(
    samples: np.ndarray,
    options: TranscribeOptions,
    workspace: Workspace,
    word_timings: WordTimingNeeds | None = None,
) -> tuple[str, float | None, Iterator[Segment], tuple | None]:
    """(language, how sure, segments, the pauses VAD heard or None when it did not listen).
    word_timings: which windows need their words timed (--words times them all)."""
    common = {
        "language": options.language_or_default,
        "beam_size": options.beam_size,
        "hotwords": options.vocab or None,  # faster-whisper puts these in every window
        "word_timestamps": options.words,
    }
    timings = _cue_timings(options, word_timings)
    if options.batch_size > 1 and options.vad:
        return _faster_whisper_batched(samples, options, common, timings)
    model = _faster_whisper_model(options.model, options.cpu_threads, 1, device_of(options))
    raw, info = model.transcribe(
        samples,
        vad_filter=options.vad,
        # Conditioning on earlier text is what lets one mistake loop for minutes on long memos.
        condition_on_previous_text=False,
        **common,
    )
    segments = segments_of(raw)
    if timings:
        segments = _with_cue_timings(model, samples, segments, info.language, timings)
    return info.language, _detected(options, info), segments, None


def _detected(options: TranscribeOptions, info) -> float | None:
    return None if options.language_or_default else round(info.language_probability, 2)


def _cue_timings(
    options: TranscribeOptions, word_timings: WordTimingNeeds | None
) -> WordTimingNeeds | None:
    """What to time for the caller's cues; None when nothing is (off, or --words times all)."""
    return word_timings if options.cue_timings and not options.words else None


def _with_cue_timings(
    model, samples, segments: Iterable[Segment], language: str, timings: WordTimingNeeds
):
    """Word timings for the segments whose spoken cues only the speaker's pauses can delimit,
    aligned afterwards (the unbatched path keeps no encoder output to reuse)."""
    for segment in segments:
        if _needs_cue_timings(segment, language, timings):
            words = _aligned_words(model, samples, segment, language, timings.pause_seconds)
            segment = replace(segment, words=words)
        yield segment


def _needs_cue_timings(segment: Segment, language: str, timings: WordTimingNeeds) -> bool:
    """The segment has no word timings and a spoken cue in it that only pauses delimit."""
    return not segment.words and timings.needed(segment.text, language)


def needing_cue_timings(
    segments: tuple[Segment, ...], language: str, timings: WordTimingNeeds
) -> list[int]:
    """Which segments, transcribed without word timings, today's cue grammar needs timed."""
    return [i for i, s in enumerate(segments) if _needs_cue_timings(s, language, timings)]


def with_cue_timings(
    samples: np.ndarray,
    transcript,
    indices: list[int],
    options: TranscribeOptions,
    timings: WordTimingNeeds,
) -> tuple[Segment, ...]:
    """The transcript's segments, those at indices given word timings by alignment."""
    model = _faster_whisper_model(options.model, options.cpu_threads, 1, device_of(options))
    segments = list(transcript.segments)
    for i in indices:
        words = _aligned_words(
            model, samples, segments[i], transcript.language, timings.pause_seconds
        )
        segments[i] = replace(segments[i], words=words)
    return tuple(segments)


# faster-whisper's defaults for which punctuation joins the word before or after it.
PREPEND_PUNCTUATION = "\"'“¿([{-"
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"


def _aligned_words(
    model, samples: np.ndarray, segment: Segment, language: str, pause_seconds: float
):
    """The segment's words timed by aligning its text with its audio (Whisper's cross-attention,
    as faster-whisper's own word timestamps do), without decoding the window again."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    tokenizer = Tokenizer(
        model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
    )
    audio = samples[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]
    encoded = model.encode(pad_or_trim(model.feature_extractor(audio)))
    frames = min(3000, ceil(segment.end - segment.start) * model.frames_per_second)
    seek = round(segment.start * model.frames_per_second)
    text = {"tokens": tokenizer.encode(" " + segment.text), "seek": seek, **_span(segment)}
    raw = [[text]]
    model.add_word_timestamps(
        raw, tokenizer, encoded, [frames], PREPEND_PUNCTUATION, APPEND_PUNCTUATION, segment.start
    )
    words = [word_of(w) for w in raw[0][0].get("words", ())]
    return tuple(snapped_to_pauses(words, audio, segment.start, pause_seconds))


def _span(segment: Segment) -> dict[str, float]:
    return {"start": segment.start, "end": segment.end}


def _faster_whisper_batched(samples, options, common, timings: WordTimingNeeds | None):
    """Windows decoded in batches, one batch per core at once (see _in_parallel)."""
    from concurrent.futures import ThreadPoolExecutor

    from voiceblog.transcription.batched_pipeline import CueTimedPipeline  # faster-whisper's

    keep_freed_memory()  # before any thread starts: each thread picks its arena once
    cores = options.cpu_threads
    device = device_of(options)
    # A GPU decodes a batch's windows side by side by itself: one worker, where a CPU gets one
    # per core (a second model on the GPU would only take its memory).
    workers = 1 if device == "cuda" else cores
    with ThreadPoolExecutor(1) as pool:  # the model loads while VAD listens
        loading = pool.submit(_faster_whisper_model, options.model, 1, workers, device)
        clips, pauses = heard(samples, cores)  # Silero VAD runs on the CPU either way
        model = loading.result()  # on a CPU: one worker per core, one thread each
    if not clips:
        return options.language_or_default or "en", None, iter(()), pauses
    language, probability = options.language_or_default, None
    if language is None:
        language, probability = _detected_language(model, samples, clips)
    given = {"language": language}
    pipelines = [
        CueTimedPipeline(model, timings, options.fallback_beam_size) for _ in range(workers)
    ]

    def decode(pipeline, part: list[dict[str, float]]) -> list[Segment]:
        raw, _ = pipeline.transcribe(
            samples, clip_timestamps=part, batch_size=len(part), **common | given
        )
        return [pipeline.with_words(s, samples) for s in segments_of(raw)]

    segments = _in_parallel(decode, pipelines, clips, options.batch_size)
    return language, probability, segments, pauses


def _detected_language(model, samples: np.ndarray, clips) -> tuple[str, float | None]:
    """The language of the first 30 s of speech, as faster-whisper's batched pipeline detects
    it, and how sure the model is. An English-only model (named by its folder) hears English."""
    if not model.model.is_multilingual:
        return "en", None
    speech = np.concatenate(
        [samples[int(c["start"] * SAMPLE_RATE) : int(c["end"] * SAMPLE_RATE)] for c in clips[:2]]
    )
    language, probability, _ = model.detect_language(audio=speech[: WINDOW_SECONDS * SAMPLE_RATE])
    return language, round(probability, 2)


def _in_parallel(decode, workers: list, clips: list[dict[str, float]], batch_size: int):
    """Segments of every window in order, decoded by one worker per core at once.

    On a 2-core CPU two batches decoded side by side, one thread each, take 26-32% less time
    than the same batches one after another with two threads each (the 5-minute test memo,
    timed by hand: 4.9 s against 6.7 s): CTranslate2's operations on one window are too small
    to keep two threads busy. The windows in flight are batch_size in all (each holds ~50 MB
    while its attention is computed), dealt to the workers in equal batches; a free worker
    takes the next batch.
    """
    from concurrent.futures import ThreadPoolExecutor

    rounds = ceil(len(clips) / max(batch_size, len(workers)))
    batches = _split(clips, rounds * len(workers))
    free = _queue_of(workers)
    pool = ThreadPoolExecutor(len(workers), thread_name_prefix="whisper")

    def run(batch):
        pipeline = free.get()  # a pipeline keeps per-batch state: one batch at a time each
        try:
            return decode(pipeline, batch)
        finally:
            free.put(pipeline)

    try:
        for segments in pool.map(run, batches):
            yield from segments
    finally:
        pool.shutdown(cancel_futures=True)
        give_back_memory()


def _split(items: list, parts: int) -> list[list]:
    """items in at most `parts` consecutive runs of nearly equal length."""
    size, extra = divmod(len(items), parts)
    runs, start = [], 0
    for k in range(parts):
        end = start + size + (k < extra)
        if end > start:
            runs.append(items[start:end])
        start = end
    return runs


def _queue_of(items: list):
    """A thread-safe queue holding items."""
    from queue import SimpleQueue

    q = SimpleQueue()
    for item in items:
        q.put(item)
    return q


def device_of(options: TranscribeOptions) -> str:
    """Where this engine runs for these options on this machine: "cuda" or "cpu"."""
    return devices.resolved(options.engine, options.device)


def _faster_whisper_model(name: str, threads: int, workers: int = 1, device: str = "cpu"):
    """Load once per process: a batch of memos shares one model. Each of `workers` (calls
    running at once from as many Python threads) computes with `threads` threads."""
    return _load_faster_whisper(name, threads, workers, device)  # one cache key however called


@lru_cache(maxsize=2)
def _load_faster_whisper(name: str, threads: int, workers: int, device: str):
    from faster_whisper import WhisperModel

    location = ct2_model_dir(name) or name
    try:
        return WhisperModel(
            str(location),
            device=device,
            compute_type=devices.compute_type(device),
            cpu_threads=threads,
            num_workers=workers,
        )
    except Exception as e:  # hub errors, missing files, bad weights: all one message to the user
        on_gpu = " on the GPU (--device cpu uses the CPU)" if device == "cuda" else ""
        raise ModelError(
            f"cannot load Whisper model {name!r}{on_gpu}: {str(e).splitlines()[0]} "
            f"(offline: tiny.en, or base after {MULTILINGUAL_HINT}; or a directory of "
            "CTranslate2 weights)"
        ) from e


# openai-whisper -------------------------------------------------------------------------


def openai_whisper(
    samples: np.ndarray,
    options: TranscribeOptions,
    workspace: Workspace,
    word_timings: WordTimingNeeds | None = None,
) -> tuple[str, float | None, Iterator[Segment], tuple | None]:
    import torch

    torch.set_num_threads(options.cpu_threads)
    device = device_of(options)
    model = _openai_whisper_model(options.model, workspace.cache_dir("models"), device)
    clips, pauses = heard(samples, options.cpu_threads) if options.vad else (None, None)
    if clips == []:
        return options.language_or_default or "en", None, iter(()), pauses
    language, probability = options.language_or_default, None
    if language is None:
        language, probability = _openai_whisper_language(model, samples, clips)
    # Its temperature fallback samples: seeded, the same memo gives the same transcript on a
    # machine (and a cached one is no luckier draw than a fresh one).
    torch.manual_seed(0)
    result = model.transcribe(
        samples,
        language=language,
        beam_size=options.beam_size,
        best_of=options.beam_size,
        fp16=device == "cuda",  # half precision on a GPU, as openai-whisper's own default
        condition_on_previous_text=False,
        initial_prompt=options.vocab,
        carry_initial_prompt=bool(options.vocab),  # the vocabulary in every window
        # Word timings from the reference engine cost little next to its decoding; they let a
        # cue's name end at the speaker's pause, as the default engine's cue timings do.
        word_timestamps=options.words or bool(options.cue_timings and word_timings),
        clip_timestamps=_clip_string(clips) if clips else "0",
        verbose=None,
    )
    segments = segments_of(result["segments"])
    language = result["language"]
    return (
        language,
        probability,
        (_with_snapped_cues(s, samples, language, word_timings) for s in segments),
        pauses,
    )


def _openai_whisper_language(model, samples, clips) -> tuple[str, float]:
    """The language of the first 30 s of speech, as openai-whisper detects it, and how sure."""
    import whisper

    start = int((clips[0]["start"] if clips else 0) * SAMPLE_RATE)
    audio = whisper.pad_or_trim(samples[start:])
    mel = whisper.log_mel_spectrogram(audio, model.dims.n_mels).to(model.device)
    _, probabilities = model.detect_language(mel)
    language = max(probabilities, key=probabilities.get)
    return language, round(float(probabilities[language]), 2)


def _with_snapped_cues(
    segment: Segment, samples: np.ndarray, language: str, timings: WordTimingNeeds | None
) -> Segment:
    """openai-whisper times every word; where a cue needs them, they move into the pauses."""
    if not timings or not segment.words or not timings.needed(segment.text, language):
        return segment
    return snapped_segment(segment, samples, timings.pause_seconds)


def _clip_string(clips: list[dict[str, float]]) -> str:
    return ",".join(f"{c['start']:.2f},{c['end']:.2f}" for c in clips)


@lru_cache(maxsize=2)
def _openai_whisper_model(name: str, cache: Path, device: str = "cpu"):
    """The model from openai-whisper's own cache or download, else rebuilt from local weights."""
    try:
        import whisper
    except ImportError as e:
        raise ModelError(
            "the openai-whisper engine is not installed: pip install 'voiceblog[openai-whisper]'"
        ) from e
    if ct2_model_dir(name) is None:
        try:
            return whisper.load_model(name, device=device)
        except Exception as e:
            raise ModelError(f"cannot load Whisper model {name!r}: {e}") from e
    model = whisper.load_model(str(openai_whisper_checkpoint(name, cache)), device=device)
    _set_alignment_heads(model, ct2_model_dir(name))
    return model


def _set_alignment_heads(model, ct2_dir: Path) -> None:
    """Word timestamps follow the cross-attention heads the model's authors chose."""
    import torch

    heads = json.loads((ct2_dir / "config.json").read_text()).get("alignment_heads")
    if heads:
        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
