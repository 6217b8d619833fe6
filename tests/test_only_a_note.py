"""A memo that is only a note to the editor ("Note to self: check the price of the new chain
before Saturday."), transcribed by real Whisper (tests/data/only-a-note-memo.m4a, made by
tools/make_memos.py with flite): a draft with the note as its comment, no body, no crash; with
an LLM too, which is never sent the note; and as a follow-up appended to a draft."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from helpers import run
from llm_server import ScriptedLLM, is_cleanup, transcript_of

DATA = Path(__file__).parent / "data"
NOTE = "Check the price of the new chain before Saturday."


@pytest.fixture
def memo(workspace) -> Path:
    return Path(shutil.copy(DATA / "only-a-note-memo.m4a", workspace / "only-a-note-memo.m4a"))


def docx_comments(path: Path) -> list[tuple[str, str]]:
    """(text of the paragraph, comment on it) for every Word comment in the document."""
    document = Document(io.BytesIO(path.read_bytes()))
    by_id = {c.comment_id: c.text for c in document.comments}
    return [
        (p.text, by_id[int(i)])
        for p in document.paragraphs
        for i in p._p.xpath(".//w:commentRangeStart/@w:id")
    ]


def body(markdown: str) -> list[str]:
    """The Markdown's lines after the front matter that are neither blank nor comments."""
    after = markdown.split("---\n", 2)[2]
    return [line for line in after.splitlines() if line.strip() and not line.startswith("<!--")]


def test_a_memo_that_is_only_a_note_is_a_draft_with_the_note_as_a_comment(memo):
    result = run("draft", memo, "--review")
    assert result.exit_code == 0, result.output
    md_path = Path(result.stdout.splitlines()[0])
    md = md_path.read_text(encoding="utf-8")
    assert f"<!-- Note to the editor: {NOTE} -->" in md
    assert md.count("chain") == 1  # in its comment, nowhere in the text
    assert body(md) == ["# Untitled Memo"]  # a title and no body: nothing to publish by mistake
    assert docx_comments(md_path.with_suffix(".docx")) == [
        ("Untitled Memo", f"Note to the editor: {NOTE}")
    ]
    review = md_path.with_name(md_path.stem + ".review.html").read_text(encoding="utf-8")
    assert "Notes to the editor" in review and NOTE in review


def test_with_an_llm_the_note_is_drafted_and_never_sent(memo, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

    def answer(messages):
        if is_cleanup(messages):
            return transcript_of(messages)
        return json.dumps({"title": "Chains", "summary": "", "tags": [], "sections": []})

    with ScriptedLLM(answer) as server:
        result = run("draft", memo, "--llm", "openai/x", "--api-base", server.url)
    assert result.exit_code == 0, result.output
    assert "chain" not in json.dumps(server.requests)
    md = Path(result.stdout.splitlines()[0]).read_text(encoding="utf-8")
    assert f"<!-- Note to the editor: {NOTE} -->" in md


def test_a_follow_up_that_is_only_a_note_goes_on_the_last_paragraph(memo, jfk):
    first = run("draft", jfk, "--format", "md")
    assert first.exit_code == 0, first.output
    draft = Path(first.stdout.strip())
    result = run("draft", memo, "--append", draft, "--format", "md")
    assert result.exit_code == 0, result.output
    md = draft.read_text(encoding="utf-8")
    last_paragraph = body(md)[-1]
    assert "what you can do for your country" in last_paragraph.lower()
    assert md.rstrip().endswith(f"{last_paragraph}\n\n<!-- Note to the editor: {NOTE} -->")


def test_a_post_that_starts_with_a_note_only_memo_keeps_the_note_on_its_first_paragraph(memo, jfk):
    first = run("draft", memo, "--format", "md")
    assert first.exit_code == 0, first.output
    draft = Path(first.stdout.strip())
    result = run("draft", jfk, "--append", draft, "--format", "md")
    assert result.exit_code == 0, result.output
    md = draft.read_text(encoding="utf-8")
    assert md.count(f"<!-- Note to the editor: {NOTE} -->") == 1
    said_first = md.lower().index("ask not what your country can do")
    assert said_first < md.index("<!-- Note to the editor")  # a comment after the paragraph
