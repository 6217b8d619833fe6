"""A follow-up memo appended to an existing, edited draft (voiceblog draft --append), through the
command line with real Whisper on two real memos, transcribed once for the module."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import run

DATA = Path(__file__).parent / "data"
MEMOS = ("cues-memo.m4a", "jfk.flac")
JFK = "ask not what your country can do for you"


@pytest.fixture(scope="module", autouse=True)
def transcribed_once(transcribed) -> None:
    for name in MEMOS:
        assert transcribed(DATA / name).exit_code == 0


@pytest.fixture
def memos(workspace, monkeypatch) -> tuple[Path, Path]:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    return tuple(Path(shutil.copy(DATA / name, workspace / name)) for name in MEMOS)


def md(*args) -> Path:
    result = run(*args, "--format", "md")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.split()[0])


def edit(draft: Path) -> str:
    """The person's edits: a changed paragraph and one of their own after the last."""
    text = draft.read_text(encoding="utf-8").replace("Flour is cheap.", "Flour costs little.")
    text += "\nMy own closing thought.\n"
    draft.write_text(text, encoding="utf-8")
    return text


def test_a_follow_up_memo_joins_the_end_of_an_edited_draft_keeping_every_edit(memos):
    bread, jfk = memos
    draft = md("draft", bread)
    edit(draft)

    assert md("draft", jfk, "--append", draft) == draft

    text = draft.read_text(encoding="utf-8")
    assert "Flour costs little." in text and "My own closing thought." in text
    assert "Flour is cheap." not in text
    assert text.index("every Saturday") < text.index(JFK)  # after the first memo's text
    assert "source: cues-memo.m4a, jfk.flac" in text
    assert "## Introduction" not in text.split("every Saturday")[1]  # no cues: paragraphs
    assert sorted(p.name for p in draft.parent.iterdir()) == [draft.name]  # no -2 copy


def test_a_redraft_of_the_post_redrafts_both_memos(memos):
    bread, jfk = memos
    draft = md("draft", bread)
    edit(draft)
    md("draft", jfk, "--append", draft)
    corrections = Path(run("transcribe", jfk, "--edit").stdout.strip())
    text = corrections.read_text(encoding="utf-8").replace("fellow Americans", "fellow bakers")
    corrections.write_text(text, encoding="utf-8")

    assert md("redraft", bread) == draft  # the first memo's re-draft is the whole post's

    text = draft.read_text(encoding="utf-8")
    assert "fellow bakers" in text and "Flour costs little." in text
    assert "My own closing thought." in text and text.count(JFK) == 1
    status = run("status", ".", "--format", "md").stdout.splitlines()
    assert [line.split(":")[1].strip() for line in status] == ["edited by you"] * 2
    batch = run("batch", ".", "--format", "md")
    assert "0 drafted, 2 skipped" in batch.stdout, batch.output
    assert sorted(p.name for p in draft.parent.iterdir()) == [draft.name]


def test_a_follow_up_with_spoken_sections_brings_them_and_its_opening_joins_the_last(memos):
    bread, jfk = memos
    draft = md("draft", jfk)

    md("draft", bread, "--append", draft)

    text = draft.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[-3:] == ["## What we learned", "## The costs", "## The road ahead"]
    assert "## Introduction" not in text.split(JFK)[1]
    assert text.index(JFK) < text.index("I have been making bread") < text.index("## What we")


def test_appending_twice_or_to_a_file_voiceblog_did_not_write_says_why(memos):
    bread, jfk = memos
    draft = md("draft", bread)
    md("draft", jfk, "--append", draft)

    again = run("draft", jfk, "--append", draft, "--format", "md")
    assert again.exit_code == 1 and "already in" in again.stderr

    mine = draft.parent / "mine.md"
    mine.write_text("# My post\n\nWritten by hand.\n", encoding="utf-8")
    foreign = run("draft", jfk, "--append", mine, "--format", "md")
    assert foreign.exit_code == 1 and "not a draft voiceblog wrote" in foreign.stderr
    assert mine.read_text(encoding="utf-8") == "# My post\n\nWritten by hand.\n"
