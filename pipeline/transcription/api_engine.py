"""--engine api: transcription by a provider through litellm's transcription() (OpenAI's
whisper-1, groq/whisper-large-v3, or openai/<model> on a server of one's own at
--transcription-api-base), asking for verbose_json with segment times, and word times where
litellm passes the request on (OpenAI, Azure and OpenAI-style servers; its Groq refuses it).

The audio goes up as 16 kHz mono WAV, what every provider reads; a memo over the upload limit
goes in pieces cut in the middle of the speaker's pauses (Silero VAD's), their segments shifted
back to the memo's times. The key comes from the environment only, as for the LLM; every
failure is one line, and nothing is cached from it.
"""

from __future__ import annotations

import io
import json
import logging
import wave

import numpy as np

from voiceblog.audio import SAMPLE_RATE
from voiceblog.errors import TranscriptionError
from voiceblog.transcription.options import TranscribeOptions
from voiceblog.transcription.transcript import Segment, Word

log = logging.getLogger("voiceblog")

# OpenAI's and Groq's upload limit: about 13 minutes of 16 kHz WAV in one request.
UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024
WAV_HEADER_BYTES = 44
# verbose_json names the language ("english"); voiceblog's language files go by Whisper's code.
LANGUAGE_CODES = {"english": "en", "german": "de", "french": "fr", "spanish": "es"}


def api_transcription(
    samples: np.ndarray, options: TranscribeOptions, pauses=()
) -> tuple[str, float | None, list[Segment], float | None]:
    """(language, None: a provider says not how sure it is, segments, what litellm says it
    cost in dollars or None) for the samples, sent in as few pieces under the upload limit
    as the pauses allow."""
    if variable := missing_key(options):
        raise TranscriptionError(
            f"transcription by {options.model} needs an API key: set {variable} in the environment"
        )
    limit = (UPLOAD_LIMIT_BYTES - WAV_HEADER_BYTES) // 2  # samples, 16 bits each
    language, segments, costs = None, [], []
    for start, end in pieces_at_pauses(len(samples), pauses or (), limit):
        response = _request(wav_bytes(samples[start:end]), options)
        language = language or _language(response, options)
        offset = start / SAMPLE_RATE
        segments += [_shifted(s, offset) for s in _with_words(_segments_of(response), response)]
        costs.append(_cost(response, options))
    cost = round(sum(costs), 6) if costs and None not in costs else None
    if cost:
        log.info("transcription by %s cost about $%.4f", options.model, cost)
    return language, None, segments, cost


def _cost(response, options: TranscribeOptions) -> float | None:
    """The dollars litellm priced this request at from its price list (whisper-1: by the
    second); None when it has no price for the model, or for a model on a server of one's own
    (openai/<name> at --transcription-api-base), where the list price is not what it costs."""
    if options.api_base and options.model.startswith("openai/"):
        return None
    cost = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    return float(cost) if isinstance(cost, (int, float)) else None


def pieces_at_pauses(total: int, pauses, limit: int) -> list[tuple[int, int]]:
    """(start, end) sample ranges of at most limit samples, each cut in the middle of the
    latest pause that fits; hard at the limit where no pause does (a long monologue)."""
    cuts = sorted(int((a + b) / 2 * SAMPLE_RATE) for a, b in pauses)
    pieces, start = [], 0
    while total - start > limit:
        fitting = [c for c in cuts if start < c <= start + limit]
        end = fitting[-1] if fitting else start + limit
        pieces.append((start, end))
        start = end
    return pieces + [(start, total)]


def _shifted(segment: Segment, offset: float) -> Segment:
    words = tuple(
        Word(round(w.start + offset, 2), round(w.end + offset, 2), w.text, w.probability)
        for w in segment.words
    )
    start, end = round(segment.start + offset, 2), round(segment.end + offset, 2)
    return Segment(start, end, segment.text, words)


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit PCM WAV of 16 kHz mono float samples."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    return buffer.getvalue()


def missing_key(options: TranscribeOptions) -> str | None:
    """The environment variable the provider needs and lacks; None with a server of one's own."""
    if options.api_base:
        return None
    import litellm

    try:
        missing = litellm.validate_environment(model=options.model).get("missing_keys")
    except Exception:  # a model litellm cannot place: the call itself says what is wrong
        return None
    secrets = [name for name in missing or () if "KEY" in name or "TOKEN" in name]
    return secrets[0] if secrets else None


