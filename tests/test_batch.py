"""`voiceblog batch` over a folder of real memos: resumable, and never loses a file or an edit."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import numpy as np
import pytest
from helpers import memo_folder, run, write_wav

from voiceblog.audio import decode
from voiceblog.transcription.whisper_weights import ct2_model_dir

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def summary(result) -> list[tuple[str, str, str]]:
    """(status, recording, files or reason) per row of the summary table."""
    table = []
    for line in result.stdout.splitlines()[:-1]:
        name, rest = line[10:].split("  ", 1)
        table.append((line[:8].strip(), name, rest))
    return table


def rows(result) -> dict[str, str]:
    """recording name → its status."""
    return {name: status for status, name, _ in summary(result)}


def files_of(result, name: str) -> list[Path]:
    (files,) = [rest for _, recording, rest in summary(result) if recording == name]
    return [Path(f) for f in files.split(", ")]


def test_a_folder_with_good_and_bad_memos(workspace):
    folder = memo_folder(workspace, "jfk.flac", "cues-memo.m4a", "vocab memo é 🎙.m4a")
    (folder / "notes.txt").write_text("ideas for later")
    (folder / ".sync-partial.m4a").write_bytes(b"\0" * 100)
    (folder / "renamed-text.m4a").write_text("not audio at all")
    (folder / "zero.m4a").write_bytes(b"")
    (folder / "x.mp3").mkdir()
    (folder / "cut.m4a").write_bytes((DATA / "cues-memo.m4a").read_bytes()[:3000])
    write_wav(folder / "silence.wav", np.zeros(16_000 * 3, dtype=np.float32))
    write_wav(folder / "blip.wav", decode(DATA / "jfk.flac")[:12_000])  # 0.75 s
    write_wav(folder / "voice-note.wav", decode(DATA / "jfk.flac")[:80_000])
    (folder / "voice-note.wav").rename(folder / "voice-note")  # audio found by its content

    result = run("batch")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "Error: 6 of 10 recordings failed"
    table = rows(result)
    assert {n for n, s in table.items() if s == "drafted"} == {
        "cues-memo.m4a",
        "jfk.flac",
        "vocab memo é 🎙.m4a",
        "voice-note",
    }
    assert result.stdout.splitlines()[-1] == (
        "4 drafted, 0 skipped, 6 failed; ignored 1 hidden and 1 non-audio files"
    )
    reasons = {name: rest for _, name, rest in summary(result)}
    assert reasons["zero.m4a"] == "recordings/zero.m4a: empty file"
    assert reasons["x.mp3"] == "recordings/x.mp3: is a directory, not a recording"
    assert reasons["renamed-text.m4a"].startswith("recordings/renamed-text.m4a: not an audio file")
    assert reasons["cut.m4a"].startswith("recordings/cut.m4a: not an audio file")
    assert "no speech found in 3.0 s" in reasons["silence.wav"]
    assert reasons["blip.wav"] == (
        "recordings/blip.wav: only 0.8 s of audio, too short to draft; no draft written"
    )


@pytest.mark.fresh_cache
def test_an_unchanged_rerun_skips_everything_and_the_same_audio_is_done_once(workspace):
    folder = memo_folder(workspace, "jfk.flac", "cues-memo.m4a")
    shutil.copy(folder / "jfk.flac", folder / "jfk again.flac")
    first = run("batch")
    assert first.exit_code == 0, first.output
    assert first.stderr.count("transcribing") == 2
    assert rows(first)["jfk again.flac"] == "drafted"  # it sorts first
    assert ("skipped", "jfk.flac", "same audio as jfk again.flac") in summary(first)
    second = run("batch")
    assert second.exit_code == 0
    assert "transcribing" not in second.stderr and "cached transcript" not in second.stderr
    assert set(rows(second).values()) == {"skipped"}
    status = run("status")
    assert status.stdout.splitlines() == [
        "cues-memo.m4a: drafted [en]",
        "jfk again.flac: drafted [en]",
        "jfk.flac: drafted [en]",
    ]


def test_edited_drafts_are_merged_and_only_force_replaces_them(workspace):
    memo_folder(workspace, "cues-memo.m4a")
    md_path, docx_path = files_of(run("batch"), "cues-memo.m4a")
    md_path.write_text(md_path.read_text() + "\nMy closing thought.\n")
    document = docx.Document(docx_path)
    document.add_paragraph("My closing thought.")
    document.save(docx_path)
    edited = {p: p.read_bytes() for p in (md_path, docx_path)}
    assert run("status").stdout.startswith("cues-memo.m4a: edited by you: ")

    # Drafting again with other options (the same weights, named by their folder) merges the
    # new draft into the edited Markdown; the edited Word file is kept, and the merged draft's
    # Word file goes beside it.
    again = run("batch", "--model", ct2_model_dir("tiny.en"))
    assert again.exit_code == 0
    assert md_path.read_text().endswith("My closing thought.\n")
    assert "model: tiny.en\n" not in md_path.read_text()  # a key left as it was: the new value
    assert not md_path.with_name(md_path.stem + "-2.md").exists()
    assert docx_path.read_bytes() == edited[docx_path]
    beside = docx_path.with_name(docx_path.stem + "-2.docx")
    assert "My closing thought." in [p.text for p in docx.Document(beside).paragraphs]
    assert f"{docx_path}: Word files are not merged" in again.stderr

    forced = run("batch", "--force")
    assert forced.exit_code == 0
    assert "My closing thought." not in md_path.read_text()
    assert "My closing thought." not in [p.text for p in docx.Document(docx_path).paragraphs]


@pytest.mark.fresh_cache
def test_a_batch_killed_partway_finishes_on_the_next_run_without_redoing_work(workspace, tmp_path):
    names = ("jfk.flac", "cues-memo.m4a", "example-memo.m4a", "vocab memo é 🎙.m4a")
    memo_folder(workspace, *names)
    command = [sys.executable, "-m", "voiceblog", "batch"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    killed = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    state = workspace / ".voiceblog" / "state.json"
    deadline = time.monotonic() + 120
    while not (state.exists() and json.loads(state.read_text())) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    before_kill = killed.communicate()[1]
    assert killed.returncode == -signal.SIGKILL
    done_before = len(json.loads(state.read_text()))
    assert 1 <= done_before < len(names)

    rerun = subprocess.run(command, capture_output=True, text=True, env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert before_kill.count("transcribing") + rerun.stderr.count("transcribing") <= len(names) + 1
    assert sum(line.startswith("skipped ") for line in rerun.stdout.splitlines()) == done_before
    leftovers = [p for p in workspace.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []

    # The drafts are the ones an uninterrupted run writes.
    calm = tmp_path / "calm"
    calm.mkdir()
    shutil.copytree(workspace / "recordings", calm / "recordings")
    subprocess.run(command, cwd=calm, check=True, capture_output=True, env=env)
    drafts = sorted(p.name for p in (workspace / "drafts").iterdir())
    assert drafts == sorted(p.name for p in (calm / "drafts").iterdir())
    for name in drafts:
        if name.endswith(".md"):
            assert (workspace / "drafts" / name).read_text() == (calm / "drafts" / name).read_text()


@pytest.mark.fresh_cache
def test_redraft_uses_the_cached_transcript(workspace, cues_memo):
    from llm_server import ScriptedLLM, is_cleanup, transcript_of

    assert run("draft", cues_memo).exit_code == 0
    sections = '{"title": "Bread", "sections": []}'

    def answer(messages):
        return transcript_of(messages) if is_cleanup(messages) else sections

    with ScriptedLLM(answer) as server:
        result = run("redraft", cues_memo, "--llm", "openai/x", "--api-base", server.url)
    assert result.exit_code == 0, result.output
    assert "transcribing" not in result.stderr
    assert [Path(p).suffix for p in result.stdout.splitlines()] == [".md", ".docx", ".json"]
    (workspace / "new.m4a").write_bytes((DATA / "vocab-memo.m4a").read_bytes())
    missing = run("redraft", "new.m4a")
    assert (missing.exit_code, missing.stderr) == (
        1,
        "Error: new.m4a: not transcribed yet (run voiceblog draft first)\n",
    )


def test_watch_drafts_a_memo_once_it_has_finished_syncing(workspace):
    folder = memo_folder(workspace)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "voiceblog", "watch", "--settle", "1.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    data = (DATA / "cues-memo.m4a").read_bytes()
    with open(folder / "synced.m4a", "wb") as partial:  # a phone syncing in two pieces
        partial.write(data[: len(data) // 2])
        partial.flush()
        time.sleep(1.0)
        partial.write(data[len(data) // 2 :])
    deadline = time.monotonic() + 90
    while not list((workspace / "drafts").glob("*.docx")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    watcher.send_signal(signal.SIGINT)
    try:
        out, err = watcher.communicate(timeout=30)
    finally:
        watcher.kill()  # never leave a watcher running past its test
    assert watcher.returncode == 130, err  # Ctrl-C, as for every long-running command
    assert "Interrupted: stopped watching recordings" in err
    (row,) = out.splitlines()
    assert row.startswith("drafted   synced.m4a  drafts/")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file; run as a user to check")
def test_a_memo_without_read_permission(workspace):
    folder = memo_folder(workspace, "jfk.flac", "cues-memo.m4a")
    (folder / "jfk.flac").chmod(0)
    result = run("batch")
    assert rows(result) == {"cues-memo.m4a": "drafted", "jfk.flac": "failed"}
    assert "recordings/jfk.flac: permission denied" in result.stdout


@pytest.mark.fresh_cache
def test_a_drafts_folder_that_cannot_be_written_stops_before_any_work(workspace):
    memo_folder(workspace, "jfk.flac")
    (workspace / "taken").write_text("a file")
    result = run("batch", "--drafts", "taken/drafts")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: cannot write drafts to taken/drafts: Not a directory\n",
    )
    assert not (workspace / ".voiceblog" / "transcripts").exists()
