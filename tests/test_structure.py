"""Dictated structure end to end: real Whisper on long memos in four voices, each phrased its
own way (tools/dictations.py), drafted by the CLI and read back from the Markdown."""

import difflib
import json
import re
from pathlib import Path

import pytest
from helpers import run

DATA = Path(__file__).parent / "data"
MEMOS = ["scaling-memo", "opinions-memo", "robots-memo", "dense-cues-memo"]
NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def normal(name: str) -> str:
    words = re.findall(r"[a-z0-9']+", name.lower())
    return " ".join(str(NUMBERS.index(w)) if w in NUMBERS else w for w in words)


def similar(found: str, said: str) -> bool:
    """Whisper's hearing of a heading against the words said: a misheard word may differ."""
    return difflib.SequenceMatcher(None, normal(found), normal(said)).ratio() >= 0.75


def markdown_structure(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """The title and the (level, heading) of every section heading in the draft."""
    lines = path.read_text(encoding="utf-8").split("---\n", 2)[2].splitlines()
    title = next(line[2:] for line in lines if line.startswith("# "))
    headings = [
        (len(m.group(1)) - 1, m.group(2)) for line in lines if (m := re.match(r"(##+) (.+)", line))
    ]
    return title, headings


@pytest.mark.parametrize("name", MEMOS)
def test_every_dictated_heading_is_found_in_order_and_no_other(name, workspace):
    expected = json.loads((DATA / f"{name}.json").read_text())
    result = run("draft", DATA / f"{name}.ogg", "--format", "md")
    assert result.exit_code == 0, result.output
    title, headings = markdown_structure(Path(result.stdout.strip()))

    wanted = [(level, heading) for level, heading in expected["headings"]]
    if expected["opening"]:
        wanted.insert(0, (1, "Introduction"))  # what was said before the first section cue
    assert [level for level, _ in headings] == [level for level, _ in wanted], headings
    misheard = [
        (f, w) for (_, f), (_, w) in zip(headings, wanted, strict=True) if not similar(f, w)
    ]
    assert len(misheard) <= len(wanted) // 10, misheard  # Whisper mishears a few names
    if expected["title"]:
        assert similar(title, expected["title"]), title
    else:
        assert 3 <= len(title.split()) <= 10 and "…" not in title, title
