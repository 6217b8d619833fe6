"""Never lose a memo, never duplicate a draft, never crash (issue 11's matrix, the cases done so
far; each test names the problem it reproduces)."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import encode, memo_folder, run

DATA = Path(__file__).parent / "data"


def drafts(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / "drafts").iterdir() if not p.name.startswith("."))


def corrupt_files(workspace: Path) -> list[str]:
    return sorted(p.name for p in (workspace / ".voiceblog").glob("*.corrupt-*.json"))


def test_state_of_the_wrong_shape_is_set_aside_not_a_traceback(workspace):
    memo_folder(workspace, "jfk.flac")
    (workspace / ".voiceblog").mkdir(exist_ok=True)  # it holds the run's transcripts
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
    # The records, and what voiceblog wrote, are found again: the edit is merged in place.
    assert drafts(moved) == [md.name]
    assert (moved / "drafts" / md.name).read_text().endswith("\nMy own edit.\n")
    assert "merged, no conflicts" in again.stderr
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
    command = [sys.executable, "-m", "voiceblog", "draft", "--format", "all"]
    runs = [
        subprocess.Popen(
            [*command, str(memo)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        for memo in sorted(folder.iterdir())
    ]
    for process in runs:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    manifest = json.loads((workspace / ".voiceblog" / "manifest.json").read_text())
    written = [p for p in (workspace / "drafts").iterdir() if p.suffix in (".md", ".docx")]
    assert len(manifest) == len(written) == 8


def test_ctrl_c_during_the_llm_stage_stops_at_once_with_the_summary(workspace):
    """3. Ctrl-C: batch ignored it for 84 s while the LLM worked, then printed no summary."""
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
            "voiceblog",
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


def started(*args, **kwargs) -> subprocess.Popen:
    """voiceblog as a separate process, its stderr in a file so it can be read while it runs."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **kwargs.pop("env", {})}
    return subprocess.Popen(
        [sys.executable, "-m", "voiceblog", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=kwargs.pop("stderr"),
        text=True,
        env=env,
        **kwargs,
    )


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.parametrize("name", ["synced.wav", "synced.m4a"])
def test_watch_drafts_a_memo_synced_in_pieces_once_and_whole(workspace, tmp_path, name):
    """1. A WAV copied in four pieces with pauses longer than the settle time was drafted four
    times, three of them truncated; an m4a mid-sync failed as "not an audio file"."""
    folder = memo_folder(workspace)
    source = encode(DATA / "jfk.flac", tmp_path / name)  # an m4a's index comes last
    data = source.read_bytes()
    log = tmp_path / "watch.err"
    with open(log, "w") as err:
        watcher = started("watch", "--settle", "0.5", "--format", "md", stderr=err)
        try:
            with open(folder / name, "wb") as synced:
                for piece in range(4):
                    synced.write(data[piece * len(data) // 4 : (piece + 1) * len(data) // 4])
                    synced.flush()
                    time.sleep(2.5)  # well over the settle time: each piece is judged
            wait_for(
                lambda: (
                    "drafted" in (workspace / ".voiceblog" / "state.json").read_text()
                    if (workspace / ".voiceblog" / "state.json").exists()
                    else False
                )
            )
            time.sleep(0.5)
            watcher.send_signal(signal.SIGINT)
            out, _ = watcher.communicate(timeout=30)
        finally:
            watcher.kill()
    assert watcher.returncode == 130
    assert log.read_text().count("still arriving or damaged") >= 2, log.read_text()
    (md,) = (workspace / "drafts").glob("*.md")  # drafted once
    assert "duration: 11." in md.read_text()  # from the whole recording
    (row,) = out.splitlines()
    assert row.startswith(f"drafted   {name}")


def truncated_ogg(tmp_path: Path, folder: Path) -> Path:
    whole = encode(DATA / "jfk.flac", tmp_path / "whole.ogg").read_bytes()
    cut = folder / "cut.ogg"
    cut.write_bytes(whole[: len(whole) * 6 // 10])
    return cut


@pytest.mark.fresh_cache
def test_batch_drafts_a_truncated_recording_with_a_warning_and_status_shows_it(workspace, tmp_path):
    """1. In batch, a truncated .ogg was drafted silently from its first 6 s."""
    truncated_ogg(tmp_path, memo_folder(workspace))
    before = run("status")
    assert before.stdout.startswith("cut.ogg: still arriving or damaged: ends early: no end-of")
    result = run("batch", "--format", "md")
    assert result.exit_code == 0, result.output
    assert "recordings/cut.ogg: ends early: no end-of-stream mark after 6." in result.stderr
    assert "drafting the 6." in result.stderr
    status = run("status", "--format", "md").stdout  # as batch was run
    assert status.startswith("cut.ogg: drafted: from an incomplete recording (ends early")
    assert status.endswith("[en]\n")


@pytest.mark.fresh_cache
def test_ctrl_c_while_transcribing_a_long_memo_exits_at_once(workspace, tmp_path):
    """3. Ctrl-C at any stage: here in `draft`, inside Whisper (C++), where Python cannot
    take a signal until the decoder returns."""
    memo = Path(shutil.copy(DATA / "long-memo-with-pause.ogg", workspace / "long.ogg"))
    log = tmp_path / "draft.err"
    with open(log, "w") as err:
        drafting = started("draft", memo, stderr=err)
        try:
            wait_for(lambda: "transcribing" in log.read_text())
            time.sleep(3)  # well inside the decoder
            drafting.send_signal(signal.SIGINT)
            stopped_at = time.monotonic()
            drafting.communicate(timeout=60)
            took = time.monotonic() - stopped_at
        finally:
            drafting.kill()
    assert drafting.returncode == 130, log.read_text()
    assert took < 10, took  # not the minutes the transcription has left
    assert "Interrupted: 1 of 1 not drafted" in log.read_text()
    assert not (workspace / "drafts").exists() or not list((workspace / "drafts").iterdir())


def test_a_run_waiting_for_a_memo_says_which_process_holds_it(workspace, tmp_path):
    """4. One lock per memo: a second run waits and says for whom, then drafts."""
    from voiceblog.workspace import Workspace, sha256_file

    memo = memo_folder(workspace, "jfk.flac") / "jfk.flac"
    held = Workspace(workspace).memo_lock(sha256_file(memo), memo.name)
    held.acquire()
    log = tmp_path / "draft.err"
    with open(log, "w") as err:
        drafting = started("draft", memo, "--format", "md", stderr=err)
        try:
            wait_for(lambda: "waiting for" in log.read_text(), 60)
            assert f"jfk.flac: waiting for voiceblog process {os.getpid()}" in log.read_text()
            assert drafting.poll() is None  # it waits; it does not draft alongside
            held.release()
            out, _ = drafting.communicate(timeout=120)
        finally:
            drafting.kill()
    assert drafting.returncode == 0, log.read_text()
    assert out.strip().endswith(".md")


def test_memos_drafted_into_one_post_wait_for_a_run_holding_one_of_them(workspace, tmp_path):
    """draft --into took no memo lock: it drafted a memo another run was drafting."""
    from voiceblog.workspace import Workspace, sha256_file

    folder = memo_folder(workspace, "jfk.flac", "cues-memo.m4a")
    memo = folder / "cues-memo.m4a"
    held = Workspace(workspace).memo_lock(sha256_file(memo), memo.name)
    held.acquire()
    log = tmp_path / "draft.err"
    with open(log, "w") as err:
        pieces = (folder / "jfk.flac", memo)
        drafting = started("draft", *pieces, "--into", "One post", "--format", "md", stderr=err)
        try:
            wait_for(lambda: "waiting for" in log.read_text(), 60)
            assert f"cues-memo.m4a: waiting for voiceblog process {os.getpid()}" in log.read_text()
            assert drafting.poll() is None
            held.release()
            out, _ = drafting.communicate(timeout=120)
        finally:
            drafting.kill()
    assert drafting.returncode == 0, log.read_text()
    assert out.strip().endswith("-one-post.md")


@pytest.mark.fresh_cache
def test_two_batches_at_once_share_the_work_and_draft_nothing_twice(workspace, tmp_path):
    """4. Two runs at once in one workspace both did all the work."""
    memo_folder(workspace, "jfk.flac", "cues-memo.m4a", "example-memo.m4a")
    logs = [tmp_path / f"batch-{i}.err" for i in range(2)]
    runs = []
    for log in logs:
        with open(log, "w") as err:
            runs.append(started("batch", "--format", "md", stderr=err))
    outs = [r.communicate(timeout=600)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [log.read_text() for log in logs]
    drafted = [line for out in outs for line in out.splitlines() if line.startswith("drafted")]
    assert len(drafted) == 3, outs  # each memo by exactly one of the two
    assert len(drafts(workspace)) == 3  # and no -2 copy
    manifest = json.loads((workspace / ".voiceblog" / "manifest.json").read_text())
    assert len(manifest) == 3


@pytest.mark.fresh_cache
def test_status_batch_and_draft_agree(workspace):
    """6. After `draft`, status said "transcribed"; a deleted draft or changed options still
    showed "drafted" where batch would draft again."""
    memo = memo_folder(workspace, "jfk.flac") / "jfk.flac"
    assert run("status").stdout == "jfk.flac: new\n"
    assert run("draft", memo, "--format", "md").exit_code == 0
    assert run("status", "--format", "md").stdout == "jfk.flac: drafted [en]\n"
    assert "1 skipped" in run("batch", "--format", "md").stdout  # batch agrees
    other = run("status", "--format", "md", "--author", "Ada").stdout
    assert other.startswith("jfk.flac: options changed")
    (md,) = (workspace / "drafts").glob("*.md")
    md.unlink()
    assert run("status", "--format", "md").stdout.startswith("jfk.flac: draft missing")
    assert "1 drafted" in run("batch", "--format", "md").stdout  # batch agrees


def test_a_full_disk_fails_the_memo_in_one_line_and_keeps_earlier_drafts(workspace, tmp_path):
    """5. A full disk under the workspace: OSError from the transcript cache aborted the whole
    batch. Needs root to mount a 200 KB tmpfs as drafts/; skipped where mount is refused."""
    folder = memo_folder(workspace, "jfk.flac")
    drafts_dir = workspace / "drafts"
    drafts_dir.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(drafts_dir)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        assert run("batch", "--format", "md").exit_code == 0
        (first,) = drafts_dir.glob("*.md")
        kept = first.read_bytes()
        with contextlib.suppress(OSError):  # the tmpfs refuses what does not fit: it is full
            (drafts_dir / "filler").write_bytes(b"x" * 400_000)
        shutil.copy(DATA / "vocab-memo.m4a", folder / "second.m4a")
        result = run("batch", "--format", "all")
        assert result.exit_code == 1
        assert "No space left on device" in result.stdout
        assert "Traceback" not in result.output
        assert first.read_bytes() == kept  # the earlier draft is untouched
    finally:
        subprocess.run(["umount", str(drafts_dir)], check=False)


def test_runs_starting_at_once_all_find_the_drafts_folder_writable(workspace):
    """4. Concurrent `draft`s failed now and then with "cannot write drafts to drafts: No such
    file or directory": each proved the folder writable with the same probe file, and one
    deleted it under another."""
    from concurrent.futures import ThreadPoolExecutor

    from voiceblog.export import ensure_drafts_dir

    def check(_):
        ensure_drafts_dir(workspace / "drafts")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(check, range(400)))  # raises what any check raised
    assert list((workspace / "drafts").iterdir()) == []
