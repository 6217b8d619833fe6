"""Both Whisper engines on real speech, the offline checkpoint conversion, long memos."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import whisper
from helpers import run

from voiceblog.audio import decode
from voiceblog.cues import WORD_TIMINGS
from voiceblog.transcription.options import TranscribeOptions
from voiceblog.transcription.run import transcribe_samples
from voiceblog.transcription.whisper_weights import (
    ct2_model_dir,
    openai_state_dict,
    openai_whisper_checkpoint,
    read_ct2_variables,
)
from voiceblog.workspace import Workspace

DATA = Path(__file__).parent / "data"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_both_engines_hear_the_same_words(workspace):
    samples = decode(DATA / "jfk.flac")
    reference = words((DATA / "jfk.txt").read_text())
    for engine in ("faster-whisper", "openai-whisper"):
        transcript = transcribe_samples(
            samples,
            TranscribeOptions(engine=engine),
            Workspace(workspace),
            word_timings=WORD_TIMINGS,
        )
        assert words(transcript.text) == reference, engine
        assert (transcript.engine, transcript.language) == (engine, "en")
        assert transcript.segments[0].start < 0.5 and 10 < transcript.segments[-1].end <= 11.0


def test_the_checkpoint_is_the_ctranslate2_model_unfused(workspace):
    variables = read_ct2_variables(ct2_model_dir("tiny.en") / "model.bin")
    checkpoint = openai_whisper_checkpoint("tiny.en", Workspace(workspace).cache_dir("models"))
    assert checkpoint.parent == workspace / ".voiceblog" / "models"
    model = whisper.load_model(str(checkpoint), device="cpu")
    assert model.dims.n_audio_layer == model.dims.n_text_layer == 4
    assert model.dims.n_vocab == 51864 and model.dims.n_audio_state == 384
    state = model.state_dict()
    fused = variables["encoder/layer_2/self_attention/linear_0/weight"]
    query, key, value = np.split(fused.astype(np.float32), 3)
    assert np.array_equal(state["encoder.blocks.2.attn.query.weight"].numpy(), query)
    assert np.array_equal(state["encoder.blocks.2.attn.key.weight"].numpy(), key)
    assert np.array_equal(state["encoder.blocks.2.attn.value.weight"].numpy(), value)
    assert "encoder.blocks.2.attn.key.bias" not in state
    kv = variables["decoder/layer_1/attention/linear_1/weight"].astype(np.float32)
    assert np.array_equal(state["decoder.blocks.1.cross_attn.value.weight"].numpy(), kv[384:])
    # Every tensor of the model came from the CTranslate2 weights: none left at random init.
    _, converted = openai_state_dict(variables)
    assert set(converted) == {k for k in state if k != "decoder.mask"} | set()
    assert torch.equal(
        state["decoder.token_embedding.weight"],
        torch.from_numpy(variables["decoder/embeddings/weight"].astype(np.float32)),
    )


@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_transcribe_command_prints_every_format(jfk, engine):
    text = run("transcribe", jfk, "--engine", engine)
    assert text.exit_code == 0, text.output
    assert words(text.stdout) == words((DATA / "jfk.txt").read_text())
    srt = run("transcribe", jfk, "--engine", engine, "--format", "srt").stdout
    assert srt.startswith("1\n00:00:00,000 --> 00:00:")
    vtt = run("transcribe", jfk, "--engine", engine, "--format", "vtt").stdout
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:")
    data = json.loads(
        run("transcribe", jfk, "--engine", engine, "--format", "json", "--words").stdout
    )
    assert data["engine"] == engine and data["duration"] == 11.0
    spoken = [w for s in data["segments"] for w in s["words"]]
    assert words("".join(w["text"] for w in spoken)) == words((DATA / "jfk.txt").read_text())
    assert all(0 <= w["start"] <= w["end"] <= 11.0 for w in spoken)
    assert [w["start"] for w in spoken] == sorted(w["start"] for w in spoken)


def longest_repeat_run(text: str, n: int = 4) -> int:
    """Most times one n-word phrase is said in a row: a Whisper loop says it dozens of times."""
    tokens = words(text)
    longest = 1
    for i in range(len(tokens) - n):
        phrase, times = tokens[i : i + n], 1
        while tokens[i + times * n : i + (times + 1) * n] == phrase:
            times += 1
        longest = max(longest, times)
    return longest


@pytest.mark.slow
def test_a_long_memo_with_a_minute_of_room_tone(workspace):
    """25 minutes of speech with a minute of room noise in the middle (tools/make_memos.py)."""
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    facts = json.loads((DATA / "long-memo-with-pause.json").read_text())
    samples = decode(DATA / "long-memo-with-pause.ogg")
    assert len(samples) / 16_000 > 20 * 60
    transcript = transcribe_samples(
        samples, TranscribeOptions(), Workspace(workspace), word_timings=WORD_TIMINGS
    )
    # Nothing invented in the pause: no text is timed inside it (a second's margin each side).
    inside = [
        s
        for s in transcript.segments
        if s.end > facts["pause_start"] + 1 and s.start < facts["pause_end"] - 1
    ]
    assert inside == []
    assert longest_repeat_run(transcript.text) <= 2
    normalize = EnglishTextNormalizer()
    wer = jiwer.wer(normalize(facts["reference"]), normalize(transcript.text))
    # tiny.en scores about 14% on flite's voice (benchmarks/transcribe.py); a dropped stretch
    # of the memo or a loop would cost far more.
    assert wer < 0.2, wer
    # Everything after the pause was heard too, with its timing shifted by the pause.
    assert transcript.segments[-1].end > len(samples) / 16_000 - 15


# openai-whisper with a prompt falls back to sampling here, minutes on 2 cores: slow.
@pytest.mark.parametrize(
    "engine", ["faster-whisper", pytest.param("openai-whisper", marks=pytest.mark.slow)]
)
def test_the_vocabulary_reaches_a_late_window(workspace, engine):
    """The name is said 40 s in, in the second thirty-second window (tools/make_memos.py)."""
    samples = decode(DATA / "vocab-memo.m4a")

    def heard(vocabulary):
        options = TranscribeOptions(engine=engine, vocab=vocabulary)
        return transcribe_samples(
            samples, options, Workspace(workspace), word_timings=WORD_TIMINGS
        ).segments

    assert "Dettmers" not in " ".join(s.text for s in heard(None))
    # openai-whisper's temperature fallback samples, so now and then it writes the name in two
    # segments of that window; what matters is that the name is heard, and only late.
    late = [s for s in heard("QLoRA, Dettmers, Kimi") if "Dettmers" in s.text]
    assert late and all(s.start >= 29.0 for s in late), late


def test_vocabulary_txt_in_the_workspace_is_used(workspace):
    shutil.copy(DATA / "vocab-memo.m4a", workspace / "memo.m4a")
    (workspace / "vocabulary.txt").write_text("# names I use\nQLoRA, Dettmers\nKimi\n")
    assert "Dettmers" in run("transcribe", "memo.m4a").stdout
    assert "Dettmers" not in run("transcribe", "memo.m4a", "--vocab", "").stdout


def test_word_timings_only_where_a_spoken_cue_needs_the_speakers_pauses(workspace):
    """The default path times words only in windows whose cue punctuation leaves open, so a memo
    without such cues costs nothing extra; those windows' cues end at the speaker's pauses."""
    plain = transcribe_samples(
        decode(DATA / "jfk.flac"),
        TranscribeOptions(),
        Workspace(workspace),
        word_timings=WORD_TIMINGS,
    )
    assert not any(s.words for s in plain.segments)

    dense = decode(DATA / "dense-cues-memo.ogg")[: 16_000 * 150]  # the first 2.5 minutes
    transcript = transcribe_samples(
        dense, TranscribeOptions(), Workspace(workspace), word_timings=WORD_TIMINGS
    )
    timed = [s for s in transcript.segments if s.words]
    assert 0 < len(timed) < len(transcript.segments)
    for segment in timed:
        assert re.search(r"\b(section|part)\b", segment.text, re.I), segment.text
        assert all(
            segment.start - 0.5 <= w.start <= w.end <= segment.end + 0.5 for w in segment.words
        )


def test_a_looping_or_unsure_window_is_decoded_again():
    """openai-whisper's thresholds, which faster-whisper's batched path does not apply: text
    that compresses more than 2.4 to 1 (a loop) or an average log-probability below -1 on a
    window that holds speech."""
    from types import SimpleNamespace

    from faster_whisper.tokenizer import Tokenizer

    from voiceblog.transcription.batched_pipeline import fails
    from voiceblog.transcription.local_engines import _faster_whisper_model

    tokenizer = Tokenizer(_faster_whisper_model("tiny.en", 1).hf_tokenizer, False)
    thresholds = SimpleNamespace(
        compression_ratio_threshold=2.4, no_speech_threshold=0.6, log_prob_threshold=-1.0
    )

    def window(text: str, logprob: float = -0.2, no_speech: float = 0.01) -> dict:
        tokens = tokenizer.encode(text)
        return {"tokens": tokens, "avg_logprob": logprob, "no_speech_prob": no_speech}

    sentence = "And so, my fellow Americans, ask not what your country can do for you."
    assert not fails(window(sentence), tokenizer, thresholds)
    assert fails(window("M-" * 120), tokenizer, thresholds)  # the loop seen on a real memo
    assert fails(window(sentence, logprob=-1.4), tokenizer, thresholds)
    assert not fails(window(sentence, logprob=-1.4, no_speech=0.9), tokenizer, thresholds)


def test_the_faster_whisper_methods_we_override_keep_the_shape_we_wrote_against():
    """CueTimedPipeline overrides BatchedInferencePipeline's methods and calls
    WhisperModel.add_word_timestamps by position: a faster-whisper whose parameters there
    changed fails here, naming the method, rather than mistiming words on someone's memo."""
    import inspect

    import faster_whisper

    from voiceblog.transcription.batched_pipeline import WRITTEN_AGAINST, CueTimedPipeline

    changed = []
    for qualified, expected in WRITTEN_AGAINST.items():
        owner, method = qualified.split(".")
        parameters = inspect.signature(getattr(getattr(faster_whisper, owner), method)).parameters
        if tuple(parameters) != expected:
            changed.append(
                f"faster-whisper {faster_whisper.__version__}: {qualified}{tuple(parameters)}, "
                f"written against {qualified}{expected}"
            )
    assert not changed, "\n".join(changed)
    base = faster_whisper.BatchedInferencePipeline
    overridden = {n for n, v in vars(CueTimedPipeline).items() if callable(v) and hasattr(base, n)}
    recorded = {q.split(".")[1] for q in WRITTEN_AGAINST if q.startswith(base.__name__)}
    assert overridden <= recorded, f"record the shape of {overridden - recorded} in WRITTEN_AGAINST"


def test_the_languages_checked_are_whispers_own():
    """Our list of language codes (faster-whisper's is private) is openai-whisper's, and what
    faster-whisper's multilingual base model says it supports."""
    from faster_whisper import WhisperModel
    from whisper.tokenizer import LANGUAGES

    from voiceblog.errors import ModelError
    from voiceblog.transcription.options import WHISPER_LANGUAGES

    assert set(WHISPER_LANGUAGES) == set(LANGUAGES) and len(WHISPER_LANGUAGES) == len(LANGUAGES)
    base = WhisperModel(str(ct2_model_dir("base")), device="cpu", compute_type="int8")
    assert set(WHISPER_LANGUAGES) == set(base.supported_languages)
    assert TranscribeOptions(model="base", language="yue").language == "yue"
    with pytest.raises(ModelError, match=r"unknown language 'xx'.*\(af, am, "):
        TranscribeOptions(model="base", language="xx")
