"""Notes to the editor ("Note to self: check this number.") generated from their parts in four
languages: a lead, a head, the mark Whisper writes after it, and the note; and prose that only
mentions a note. Written apart from the language files, as people say them (see __init__.py).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from phrasings import Phrasing


@dataclass(frozen=True)
class NoteWords:
    """How people of one language start a note to the editor, and prose that only mentions one."""

    heads: tuple[str, ...]  # "Note to self", said before a mark and the note
    leads: tuple[str, ...]  # "Okay, ", said before the head
    notes: tuple[str, ...]  # what the note says, as Whisper writes it (no capital, no stop)
    marks: tuple[str, ...]  # what Whisper writes between the head and the note
    prose: tuple[str, ...]  # sentences that mention a note and are none


WORDS = {
    "en": NoteWords(
        heads=(
            "Note to self",
            "Note to myself",
            "Editor's note",
            "Note for the editor",
            "Note to the editor",
            "Reminder",
            "Reminder to self",
            "Reminder for the editor",
            "Memo to self",
            "Note for later",
        ),
        leads=("", "Okay, ", "So, ", "Oh, and ", "Um, "),
        notes=("check this number", "ask Sam if I can use her name", "the quote is from 2019"),
        marks=(": ", ", ", " - "),
        prose=(
            "I made a note to self about it yesterday.",
            "The reminder came too late.",
            "Note: prices exclude tax.",
            "A reminder is not an instruction.",
            "She left a note for the editor on the desk.",
            "Reminders are easy to ignore.",
            "My editor's notes were always kind.",
            "I wrote a note to myself and lost it.",
            "Note the date on the receipt.",
            "It was a reminder that the shop closes at six.",
        ),
    ),
    "de": NoteWords(
        heads=(
            "Notiz an mich",
            "Notiz an mich selbst",
            "Notiz für mich",
            "Anmerkung für die Redaktion",
            "Anmerkung an die Redaktion",
            "Hinweis für den Lektor",
            "Erinnerung",
            "Erinnerung an mich",
            "Redaktionelle Anmerkung",
            "Notiz für später",
        ),
        leads=("", "Also, ", "Okay, ", "Äh, "),
        notes=(
            "diese Zahl prüfen",
            "Sam fragen, ob ich ihren Namen nennen darf",
            "das Zitat ist von 2019",
        ),
        marks=(": ", ", ", " - "),
        prose=(
            "Ich habe mir gestern eine Notiz an mich gemacht.",
            "Die Erinnerung kam zu spät.",
            "Hinweis: Preise ohne Mehrwertsteuer.",
            "Eine Anmerkung der Redaktion stand unter dem Text.",
            "Erinnerungen an den Sommer sind schön.",
            "Sie hat eine Notiz für den Lektor auf den Tisch gelegt.",
        ),
    ),
    "fr": NoteWords(
        heads=(
            "Note pour moi",
            "Note pour moi-même",
            "Note à moi-même",
            "Note à l'éditeur",
            "Note pour l'éditrice",
            "Note de la rédaction",
            "Rappel",
            "Rappel pour moi",
            "Pense-bête",
            "Mémo pour plus tard",
        ),
        leads=("", "Alors, ", "Bon, ", "Euh, "),
        notes=(
            "vérifier ce chiffre",
            "demander à Sam si je peux citer son nom",
            "la citation date de 2019",
        ),
        marks=(" : ", ": ", ", ", " - "),
        prose=(
            "J'ai pris une note pour moi hier.",
            "Le rappel est arrivé trop tard.",
            "Note : prix hors taxes.",
            "Elle a laissé une note à l'éditeur sur le bureau.",
            "Les rappels sont faciles à ignorer.",
            "Un rappel n'est pas une consigne.",
        ),
    ),
    "es": NoteWords(
        heads=(
            "Nota para mí",
            "Nota para mi",
            "Nota para mí mismo",
            "Nota para el editor",
            "Nota para la editora",
            "Nota de la redacción",
            "Recordatorio",
            "Recordatorio para mí",
            "Apunte para luego",
            "Nota interna",
        ),
        leads=("", "Bueno, ", "Vale, ", "Eh, "),
        notes=(
            "revisar esta cifra",
            "preguntar a Sam si puedo usar su nombre",
            "la cita es de 2019",
        ),
        marks=(": ", ", ", " - "),
        prose=(
            "Ayer me hice una nota para mí sobre eso.",
            "El recordatorio llegó demasiado tarde.",
            "Nota: precios sin IVA.",
            "Dejó una nota para el editor en la mesa.",
            "Los recordatorios son fáciles de ignorar.",
            "Un recordatorio no es una orden.",
        ),
    ),
}
LANGUAGES = tuple(WORDS)


def as_written(note: str) -> str:
    """The note as voiceblog keeps it: first letter up, a stop at the end."""
    return note[:1].upper() + note[1:] + "."


def spoken(code: str) -> list[Phrasing]:
    """A phrasing for every lead × head × mark × note of the language."""
    w = WORDS[code]
    return [
        Phrasing(
            f"{lead}{head[:1].lower() + head[1:] if lead else head}{mark}{note}.",
            "note",
            as_written(note),
            f"lead, head, {mark.strip() or 'space'}, note",
        )
        for lead, head, mark, note in itertools.product(w.leads, w.heads, w.marks, w.notes)
    ]
