"""The cue grammar on cues generated from their parts (tests/phrasings/): every form with every
word of its parts, in each punctuation Whisper writes, and the same words as prose."""

import importlib

import pytest
from phrasings import heard, negatives, positives

LANGUAGES = ("en", "de", "fr", "es")


def lexicon(code: str):
    return importlib.import_module(f"phrasings.{code}").LEXICON


def failures(phrasings, lex) -> list[str]:
    wrong = []
    for phrasing in phrasings:
        got = heard(phrasing, lex)
        if got != (phrasing.kind, phrasing.name):
            wrong.append(
                f"[{phrasing.form}] {phrasing.text!r}: {got}, not {phrasing.kind, phrasing.name}"
            )
    return wrong


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_generated_corpus_is_large(code):
    lex = lexicon(code)
    assert len(positives(lex)) >= 2000
    assert len(negatives(lex)) >= 300


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_generated_cue_gives_its_heading(code):
    lex = lexicon(code)
    wrong = failures(positives(lex), lex)
    report = "\n".join(wrong[:60])
    assert not wrong, f"{len(wrong)} of {len(positives(lex))} missed:\n{report}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_same_words_as_prose_give_no_heading(code):
    lex = lexicon(code)
    wrong = failures(negatives(lex), lex)
    assert not wrong, f"{len(wrong)} of {len(negatives(lex))} taken as cues:\n" + "\n".join(
        wrong[:60]
    )
