"""The voiceblog command end to end on real audio: drafts, exit codes and exact messages."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import numpy as np
import pytest
import yaml
from helpers import run, write_wav

DATA = Path(__file__).parent / "data"
CUES_HEADINGS = ["Introduction", "What we learned", "The costs", "The road ahead"]


def front_matter(markdown: str) -> dict:
    _, front, _ = markdown.split("---\n", 2)
    return yaml.safe_load(front)


def headings(markdown: str, level: int = 2) -> list[str]:
    return re.findall(rf"^{'#' * level} (.+)$", markdown, re.MULTILINE)


def content_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower())) - {"um", "uh"}


def test_draft_of_a_memo_with_spoken_sections(cues_memo, workspace):
    result = run("draft", cues_memo)
    assert result.exit_code == 0, result.output
    md_path, docx_path = (Path(line) for line in result.stdout.splitlines())
    assert md_path.parent == docx_path.parent == Path("drafts")
    assert (md_path.suffix, docx_path.suffix) == (".md", ".docx")
    markdown = md_path.read_text()
    assert headings(markdown) == CUES_HEADINGS
    meta = front_matter(markdown)
    assert meta["source"] == "cues-memo.m4a"
    assert (meta["engine"], meta["model"], meta["llm"]) == ("faster-whisper", "tiny.en", None)
    assert 25 < meta["duration"] < 35
    # Every word the speaker said is in the draft, but the fillers and the cues themselves.
    body = markdown.split("---\n", 2)[2]
    spoken = " ".join(
        [
            "I have been baking bread at home for a year now, and I want to write down what",
            "happened. The dough needs more water than the recipe says. The oven also matters",
            "more than the flour. Flour is cheap. The oven is the expensive part, and it uses a",
            "lot of power. Next year I want to bake for the neighbours every Saturday.",
        ]
    )
    missing = content_words(spoken) - content_words(body)
    # tiny.en mishears a few words of synthetic speech ("baking" → "making"); not more.
    assert len(missing) <= 4, missing
    assert "um" not in content_words(body) and "uh" not in content_words(body)
    assert "section" not in body.lower()
    document = docx.Document(docx_path)
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == CUES_HEADINGS


def test_draft_of_real_speech_keeps_every_word(jfk):
    result = run("draft", jfk, "--format", "md")
    assert result.exit_code == 0, result.output
    (md_path,) = (Path(line) for line in result.stdout.splitlines())
    body = md_path.read_text().split("---\n", 2)[2]
    assert content_words(body) >= content_words((DATA / "jfk.txt").read_text())
    assert headings(body) == []  # no spoken sections: one untitled section
    (title,) = headings(body, level=1)  # the opening clause that says most, in title case
    assert title.startswith("My Fellow Americans Ask Not What Your Country")
    assert 3 <= len(title.split()) <= 10


@pytest.mark.fresh_cache
def test_a_second_draft_does_not_transcribe_again(cues_memo, workspace):
    first = run("draft", cues_memo)
    assert "cues-memo.m4a: transcribing 28 s of audio" in first.stderr
    transcripts = list((workspace / ".voiceblog" / "transcripts").iterdir())
    second = run("draft", cues_memo)
    assert second.exit_code == 0
    assert "transcribing" not in second.stderr
    assert "cues-memo.m4a: using the cached transcript" in second.stderr
    assert list((workspace / ".voiceblog" / "transcripts").iterdir()) == transcripts
    assert second.stdout == first.stdout  # the same files, replaced in place


def test_an_edited_draft_is_merged_not_overwritten(cues_memo):
    md_path = Path(run("draft", cues_memo, "--format", "md").stdout.strip())
    md_path.write_text(md_path.read_text() + "\nMy own closing line.\n")
    result = run("draft", cues_memo, "--format", "md", "--author", "Ada")
    assert result.exit_code == 0
    assert Path(result.stdout.strip()) == md_path  # no -2 copy
    assert md_path.read_text().endswith("My own closing line.\n")
    assert f"{md_path}: merged, no conflicts (your edits kept" in result.stderr
    assert "-2" not in " ".join(p.name for p in md_path.parent.iterdir())


def test_a_draft_of_an_older_voiceblog_is_not_merged_and_says_why(cues_memo, workspace):
    md_path = Path(run("draft", cues_memo, "--format", "md").stdout.strip())
    shutil.rmtree(workspace / ".voiceblog" / "written")  # as an older voiceblog left it
    md_path.write_text(md_path.read_text() + "\nMy own closing line.\n")
    result = run("draft", cues_memo, "--format", "md")
    assert Path(result.stdout.strip()) == md_path.with_name(md_path.stem + "-2.md")
    assert md_path.read_text().endswith("My own closing line.\n")
    assert f"{md_path}: cannot merge the new draft into your edits: voiceblog kept no copy" in (
        result.stderr
    )


def test_a_redraft_with_another_style_merges_the_persons_edits(cues_memo):
    """Untouched paragraphs take the new style; edited ones stay; one changed by both keeps the
    person's version with the new one marked after it, counted in the summary and in status."""
    from llm_server import ScriptedLLM, is_cleanup, transcript_of

    def answer(messages):
        if not is_cleanup(messages):
            return '{"title": "Bread", "sections": []}'
        text = transcript_of(messages)
        if "Style: polished" in messages[0]["content"]:  # tighter: two words less
            text = text.replace(" also", "").replace("and it uses", "and uses")
        return text

    with ScriptedLLM(answer) as server:
        llm = ("--llm", "openai/x", "--api-base", server.url)
        md_path, docx_path = (Path(p) for p in run("draft", cues_memo, *llm).stdout.split()[:2])
        first = section_paragraphs(md_path.read_text())
        learned, costs, intro = first["What we learned"], first["The costs"], first["Introduction"]
        assert " also " in learned and "and it uses" in costs
        mine_intro, mine_costs = intro + " I wrote this bit.", costs.replace(".", ", here.", 1)
        md_path.write_text(
            md_path.read_text().replace(intro, mine_intro).replace(costs, mine_costs)
        )
        result = run("redraft", cues_memo, "--style", "polished", *llm)
    assert result.exit_code == 0, result.output
    assert result.stdout.split()[:2] == [str(md_path), str(docx_path)]  # no -2 copies
    assert f"{md_path}: merged, 1 conflict" in result.stderr
    merged = md_path.read_text()
    now = section_paragraphs(merged)
    assert now["Introduction"] == mine_intro  # edited by the person: as they left it
    assert now["What we learned"] == learned.replace(" also", "")  # untouched: the new text
    assert now["The costs"] == mine_costs  # changed by both: the person's, then the new one
    assert f"{mine_costs}\n\n<!-- voiceblog: new text for the paragraph above" in merged
    assert f"\n{costs.replace('and it uses', 'and uses')}\n-->\n" in merged
    assert front_matter(merged)["llm"] == "openai/x"
    word = [p.text for p in docx.Document(docx_path).paragraphs]
    assert mine_intro in word and learned.replace(" also", "") in word  # the merged draft
    status = run("status", ".", "--style", "polished", *llm)  # the memo is in the workspace
    assert status.stdout == f"cues-memo.m4a: edited by you: {md_path} (merged, 1 conflict) [en]\n"


