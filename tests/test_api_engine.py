"""--engine api: a real OpenAI-compatible transcription server on 127.0.0.1 (faster-whisper
tiny.en behind the API) for the happy path, a scripted one for a provider's faults."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import run
from transcription_server import (
    ScriptedTranscriber,
    TranscriptionServer,
    WhisperServer,
    whisper_answer,
)

from voiceblog.errors import TranscriptionError
from voiceblog.transcription import api_engine
from voiceblog.transcription.api_engine import pieces_at_pauses
from voiceblog.transcription.options import TranscribeOptions
from voiceblog.transcription.run import transcribe_samples
from voiceblog.workspace import Workspace

DATA = Path(__file__).parent / "data"
JFK = "ask not what your country can do for you"
pytestmark = pytest.mark.fresh_cache  # what the provider's transcripts leave in an empty cache


@pytest.fixture
def jfk(workspace) -> Path:
    return Path(shutil.copy(DATA / "jfk.flac", workspace / "jfk.flac"))


def api_draft(memo: Path, url: str, *extra):
    return run(
        "draft", memo, "--engine", "api", "--model", "openai/whisper-1",
        "--transcription-api-base", url, "--format", "md", *extra,
    )  # fmt: skip


def drafts(workspace: Path) -> list[Path]:
    folder = workspace / "drafts"
    return sorted(folder.iterdir()) if folder.exists() else []


def cached_transcripts(workspace: Path) -> list[Path]:
    return list((workspace / ".voiceblog").rglob("transcripts/*.json"))


def test_a_memo_is_drafted_from_the_servers_transcript_and_cached(jfk, workspace):
    with WhisperServer() as server:
        first = api_draft(jfk, server.url, "--vocab", "Kennedy, Americans")
        assert first.exit_code == 0, first.output
        again = api_draft(jfk, server.url, "--vocab", "Kennedy, Americans", "--force")
        assert again.exit_code == 0, again.output
    assert len(server.requests) == 1  # the second run read the cache
    request = server.requests[0]
    assert request["model"] == "whisper-1" and request["response_format"] == "verbose_json"
    assert request["prompt"] == "Kennedy, Americans"  # the vocabulary
    assert request["file"][:4] == b"RIFF"
    md = next(p for p in drafts(workspace) if p.suffix == ".md").read_text()
    assert JFK in md.lower() and "engine: api" in md


def test_the_cache_key_holds_the_engine_the_model_and_the_server():
    def key(**options):
        return TranscribeOptions(**options).cache_key("audio")

    api = {"engine": "api", "model": "openai/whisper-1", "api_base": "http://a/v1"}
    assert key(**api) != key(engine="faster-whisper", model="tiny.en")
    assert key(**api) != key(**{**api, "model": "openai/other"})
    assert key(**api) != key(**{**api, "api_base": "http://b/v1"})
    assert key(**api) == key(**api, api_timeout=5)  # how long to wait: not what was said


def test_a_missing_key_is_named_in_one_line(jfk, workspace):
    result = run("draft", jfk, "--engine", "api", "--model", "whisper-1")
    assert result.exit_code != 0
    assert "OPENAI_API_KEY" in result.output
    assert drafts(workspace) == [] and cached_transcripts(workspace) == []


@pytest.mark.parametrize(
    "status, body, said",
    [
        (413, '{"error": {"message": "Maximum content size limit exceeded"}}', "too large"),
        (429, '{"error": {"message": "Rate limit reached"}}', "rate limiting"),
        (500, '{"error": {"message": "The server had an error."}}', "failed"),
        (401, '{"error": {"message": "Incorrect API key provided"}}', "rejected the API key"),
        (200, "<html>not json</html>", "transcript"),
        (200, '{"text": "no segments here"}', "segment"),
    ],
)
def test_a_providers_fault_is_one_line_and_nothing_is_written(jfk, workspace, status, body, said):
    with ScriptedTranscriber(status, body) as server:
        result = api_draft(jfk, server.url)
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and said in errors[0], result.output
    assert "Traceback" not in result.output
    assert drafts(workspace) == [] and cached_transcripts(workspace) == []


def test_a_server_that_does_not_answer_in_time_is_one_line(workspace):
    options = TranscribeOptions(engine="api", model="openai/whisper-1", api_timeout=1, vad=False)
    with ScriptedTranscriber(200, "{}", latency=4) as server:
        options = TranscribeOptions(**{**options.__dict__, "api_base": server.url})
        with pytest.raises(TranscriptionError, match="did not answer within 1 s"):
            transcribe_samples(np.zeros(16_000, dtype=np.float32), options, Workspace(workspace))


def test_pieces_are_cut_in_the_middle_of_the_latest_pause_that_fits():
    second = 16_000
    pauses = [(2.0, 3.0), (5.0, 6.0), (9.0, 9.5)]
    pieces = pieces_at_pauses(12 * second, pauses, 7 * second)
    assert pieces == [(0, int(5.5 * second)), (int(5.5 * second), 12 * second)]
    assert pieces_at_pauses(10, [], 4) == [(0, 4), (4, 8), (8, 10)]  # no pause: at the limit


@pytest.mark.slow
def test_a_memo_over_the_upload_limit_goes_in_pieces_cut_at_pauses(workspace, monkeypatch):
    """tests/data/notes-memo.m4a (31 s, pauses between its lines) with a limit of 12 s of WAV."""
    monkeypatch.setattr(api_engine, "UPLOAD_LIMIT_BYTES", 12 * 32_000)
    memo = Path(shutil.copy(DATA / "notes-memo.m4a", workspace / "notes-memo.m4a"))
    with WhisperServer() as server:
        result = api_draft(memo, server.url)
    assert result.exit_code == 0, result.output
    assert len(server.requests) >= 3
    assert all(len(r["file"]) <= 12 * 32_000 for r in server.requests)
    (transcript,) = cached_transcripts(workspace)
    starts = [s["start"] for s in json.loads(transcript.read_text())["segments"]]
    assert starts == sorted(starts) and starts[-1] > 20  # shifted back to the memo's times
    md = next(p for p in drafts(workspace) if p.suffix == ".md").read_text()
    assert "garage" in md and "rude ones" in md  # nothing lost at the cuts


def test_in_a_batch_the_memo_that_fails_is_named_and_the_next_one_is_drafted(jfk, workspace):
    other = Path(shutil.copy(DATA / "notes-memo.m4a", workspace / "notes-memo.m4a"))

    def first_upload_fails(fields):
        if len(server.requests) == 1:
            return 500, '{"error": {"message": "The server had an error."}}'
        return whisper_answer(fields)

    with TranscriptionServer(first_upload_fails) as server:
        result = run(
            "draft", jfk, other, "--engine", "api", "--model", "openai/whisper-1",
            "--transcription-api-base", server.url, "--format", "md",
        )  # fmt: skip
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors[0].endswith("failed: Error code: 500 - The server had an error.")
    assert errors[1] == "Error: 1 of 2 recordings failed"
    (draft,) = drafts(workspace)
    assert "bike-shop" in draft.name  # the memo after the failed one
