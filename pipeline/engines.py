"""The Whisper engines. Each turns 16 kHz mono samples into (language, Segments)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.audio import SAMPLE_RATE
from pipeline.errors import ModelError
from pipeline.transcript import Segment, TranscribeOptions, Word
from pipeline.whisper_models import ct2_model_dir, openai_whisper_checkpoint
from pipeline.workspace import Workspace

WINDOW_SECONDS = 30  # Whisper's input window
# VAD pieces of at most 10 s (cut at the speaker's short pauses) pack into 30 s windows more
# tightly than 30 s pieces do: 56 windows instead of 58 for the 25-minute benchmark memo.
VAD_PIECE_SECONDS = 10
JOIN_GAP_SECONDS = 2.0  # speech closer than this goes into one window; longer silences are cut
# Windows decoded per call of the batched pipeline: its features are computed for all windows
# of a call at once, so a bounded group keeps memory flat however long the memo is.
WINDOWS_PER_CALL = 16


def speech_clips(samples: np.ndarray) -> list[dict[str, float]]:
    """Stretches of speech found by Silero VAD, joined into windows of at most 30 s."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(max_speech_duration_s=VAD_PIECE_SECONDS, min_silence_duration_ms=160)
    clips: list[dict[str, float]] = []
    for speech in get_speech_timestamps(samples, vad):
        start, end = speech["start"] / SAMPLE_RATE, speech["end"] / SAMPLE_RATE
        if clips and start - clips[-1]["end"] < JOIN_GAP_SECONDS:
            if end - clips[-1]["start"] <= WINDOW_SECONDS:
                clips[-1]["end"] = end
                continue
        clips.append({"start": start, "end": end})
    return clips


# faster-whisper -------------------------------------------------------------------------


def faster_whisper(
    samples: np.ndarray, options: TranscribeOptions, workspace: Workspace
) -> tuple[str, Iterator[Segment]]:
    model = _faster_whisper_model(options.model, options.cpu_threads)
    common = {
        "language": options.language_or_default,
        "beam_size": options.beam_size,
        "hotwords": options.vocabulary or None,  # faster-whisper puts these in every window
        "word_timestamps": options.words,
    }
    if options.batch_size > 1 and options.vad:
        return _faster_whisper_batched(model, samples, options, common)
    segments, info = model.transcribe(
        samples,
        vad_filter=options.vad,
        # Conditioning on earlier text is what lets one mistake loop for minutes on long memos.
        condition_on_previous_text=False,
        **common,
    )
    return info.language, _segments(segments)


def _faster_whisper_batched(model, samples, options, common) -> tuple[str, Iterator[Segment]]:
    from faster_whisper import BatchedInferencePipeline

    clips = speech_clips(samples)
    if not clips:
        return options.language_or_default or "en", iter(())
    pipeline = BatchedInferencePipeline(model)
    groups = [clips[i : i + WINDOWS_PER_CALL] for i in range(0, len(clips), WINDOWS_PER_CALL)]

    def run(group, language):
        return pipeline.transcribe(
            samples, clip_timestamps=group, batch_size=options.batch_size, **common | language
        )

    first, info = run(groups[0], {})
    detected = {"language": info.language}  # detect once, not once per group

    def all_segments():
        yield from first
        for group in groups[1:]:
            yield from run(group, detected)[0]

    return info.language, _segments(all_segments())


@lru_cache(maxsize=2)
def _faster_whisper_model(name: str, threads: int):
    """Load once per process: a batch of memos shares one model."""
    from faster_whisper import WhisperModel

    location = ct2_model_dir(name) or name
    try:
        return WhisperModel(str(location), device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as e:  # hub errors, missing files, bad weights: all one message to the user
        raise ModelError(
            f"cannot load Whisper model {name!r}: {str(e).splitlines()[0]} "
            "(offline, only tiny.en is available; or pass a directory of CTranslate2 weights)"
        ) from e


# openai-whisper -------------------------------------------------------------------------


def openai_whisper(
    samples: np.ndarray, options: TranscribeOptions, workspace: Workspace
) -> tuple[str, Iterator[Segment]]:
    import torch

    torch.set_num_threads(options.cpu_threads)
    model = _openai_whisper_model(options.model, workspace.cache_dir("models"))
    clips = speech_clips(samples) if options.vad else None
    if clips == []:
        return options.language_or_default or "en", iter(())
    result = model.transcribe(
        samples,
        language=options.language_or_default,
        beam_size=options.beam_size,
        best_of=options.beam_size,
        fp16=False,  # CPU
        condition_on_previous_text=False,
        initial_prompt=options.vocabulary,
        carry_initial_prompt=bool(options.vocabulary),  # the vocabulary in every window
        word_timestamps=options.words,
        clip_timestamps=_clip_string(clips) if clips else "0",
        verbose=None,
    )
    return result["language"], _segments(result["segments"])


def _clip_string(clips: list[dict[str, float]]) -> str:
    return ",".join(f"{c['start']:.2f},{c['end']:.2f}" for c in clips)


@lru_cache(maxsize=2)
def _openai_whisper_model(name: str, cache: Path):
    """The model from openai-whisper's own cache or download, else rebuilt from local weights."""
    try:
        import whisper
    except ImportError as e:
        raise ModelError(
            "the openai-whisper engine is not installed: pip install 'voiceblog[openai-whisper]'"
        ) from e
    if ct2_model_dir(name) is None:
        try:
            return whisper.load_model(name, device="cpu")
        except Exception as e:
            raise ModelError(f"cannot load Whisper model {name!r}: {e}") from e
    model = whisper.load_model(str(openai_whisper_checkpoint(name, cache)), device="cpu")
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


# both -----------------------------------------------------------------------------------


def _segments(raw: Iterable) -> Iterator[Segment]:
    """Engine segments (objects or dicts, by engine) as our Segment type."""
    for s in raw:
        words = tuple(
            Word(_seconds(w, "start"), _seconds(w, "end"), _get(w, "word"), _probability(w))
            for w in (_get(s, "words") or ())
        )
        yield Segment(_seconds(s, "start"), _seconds(s, "end"), _get(s, "text").strip(), words)


def _get(item, key: str):
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _probability(word) -> float:
    return round(float(_get(word, "probability")), 3)


def _seconds(item, key: str) -> float:
    return round(float(_get(item, key)), 2)
