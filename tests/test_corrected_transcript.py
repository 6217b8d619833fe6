"""A transcript the person corrects (voiceblog transcribe --edit), through the command line, with
real Whisper on a real memo: one transcription, its cache copied into each test's workspace."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from helpers import encode, run

from voiceblog.transcription.corrections import Line, corrected_segments, editable_text, read_lines
from voiceblog.transcription.transcript import Segment, Transcript, Word

DATA = Path(__file__).parent / "data"
# What Whisper tiny.en hears at the end of tests/data/cues-memo.m4a, and what was said.
HEARD = "Next year I want to make for the neighbor every Saturday."
SAID = "Next year I want to bake for the neighbours every Saturday."


@pytest.fixture(scope="module", autouse=True)
def transcribed_once(transcribed) -> None:
    """The memo transcribed before any test of the module: each starts from its transcript."""
    result = transcribed(DATA / "cues-memo.m4a")
    assert HEARD in result.stdout  # the test's premise: Whisper mishears these words


@pytest.fixture
def memo(workspace) -> Path:
    return Path(shutil.copy(DATA / "cues-memo.m4a", workspace / "cues-memo.m4a"))


def correct(memo: Path, old: str, new: str) -> Path:
    """Correct the transcript as a person would, writing the file --edit gives them."""
    result = run("transcribe", memo, "--edit")  # no VISUAL or EDITOR: it prints the path
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def draft_md(*args) -> Path:
    result = run("draft", *args, "--format", "md")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.split()[0])


@pytest.fixture(autouse=True)
def no_editor(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


def test_a_corrected_word_is_in_the_redraft_and_the_persons_draft_edits_stay(memo):
    draft = draft_md(memo)
    edited = draft.read_text(encoding="utf-8").replace("Flour is cheap.", "Flour costs little.")
    draft.write_text(edited, encoding="utf-8")
    correct(memo, HEARD, SAID)

    result = run("redraft", memo, "--format", "md")

    assert result.exit_code == 0, result.output
    text = draft.read_text(encoding="utf-8")
    assert SAID in text and HEARD not in text
    assert "Flour costs little." in text  # merged into the person's edited draft
    offered = [line for line in result.stderr.splitlines() if "vocabulary.txt" in line]
    assert len(offered) == 1 and offered[0].endswith("bake, neighbours")


def test_status_sees_a_correction_and_batch_drafts_the_memo_again(memo):
    run("batch", ".", "--format", "md")
    assert run("status", ".", "--format", "md").stdout.startswith("cues-memo.m4a: drafted")
    correct(memo, HEARD, SAID)

    assert "transcript corrected" in run("status", ".", "--format", "md").stdout
    result = run("batch", ".", "--format", "md")

    assert result.exit_code == 0 and "1 drafted" in result.stdout, result.output
    draft = next((memo.parent / "drafts").glob("*.md"))
    assert SAID in draft.read_text(encoding="utf-8")
    assert run("status", ".", "--format", "md").stdout.startswith("cues-memo.m4a: drafted")


def test_edit_opens_the_editor_and_the_draft_uses_what_it_saved(memo, tmp_path, monkeypatch):
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text().replace('make for the neighbor', 'bake for the neighbor')\n"
        "path.write_text(text)\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")

    result = run("transcribe", memo, "--edit")

    assert result.exit_code == 0, result.output
    assert "bake" in Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert "words you corrected, for vocabulary.txt" in result.stderr
    assert "I want to bake for the neighbor" in draft_md(memo).read_text(encoding="utf-8")
    assert "bake for the neighbor" in run("transcribe", memo).stdout  # what drafts use


def test_a_renamed_memo_keeps_its_corrections_and_another_recording_never_gets_them(memo):
    correct(memo, HEARD, SAID)
    renamed = memo.rename(memo.with_name("bread.m4a"))
    assert SAID in draft_md(renamed).read_text(encoding="utf-8")

    # The same words, recorded again: other audio, so Whisper's transcript, not the person's.
    again = encode(renamed, renamed.with_name("bread-again.ogg"))
    text = draft_md(again).read_text(encoding="utf-8")
    assert "bake" not in text and "neighbours" not in text


def test_saving_the_transcript_unchanged_changes_nothing(memo, tmp_path, monkeypatch):
    draft_md(memo)
    script = tmp_path / "look.py"
    script.write_text("import sys\nopen(sys.argv[1]).read()\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")

    result = run("transcribe", memo, "--edit")

    assert "no corrections" in result.stderr
    assert run("status", ".", "--format", "md").stdout.startswith("cues-memo.m4a: drafted")


def test_a_word_already_in_the_vocabulary_is_not_offered_again(memo):
    correct(memo, HEARD, SAID)
    (memo.parent / "vocabulary.txt").write_text("neighbours\n", encoding="utf-8")
    result = run("draft", memo, "--format", "md", "--vocab", "")  # the transcript cached
    offered = [line for line in result.stderr.splitlines() if "vocabulary.txt" in line]
    assert offered and offered[0].endswith(": bake")


WHISPER = (
    Segment(0.0, 4.0, "one two three", (Word(0.0, 1.0, " one", 0.9),)),
    Segment(4.0, 8.5, "four five"),
    Segment(8.5, 12.0, "six seven"),
    Segment(12.0, 15.0, "eight nine"),
)


def lines_of(text: str) -> list[Line]:
    return read_lines(text)


def test_lines_keep_their_times_and_an_unchanged_line_its_word_timings():
    segments = corrected_segments(WHISPER, lines_of("[00:00.0] one two three\n[00:04.0] for five"))
    assert segments[0] == WHISPER[0]
    assert segments[1] == Segment(4.0, 8.5, "for five")


def test_a_line_whose_time_was_removed_joins_the_segment_above_to_its_end():
    text = "[00:00.0] one two three\nfour five\n[00:08.5] six seven\neight nine"
    segments = corrected_segments(WHISPER, lines_of(text))
    assert segments == (
        Segment(0.0, 8.5, "one two three four five"),
        Segment(8.5, 15.0, "six seven eight nine"),
    )


def test_deleted_lines_are_deleted_and_a_time_of_the_persons_runs_to_the_next_line():
    text = "# a note\n[00:00.0] one two three\n\n[00:10.0] seven\n[00:12.0] eight nine"
    segments = corrected_segments(WHISPER, lines_of(text))
    assert [s.text for s in segments] == ["one two three", "seven", "eight nine"]
    assert (segments[1].start, segments[1].end) == (10.0, 12.0)


def test_the_editable_text_reads_back_as_whisper_wrote_it():
    transcript = Transcript(WHISPER, 15.0, "en", "faster-whisper", "tiny.en")
    text = editable_text(transcript, "memo.m4a")
    assert corrected_segments(WHISPER, lines_of(text)) == WHISPER
    long = Transcript((Segment(3723.4, 3725.0, "late"),), 3725.0, "en", "faster-whisper", "x")
    assert "[1:02:03.4] late" in editable_text(long, "memo.m4a")


def test_a_first_line_without_a_time_is_kept_as_the_memos_opening():
    segments = corrected_segments(WHISPER, lines_of("So, one two three\n[00:04.0] four five"))
    assert [(s.start, s.text) for s in segments] == [(0.0, "So, one two three"), (4.0, "four five")]
