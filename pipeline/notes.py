"""Notes to the editor ("Note to self: check this number."), placed on the draft's paragraphs.

The grammar takes them out of the dictation (cues.py), so no LLM ever sees one as part of the
text it cleans: a note is never an instruction to a model, and the faithfulness check does not
miss its words. Here each goes back beside the paragraph it was said after, by time.
"""

from __future__ import annotations

from dataclasses import replace

from voiceblog.cues import Note
from voiceblog.section import Draft


def place_notes(draft: Draft, notes: tuple[Note, ...]) -> Draft:
    """The draft with each note on the last paragraph that started before it was said, or on
    the first paragraph when it was said first; a draft with no paragraph keeps them as its
    own (draft.notes holds every note either way, for the review page)."""
    paragraphs = draft.paragraphs
    if not notes:
        return draft
    placed: dict[int, list[str]] = {}
    for note in notes:
        if paragraphs:
            placed.setdefault(id(_followed(paragraphs, note)), []).append(note.text)
    sections = [
        replace(
            section,
            paragraphs=[
                replace(p, notes=p.notes + tuple(placed.get(id(p), ()))) for p in section.paragraphs
            ],
        )
        for section in draft.sections
    ]
    return replace(draft, sections=sections, notes=[n.text for n in notes])


def _followed(paragraphs: list, note: Note):
    """The paragraph a note was said after: the last one to start before it."""
    before = [p for p in paragraphs if p.start <= note.start]
    return before[-1] if before else paragraphs[0]
