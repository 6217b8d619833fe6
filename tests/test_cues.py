"""Spoken structure: cues fire however Whisper punctuates them, and never inside ordinary speech."""

import pytest

from pipeline.cues import apply_spoken_commands, match_section, match_title
from pipeline.transcript import Segment, Transcript


def dictate(*segments: str) -> Transcript:
    """A transcript of the given Whisper segments, two seconds each."""
    return Transcript(
        segments=tuple(Segment(2.0 * i, 2.0 * i + 2, t) for i, t in enumerate(segments)),
        duration=2.0 * len(segments),
        language="en",
        engine="faster-whisper",
        model="tiny.en",
    )


def structure(*segments: str) -> tuple[str | None, list[tuple[str | None, str]]]:
    """(title, [(heading, text of the block)]) of the dictation."""
    dictation = apply_spoken_commands(dictate(*segments))
    blocks = [(b.heading, " ".join(s.text for s in b.sentences)) for b in dictation.blocks]
    return dictation.title, blocks


@pytest.mark.parametrize(
    "sentence, name",
    [
        ("New section: pricing models.", "Pricing models"),
        ("new section, pricing models.", "Pricing models"),
        ("New section. ", ""),
        ("New Section — Pricing Models", "Pricing Models"),
        ('"New section: pricing models."', "Pricing models"),
        ("Next section — the road ahead.", "The road ahead"),
        ("Next section, the road ahead.", "The road ahead"),
        ("Next section: what changed?", "What changed?"),
        ("The second section should be called what we learned.", "What we learned"),
        ("the second section should be called, what we learned.", "What we learned"),
        ("The first section should be about costs.", "Costs"),
        ("The next section is called the road ahead.", "The road ahead"),
        ("So, next section: the road ahead.", "The road ahead"),
        ("Okay, new section called pricing.", "Pricing"),
        ("Section two: costs.", "Costs"),
        ("Let's start a new section called the costs.", "The costs"),
    ],
)
def test_section_cues_fire(sentence, name):
    assert match_section(sentence) == name


@pytest.mark.parametrize(
    "sentence",
    [
        "The next section of the trail was steep.",
        "Next section of the trail was steep.",
        "We skipped the new section of the museum.",
        "I read the second section twice.",
        "The first section should be easy for most hikers.",
        "That section was new to me.",
        "Section 2 of the report says otherwise.",
        "The last section is the hardest.",
        "I read the title of the paper.",
        "The title of the paper was long.",
        "Entitled people never say thanks.",
    ],
)
def test_cues_do_not_fire_in_ordinary_speech(sentence):
    assert match_section(sentence) is None
    assert match_title(sentence) is None


@pytest.mark.parametrize(
    "sentence, title",
    [
        ("Title: Why I walk to work.", "Why I walk to work"),
        ("title, why I walk to work.", "Why I walk to work"),
        ("Title. ", ""),
        ("The title should be why I walk to work.", "Why I walk to work"),
        ("The title of this post is going to be 'Walking'.", "Walking"),
        ("Call this post why I walk.", "Why I walk"),
    ],
)
def test_title_cues_fire(sentence, title):
    assert match_title(sentence) == title


def test_a_bare_cue_takes_the_next_sentence_as_its_name():
    title, blocks = structure(
        "title. Why I walk.", "I started in March. New section.", "What changed?", "Sleep."
    )
    assert title == "Why I walk"
    assert blocks == [(None, "I started in March."), ("What changed?", "Sleep.")]


def test_cues_after_a_comma_are_found_and_the_speech_around_them_kept():
    title, blocks = structure(
        "I started in March, and it was cold, new section, what changed.",
        "I slept better, the next section should be called what it costs.",
        "It takes forty minutes, next section: the road ahead. Winter is next.",
    )
    assert blocks == [
        (None, "I started in March, and it was cold."),
        ("What changed", "I slept better."),
        ("What it costs", "It takes forty minutes."),
        ("The road ahead", "Winter is next."),
    ]


def test_ordinary_clauses_with_cue_words_stay_in_their_sentence():
    _, blocks = structure("We hiked for hours, the next section of the trail was steep.")
    assert blocks == [(None, "We hiked for hours, the next section of the trail was steep.")]


def test_a_name_that_runs_on_into_speech_is_cut_at_the_comma():
    title, blocks = structure(
        "Title, why I walk to work, um, so this is a memo about, uh, about walking to work."
    )
    assert title == "Why I walk to work"
    assert blocks == [(None, "Um, so this is a memo about, uh, about walking to work.")]


@pytest.mark.parametrize(
    "segments, paragraphs",
    [
        (["One. New paragraph. Two."], [["One."], ["Two."]]),
        (["One, new paragraph, two."], [["One."], ["Two."]]),
        (["One. New paragraph, two."], [["One."], ["Two."]]),
        (["One.", "new paragraph.", "Two."], [["One."], ["Two."]]),
        (["I started a new paragraph. Two."], [["I started a new paragraph.", "Two."]]),
    ],
)
def test_new_paragraph(segments, paragraphs):
    (block,) = apply_spoken_commands(dictate(*segments)).blocks
    assert [[s.text for s in p] for p in block.paragraphs] == paragraphs


@pytest.mark.parametrize(
    "segments, kept",
    [
        (["One. Two. Scratch that. Three."], ["One.", "Three."]),
        (["One. Two, scratch that."], ["One."]),
        (["One. Two. Scratch that, three."], ["One.", "Three."]),
        (["One. Two.", "scratch that!", "Three."], ["One.", "Three."]),
        (["I had to scratch that itch. Two."], ["I had to scratch that itch.", "Two."]),
        (["Don't scratch that. Two."], ["Don't scratch that.", "Two."]),
    ],
)
def test_scratch_that(segments, kept):
    (block,) = apply_spoken_commands(dictate(*segments)).blocks
    assert [s.text for s in block.sentences] == kept


def test_sentences_keep_the_time_span_they_were_spoken_in():
    dictation = apply_spoken_commands(dictate("One two three.", "New section: later.", "Four."))
    opening, later = dictation.blocks
    assert (opening.sentences[0].start, opening.sentences[0].end) == (0.0, 2.0)
    assert later.sentences[0].start == 4.0


def test_pieces_merge_with_their_times_running_on():
    from pipeline.cues import merge_dictations

    first = apply_spoken_commands(dictate("Opening words.", "New section: costs.", "It is cheap."))
    second = apply_spoken_commands(dictate("Still on costs.", "Next section: plans.", "Bake more."))
    merged = merge_dictations([first, second], [0.0, 6.0])
    assert [(b.heading, [s.text for s in b.sentences]) for b in merged.blocks] == [
        (None, ["Opening words."]),
        ("Costs", ["It is cheap.", "Still on costs."]),
        ("Plans", ["Bake more."]),
    ]
    assert merged.blocks[1].sentences[1].start == 6.0
    assert merged.blocks[2].sentences[0].start == 10.0
