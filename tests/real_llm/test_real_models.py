"""The LLM path against real small models served locally: what they write never corrupts a
draft, the speaker's structure stands, and a model that loops costs a bounded amount."""

import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import SPOKEN, assert_clean, headings, run

ROOT = Path(__file__).resolve().parents[2]


def draft(memo: Path, url: str, alias: str):
    result = run("draft", memo, "--llm", f"openai/{alias}", "--api-base", url, "--format", "md")
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.stdout.splitlines()]
    markdown = next(p for p in paths if p.suffix == ".md").read_text()
    report = json.loads(next(p for p in paths if p.name.endswith(".report.json")).read_text())
    return markdown.split("---\n", 2)[2], report


def test_qwen_cleans_the_example_memo_and_keeps_its_structure(workspace, qwen):
    memo = Path(shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace))
    body, report = draft(memo, qwen, "qwen-0.5b")
    assert_clean(body)
    assert body.lstrip().startswith("# Why I started walking to work\n")
    assert [h for h in headings(body) if h in SPOKEN] == SPOKEN
    assert report["kept"] >= 0.9
    assert report["chunks_by_rules"] <= 1


@pytest.mark.slow
def test_qwen_cleans_a_five_minute_memo_rather_than_summarising_it(workspace, qwen):
    memo = Path(shutil.copy(ROOT / "tests" / "data" / "scaling-memo.ogg", workspace))
    body, report = draft(memo, qwen, "qwen-0.5b")
    assert_clean(body)
    expected = json.loads((ROOT / "tests" / "data" / "scaling-memo.json").read_text())
    assert len([h for h in headings(body)]) >= len(expected["headings"])
    assert report["kept"] >= 0.9
    assert report["chunks_by_rules"] <= 1, [c["problem"] for c in report["chunks"]]


def test_a_model_that_loops_costs_a_bounded_amount_and_the_draft_stands(workspace, smollm):
    memo = Path(shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace))
    body, report = draft(memo, smollm, "smollm2-135m")
    assert not re.search(r"<(?!!--)[^>]*>", body)
    assert [h for h in headings(body) if h in SPOKEN] == SPOKEN
    spoken_tokens = sum(len(p["text"]) for p in report["paragraphs"]) // 4
    usage = report["usage"]
    # Every reply is bounded by twice its chunk; the sectioning answer by its own budget.
    assert usage["completion_tokens"] <= 2 * 4 * spoken_tokens + 64 * usage["calls"] + 800
    for chunk in report["chunks"]:
        assert chunk["by"] == "llm" or chunk["problem"]
