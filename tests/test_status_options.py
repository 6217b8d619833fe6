"""`status` and `batch` judge a drafted memo by the options it was drafted with, except those the
person sets: real Whisper on a real memo, through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers import run

DATA = Path(__file__).parent / "data"


def status(*args) -> str:
    result = run("status", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_memo_drafted_with_its_own_options_is_drafted_to_a_plain_status(workspace, monkeypatch):
    recordings = workspace / "recordings"
    recordings.mkdir()
    shutil.copy(DATA / "jfk.flac", recordings / "jfk.flac")
    assert run("batch", "--format", "md", "--timestamps").exit_code == 0

    assert status().startswith("jfk.flac: drafted")
    assert status("--format", "md").startswith("jfk.flac: drafted")
    assert status("--format", "all").startswith("jfk.flac: options changed")
    assert status("--front-matter", "hugo").startswith("jfk.flac: options changed")
    monkeypatch.setenv("VOICEBLOG_FORMAT", "all")  # a setting the person made counts as given
    assert status().startswith("jfk.flac: options changed")
    monkeypatch.delenv("VOICEBLOG_FORMAT")

    again = run("batch")  # the same judgement: nothing to do
    assert "0 drafted, 1 skipped" in again.stdout, again.output
    assert [p.suffix for p in (workspace / "drafts").iterdir()] == [".md"]
