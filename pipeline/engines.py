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

from pipeline.audio import SAMPLE_RATE
from pipeline.cues import PAUSE_SECONDS, needs_pauses
from pipeline.errors import ModelError
from pipeline.languages import language as rules_for
from pipeline.transcript import Segment, TranscribeOptions, Word
from pipeline.whisper_models import (
    MULTILINGUAL_HINT,
    ct2_model_dir,
    openai_whisper_checkpoint,
)
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
) -> tuple[str, float | None, Iterator[Segment]]:
    model = _faster_whisper_model(options.model, options.cpu_threads)
    common = {
        "language": options.language_or_default,
        "beam_size": options.beam_size,
        "hotwords": options.vocabulary or None,  # faster-whisper puts these in every window
        "word_timestamps": options.words,
    }
    if options.batch_size > 1 and options.vad:
        return _faster_whisper_batched(model, samples, options, common)
    raw, info = model.transcribe(
        samples,
        vad_filter=options.vad,
        # Conditioning on earlier text is what lets one mistake loop for minutes on long memos.
        condition_on_previous_text=False,
        **common,
    )
    segments = _segments(raw)
    if options.cue_timings and not options.words:
        segments = _with_cue_timings(model, samples, segments, info.language)
    return info.language, _detected(options, info), segments


def _detected(options: TranscribeOptions, info) -> float | None:
    return None if options.language_or_default else round(info.language_probability, 2)


def _with_cue_timings(model, samples, segments: Iterable[Segment], language: str):
    """Word timings for the segments whose spoken cues only the speaker's pauses can delimit,
    aligned afterwards (the unbatched path keeps no encoder output to reuse)."""
    for segment in segments:
        if needs_pauses(segment.text, rules_for(language)):
            segment = replace(segment, words=_aligned_words(model, samples, segment, language))
        yield segment


# faster-whisper's defaults for which punctuation joins the word before or after it.
PREPEND_PUNCTUATION = "\"'“¿([{-"
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"


def _aligned_words(model, samples: np.ndarray, segment: Segment, language: str):
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
    words = [_word(w) for w in raw[0][0].get("words", ())]
    return tuple(_snapped_to_pauses(words, audio, segment.start))


VAD_FRAME_SECONDS = 512 / SAMPLE_RATE  # Silero VAD scores 32 ms frames
SILENCE_PROBABILITY = 0.35  # below this speech probability a frame is a pause (Silero's own)
MIN_WORD_SECONDS = 0.1  # speech shorter than this after a silence is no word


def _snapped_to_pauses(words: list[Word], audio: np.ndarray, offset: float) -> list[Word]:
    """Word boundaries moved into the silences Silero VAD hears between them.

    Whisper's cross-attention timings smear a pause over the words on both sides of it ("3"
    0.8 s long, "It" 0.76 s), so a pause the speaker made shows no gap. Where the audio between
    the middles of two words holds a silence of PAUSE_SECONDS or more, the first word ends where
    it begins and the second starts where it ends.
    """
    from faster_whisper.vad import get_vad_model

    padded = np.pad(audio, (0, 512 - len(audio) % 512))
    silent = get_vad_model()(padded).reshape(-1) < SILENCE_PROBABILITY

    def frame(t: float) -> int:
        return max(0, int((t - offset) / VAD_FRAME_SECONDS))

    for k in range(len(words) - 1):
        middle = (words[k].start + words[k].end) / 2, (words[k + 1].start + words[k + 1].end) / 2
        first = frame(middle[0])
        run = _longest_run(silent[first : frame(middle[1])])
        if not run or (run[1] - run[0]) * VAD_FRAME_SECONDS < PAUSE_SECONDS:
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


def _span(segment: Segment) -> dict[str, float]:
    return {"start": segment.start, "end": segment.end}


def _faster_whisper_batched(model, samples, options, common):
    clips = speech_clips(samples)
    if not clips:
        return options.language_or_default or "en", None, iter(())
    cue_timings = options.cue_timings and not options.words
    pipeline = _cue_timed_pipeline(model, cue_timings, options.fallback_beam_size)
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

    segments = _segments(all_segments())
    probability = _detected(options, info)
    return info.language, probability, (pipeline.with_words(s, samples) for s in segments)


def _fails(output: dict, tokenizer, options) -> bool:
    """openai-whisper's test for a window worth decoding again: its text compresses more than
    2.4 to 1 (a loop, "M-M-M-M"), or its average log-probability is below -1 while the window
    does hold speech."""
    from faster_whisper.transcribe import get_compression_ratio

    text = tokenizer.decode([t for t in output["tokens"] if t < tokenizer.eot])
    if text and get_compression_ratio(text) > (options.compression_ratio_threshold or 2.4):
        return True
    silent = output["no_speech_prob"] > (options.no_speech_threshold or 0.6)
    return output["avg_logprob"] < (options.log_prob_threshold or -1.0) and not silent


