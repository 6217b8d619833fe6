"""A memo with no spoken cue, real Whisper on real audio: where the speaker pauses long, a
section starts, even where the words alone would have started it elsewhere.

tests/data/pause-break-memo.ogg (tools/make_memos.py) reads PEP 434's Rationale, 460 words in
six paragraphs, with 0.9 s between paragraphs and 2.8 s before the fourth. By its words alone
(tests/test_topics.py's benchmark text, no pauses) the one break of a text this long goes
before the third paragraph.
"""

import difflib
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import run

from voiceblog.topics import section_breaks

DATA = Path(__file__).parent / "data"
FACTS = json.loads((DATA / "pause-break-memo.json").read_text(encoding="utf-8"))


@pytest.fixture
def pause_memo(workspace) -> Path:
    return Path(shutil.copy(DATA / "pause-break-memo.ogg", workspace / "pause-break-memo.ogg"))


def sections_of_markdown(path: Path) -> list[tuple[str, str]]:
    """(heading, text) of every ## section of a Markdown draft."""
    body = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    parts = re.split(r"^## (.+)$", body, flags=re.MULTILINE)[1:]
    return [(h.strip(), " ".join(t.split())) for h, t in zip(parts[::2], parts[1::2], strict=True)]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def opens_with(text: str, paragraph: str, words: int = 12) -> bool:
    """The text starts with the paragraph's first words, as Whisper heard them."""
    heard, said = _words(text)[:words], _words(paragraph)[:words]
    return difflib.SequenceMatcher(None, heard, said).ratio() >= 0.6


def test_the_words_alone_would_break_elsewhere():
    assert section_breaks(FACTS["paragraphs"]) != [FACTS["long_pause_before"]]


def test_a_section_starts_where_the_speaker_paused_long(pause_memo):
    result = run("draft", pause_memo, "--format", "md")
    assert result.exit_code == 0, result.output
    sections = sections_of_markdown(Path(result.stdout.strip()))
    assert len(sections) == 2, sections
    after_pause = FACTS["paragraphs"][FACTS["long_pause_before"]]
    assert opens_with(sections[1][1], after_pause), sections[1][1][:120]
    for heading, text in sections:  # headings of their own words, not "Part 2"
        assert 2 <= len(heading.split()) <= 7 and heading.lower() in text.lower(), heading
