"""--engine api: the cost in the report when litellm prices the model (whisper-1, by the
second), none for a model on a server of one's own; word times asked for where litellm passes
the request on, and kept; not asked of Groq, whose litellm mapping refuses the parameter.
Against a real OpenAI-compatible server on 127.0.0.1 (faster-whisper tiny.en behind the API)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import run
from llm_server import ScriptedLLM, is_cleanup, transcript_of
from transcription_server import WhisperServer

DATA = Path(__file__).parent / "data"
WHISPER_1_PER_SECOND = 0.0001  # OpenAI's $0.006 a minute, in litellm's price list


@pytest.fixture
def jfk(workspace) -> Path:
    return Path(shutil.copy(DATA / "jfk.flac", workspace / "jfk.flac"))


def sectioning_answer(messages):
    if is_cleanup(messages):
        return transcript_of(messages)
    return json.dumps({"title": "Ask not", "summary": "", "tags": [], "sections": []})


def draft_with_llm(memo: Path, model: str, url: str):
    with ScriptedLLM(sectioning_answer) as llm:
        return run(
            "draft", memo, "--engine", "api", "--model", model, "--transcription-api-base", url,
            "--llm", "openai/x", "--api-base", llm.url, "--format", "md", "--review",
        )  # fmt: skip


def report_of(result) -> dict:
    md = Path(next(line for line in result.stdout.splitlines() if line.endswith(".md")))
    return json.loads(md.with_suffix(".report.json").read_text(encoding="utf-8"))


def test_whisper_1_is_priced_in_the_report_and_on_the_review_page(jfk, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with WhisperServer() as server:
        result = draft_with_llm(jfk, "whisper-1", server.url)
    assert result.exit_code == 0, result.output
    expected = round(11.0 * WHISPER_1_PER_SECOND, 6)  # jfk.flac: 11 s, as the server says
    assert report_of(result)["transcription"] == {"model": "whisper-1", "cost": expected}
    assert f"transcription by whisper-1 cost about ${expected:.4f}" in result.stderr
    md = Path(result.stdout.splitlines()[0])
    review = md.with_name(md.stem + ".review.html").read_text(encoding="utf-8")
    assert f"<dt>transcription</dt><dd>${expected:.4f} (whisper-1)</dd>" in review


def test_a_model_on_a_server_of_ones_own_has_no_price(jfk, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with WhisperServer() as server:
        result = draft_with_llm(jfk, "openai/whisper-1", server.url)
    assert result.exit_code == 0, result.output
    assert "transcription" not in report_of(result)
    assert "transcription by openai/whisper-1 cost" not in result.stderr


def test_word_times_are_asked_for_and_kept(jfk):
    with WhisperServer() as server:
        result = run(
            "transcribe", jfk, "--engine", "api", "--model", "openai/whisper-1",
            "--transcription-api-base", server.url, "--format", "json", "--words",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert server.requests[0]["timestamp_granularities[]"] == ["word", "segment"]
    segments = json.loads(result.stdout)["segments"]
    words = [w for s in segments for w in s["words"]]
    said = "".join(w["text"] for w in words).lower()
    assert "ask not what your country can do for you" in said
    for segment in segments:  # each word in the segment it was said in, in order
        starts = [w["start"] for w in segment["words"]]
        assert starts == sorted(starts)
        assert all(segment["start"] <= s <= segment["end"] for s in starts)
    assert all(w["probability"] is None for w in words)  # the API says not how sure


def test_groq_is_not_asked_for_word_times_it_cannot_take_and_still_transcribes(jfk):
    """litellm's Groq mapping refuses timestamp_granularities ("Setting user/encoding format
    is not supported by groq"): asked for them, every Groq transcription failed."""
    with WhisperServer() as server:
        result = run(
            "transcribe", jfk, "--engine", "api", "--model", "groq/whisper-large-v3",
            "--transcription-api-base", server.url,
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "timestamp_granularities[]" not in server.requests[0]
    assert "ask not what your country can do for you" in result.stdout.lower()
