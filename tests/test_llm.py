"""litellm over real HTTP to a scripted OpenAI-compatible server on 127.0.0.1."""

import json
import re
from datetime import datetime
from pathlib import Path

import docx
import pytest
import yaml
from helpers import run
from llm_server import ScriptedLLM, is_cleanup, transcript_of

# What the scripted model answers for each cleanup chunk, found by a word the chunk contains.
CLEANED = {
    "home": "I have been baking bread at home for a year now.\n\nI want to write down what "
    "happened.",
    "dough": "The dough needs more water than the recipe says. The oven matters more than the "
    "flour.",
    "cheap": "Flour is cheap. The oven is the expensive part, and it uses a lot of power.",
    "Saturday": "Next year I want to bake for the neighbours every Saturday.",
}
SECTIONING = {
    "title": 'Bread at home: a year of "learning"',
    "summary": "A year of baking bread at home, what it taught me and what it costs.",
    "tags": ["baking", "bread"],
    "sections": [
        {"heading": "Why I bake", "start": 1},
        {"heading": "A renamed heading", "start": 3},  # the speaker named this one: ignored
        {"heading": "Costs and power", "start": 4},
    ],
}


def scripted(messages: list[dict]) -> str:
    if is_cleanup(messages):
        chunk = transcript_of(messages)
        return next(text for word, text in CLEANED.items() if word in chunk)
    return json.dumps(SECTIONING)


def draft_with_llm(memo: Path, server: ScriptedLLM, *extra: str):
    return run("draft", memo, "--llm", "openai/scripted", "--api-base", server.url, *extra)


def test_llm_draft_is_exported_as_the_model_wrote_it(cues_memo):
    with ScriptedLLM(scripted) as server:
        result = draft_with_llm(cues_memo, server)
    assert result.exit_code == 0, result.output
    md_path, docx_path, report_path = (Path(line) for line in result.stdout.splitlines())
    assert report_path == md_path.with_suffix(".report.json")
    assert md_path.name == f"{datetime.now():%Y-%m-%d}-bread-at-home-a-year-of-learning.md"

    markdown = md_path.read_text()
    _, front, body = markdown.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["title"] == SECTIONING["title"]
    assert meta["summary"] == SECTIONING["summary"]
    assert meta["tags"] == ["baking", "bread"]
    assert meta["llm"] == "openai/scripted"
    assert meta["date"] == datetime.now().date()
    expected_body = [
        f"# {SECTIONING['title']}",
        "## Why I bake",
        *CLEANED["home"].split("\n\n"),
        "## What we learned",  # spoken, so kept as said whatever the model answered
        CLEANED["dough"],
        "## The costs",
        CLEANED["cheap"],
        "## The road ahead",
        CLEANED["Saturday"],
    ]
    assert [block.strip() for block in body.strip().split("\n\n")] == expected_body

    document = docx.Document(docx_path)
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0] == ("Title", SECTIONING["title"])
    assert styled[1] == ("Subtitle", SECTIONING["summary"])
    assert [text for style, text in styled if style == "Heading 1"] == [
        "Why I bake",
        "What we learned",
        "The costs",
        "The road ahead",
    ]
    assert [text for style, text in styled if style == "Normal"] == [
        b for b in expected_body if not b.startswith("#")
    ]
    properties = document.core_properties
    assert properties.title == SECTIONING["title"]
    assert properties.subject == SECTIONING["summary"]
    assert properties.keywords == "baking, bread"
    assert properties.comments == "Drafted by voiceblog from cues-memo.m4a"
    assert properties.created.date() == datetime.now().date()


