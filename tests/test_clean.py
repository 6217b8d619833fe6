"""Offline cleanup: fillers and repeats go, every other word the speaker said stays."""

import re

import pytest

from voiceblog.clean import clean_heading, clean_sentence, paragraphs_by_rules
from voiceblog.cues import Sentence


@pytest.mark.parametrize(
    "spoken, cleaned",
    [
        ("Um, so this is a memo.", "So this is a memo."),
        ("It was, uh, fine.", "It was fine."),
        ("Hmm. Let me think, er, about it.", "Let me think about it."),
        ("A memo about, uh, about walking.", "A memo about walking."),
        ("That is, um, that is almost an hour.", "That is almost an hour."),
        ("I I I think so.", "I think so."),
        ("I- I think th- the plan works.", "I think the plan works."),
        ("We went to the the shop.", "We went to the shop."),
        ("It was very, very good.", "It was very, very good."),
        ("He had had enough.", "He had had enough."),
        ("Umbrellas and humming are words.", "Umbrellas and humming are words."),
        ("Um.", ""),
    ],
)
def test_clean_sentence(spoken, cleaned):
    assert clean_sentence(spoken) == cleaned


def test_clean_heading_drops_fillers_and_the_closing_period():
    assert clean_heading("Um, what it costs.") == "What it costs"
    assert clean_heading("What changed?") == "What changed?"


def content_words(text: str) -> list[str]:
    fillers = {"um", "uh", "er", "hmm"}
    return [w for w in re.findall(r"[\w']+", text.lower()) if w not in fillers]


def test_paragraphs_keep_every_word_but_fillers_and_break_at_long_pauses():
    sentences = [
        Sentence("Um, the first thought goes on for a while. " * 6, 0.0, 20.0),
        Sentence("It continues here.", 20.2, 22.0),
        Sentence("After a long pause, uh, a new thought starts.", 25.0, 28.0),
    ]
    paragraphs = paragraphs_by_rules(sentences)
    assert len(paragraphs) == 2
    assert paragraphs[1].text == "After a long pause a new thought starts."
    assert (paragraphs[0].start, paragraphs[0].end, paragraphs[1].start) == (0.0, 22.0, 25.0)
    spoken = " ".join(s.text for s in sentences)
    kept = " ".join(p.text for p in paragraphs)
    assert sorted(set(content_words(kept))) == sorted(set(content_words(spoken)))


def test_a_short_paragraph_is_not_split_at_a_pause():
    sentences = [Sentence("One.", 0.0, 1.0), Sentence("Two.", 5.0, 6.0)]
    assert [p.text for p in paragraphs_by_rules(sentences)] == ["One. Two."]
