"""The front door: voiceblog.draft() and voiceblog.transcribe() on real audio, with settings
resolved as the command line resolves them, and nothing process-wide changed unless asked."""

import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml
from helpers import page_faults, run

import voiceblog
from voiceblog.errors import ConfigError
from voiceblog.transcription.transcript import Transcript

DATA = Path(__file__).parent / "data"


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def test_a_memo_drafted_from_python_is_the_draft_the_cli_writes(cues_memo):
    result = voiceblog.draft(cues_memo)
    md, word = result.paths
    assert (md.suffix, word.suffix) == (".md", ".docx")
    assert md.parent == Path("drafts")  # as the command line prints them
    assert front_matter(md)["title"] == result.draft.title
    assert [s.heading for s in result.draft.sections] == [
        p.text for p in docx.Document(word).paragraphs if p.style.name == "Heading 1"
    ]
    assert result.report is None  # drafted by the rules: no LLM to check
    assert result.language == "en"
    # Recorded as a draft by the command line would be: status and batch find it finished.
    assert run("status", ".").stdout == "cues-memo.m4a: drafted [en]\n"


def test_settings_come_from_voiceblog_toml_and_the_environment_under_keywords(
    jfk, workspace, monkeypatch
):
    (workspace / "voiceblog.toml").write_text('format = "md"\nauthor = "Ada"\ndrafts = "posts"\n')
    monkeypatch.setenv("VOICEBLOG_FRONT_MATTER", "hugo")
    (md,) = voiceblog.draft(jfk).paths
    assert md.parent == Path("posts")
    meta = front_matter(md)
    assert meta["author"] == "Ada"
    assert "draft" in meta  # hugo's front matter marks a draft
    (word,) = voiceblog.draft(jfk, format="docx", force=True).paths
    assert word.suffix == ".docx" and word.parent == Path("posts")
    shown = {line.split()[0]: line for line in run("config").stdout.splitlines()}
    assert shown["format"].endswith("(voiceblog.toml)")
    assert shown["front-matter"].endswith("(environment VOICEBLOG_FRONT_MATTER)")


def test_a_workspace_elsewhere_keeps_its_drafts_and_settings(jfk, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "voiceblog.toml").write_text('format = "md"\n')
    (md,) = voiceblog.draft(jfk, workspace=elsewhere).paths
    assert md.parent == elsewhere / "drafts"
    assert (elsewhere / ".voiceblog" / "state.json").is_file()


def test_transcribe_returns_the_transcript_the_cli_prints(jfk, workspace):
    (workspace / "vocabulary.txt").write_text("Kennedy\n")
    transcript = voiceblog.transcribe(jfk)
    assert isinstance(transcript, Transcript)
    assert "ask not what your country can do for you" in transcript.text.lower()
    assert run("transcribe", jfk).stdout.strip() == transcript.text


def test_a_drafter_runs_a_folder_as_batch_does_and_status_says_so(jfk, cues_memo, workspace):
    folder = workspace / "memos"
    folder.mkdir()
    for memo in (jfk, cues_memo):
        memo.rename(folder / memo.name)
    (folder / "notes.txt").write_text("not a memo")
    seen = []
    drafts = voiceblog.drafter(format="md", on_progress=lambda done, total: seen.append(total))
    batch = drafts.batch(folder)
    outcomes = batch.run()
    assert [(o.recording.name, o.status) for o in outcomes] == [
        ("cues-memo.m4a", "drafted"),
        ("jfk.flac", "drafted"),
    ]
    assert batch.found.not_audio == 1
    assert all(f.suffix == ".md" for o in outcomes for f in o.files)
    assert [(p.name, said) for p, said in drafts.status(folder)] == [
        ("cues-memo.m4a", "drafted [en]"),
        ("jfk.flac", "drafted [en]"),
    ]
    assert run("status", "memos").stdout == "cues-memo.m4a: drafted [en]\njfk.flac: drafted [en]\n"
    # A second batch finds both finished, as `voiceblog batch` would.
    assert [o.status for o in drafts.batch(folder).run()] == ["skipped", "skipped"]


def test_a_drafter_merges_memos_and_appends_one_keeping_the_persons_edit(jfk, cues_memo):
    drafts = voiceblog.drafter(format="md")
    (merged,) = drafts.merge([cues_memo, jfk], "Two pieces").paths
    assert front_matter(merged)["title"] == "Two pieces"
    assert "ask not what your country" in merged.read_text().lower()
    (post,) = drafts.draft(cues_memo).paths
    post.write_text(post.read_text().replace("\n\n## ", "\n\nA line I added.\n\n## ", 1))
    assert post in drafts.append(jfk, to=post).paths
    text = post.read_text()
    assert "A line I added." in text
    assert "ask not what your country" in text.lower()


def test_an_unknown_or_bad_setting_is_one_clear_error(jfk):
    with pytest.raises(TypeError, match=r"unknown setting 'fromat' \(known: .*format"):
        voiceblog.draft(jfk, fromat="md")
    with pytest.raises(TypeError, match="unknown setting 'llm'"):
        voiceblog.transcribe(jfk, llm="gpt-4o-mini")  # no LLM in a transcript
    with pytest.raises(ConfigError, match=r"^format='pdf': must be one of md, docx, all$"):
        voiceblog.draft(jfk, format="pdf")
    with pytest.raises(ConfigError, match=r"^threads=-1: must be a whole number of at least 0$"):
        voiceblog.transcribe(jfk, threads=-1)


# A library call, then the allocation of helpers.FAULT_TWICE: was the allocator set?
TRANSCRIBE = """
import sys
import voiceblog
voiceblog.transcribe(sys.argv[1], tune_memory=sys.argv[2] == "tune")
"""


# Cold: the allocator is set as the engine starts, and a cached transcript starts no engine.
@pytest.mark.fresh_cache
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
@pytest.mark.parametrize("mode", ["leave", "tune"])
def test_the_library_sets_the_allocator_only_when_asked(jfk, mode):
    applied, first, second = page_faults(TRANSCRIBE, str(jfk), mode)
    assert first > 50
    if mode == "leave":
        assert (applied, int(second) > int(first) / 2) == ("False", True)
    else:
        assert (applied, int(second) < int(first) / 20) == ("True", True)


def test_import_voiceblog_loads_no_stage():
    out = subprocess.run(
        [sys.executable, "-c", "import sys, voiceblog; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = out.stdout
    assert "'voiceblog'" in loaded
    for heavy in ("voiceblog.flow", "faster_whisper", "litellm", "numpy", "click"):
        assert f"'{heavy}'" not in loaded, heavy
    assert voiceblog.__all__ == ["Drafter", "Result", "draft", "drafter", "heard", "transcribe"]
    assert voiceblog.Result.__name__ == "Result"
