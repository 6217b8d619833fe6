"""Topic breaks on text: where an uncued stretch turns, and what its sections are called."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.cues import Sentence
from pipeline.topics import headings, sections_of, summary_supported, supported, title_supported

TEXTS = Path(__file__).resolve().parents[1] / "benchmarks" / "texts"


def _sentences(path: str, heading: str) -> list[str]:
    """The sentences of one section of a benchmark text (public-domain PEPs)."""
    text = (TEXTS / path).read_text(encoding="utf-8")
    body = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    prose = " ".join(line for line in body.splitlines() if not line.startswith("#"))
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(prose.split())) if len(s) > 3]


def _timed(texts: list[str]) -> list[Sentence]:
    return [Sentence(t, float(i), i + 0.9) for i, t in enumerate(texts)]


def test_two_topics_are_cut_where_one_ends():
    first = _sentences("pep-0219.md", "Problems")
    second = _sentences("pep-3122.md", "The Problem")
    parts = sections_of(_timed(first + second))
    ends = [sum(len(p) for p in parts[: i + 1]) for i in range(len(parts) - 1)]
    assert any(abs(end - len(first)) <= 2 for end in ends), ends


def test_a_short_stretch_stays_one_section():
    short = _sentences("pep-3122.md", "Abstract")
    assert len(sections_of(_timed(short))) == 1


def test_headings_are_the_sections_own_words_and_distinct():
    texts = [
        " ".join(_sentences("pep-0219.md", "Problems")),
        " ".join(_sentences("pep-3122.md", "The Problem")),
    ]
    names = headings(texts, ["Stackless Python"])
    assert all(2 <= len(n.split()) <= 7 for n in names), names
    for name, text in zip(names, texts, strict=True):
        assert name.lower() in text.lower()
    assert names[0] != names[1]


def test_support_needs_the_words_said_together_in_that_section():
    problems = " ".join(_sentences("pep-3122.md", "The Problem"))
    rejected = " ".join(_sentences("pep-3122.md", "Rejected Ideas"))
    memo = f"{problems} {rejected}"
    assert supported("Relative Imports", problems, memo)
    assert not supported("Rejected Unicode Banana", problems, memo)
    assert not title_supported("Relative Imports", ["Relative Imports"], memo)
    assert summary_supported("How relative imports fail in the main module", memo)
    assert not summary_supported("A leap in our baby's digital world", memo)
