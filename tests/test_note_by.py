"""Who writes a note, in French and Spanish: said after the note word ("Note éditoriale : …",
"Nota del autor, …"), as those languages place it. The phrasings are written here as people
say them, apart from the language files; the prose beside them mentions such notes and is
none."""

from __future__ import annotations

import itertools

import pytest

from voiceblog.cues import match_cue
from voiceblog.languages import language

HEADS = {
    "fr": (
        "Note éditoriale",
        "Note de l'auteur",
        "Note de l'autrice",
        "Remarque de l'auteur",
        "Mémo interne",
        "Note interne",
        "Note de travail",
        "Note privée",
        "Note de l'auteur pour la relecture",
        "Note éditoriale pour plus tard",
    ),
    "es": (
        "Nota editorial",
        "Nota del autor",
        "Nota de la autora",
        "Apunte interno",
        "Nota interna",
        "Nota de trabajo",
        "Nota privada",
        "Memo interno",
        "Nota del autor para la revisión",
        "Nota editorial para luego",
    ),
}
LEADS = {"fr": ("", "Alors, ", "Bon, ", "Euh, "), "es": ("", "Bueno, ", "Vale, ", "Eh, ")}
MARKS = (": ", " : ", ", ", " - ")
NOTES = {
    "fr": ("vérifier ce chiffre", "la citation date de 2019"),
    "es": ("revisar esta cifra", "la cita es de 2019"),
}
PROSE = {
    "fr": (
        "Une note éditoriale accompagnait l'article.",
        "La note de l'auteur est à la fin du livre.",
        "Note personnelle : j'adore ce vélo.",
        "J'ai lu la note interne de la mairie.",
        "Les notes de travail de Proust sont célèbres.",
    ),
    "es": (
        "Una nota editorial acompañaba el artículo.",
        "La nota del autor está al final del libro.",
        "Nota personal: me encanta esta bici.",
        "Leí la nota interna del ayuntamiento.",
        "Las notas de trabajo de Borges son famosas.",
    ),
}


def as_written(note: str) -> str:
    return note[:1].upper() + note[1:] + "."


@pytest.mark.parametrize("code", ["fr", "es"])
def test_who_writes_it_after_the_note_word_makes_a_note(code):
    wrong = []
    for lead, head, mark, note in itertools.product(LEADS[code], HEADS[code], MARKS, NOTES[code]):
        said = f"{lead}{head[:1].lower() + head[1:] if lead else head}{mark}{note}."
        cue = match_cue(said, language(code))
        if cue is None or (cue.kind, cue.name) != ("note", as_written(note)):
            wrong.append(f"{said!r}: {cue and (cue.kind, cue.name)}")
    assert not wrong, "\n".join(wrong[:30])


@pytest.mark.parametrize("code", ["fr", "es"])
def test_sentences_that_mention_such_a_note_stay_prose(code):
    for sentence in PROSE[code]:
        cue = match_cue(sentence, language(code))
        assert cue is None, f"{sentence!r} is prose, not a {cue.kind} cue"