def _cue_timed_pipeline(model, cue_timings: bool, fallback_beam: int = 0):
    """faster-whisper's batched pipeline; with cue_timings, the windows whose spoken cues only
    the speaker's pauses can delimit get word timings from the encoder output the batch already
    computed (timing them afterwards would encode each window again: +50% on the dense-cue
    memo, against +19% for timing every word and ~0 for this)."""
    from faster_whisper import BatchedInferencePipeline

    class CueTimedPipeline(BatchedInferencePipeline):
        def __init__(self, model):
            super().__init__(model)
            self.timed: dict[float, tuple[Word, ...]] = {}  # window start (to 0.1 s) → words
            self.fallbacks = 0  # windows decoded again with the fallback beam

        def generate_segment_batched(self, features, tokenizer, options):
            """Greedy decoding first; the windows that fail openai-whisper's own quality
            thresholds (a loop: text that compresses too well; or low confidence) are decoded
            again with the fallback beam. faster-whisper's batched path has no fallback."""
            self.encoded, outputs = super().generate_segment_batched(features, tokenizer, options)
            if fallback_beam > options.beam_size:
                weak = [i for i, out in enumerate(outputs) if _fails(out, tokenizer, options)]
                if weak:
                    again = replace(options, beam_size=fallback_beam)
                    _, better = super().generate_segment_batched(features[weak], tokenizer, again)
                    for i, output in zip(weak, better, strict=True):
                        outputs[i] = output
                    self.fallbacks += len(weak)
            return self.encoded, outputs

        def forward(self, features, tokenizer, chunks_metadata, options):
            windows = super().forward(features, tokenizer, chunks_metadata, options)
            code = tokenizer.language_code
            rows = [i for i, w in enumerate(windows) if cue_timings and _open_cue(w, code)]
            if rows:
                self._time_words(windows, chunks_metadata, rows, tokenizer, options)
            return windows

        def _time_words(self, windows, metadata, rows, tokenizer, options) -> None:
            import ctranslate2

            encoded = ctranslate2.StorageView.from_array(np.asarray(self.encoded)[rows])
            sizes = [ceil(metadata[i]["duration"]) * self.model.frames_per_second for i in rows]
            chosen = [windows[i] for i in rows]
            punctuation = options.prepend_punctuations, options.append_punctuations
            self.model.add_word_timestamps(chosen, tokenizer, encoded, sizes, *punctuation, 0.0)
            for piece in (piece for window in chosen for piece in window):
                words = tuple(_word(w) for w in piece.get("words", ()))
                self.timed[round(piece["start"], 1)] = words

        def with_words(self, segment: Segment, samples: np.ndarray) -> Segment:
            """The segment with the word timings its window got, snapped to the pauses."""
            words = self.timed.pop(round(segment.start, 1), None)
            return _snapped(replace(segment, words=words), samples) if words else segment

    return CueTimedPipeline(model)


def _open_cue(window: list[dict], language: str) -> bool:
    text = " ".join(piece["text"] for piece in window)
    return bool(window) and needs_pauses(text, rules_for(language))


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
            f"(offline: tiny.en, or base after {MULTILINGUAL_HINT}; or a directory of "
            "CTranslate2 weights)"
        ) from e


# openai-whisper -------------------------------------------------------------------------


def openai_whisper(
    samples: np.ndarray, options: TranscribeOptions, workspace: Workspace
) -> tuple[str, float | None, Iterator[Segment]]:
    import torch

    torch.set_num_threads(options.cpu_threads)
    model = _openai_whisper_model(options.model, workspace.cache_dir("models"))
    clips = speech_clips(samples) if options.vad else None
    if clips == []:
        return options.language_or_default or "en", None, iter(())
    language, probability = options.language_or_default, None
    if language is None:
        language, probability = _openai_whisper_language(model, samples, clips)
    result = model.transcribe(
        samples,
        language=language,
        beam_size=options.beam_size,
        best_of=options.beam_size,
        fp16=False,  # CPU
        condition_on_previous_text=False,
        initial_prompt=options.vocabulary,
        carry_initial_prompt=bool(options.vocabulary),  # the vocabulary in every window
        # Word timings from the reference engine cost little next to its decoding; they let a
        # cue's name end at the speaker's pause, as the default engine's cue timings do.
        word_timestamps=options.words or options.cue_timings,
        clip_timestamps=_clip_string(clips) if clips else "0",
        verbose=None,
    )
    segments = _segments(result["segments"])
    rules = rules_for(result["language"])
    return (
        result["language"],
        probability,
        (_with_snapped_cues(s, samples, rules) for s in segments),
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


def _with_snapped_cues(segment: Segment, samples: np.ndarray, rules) -> Segment:
    """openai-whisper times every word; where a cue needs them, they move into the pauses."""
    if not segment.words or not needs_pauses(segment.text, rules):
        return segment
    return _snapped(segment, samples)


def _snapped(segment: Segment, samples: np.ndarray) -> Segment:
    """The segment with its word boundaries moved into the pauses heard in its audio."""
    audio = samples[int(segment.start * SAMPLE_RATE) : int(segment.end * SAMPLE_RATE)]
    words = _snapped_to_pauses(list(segment.words), audio, segment.start)
    return replace(segment, words=tuple(words))


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
        words = tuple(_word(w) for w in (_get(s, "words") or ()))
        yield Segment(_seconds(s, "start"), _seconds(s, "end"), _get(s, "text").strip(), words)


def _word(w) -> Word:
    return Word(_seconds(w, "start"), _seconds(w, "end"), _get(w, "word"), _probability(w))


def _get(item, key: str):
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _probability(word) -> float:
    return round(float(_get(word, "probability")), 3)


def _seconds(item, key: str) -> float:
    return round(float(_get(item, key)), 2)
