"""faster-whisper's batched pipeline, subclassed: the one place voiceblog overrides code of
faster-whisper's own, so the dependency is capped below its next major version (pyproject) and
tests/test_engines.py fails, naming the method, when an overridden method changes shape.

Imported only when the batched path runs: it pulls in faster-whisper.
"""

from __future__ import annotations

from dataclasses import replace
from math import ceil

import numpy as np
from faster_whisper import BatchedInferencePipeline

from voiceblog.transcription.engine_output import word_of
from voiceblog.transcription.options import WordTimingNeeds
from voiceblog.transcription.transcript import Segment, Word
from voiceblog.transcription.vad import snapped_segment

# The parameters of each of BatchedInferencePipeline's methods this module overrides or calls
# on super(), and of WhisperModel.add_word_timestamps (called with its arguments by position),
# as in faster-whisper 1.1 and 1.2, which this was written against.
WRITTEN_AGAINST = {
    "BatchedInferencePipeline.__init__": ("self", "model"),
    "BatchedInferencePipeline.generate_segment_batched": (
        "self",
        "features",
        "tokenizer",
        "options",
    ),
    "BatchedInferencePipeline.forward": (
        "self",
        "features",
        "tokenizer",
        "chunks_metadata",
        "options",
    ),
    "WhisperModel.add_word_timestamps": (
        "self",
        "segments",
        "tokenizer",
        "encoder_output",
        "num_frames",
        "prepend_punctuations",
        "append_punctuations",
        "last_speech_timestamp",
    ),
}


SAME_START = 0.05  # seconds: a segment and a timed piece this close start together


class CueTimedPipeline(BatchedInferencePipeline):
    """faster-whisper's BatchedInferencePipeline with two changes, one per overridden method:

    generate_segment_batched(features, tokenizer, options) decodes a batch of windows as
        faster-whisper does, keeps the encoder output it computed (for forward), and decodes
        again with fallback_beam the windows that fail openai-whisper's quality thresholds (a
        loop: text that compresses too well; or low confidence). Why: faster-whisper's batched
        path has no fallback of its own, so a window that loops would stay a loop.
    forward(features, tokenizer, chunks_metadata, options) returns faster-whisper's windows,
        and first times the words of those whose text `timings.needed` says a spoken cue needs
        timed, from the encoder output the batch already computed. Why: timing them afterwards
        would encode each window again (+50% on the dense-cue memo, against +19% for timing
        every word and ~0 for this).

    It relies on what faster-whisper 1.1-1.2 return there: generate_segment_batched (encoder
    output, one dict per window with "tokens", "avg_logprob" and "no_speech_prob"), forward
    one list of segment dicts ("start", "text", "tokens", ...) per window. A pipeline keeps
    per-batch state (the encoder output, the words timed): one batch at a time each.
    """

    def __init__(self, model, timings: WordTimingNeeds | None, fallback_beam: int = 0):
        super().__init__(model)
        self.timings = timings  # None: no cue timings (off, or --words times every word)
        self.fallback_beam = fallback_beam  # 0: no second decoding
        self.timed: dict[float, tuple[Word, ...]] = {}  # a timed piece's start (s) → its words
        self.fallbacks = 0  # windows decoded again with the fallback beam

    def generate_segment_batched(self, features, tokenizer, options):
        self.encoded, outputs = super().generate_segment_batched(features, tokenizer, options)
        if self.fallback_beam > options.beam_size:
            weak = [i for i, out in enumerate(outputs) if fails(out, tokenizer, options)]
            if weak:
                again = replace(options, beam_size=self.fallback_beam)
                _, better = super().generate_segment_batched(features[weak], tokenizer, again)
                for i, output in zip(weak, better, strict=True):
                    outputs[i] = output
                self.fallbacks += len(weak)
        return self.encoded, outputs

    def forward(self, features, tokenizer, chunks_metadata, options):
        windows = super().forward(features, tokenizer, chunks_metadata, options)
        code = tokenizer.language_code
        rows = [i for i, window in enumerate(windows) if self._needs_timing(window, code)]
        if rows:
            self._time_words(windows, chunks_metadata, rows, tokenizer, options)
        return windows

    def _needs_timing(self, window: list[dict], language: str) -> bool:
        text = " ".join(piece["text"] for piece in window)
        return bool(self.timings and window) and self.timings.needed(text, language)

    def _time_words(self, windows, metadata, rows, tokenizer, options) -> None:
        import ctranslate2

        encoded = ctranslate2.StorageView.from_array(np.asarray(self.encoded)[rows])
        sizes = [ceil(metadata[i]["duration"]) * self.model.frames_per_second for i in rows]
        chosen = [windows[i] for i in rows]
        punctuation = options.prepend_punctuations, options.append_punctuations
        self.model.add_word_timestamps(chosen, tokenizer, encoded, sizes, *punctuation, 0.0)
        for piece in (piece for window in chosen for piece in window):
            words = tuple(word_of(w) for w in piece.get("words", ()))
            self.timed[float(piece["start"])] = words

    def with_words(self, segment: Segment, samples: np.ndarray) -> Segment:
        """The segment with the word timings its window got, snapped to the pauses. It is
        found by the nearest start, not an equal one: a segment's start is rounded to 10 ms
        and a piece's is not, so 57.552 s is 57.55 s there (rounding both to 0.1 s had made
        them 57.6 and 57.5, and the words were lost). Pieces start seconds apart."""
        nearest = min(self.timed, key=lambda start: abs(start - segment.start), default=None)
        if nearest is None or abs(nearest - segment.start) > SAME_START:
            return segment
        words = self.timed.pop(nearest)
        if not words:
            return segment
        timed = replace(segment, words=words)
        return snapped_segment(timed, samples, self.timings.pause_seconds)


def fails(output: dict, tokenizer, options) -> bool:
    """openai-whisper's test for a window worth decoding again: its text compresses more than
    2.4 to 1 (a loop, "M-M-M-M"), or its average log-probability is below -1 while the window
    does hold speech."""
    from faster_whisper.transcribe import get_compression_ratio

    text = tokenizer.decode([t for t in output["tokens"] if t < tokenizer.eot])
    if text and get_compression_ratio(text) > (options.compression_ratio_threshold or 2.4):
        return True
    silent = output["no_speech_prob"] > (options.no_speech_threshold or 0.6)
    return output["avg_logprob"] < (options.log_prob_threshold or -1.0) and not silent