def section_paragraphs(markdown: str) -> dict[str, str]:
    """The first paragraph under each heading of a Markdown draft."""
    found = re.findall(r"^## (.+)\n\n(.+)$", markdown, re.MULTILINE)
    return dict(found)


def test_drafts_option_and_format(cues_memo, workspace):
    result = run("draft", cues_memo, "--drafts", "out/posts", "--format", "docx")
    assert result.exit_code == 0
    (written,) = result.stdout.splitlines()
    assert Path(written).parent == Path("out/posts") and written.endswith(".docx")


def test_missing_file(workspace):
    result = run("draft", "nothere.m4a")
    assert result.exit_code == 1
    assert result.stderr == "Error: nothere.m4a: no such file\n"
    assert result.stdout == ""


def test_empty_file(workspace):
    (workspace / "empty.m4a").write_bytes(b"")
    result = run("draft", "empty.m4a")
    assert (result.exit_code, result.stderr) == (1, "Error: empty.m4a: empty file\n")


def test_directory(workspace):
    (workspace / "x.mp3").mkdir()
    result = run("draft", "x.mp3")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: x.mp3: is a directory, not a recording\n",
    )


def test_not_audio(workspace):
    (workspace / "notes.m4a").write_text("shopping list: milk, eggs")
    result = run("draft", "notes.m4a")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: notes.m4a: not an audio file (Invalid data found when processing input)\n"
    )


