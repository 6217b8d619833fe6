"""The engines' segments and words (objects from faster-whisper, dicts from openai-whisper and
from faster-whisper's batched internals) as our Segment and Word."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from voiceblog.transcription.transcript import Segment, Word


def segments_of(raw: Iterable) -> Iterator[Segment]:
    """Engine segments as our Segment type, text stripped, times to 10 ms."""
    for s in raw:
        words = tuple(word_of(w) for w in (_get(s, "words") or ()))
        yield Segment(_seconds(s, "start"), _seconds(s, "end"), _get(s, "text").strip(), words)


def word_of(w) -> Word:
    return Word(_seconds(w, "start"), _seconds(w, "end"), _get(w, "word"), _probability(w))


def _get(item, key: str):
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _probability(word) -> float:
    return round(float(_get(word, "probability")), 3)


def _seconds(item, key: str) -> float:
    return round(float(_get(item, key)), 2)
