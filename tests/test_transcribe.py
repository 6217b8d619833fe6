"""The real tiny.en model on real speech, from every container, and the transcript cache."""

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from voiceblog import audio
from voiceblog.cues import WORD_TIMINGS
from voiceblog.errors import AudioError
from voiceblog.transcription.options import TranscribeOptions, WordTimingNeeds
from voiceblog.transcription.run import transcribe
from voiceblog.workspace import Workspace, sha256_file

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.fresh_cache  # the transcript cache itself, from an empty one


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_real_speech_is_transcribed_word_for_word(workspace):
    transcript, cached = transcribe(
        DATA / "jfk.flac",
        sha256_file(DATA / "jfk.flac"),
        TranscribeOptions(),
        Workspace(workspace),
        word_timings=WORD_TIMINGS,
    )
    assert not cached
    assert words(transcript.text) == words((DATA / "jfk.txt").read_text())
    assert transcript.segments[0].start == 0.0
    assert 10.5 < transcript.segments[-1].end <= transcript.duration == 11.0
    assert (transcript.engine, transcript.model, transcript.language) == (
        "faster-whisper",
        "tiny.en",
        "en",
    )


def test_a_second_transcription_of_the_same_audio_comes_from_the_cache(workspace, jfk):
    ws, options = Workspace(workspace), TranscribeOptions()
    first, cached_first = transcribe(jfk, sha256_file(jfk), options, ws, word_timings=WORD_TIMINGS)
    cache_files = list((workspace / ".voiceblog" / "transcripts").iterdir())
    stamp = cache_files[0].stat().st_mtime_ns
    renamed = jfk.rename(workspace / "same-audio-other-name.flac")
    second, cached_second = transcribe(
        renamed, sha256_file(renamed), options, ws, word_timings=WORD_TIMINGS
    )
    assert (cached_first, cached_second) == (False, True)
    assert second == first
    assert cache_files[0].stat().st_mtime_ns == stamp
    other_options = TranscribeOptions(beam_size=1)
    assert other_options.cache_key(sha256_file(renamed)) != options.cache_key(sha256_file(renamed))


@pytest.mark.parametrize("suffix", [".m4a", ".mp3", ".ogg", ".webm", ".mp4", ".wav"])
def test_every_common_container_decodes_to_16k_mono(jfk_formats, suffix):
    samples = audio.decode(jfk_formats[suffix])
    assert samples.dtype == np.float32
    assert abs(audio.duration_seconds(samples) - 11.0) < 0.1
    reference = audio.decode(DATA / "jfk.flac")
    n = min(len(samples), len(reference))
    # Lossy codecs shift the waveform a little; the loudness envelope must still match.
    envelope = [
        np.abs(x[: n // 1600 * 1600]).reshape(-1, 1600).mean(axis=1) for x in (samples, reference)
    ]
    assert np.corrcoef(*envelope)[0, 1] > 0.95


def test_phone_formats_transcribe_like_the_original(workspace, jfk_formats):
    expected = words((DATA / "jfk.txt").read_text())
    path = jfk_formats[".m4a"]
    transcript, _ = transcribe(
        path,
        sha256_file(path),
        TranscribeOptions(),
        Workspace(workspace),
        word_timings=WORD_TIMINGS,
    )
    assert words(transcript.text) == expected


def test_a_file_that_is_not_audio_says_so(workspace):
    text = workspace / "notes.m4a"
    text.write_text("shopping list: milk, eggs")
    with pytest.raises(AudioError, match=r"notes.m4a: not an audio file \(Invalid data"):
        audio.decode(text)


def test_a_transcript_cached_before_a_grammar_change_is_timed_where_the_grammar_now_needs_it(
    workspace,
):
    """A transcript cached by an older grammar (one that needed no word timings here) gets
    them on the next run for the segments today's grammar needs, and only those. Today's
    grammar is one that needs timings wherever a section is named: which segments the real
    one needs depends on where Whisper put its commas, and that differs between CPUs."""
    ws, options = Workspace(workspace), TranscribeOptions()
    memo = DATA / "holdout-allotment-memo.ogg"
    audio_hash = sha256_file(memo)
    needs = WordTimingNeeds(
        needed=lambda text, _: "section" in text.lower(),
        pause_seconds=WORD_TIMINGS.pause_seconds,
    )
    fresh, _ = transcribe(memo, audio_hash, options, ws, word_timings=needs)
    timed = [i for i, s in enumerate(fresh.segments) if s.words]
    assert timed, "the memo names sections"
    cache_file = next((workspace / ".voiceblog" / "transcripts").iterdir())
    older = replace(fresh, segments=tuple(replace(s, words=()) for s in fresh.segments))
    cache_file.write_text(older.to_json(), encoding="utf-8")

    again, cached = transcribe(memo, audio_hash, options, ws, word_timings=needs)
    assert cached
    assert [i for i, s in enumerate(again.segments) if s.words] == timed
    assert [s.text for s in again.segments] == [s.text for s in fresh.segments]
    stamp = cache_file.stat().st_mtime_ns
    third, _ = transcribe(memo, audio_hash, options, ws, word_timings=needs)
    assert third == again and cache_file.stat().st_mtime_ns == stamp  # nothing more to time