def test_truncated_file(workspace):
    whole = (DATA / "cues-memo.m4a").read_bytes()
    (workspace / "cut.m4a").write_bytes(whole[:2000])
    result = run("draft", "cut.m4a")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cut.m4a: not an audio file (")
    assert list(Path("drafts").iterdir()) == []


def test_silence_writes_no_draft(workspace):
    write_wav(workspace / "silence.wav", np.zeros(16_000 * 5, dtype=np.float32))
    result = run("draft", "silence.wav")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: silence.wav: no speech found in 5.0 s of audio; no draft written\n"
    )
    assert list(Path("drafts").iterdir()) == []


@pytest.mark.fresh_cache
def test_drafts_folder_that_cannot_be_written(cues_memo, workspace):
    (workspace / "taken").write_text("a file, not a folder")
    result = run("draft", cues_memo, "--drafts", "taken/drafts")
    assert result.exit_code == 1
    assert result.stderr == "Error: cannot write drafts to taken/drafts: Not a directory\n"
    assert not (workspace / ".voiceblog" / "transcripts").exists()  # failed before any work


def test_one_bad_recording_does_not_stop_the_others(cues_memo, workspace):
    (workspace / "notes.m4a").write_text("not audio")
    shutil.copy(DATA / "jfk.flac", workspace / "jfk.flac")
    result = run("draft", "notes.m4a", cues_memo, "missing.mp3", "jfk.flac")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 4  # two drafts, two formats each
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: notes.m4a: not an audio file (Invalid data found when processing input)",
        "Error: missing.mp3: no such file",
        "Error: 2 of 4 recordings failed",
    ]


def test_unreachable_llm(cues_memo):
    url = "http://127.0.0.1:9/v1"  # the discard port: nothing listens there
    result = run("draft", cues_memo, "--llm", "openai/local", "--api-base", url)
    assert result.exit_code == 0  # drafted by the rules, and said so once
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warning == (
        f"Warning: {cues_memo.name}: openai/local at {url} is not answering (cannot reach it: "
        "is the server running?): drafting the rest by the rules (4 of 4 chunks here)"
    )
    assert len(list(Path("drafts").glob("*.md"))) == 1
    required = run("draft", cues_memo, "--llm", "openai/local", "--api-base", url, "--require-llm")
    assert required.exit_code == 1
    assert required.stderr.splitlines()[-1] == (
        f"Error: {cues_memo}: cannot reach the LLM openai/local at {url}: is the server running? "
        "(no draft: --require-llm is set)"
    )


def test_settings_come_from_flags_then_environment_then_voiceblog_toml(
    cues_memo, workspace, monkeypatch
):
    (workspace / "voiceblog.toml").write_text('drafts = "from-toml"\nformat = "md"\n')
    assert Path(run("draft", cues_memo).stdout.strip()).parent == Path("from-toml")
    monkeypatch.setenv("VOICEBLOG_DRAFTS", "from-env")
    assert Path(run("draft", cues_memo).stdout.strip()).parent == Path("from-env")
    result = run("draft", cues_memo, "--drafts", "from-flag")
    assert Path(result.stdout.strip()).parent == Path("from-flag")


