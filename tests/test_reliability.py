"""Never lose a memo, never duplicate a draft, never crash (issue 11's matrix, the cases done so
far; each test names the problem it reproduces)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import run
from test_batch import memo_folder

DATA = Path(__file__).parent / "data"


def drafts(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / "drafts").iterdir() if not p.name.startswith("."))


def corrupt_files(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / ".voiceblog").glob("*.corrupt-*.json"))


def test_state_of_the_wrong_shape_is_set_aside_not_a_traceback(workspace):
    memo_folder(workspace, "jfk.flac")
    (workspace / ".voiceblog").mkdir()
    (workspace / ".voiceblog" / "state.json").write_text("[1, 2, 3]")
    result = run("batch")
    assert result.exit_code == 0, result.output
    assert (
        "state.json was damaged (not the records voiceblog writes); set aside as" in result.stderr
    )
    assert [name.startswith("state.corrupt-") for name in corrupt_files(workspace)] == [True]
    assert run("status").exit_code == 0


def test_a_damaged_manifest_is_set_aside_and_no_copy_of_an_unedited_draft_appears(workspace):
    memo = memo_folder(workspace, "jfk.flac") / "jfk.flac"
    assert run("draft", memo, "--format", "md").exit_code == 0
    before = drafts(workspace)
    (workspace / ".voiceblog" / "manifest.json").write_text('{"broken": ')
    again = run("draft", memo, "--format", "md")
    assert again.exit_code == 0, again.output
    assert drafts(workspace) == before  # recognised by content: no -2
    assert "manifest.json was damaged" in again.stderr
    assert [name.startswith("manifest.corrupt-") for name in corrupt_files(workspace)] == [True]


def test_a_renamed_workspace_keeps_its_records(workspace, tmp_path, monkeypatch):
    memo = memo_folder(workspace, "jfk.flac") / "jfk.flac"
    assert run("draft", memo, "--format", "md").exit_code == 0
    (md,) = (workspace / "drafts").glob("*.md")
    md.write_text(md.read_text() + "\nMy own edit.\n")  # the user's now
    moved = tmp_path / "renamed"
    shutil.move(workspace, moved)
    monkeypatch.chdir(moved)
    again = run("draft", "recordings/jfk.flac", "--format", "md")
    assert again.exit_code == 0, again.output
    names = drafts(moved)
    assert len(names) == 2 and any(n.endswith("-2.md") for n in names)  # the edit is kept
    manifest = json.loads((moved / ".voiceblog" / "manifest.json").read_text())
    assert all(not Path(key).is_absolute() for key in manifest)


def test_a_new_author_drafts_again(workspace):
    memo_folder(workspace, "jfk.flac")
    assert run("batch", "--format", "md").exit_code == 0
    assert "1 skipped" in run("batch", "--format", "md").stdout
    with_author = run("batch", "--format", "md", "--author", "Ada Lovelace")
    assert "1 drafted" in with_author.stdout


def test_concurrent_drafts_of_different_memos_keep_every_manifest_entry(workspace):
    folder = memo_folder(workspace, "jfk.flac", "cues-memo.m4a", "example-memo.m4a")
    shutil.copy(DATA / "vocab-memo.m4a", folder / "vocab-memo.m4a")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "pipeline", "draft", "--format", "all"]
    runs = [
        subprocess.Popen(
            [*command, str(memo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for memo in sorted(folder.iterdir())
    ]
    for process in runs:
        process.communicate(timeout=300)
        assert process.returncode == 0
    manifest = json.loads((workspace / ".voiceblog" / "manifest.json").read_text())
    written = [p for p in (workspace / "drafts").iterdir() if p.suffix in (".md", ".docx")]
    assert len(manifest) == len(written) == 8


def test_ctrl_c_during_the_llm_stage_stops_at_once_with_the_summary(workspace):
    """3. Ctrl-C: batch ignored it for 84 s while the LLM worked, then printed no summary."""
    import signal
    import time

    from llm_server import ScriptedLLM

    memo_folder(workspace, "jfk.flac", "cues-memo.m4a")
    sections = '{"title": "T", "summary": "", "tags": [], "sections": []}'

    def slow(messages):
        return messages[-1]["content"].split("<transcript>")[-1].split("</transcript>")[0]

    with ScriptedLLM(
        lambda m: slow(m) if "<transcript>" in m[-1]["content"] else sections, latency=30
    ) as server:
        command = [
            sys.executable,
            "-m",
            "pipeline",
            "batch",
            "--llm",
            "openai/slow",
            "--api-base",
            server.url,
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        batch = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        deadline = time.monotonic() + 120
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.requests, "the LLM stage never started"
        batch.send_signal(signal.SIGINT)
        stopped_at = time.monotonic()
        out, err = batch.communicate(timeout=30)
        took = time.monotonic() - stopped_at
    assert batch.returncode == 130, err
    assert took < 20, took  # it did not wait out the 30 s the request in flight takes
    assert "stopped" in out.splitlines()[-1] and "Interrupted" in err
    leftovers = [p for p in workspace.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
