"""Nothing a model writes can corrupt a draft: scripted replies over real HTTP, one per way a
real model went wrong (the real ones are in tests/real_llm/)."""

import json
import re
import shutil
from datetime import datetime
from html import unescape
from pathlib import Path

import docx
import pytest
import yaml
from helpers import (
    SECTIONS,
    draft,
    faithful,
    markdown_of,
    report_of,
    run,
    warnings,
    with_context_prompt,
)
from llm_server import ScriptedLLM, cleanups, is_cleanup, transcript_of

from voiceblog.clean import Paragraph
from voiceblog.export import DraftInfo, MarkdownWriter
from voiceblog.fidelity import compare
from voiceblog.section import Draft, Section

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_HEADINGS = [
    "Why I started walking to work",
    "Introduction",
    "What changed?",
    "What it costs",
    "Plans for the winter",
]
CUES_HEADINGS = ["What we learned", "The costs", "The road ahead"]


def script(on_chunk=lambda messages: faithful(transcript_of(messages)), on_sections=None):
    """A model that answers each cleanup request with on_chunk(messages)."""

    def answer(messages):
        if is_cleanup(messages):
            return on_chunk(messages)
        return on_sections() if on_sections else SECTIONS

    return answer


def context_of(messages: list[dict], tag: str) -> str:
    user = messages[-1]["content"]
    return user.split(f"<{tag}>", 1)[1].split(f"</{tag}>", 1)[0].strip()


def body_of(markdown: str) -> str:
    return markdown.split("---\n", 2)[2]


def headings(markdown: str) -> list[str]:
    return [line for line in body_of(markdown).splitlines() if line.startswith("#")]


def flagged_chunks(result) -> list[str]:
    return [c["problem"] for c in report_of(result)["chunks"] if c["by"] == "rules"]


