"""A dead, hanging or confused LLM server: the person always gets a draft, soon, told why."""

import shutil
import threading
import time
from pathlib import Path

import pytest
from helpers import draft, markdown_of, run, warnings
from llm_server import ScriptedLLM, hanging

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"


@pytest.fixture
def example_memo(workspace) -> Path:
    """The 55-second example memo: five chunks at --chunk-tokens 50."""
    return Path(shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace))


@pytest.fixture
def dead_server():
    release = threading.Event()
    with ScriptedLLM(hanging(release)) as server:
        yield server
        release.set()


def test_a_hanging_server_costs_two_timeouts_and_the_draft_is_written(example_memo, dead_server):
    started = time.monotonic()
    result = draft(example_memo, dead_server, "--timeout", "3", "--chunk-tokens", "50")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 2 * 3 + 15, elapsed  # was 83 s: five chunks, four tries each
    assert len(dead_server.requests) == 2  # one chunk and its retry; then the rules
    (warning,) = warnings(result)
    assert warning == (
        f"Warning: example-memo.m4a: openai/scripted at {dead_server.url} is not answering "
        "(it did not answer within 3 s): drafting the rest by the rules (5 of 5 chunks here)"
    )
    assert "<!-- voiceblog flagged this paragraph" in markdown_of(result)
    assert {Path(p).suffix for p in result.stdout.split()} == {".md", ".docx", ".json"}


def test_a_batch_asks_a_dead_server_a_couple_of_times_in_all(workspace, dead_server):
    folder = workspace / "recordings"
    folder.mkdir()
    for source in (
        ROOT / "recordings" / "example-memo.m4a",
        DATA / "jfk.flac",
        DATA / "cues-memo.m4a",
    ):
        shutil.copy(source, folder)
    result = run(
        "batch", "--llm", "openai/scripted", "--api-base", dead_server.url, "--timeout", "2"
    )
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()[:-1]] == ["drafted"] * 3
    assert len(dead_server.requests) <= 2
    said = [w for w in warnings(result) if "is not answering" in w]
    assert len(said) == 3  # one line a memo, so each draft made by the rules is named


def test_required_llm_fails_fast_for_every_memo_of_a_batch(workspace, dead_server):
    folder = workspace / "recordings"
    folder.mkdir()
    shutil.copy(DATA / "jfk.flac", folder)
    shutil.copy(DATA / "cues-memo.m4a", folder)
    args = ["--llm", "openai/scripted", "--api-base", dead_server.url, "--timeout", "2"]
    result = run("batch", *args, "--require-llm")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 2 of 2 recordings failed"
    rows = result.stdout.splitlines()[:-1]
    assert all(row.startswith("failed") and "--require-llm is set" in row for row in rows)
    assert len(dead_server.requests) <= 2
    assert not list(Path("drafts").glob("*.md"))


@pytest.mark.parametrize(
    "body, kind",
    [
        ("<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"),
        ('{"id": "chatcmpl-1", "choices": [{"message": ', "application/json"),
    ],
    ids=["html page", "broken json"],
)
def test_a_200_that_is_no_chat_reply_is_a_failed_chunk(cues_memo, body, kind):
    with ScriptedLLM(lambda messages: (200, body, kind)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    (warning,) = warnings(result)
    assert "answered with something that is not a chat reply" in warning
    assert "APIResponse" not in result.stderr and "Traceback" not in result.stderr
    assert len(server.requests) == 2  # not retried: it would answer the same
    assert "Flour is cheap." in markdown_of(result)


def test_a_provider_message_is_cut_to_its_first_sentence(cues_memo):
    long = (
        "This model's maximum context length is 512 tokens. However, you requested 9000 "
        "tokens (8000 in the messages, 1000 in the completion). Please reduce the length."
    )
    with ScriptedLLM(lambda messages: (400, f'{{"error": {{"message": "{long}"}}}}')) as server:
        result = draft(cues_memo, server)
    (warning,) = warnings(result)
    assert "(it failed: This model's maximum context length is 512 tokens.)" in warning
    assert "However" not in result.stderr and "litellm" not in result.stderr