def _request(audio: bytes, options: TranscribeOptions):
    import litellm

    extra = (
        {"api_base": options.api_base, "api_key": _key_for_own_server()} if options.api_base else {}
    )
    try:
        return litellm.transcription(
            model=options.model,
            file=("memo.wav", audio),
            language=options.language_or_default,
            prompt=options.vocab or None,  # the names and jargon to listen for
            response_format="verbose_json",
            **_granularities(options),
            timeout=options.api_timeout,
            max_retries=0,  # one line now beats minutes of silent retries
            **extra,
        )
    except Exception as e:
        raise _described(e, options, len(audio)) from e


def _granularities(options: TranscribeOptions) -> dict:
    """Segment and word times, from the providers litellm passes the request on to; none
    asked from the others (litellm's Groq refuses the parameter, and answers segments)."""
    import litellm

    try:
        provider = litellm.get_llm_provider(options.model, api_base=options.api_base)[1]
    except Exception:  # a model litellm cannot place: the request itself says so
        return {}
    if provider not in ("openai", "azure"):
        return {}
    return {"timestamp_granularities": ["word", "segment"]}


def _key_for_own_server() -> str:
    """As for the LLM: OpenAI's key to the OpenAI-style server the user named on the command
    line (--transcription-api-base is never read from a file), where the client insists on
    some key; a placeholder when there is none."""
    import os

    from voiceblog.llm import NO_KEY

    return os.environ.get("OPENAI_API_KEY") or NO_KEY


def _described(error: Exception, options: TranscribeOptions, size: int) -> TranscriptionError:
    import litellm

    where = f"{options.model}" + (f" at {options.api_base}" if options.api_base else "")
    status = getattr(error, "status_code", None)
    # litellm wraps the client's timeout in its own error or passes it on, by version
    if isinstance(error, litellm.Timeout) or "timed out" in str(error).lower():
        return TranscriptionError(
            f"transcription by {where} did not answer within {options.api_timeout:g} s"
        )
    if status == 413:
        return TranscriptionError(
            f"transcription by {where} refused the memo as too large ({size / 2**20:.1f} MB)"
        )
    if status in (401, 403) or isinstance(error, litellm.AuthenticationError):
        return TranscriptionError(f"transcription by {where} rejected the API key")
    if status == 429 or isinstance(error, litellm.RateLimitError):
        return TranscriptionError(f"transcription by {where} is rate limiting; try again later")
    if isinstance(error, json.JSONDecodeError) or "JSON" in str(error):
        return TranscriptionError(f"transcription by {where} answered no transcript (bad JSON)")
    from voiceblog.llm import provider_sentence

    return TranscriptionError(f"transcription by {where} failed: {provider_sentence(error)}")


def _language(response, options: TranscribeOptions) -> str:
    said = str(getattr(response, "language", "") or "").lower()
    return options.language_or_default or LANGUAGE_CODES.get(said, said) or "en"


def _with_words(segments: list[Segment], response) -> list[Segment]:
    """The segments with the answer's word times (verbose_json's top-level "words"), each
    word in the segment it starts in; as they were when the answer has none."""
    words = _words_of(response)
    if not words:
        return segments
    starts = [s.start for s in segments]
    by_segment: dict[int, list[Word]] = {}
    for word in words:
        index = max(0, sum(1 for start in starts if start <= word.start) - 1)
        by_segment.setdefault(index, []).append(word)
    return [
        Segment(s.start, s.end, s.text, tuple(by_segment.get(i, ())))
        for i, s in enumerate(segments)
    ]


def _words_of(response) -> list[Word]:
    """The answer's timed words, with a leading space as Whisper writes them; [] for none or
    for words that are not usable (a word's time is no reason to lose the transcript)."""
    raw = getattr(response, "words", None)
    if not isinstance(raw, list):
        return []
    try:
        return [
            Word(
                round(float(w["start"]), 2),
                round(float(w["end"]), 2),
                f" {w['word'].strip()}",
                None,
            )
            for w in (dict(w) if not isinstance(w, dict) else w for w in raw)
        ]
    except (KeyError, TypeError, ValueError, AttributeError):
        log.debug("the transcription answer's words are unusable; segment times only")
        return []


def _word(raw: dict) -> Word:
    start, end = round(float(raw["start"]), 2), round(float(raw["end"]), 2)
    return Word(start, end, f" {raw['word'].strip()}", None)


def _segments_of(response) -> list[Segment]:
    """The response's timed segments; one that has none is no transcript voiceblog can use."""
    raw = getattr(response, "segments", None)
    if not isinstance(raw, list):
        raise TranscriptionError("the transcription answer has no segment times (verbose_json)")
    try:
        return [
            Segment(round(float(s["start"]), 2), round(float(s["end"]), 2), s["text"].strip())
            for s in (dict(s) if not isinstance(s, dict) else s for s in raw)
        ]
    except (KeyError, TypeError, ValueError) as e:
        raise TranscriptionError(f"the transcription answer's segments are unusable: {e}") from e