def test_prompt_scaffolding_never_reaches_the_draft(cues_memo):
    def echo_tags(messages):  # what Qwen2.5-Coder-1.5B did: the chunk wrapped in the prompt's tags
        chunk = faithful(transcript_of(messages))
        return f"<before></before> <transcript>\n{chunk}\n</transcript><br>"

    with ScriptedLLM(script(echo_tags)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    body = body_of(markdown_of(result))
    assert "<" not in body and ">" not in body
    assert report_of(result)["chunks_by_rules"] == 0  # the tags go, the cleaned words stay


def test_a_reply_with_the_neighbouring_chunks_text_is_a_failed_chunk(cues_memo, workspace):
    with_context_prompt(workspace)  # the built-in prompt sends no context; a user's may

    def with_context(messages):
        after = context_of(messages, "after")
        return faithful(transcript_of(messages)) + (f"\n\n<after>{after}</after>" if after else "")

    with ScriptedLLM(script(with_context)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    problems = flagged_chunks(result)
    assert len(problems) == 3  # every chunk but the last, which has nothing after it
    assert all(p.startswith("it copies text that is not this part of the memo") for p in problems)
    text = body_of(markdown_of(result))
    for sentence in ("Flour is cheap.", "Next year I want to bake for the neighbours"):
        assert text.count(sentence) <= 1


def test_a_reply_that_repeats_the_prompts_instructions_is_a_failed_chunk(cues_memo):
    def with_instructions(messages):
        system = messages[0]["content"]
        return (
            "You are a careful copy editor. "
            + system[:200]
            + "\n\n"
            + faithful(transcript_of(messages))
        )

    with ScriptedLLM(script(with_instructions)) as server:
        result = draft(cues_memo, server)
    assert len(flagged_chunks(result)) == 4
    paragraphs = re.sub(r"<!--.*?-->", "", markdown_of(result))  # the flag quotes what it found
    assert "copy editor" not in paragraphs


def test_a_passage_written_twice_that_was_said_once_is_a_failed_chunk(cues_memo):
    def twice(messages):
        chunk = faithful(transcript_of(messages))
        return f"{chunk}\n\n{chunk}" if len(chunk.split()) >= 6 else chunk

    with ScriptedLLM(script(twice)) as server:
        result = draft(cues_memo, server)
    problems = flagged_chunks(result)
    assert problems and all(p.startswith("it writes a passage twice") for p in problems)


def test_the_check_tells_a_passage_said_twice_from_one_written_twice():
    said = "I said it twice. I really did say this. I really did say this."
    assert compare(said, said).repeated == ()
    once = "I really did say this, and then I stopped."
    assert compare(once, f"{once} {once}").repeated


def test_a_model_that_loops_is_cut_off_at_twice_the_chunks_length(cues_memo):
    def loops(messages):
        return faithful(transcript_of(messages)) + " And so on and so on." * 200

    with ScriptedLLM(script(loops)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    for request in cleanups(server):
        chunk = transcript_of(request["messages"])
        assert request["max_tokens"] <= 2 * len(chunk) // 4 + 64
    problems = flagged_chunks(result)
    assert len(problems) == 4 and all("ran on past" in p for p in problems)


MARKUP_SECTIONING = {
    "title": "<b>Baking</b> **bread** at home " + "bread " * 60 + "\x07\x1b",
    "summary": "Making bread\n\n---\n# The oven <b>costs</b>",
    "tags": ["<i>bread</i>", "## Baking", "bread", "a" * 500],
    "sections": [
        {"heading": "## <script>alert(4)</script>", "start": 1},
        {"heading": "What\nwe learned\n---\n", "start": 2},
        {"heading": "Costs " + "very " * 100, "start": 3},
    ],
}


def test_headings_title_summary_and_tags_are_one_line_of_plain_text(cues_memo, workspace):
    sectioning = json.dumps(MARKUP_SECTIONING)
    with ScriptedLLM(script(on_sections=lambda: sectioning)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    markdown = markdown_of(result)
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert len(front["title"]) <= 120 and "<" not in front["title"] and "*" not in front["title"]
    assert "\n" not in front["summary"] and "<" not in front["summary"]
    assert front["summary"].startswith("Making bread")  # the speaker's words: supported
    assert all(re.fullmatch(r"[\w ]{1,40}", tag) for tag in front["tags"]), front["tags"]
    assert len(front["tags"]) == len(set(front["tags"]))
    body = body_of(markdown)
    assert "<" not in body and not re.search(r"^---", body, re.M)
    for line in headings(markdown)[1:]:
        assert len(line.lstrip("# ")) <= 80, line
    document = docx.Document(next(workspace.rglob("*.docx")))
    assert len(document.core_properties.title) <= 255


def test_a_section_said_to_start_past_the_last_paragraph_is_left_out_not_asked_again(
    cues_memo,
):
    # What Qwen 0.5B did in process: one start past the end, and the rest of the answer good.
    asked = []

    def sectioning():
        asked.append(1)
        return json.dumps(
            {
                "title": "Baking bread at home",
                "sections": [
                    {"heading": "What we learned", "start": 1},
                    {"heading": "x", "start": 99},
                ],
            }
        )

    with ScriptedLLM(script(on_sections=sectioning)) as server:
        result = draft(cues_memo, server)
    assert len(asked) == 1
    markdown = markdown_of(result)
    assert "title: Baking bread at home" in markdown
    assert "## x" not in markdown


def test_no_two_sections_share_a_heading_and_the_speakers_come_first(cues_memo):
    # What Qwen 0.5B did: the spoken heading of a later section at paragraph 1 as well.
    sectioning = json.dumps(
        {
            "title": "Bread",
            "sections": [
                {"heading": "What we learned", "start": 1},
                {"heading": "The costs", "start": 2},
                {"heading": "The costs", "start": 3},
            ],
        }
    )
    with ScriptedLLM(script(on_sections=lambda: sectioning)) as server:
        result = draft(cues_memo, server)
    found = [h.lstrip("# ") for h in headings(markdown_of(result))[1:]]
    assert len(found) == len(set(found)), found
    assert [h for h in found if h in CUES_HEADINGS] == CUES_HEADINGS


def test_fillers_are_gone_before_the_model_sees_the_text(cues_memo):
    with ScriptedLLM(script(lambda messages: transcript_of(messages))) as server:
        result = draft(cues_memo, server)
    sent = " ".join(transcript_of(r["messages"]) for r in cleanups(server))
    assert not re.search(r"\b(um|uh)\b", sent, re.I)
    assert not re.search(r"\b(um|uh)\b", body_of(markdown_of(result)), re.I)


def test_word_export_survives_any_title_and_a_long_file_name(workspace):
    from datetime import UTC, datetime

    from voiceblog.clean import Paragraph
    from voiceblog.export import DraftInfo, ExportOptions, export
    from voiceblog.section import Draft, Section
    from voiceblog.workspace import Workspace

    title = "T\x00\x0b\ufffeitle " + "word " * 4000  # 20,000 characters and control characters
    draft = Draft(
        title=title,
        sections=[Section("Head\x07ing", [Paragraph("Text \x1b with \x00 controls.", 0.0, 1.0)])],
        summary="s\x01" * 400,
        tags=["t" * 300],
    )
    info = DraftInfo(
        source="memo " + "é" * 115 + ".m4a",  # a 240-byte file name
        recorded=datetime(2026, 5, 1, tzinfo=UTC),
        duration=1.0,
        engine="faster-whisper",
        model="tiny.en",
        llm=None,
        author="A" * 400,
    )
    manifest = Workspace(workspace).manifest
    (workspace / "drafts").mkdir()
    written = export(draft, info, ExportOptions(workspace / "drafts", "all"), manifest, "hash")
    assert {p.suffix for p in written} == {".md", ".docx"}
    document = docx.Document(next(p for p in written if p.suffix == ".docx"))
    properties = document.core_properties
    for value in (properties.title, properties.subject, properties.comments, properties.author):
        assert len(value) <= 255
    assert document.paragraphs[0].text.startswith("Title word")


def test_a_memo_with_a_240_byte_name_is_drafted_with_an_llm(cues_memo, workspace):
    long_name = workspace / ("memo " + "é" * 115 + ".m4a")
    cues_memo.rename(long_name)
    with ScriptedLLM(script()) as server:
        result = draft(long_name, server)
    assert result.exit_code == 0, result.output
    assert {Path(p).suffix for p in result.stdout.splitlines()} == {".md", ".docx", ".json"}


def test_a_missing_api_key_names_the_variable_and_calls_nobody(cues_memo, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = run("draft", cues_memo, "--llm", "gpt-4o-mini")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {cues_memo}: the LLM gpt-4o-mini needs an API key: "
        "set OPENAI_API_KEY in the environment"
    )


@pytest.mark.parametrize("status", [401, 403])
def test_a_rejected_key_is_not_retried(cues_memo, status):
    refusal = json.dumps({"error": {"message": "Incorrect API key provided", "type": "auth"}})
    with ScriptedLLM(lambda messages: (status, refusal)) as server:
        result = draft(cues_memo, server)
        required = draft(cues_memo, server, "--require-llm")
    # Two refusals in a row and the rest of the memo is drafted by the rules, said once.
    assert result.exit_code == 0
    (warning,) = warnings(result)
    assert "rejected the API key: check OPENAI_API_KEY" in warning
    assert warning.endswith("drafting the rest by the rules (4 of 4 chunks here)")
    assert required.exit_code == 1 and "(no draft: --require-llm is set)" in required.stderr
    assert len(server.requests) == 2 + 1  # none retried; --require-llm stops at the first


def test_a_model_the_server_does_not_know_says_so(cues_memo):
    unknown = json.dumps({"error": {"message": "model 'nope' not found", "type": "not_found"}})
    with ScriptedLLM(lambda messages: (404, unknown)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0
    assert "does not know this model" in result.stderr


def test_a_terminal_sees_the_llm_work_through_the_chunks(cues_memo):
    """On a terminal, stderr shows chunks done of all and the rate (a local model takes minutes
    on a long memo); piped, it stays quiet."""
    import os
    import pty
    import subprocess
    import sys

    with ScriptedLLM(script(), latency=0.2) as server:
        primary, replica = pty.openpty()
        command = [sys.executable, "-m", "voiceblog", "draft", str(cues_memo), "--format", "md"]
        command += ["--llm", "openai/scripted", "--api-base", server.url]
        done = subprocess.run(command, stderr=replica, stdout=subprocess.PIPE, timeout=120)
        os.close(replica)
        shown = b""
        while True:
            try:
                data = os.read(primary, 65536)
            except OSError:
                break
            if not data:
                break
            shown += data
        os.close(primary)
    assert done.returncode == 0
    text = shown.decode()
    assert re.search(r"LLM cleanup: 1 of 4 chunks, [\d.]+ a minute", text)
    assert "LLM cleanup: 4 of 4 chunks" in text
    with ScriptedLLM(script()) as server:
        piped = draft(cues_memo, server, "--no-cache")
    assert "LLM cleanup" not in piped.stderr


def test_a_title_summary_tag_or_heading_the_speaker_did_not_say_is_left_out(cues_memo):
    """What Qwen2.5-Coder-0.5B did with a German memo: an English title and an invented
    summary. Here the other way round, on the English bread memo: a German title and heading,
    a summary about something never said; the one tag the speaker said stays."""
    sectioning = json.dumps(
        {
            "title": "Brot backen zu Hause",
            "summary": "The speaker describes rising energy prices in the household.",
            "tags": ["bread", "energie", "haushalt"],
            "sections": [{"heading": "Unsere Küche", "start": 1}],
        }
    )
    with ScriptedLLM(script(on_sections=lambda: sectioning)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    markdown = markdown_of(result)
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert front["title"] == "Making Bread at Home for a Year Now"  # the offline title
    assert "summary" not in front and front["tags"] == ["bread"]
    assert "Küche" not in markdown and "Brot" not in markdown and "energy" not in markdown
    assert headings(markdown)[1] == "## Introduction"  # after the title
    (warning,) = [w for w in warnings(result) if "did not say" in w]
    for said in ('title "Brot backen zu Hause"', "summary", 'tag "energie"', "Unsere Küche"):
        assert said in warning


def test_a_model_that_answers_with_the_prompts_own_example_adds_nothing(cues_memo):
    # What SmolLM2-135M did: the sectioning prompt's JSON example, filled in as given.
    example = json.dumps(
        {
            "title": "a short, specific title in the speaker's own terms",
            "summary": "one or two sentences saying what the post covers, using only what it says",
            "tags": ["two to five lowercase topic tags"],
            "sections": [{"heading": "a short heading", "start": 1}],
        }
    )
    with ScriptedLLM(script(on_sections=lambda: example)) as server:
        result = draft(cues_memo, server)
    markdown = markdown_of(result)
    assert "a short" not in markdown.lower() and "topic tags" not in markdown
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert front["title"] and "summary" not in front and "tags" not in front


@pytest.mark.parametrize(
    "model, api_base, local",
    [
        ("openai/qwen-0.5b", "http://127.0.0.1:8080/v1", True),
        ("openai/llama3.1", "http://localhost:11434/v1", True),
        ("ollama/llama3.1", None, True),
        ("gpt-4o-mini", None, False),
        ("openai/x", "https://api.example.com/v1", False),
    ],
)
def test_a_model_on_this_machine_gets_one_request_at_a_time_and_time_to_answer(
    model, api_base, local
):
    from voiceblog.llm import local_defaults

    assert local_defaults(model, api_base) == (
        {"jobs": 1, "timeout": 600.0} if local else {"jobs": 8, "timeout": 60.0}
    )
    assert local_defaults(model, api_base, jobs=3, timeout=5.0) == {"jobs": 3, "timeout": 5.0}


def test_a_local_server_is_asked_one_chunk_at_a_time(cues_memo):
    with ScriptedLLM(script(), latency=0.2) as server:
        assert draft(cues_memo, server).exit_code == 0
    assert server.max_in_flight == 1


SAID = {
    "en": "I started walking to work last spring because the bus got expensive.",
    "de": "Dieter, warum ich morgens laufe. Seit zwei Jahren laufe ich vor der Arbeit.",
    "fr": "Je cuisine à la maison depuis un an, surtout des soupes et du pain.",
    "es": "Cocino en casa desde hace un año, sobre todo sopas y pan.",
}
# (language, a title the model wrote, whether it is the speaker's words)
GROUNDING = [
    ("en", "Why I Started Walking to Work", True),
    ("en", "Walking to work", True),
    ("en", "The Joy of Walking", False),
    ("en", "Energy consumption in the household", False),
    ("en", "Zu Fuß zur Arbeit", False),
    ("de", "Warum ich morgens laufe", True),
    ("de", "Laufen vor der Arbeit", True),
    ("de", "Dieter's Journey", False),  # what Qwen2.5-Coder-0.5B wrote: 'Dieter' is misheard
    ("de", "Dieter's Weekly Routine", False),
    ("fr", "Cuisiner à la maison", True),
    ("fr", "Cooking at home", False),
    ("es", "Lo que aprendí cocinando en casa", True),
    ("es", "Healthy eating habits", False),
]


@pytest.mark.parametrize("code, line, expected", GROUNDING)
def test_a_title_is_the_speakers_when_most_of_its_words_are(code, line, expected):
    from voiceblog.fidelity import content_words
    from voiceblog.languages import language
    from voiceblog.section import grounded

    lang = language(code)
    assert grounded(line, frozenset(content_words(SAID[code], lang)), lang) is expected


def test_a_summary_may_join_the_speakers_words_with_its_own():
    from voiceblog.fidelity import content_words
    from voiceblog.section import MIN_GROUNDED, grounded

    said = frozenset(content_words("I started walking to work because the bus got expensive."))
    summary = "The speaker describes walking instead of taking the bus"
    assert grounded(summary, said, share=MIN_GROUNDED["summary"])
    assert not grounded(summary, said, share=MIN_GROUNDED["title"])
    assert not grounded("Rising energy prices at home", said, share=MIN_GROUNDED["summary"])


def rendered(markdown: str) -> str:
    """The draft's body as a CommonMark reader renders it."""
    from markdown_it import MarkdownIt

    return (
        MarkdownIt("commonmark").enable("strikethrough").enable("table").render(body_of(markdown))
    )


def cut_up_by_markdown(chunk: str) -> str:
    """The speaker's own words, every sentence given Markdown structure: what Qwen did."""
    sentences = re.split(r"(?<=[.!?])\s+", faithful(chunk).strip())
    marks = ["## ", "- ", "1. ", "> ", "**", "### "]
    lines = []
    for number, sentence in enumerate(sentences):
        mark = marks[number % len(marks)]
        lines.append(f"**{sentence}**" if mark == "**" else f"{mark}{sentence}")
        if mark.startswith("#"):
            lines.append("")
    return "\n".join(lines)


def test_markdown_in_a_cleanup_answer_never_becomes_structure(workspace):
    memo = Path(shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace))
    with ScriptedLLM(script(lambda m: cut_up_by_markdown(transcript_of(m)))) as server:
        result = draft(memo, server, "--format", "md")
    assert result.exit_code == 0, result.output
    markdown = markdown_of(result)
    assert [h.lstrip("# ") for h in headings(markdown)] == EXAMPLE_HEADINGS
    html = rendered(markdown)
    assert len(re.findall(r"<h[1-6]>", html)) == len(EXAMPLE_HEADINGS)
    for structure in ("<ul>", "<ol>", "<li>", "<blockquote>", "<strong>", "<em>", "<hr"):
        assert structure not in html, html
    report = report_of(result)
    assert report["chunks_by_rules"] == 0 and report["kept"] == 1.0  # the words all stay
    for paragraph in report["paragraphs"]:  # prose in the draft itself, not escaped markup
        assert not re.search(r"(^|\n)\s*(#|[-*+>] |\d+[.)] )|\*\*", paragraph["text"]), paragraph


def test_markdown_the_speaker_said_is_written_as_text(workspace):
    """Prose whose characters a Markdown reader would take as structure reads back as prose."""
    said = [
        "# 1 is what we called it.",
        "- and then it rained.",
        "1999. That was the year.",
        "> than I thought.",
        "Five * three is *fifteen* and `x` is [a link](http://example.com) or <b>bold</b>.",
        "snake_case _stays_ and ~~this~~ too.",
        "---",
    ]
    draft = Draft("A title", [Section(None, [Paragraph(t, 0.0, 1.0) for t in said])])
    info = DraftInfo("memo.m4a", datetime(2026, 1, 1), 1.0, "faster-whisper", "tiny.en", None)
    markdown = MarkdownWriter().render(draft, info).decode()
    html = rendered(markdown)
    paragraphs = re.findall(r"<p>(.*?)</p>", html, re.S)
    assert [unescape(p) for p in paragraphs] == said


def test_a_label_the_model_puts_before_a_line_is_not_part_of_it(cues_memo):
    """What Qwen did with a memo whose title was dictated: "Title: <the title>"."""
    sectioning = json.dumps(
        {
            "title": "**Title:** Making bread at home",
            "summary": "Summary: making bread at home for a year.",
            "tags": ["Tag: bread"],
            "sections": [{"heading": "Section 1 - What happened", "start": 1}],
        }
    )
    with ScriptedLLM(script(on_sections=lambda: sectioning)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    markdown = markdown_of(result)
    front = yaml.safe_load(markdown.split("---\n")[1])
    assert front["title"] == "Making bread at home"
    assert front["summary"] == "making bread at home for a year."
    assert front["tags"] == ["bread"]
    assert headings(markdown)[:2] == ["# Making bread at home", "## What happened"]


@pytest.mark.parametrize(
    "code, line, expected",
    [
        ("en", "Title: Why I walk to work", "Why I walk to work"),
        ("en", "**Heading** The costs", "The costs"),
        ("en", "Section three: what comes next", "what comes next"),
        ("en", "Suggested title - Walking in winter", "Walking in winter"),
        ("en", "Part II: The results", "The results"),
        ("en", "Title Fight at the Garden", "Title Fight at the Garden"),  # no label: no mark
        ("en", "Partly cloudy: notes from a walk", "Partly cloudy: notes from a walk"),
        ("en", "Sections of the trail", "Sections of the trail"),
        ("en", "Title:", "Title:"),  # nothing after it: the line is left for the checks
        ("de", "Titel: Warum ich morgens laufe", "Warum ich morgens laufe"),
        ("de", "Title: Warum ich morgens laufe", "Warum ich morgens laufe"),  # an English label
        ("de", "Abschnitt 2: Der Anfang", "Der Anfang"),
        ("fr", "Titre : pourquoi j'écris à la main", "pourquoi j'écris à la main"),
        ("fr", "Partie deux : la suite", "la suite"),
        ("es", "Título: lo que aprendí", "lo que aprendí"),
        ("es", "Sección 3: el mercado", "el mercado"),
    ],
)
def test_labels_come_off_in_each_language(code, line, expected):
    from voiceblog.languages import language
    from voiceblog.section import without_label

    assert without_label(line, language(code)) == expected


def test_a_heading_of_the_models_that_repeats_its_title_gives_way_to_the_title(cues_memo):
    """What Qwen did with an uncued memo: its third heading was the title again. The title
    stays, the heading is replaced by voiceblog's own, and one warning says so."""
    sectioning = json.dumps(
        {
            "title": "Making bread at home",
            "summary": "",
            "tags": [],
            "sections": [{"heading": "Making bread at home for a year", "start": 1}],
        }
    )
    with ScriptedLLM(script(on_sections=lambda: sectioning)) as server:
        result = draft(cues_memo, server)
    assert result.exit_code == 0, result.output
    markdown = markdown_of(result)
    assert yaml.safe_load(markdown.split("---\n")[1])["title"] == "Making bread at home"
    assert "Making bread at home for a year" not in headings(markdown)[1]
    warnings = [line for line in result.stderr.splitlines() if "the title again" in line]
    assert len(warnings) == 1, result.stderr