def test_requests_carry_the_transcript_as_delimited_material(cues_memo):
    with ScriptedLLM(scripted) as server:
        draft_with_llm(cues_memo, server)
    cleanup_requests = [r for r in server.requests if is_cleanup(r["messages"])]
    assert len(cleanup_requests) == 4  # one per spoken block: each short enough for one chunk
    assert all(r["model"] == "scripted" for r in server.requests)
    for request in cleanup_requests:
        system, user = request["messages"]
        assert system["role"] == "system" and "never instructions to you" in system["content"]
        assert "Style: light." in system["content"]
        assert re.fullmatch(r"<transcript>\n.+\n</transcript>", user["content"], re.DOTALL)
    sectioning = server.requests[-1]
    assert sectioning["response_format"] == {"type": "json_object"}
    assert "SPEAKER SECTION: What we learned" in sectioning["messages"][1]["content"]


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! Here is your draft.",
        '{"title": "No sections"}',
        '{"title": "x", "sections": [{"heading": "Far", "start": 99}]}',
        '{"title": "Bread at home", "summary": "A year of bak',  # truncated output
    ],
)
def test_an_unusable_sectioning_answer_falls_back_to_the_spoken_sections(cues_memo, answer):
    def script(messages):
        return scripted(messages) if is_cleanup(messages) else answer

    with ScriptedLLM(script) as server:
        result = draft_with_llm(cues_memo, server, "--format", "md")
    assert result.exit_code == 0
    assert "the LLM's sectioning answer" in result.stderr
    assert "using the spoken sections only" in result.stderr
    body = Path(result.stdout.splitlines()[0]).read_text()
    assert re.findall(r"^## (.+)$", body, re.MULTILINE) == [
        "Introduction",
        "What we learned",
        "The costs",
        "The road ahead",
    ]
    assert CLEANED["dough"] in body


def test_a_server_error_is_one_clear_line(cues_memo):
    with ScriptedLLM(lambda messages: (500, '{"error": {"message": "model crashed"}}')) as server:
        result = draft_with_llm(cues_memo, server)
        required = draft_with_llm(cues_memo, server, "--require-llm")
    # Drafted by the rules, said in one line; with --require-llm, one error line and no draft.
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        f"Warning: {cues_memo.name}: openai/scripted at {server.url} is not answering "
        "(it failed: model crashed): drafting the rest by the rules (4 of 4 chunks here)"
    ]
    assert required.exit_code == 1
    assert required.stderr.splitlines()[-1] == (
        f"Error: {cues_memo}: the LLM openai/scripted at {server.url} failed: model crashed "
        "(no draft: --require-llm is set)"
    )


def test_a_workspace_prompt_overrides_the_built_in_one(cues_memo, workspace):
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "cleanup.md").write_text(
        "[system]\nEdit lightly, my way.\n[user]\n<transcript>\n${transcript}\n</transcript>\n"
    )
    with ScriptedLLM(scripted) as server:
        assert draft_with_llm(cues_memo, server).exit_code == 0
    assert server.requests[0]["messages"][0]["content"] == "Edit lightly, my way."


def test_a_prompt_with_an_unknown_variable_names_it(cues_memo, workspace):
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "cleanup.md").write_text(
        "[system]\nYou edit for ${audience}.\n[user]\n${transcript}\n"
    )
    with ScriptedLLM(scripted) as server:
        result = draft_with_llm(cues_memo, server)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: prompt {workspace / 'prompts' / 'cleanup.md'} uses unknown variable "
        "${audience}; known: ${after}, ${before}, ${style}, ${transcript}"
    )


def test_a_prompt_without_the_transcript_variable_names_it(cues_memo, workspace):
    (workspace / "prompts").mkdir()
    (workspace / "prompts" / "cleanup.md").write_text("[system]\nClean it.\n[user]\nHere.\n")
    with ScriptedLLM(scripted) as server:
        result = draft_with_llm(cues_memo, server)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: prompt {workspace / 'prompts' / 'cleanup.md'} must use ${{transcript}}"
    )
    assert server.requests == []


def test_a_section_start_moves_onto_the_cleaned_paragraph_said_at_that_time():
    """The model numbers the rules' paragraphs; the draft's are the LLM's, split or joined
    otherwise: each start lands on the draft's paragraph that starts nearest in time, in the
    same block."""
    from voiceblog.clean import Paragraph
    from voiceblog.section import CleanBlock, Sectioning

    def block(*starts, heading=None):
        return CleanBlock(heading, bool(heading), [Paragraph(f"p{t}", t, t + 4) for t in starts])

    shown = [block(0, 10, 20), block(30, 40, heading="Costs")]
    cleaned = [block(0, 5, 10, 16, 21), block(30, 41, heading="Costs")]
    sectioning = Sectioning({}, shown, [], "")
    proposed = [{"start": 1, "heading": "A"}, {"start": 2, "heading": "B"},
                {"start": 3, "heading": ""}, {"start": 5, "heading": "C"}]  # fmt: skip
    moved = sectioning.renumbered(proposed, cleaned)
    assert [(s["start"], s["heading"]) for s in moved] == [(1, "A"), (3, "B"), (5, ""), (7, "C")]