def test_front_matter_from_the_command_line_and_voiceblog_toml(cues_memo, workspace):
    result = run("draft", cues_memo, "--format", "md", "--front-matter", "hugo", "--timestamps")
    text = Path(result.stdout.strip()).read_text()
    assert front_matter(text)["draft"] is True
    assert re.search(r"^<!-- 0:\d\d–0:\d\d -->$", text, re.MULTILINE)
    (workspace / "voiceblog.toml").write_text('front_matter = "jekyll"\nformat = "md"\n')
    result = run("draft", cues_memo)
    assert front_matter(Path(result.stdout.strip()).read_text())["layout"] == "post"


def test_unknown_setting_in_voiceblog_toml(workspace):
    (workspace / "voiceblog.toml").write_text('colour = "blue"\n')
    result = run("draft", "x.m4a")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {workspace / 'voiceblog.toml'}: unknown setting 'colour' "
        "(known: api_base, author, chunk_tokens, device, drafts, engine, format, front_matter, "
        "jobs, language, llm, model, require_llm, review, style, then, threads, timeout, "
        "timestamps, transcript, vocab)\n"
    )


def test_module_entry_point_and_help_are_instant():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "voiceblog", "draft", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Draft each RECORDING" in result.stdout
    for heavy in ("faster_whisper", "litellm", "docx", "av"):
        assert not re.search(rf"\| {heavy}$", result.stderr, re.MULTILINE), heavy


def test_config_shows_each_setting_and_where_it_came_from(workspace, monkeypatch):
    (workspace / "voiceblog.toml").write_text('llm = "ollama/llama3.1"\nauthor = "Ada"\n')
    monkeypatch.setenv("VOICEBLOG_STYLE", "polished")
    lines = run("config", "--jobs", "4").stdout.splitlines()
    shown = {line.split()[0]: line for line in lines}
    assert shown["llm"].endswith("= ollama/llama3.1          (voiceblog.toml)")
    assert shown["style"].endswith("(environment VOICEBLOG_STYLE)")
    assert shown["jobs"].endswith("= 4                        (flag)")
    assert shown["format"].endswith("= all                      (default)")
    assert shown["author"].split("=")[1].split()[0] == "Ada"


def test_the_transcript_goes_along_when_asked(cues_memo):
    md_path, docx_path = (Path(p) for p in run("draft", cues_memo, "--transcript").stdout.split())
    text = md_path.read_text()
    details = text[text.index("<details>") :]
    assert details.startswith("<details>\n<summary>Transcript</summary>\n\n[0:00] ")
    assert "bread at home" in details and details.rstrip().endswith("</details>")
    document = docx.Document(docx_path)
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    appendix = styled[styled.index(("Heading 1", "Transcript")) + 1 :]
    assert appendix and all(t.startswith("[0:") for _, t in appendix)


def test_memos_dictated_in_pieces_become_one_post(cues_memo, jfk):
    result = run("draft", cues_memo, jfk, "--into", "Bread and country", "--format", "md")
    assert result.exit_code == 0, result.output
    (md_path,) = (Path(p) for p in result.stdout.split())
    text = md_path.read_text()
    meta = front_matter(text)
    assert meta["title"] == "Bread and country"
    assert meta["source"] == "cues-memo.m4a, jfk.flac"
    assert 38 < meta["duration"] < 41  # 28 s and 11 s
    body = text.split("---\n", 2)[2]
    # The second memo starts without a section cue: it continues the first memo's last section.
    assert headings(body) == CUES_HEADINGS
    last_section = body.split("## The road ahead")[1]
    assert "Saturday" in last_section and "fellow Americans" in last_section
    assert body.index("Saturday") < body.index("fellow Americans")
    # Each piece was drafted under its lock and recorded, as every draft is: batch skips them.
    assert run("status", ".").stdout == "cues-memo.m4a: drafted [en]\njfk.flac: drafted [en]\n"
