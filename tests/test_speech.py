"""Where the speech is: a long memo listened to in parts on every core finds the windows one
pass finds, and the engine decoding on every core writes what one core writes."""

from pathlib import Path

import numpy as np

from voiceblog.audio import SAMPLE_RATE, decode
from voiceblog.cues import WORD_TIMINGS
from voiceblog.transcription.local_engines import _split
from voiceblog.transcription.options import TranscribeOptions
from voiceblog.transcription.run import transcribe_samples
from voiceblog.transcription.vad import QUIET_FRAME, _quiet_cuts, _speech_in, speech_clips, windows
from voiceblog.workspace import Workspace

DATA = Path(__file__).parent / "data"


def covered(clips: list[dict[str, float]], seconds: float) -> np.ndarray:
    """Which tenths of a second the windows hold."""
    held = np.zeros(int(seconds * 10) + 1, dtype=bool)
    for clip in clips:
        held[int(clip["start"] * 10) : int(clip["end"] * 10)] = True
    return held


def test_a_long_memo_listened_to_in_parts_gets_the_windows_of_one_pass():
    """25 minutes, a minute of room tone in the middle: 5 parts on 2 cores against faster-
    whisper's one pass over the whole memo. A part starts with fresh VAD state, so a boundary
    may move by a frame or a piece join differently, but no speech is lost or added."""
    samples = decode(DATA / "long-memo-with-pause.ogg")
    seconds = len(samples) / SAMPLE_RATE
    stretches = [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in _speech_in(samples)]
    whole, parts = windows(stretches), speech_clips(samples, cores=2)
    assert abs(len(parts) - len(whole)) <= 1 and len(whole) > 40
    differ = covered(parts, seconds) ^ covered(whole, seconds)
    assert differ.sum() / 10 < 2.0  # seconds held by one and not the other, of 25 minutes


def test_a_memo_is_cut_where_it_is_quietest():
    """Speech-like noise with a short gap near each even cut: every cut lands in its gap."""
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 0.1, 240 * SAMPLE_RATE).astype(np.float32)
    gaps = [62, 118, 181]  # seconds, near the even cuts of 4 parts (60, 120, 180)
    for gap in gaps:
        samples[gap * SAMPLE_RATE : gap * SAMPLE_RATE + QUIET_FRAME * 2] *= 0.001
    cuts = _quiet_cuts(samples, 4)
    assert len(cuts) == 3
    for cut, gap in zip(cuts, gaps, strict=True):
        assert gap * SAMPLE_RATE <= cut <= gap * SAMPLE_RATE + QUIET_FRAME * 2, (cut, gap)
        assert cut % 512 == 0  # on a VAD frame, as one pass would score it


def test_decoding_on_every_core_writes_what_one_core_writes(workspace):
    """Two and a half minutes of dictation in batches of two windows: one worker, or two
    workers side by side taking batches as they come free."""
    samples = decode(DATA / "dense-cues-memo.ogg")[: 150 * SAMPLE_RATE]

    def transcript(threads):
        options = TranscribeOptions(threads=threads, batch_size=2)
        return transcribe_samples(samples, options, Workspace(workspace), word_timings=WORD_TIMINGS)

    one, two = transcript(1), transcript(2)
    assert [s.text for s in two.segments] == [s.text for s in one.segments]
    starts = [s.start for s in two.segments]
    assert starts == sorted(starts) and len(starts) >= 5


def test_windows_are_dealt_in_nearly_equal_batches_in_order():
    items = list(range(11))
    batches = _split(items, 4)
    assert [len(b) for b in batches] == [3, 3, 3, 2]
    assert [i for b in batches for i in b] == items
    assert _split([1, 2], 4) == [[1], [2]]  # never an empty batch


def test_an_english_only_model_named_by_its_folder_hears_english(workspace):
    """Nothing to detect: the folder's name does not say .en, the model does."""
    from voiceblog.transcription.whisper_weights import ct2_model_dir

    options = TranscribeOptions(model=str(ct2_model_dir("tiny.en")))
    transcript = transcribe_samples(
        decode(DATA / "jfk.flac"), options, Workspace(workspace), word_timings=WORD_TIMINGS
    )
    assert (transcript.language, transcript.language_probability) == ("en", None)
    assert "ask not what your country can do for you" in transcript.text.lower()
