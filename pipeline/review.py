"""The review page: every paragraph of a draft beside what the speaker said, playable.

One self-contained HTML file (inline CSS and JS, no network) written beside the draft as
<draft>.review.html. It shows the outline with the time each heading starts, each paragraph
with the words the cleanup removed struck through and the words it added highlighted, the
faithfulness check's flags and totals, and plays the recording from any paragraph or heading.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote  # a URL, not a path: "#", "?" and "%" in a name are its own

from voiceblog.cues import Sentence
from voiceblog.export import clock
from voiceblog.redact import redact
from voiceblog.section import Draft
from voiceblog.workspace import atomic_write

ASSETS = Path(__file__).parent / "review_assets"


@dataclass(frozen=True)
class ReviewSource:
    """What the page shows a draft against."""

    sentences: list[Sentence]  # the transcript as the speaker said it, timed, cues taken out
    recording: Path | None  # the audio file, if there is one to play
    report: dict | None  # the faithfulness report of an LLM draft; None for a rules draft


def review_path(draft_path: Path) -> Path:
    return draft_path.with_name(draft_path.stem + ".review.html")


def write_review(draft_path: Path, draft: Draft, source: ReviewSource) -> Path:
    """<draft>.review.html beside the draft; voiceblog's own file, so always replaced."""
    path = review_path(draft_path)
    audio = _relative_audio(path.parent, source.recording)
    atomic_write(path, redact(render(draft, source, audio)).encode("utf-8"))
    return path


def _relative_audio(folder: Path, recording: Path | None) -> str | None:
    """The recording as a path relative to the page, so the page keeps working when the
    workspace moves with drafts/ beside recordings/."""
    if recording is None:
        return None
    return Path(os.path.relpath(recording.resolve(), folder.resolve())).as_posix()


def render(draft: Draft, source: ReviewSource, audio: str | None) -> str:
    """The whole page."""
    body = [
        _header(draft, source, audio),
        _notes(draft),
        _outline(draft),
        *_sections(draft, source),
    ]
    page = (ASSETS / "page.html").read_text(encoding="utf-8")
    return (
        page.replace("{{title}}", html.escape(draft.title))
        .replace("{{style}}", (ASSETS / "review.css").read_text(encoding="utf-8"))
        .replace("{{script}}", (ASSETS / "review.js").read_text(encoding="utf-8"))
        .replace("{{body}}", "\n".join(body))
    )


def _header(draft: Draft, source: ReviewSource, audio: str | None) -> str:
    player = (
        f'<audio id="audio" controls preload="auto" src="{html.escape(quote(audio))}"></audio>'
        f'<p id="no-audio" class="notice" hidden>The recording is not at '
        f"<code>{html.escape(audio)}</code> (relative to this page). Keep the drafts folder "
        f"beside recordings/ to play it; the rest of the page works without it.</p>"
        if audio
        else '<p class="notice">No recording to play: this draft was made from a transcript.</p>'
    )
    return (
        f"<header><h1>{html.escape(draft.title)}</h1>{player}"
        f'<dl class="totals">{_totals(draft, source.report)}</dl></header>'
    )


def _totals(draft: Draft, report: dict | None) -> str:
    flagged = sum(1 for p in draft.paragraphs if p.flag)
    items = [("paragraphs", str(len(draft.paragraphs))), ("flagged", str(flagged))]
    if report is None:
        items.append(("cleanup", "offline, by the rules: fillers and repeats only"))
    else:
        usage = report.get("usage", {})
        cost = usage.get("cost", "unknown")
        tokens = usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0)
        invented = ", ".join(report.get("invented", [])[:12]) or "none"
        items += [
            ("kept", f"{report.get('kept', 0):.0%} of the speaker's content words"),
            ("invented words", invented),
            (
                "chunks cleaned by the rules",
                f"{report.get('chunks_by_rules', 0)} of {len(report.get('chunks', []))}",
            ),
            ("tokens", f"{tokens:,}"),
            ("cost", cost if isinstance(cost, str) else f"${cost:.4f}"),
        ]
    if report and isinstance(paid := report.get("transcription"), dict):  # --engine api
        items.append(("transcription", f"${paid['cost']:.4f} ({paid['model']})"))
    return "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in items)


def _notes(draft: Draft) -> str:
    """The speaker's notes to the editor, all together at the top: the to-do list of the edit."""
    if not draft.notes:
        return ""
    items = "".join(f"<li>{html.escape(note)}</li>" for note in draft.notes)
    return f'<section class="notes"><h2>Notes to the editor</h2><ul>{items}</ul></section>'


def _outline(draft: Draft) -> str:
    entries = []
    for number, section in enumerate(draft.sections):
        if section.heading and section.paragraphs:
            start = section.paragraphs[0].start
            entries.append(
                f'<li class="level-{section.level}"><a href="#s{number}">'
                f'{html.escape(section.heading)}</a> <span class="time">{clock(start)}</span></li>'
            )
    if not entries:
        return ""  # one untitled section: nothing to outline
    return f'<nav class="outline"><h2>Outline</h2><ol>{"".join(entries)}</ol></nav>'


def _sections(draft: Draft, source: ReviewSource) -> list[str]:
    parts = []
    for number, section in enumerate(draft.sections):
        if section.heading and section.paragraphs:
            start, end = section.paragraphs[0].start, section.paragraphs[-1].end
            level = section.level + 1
            parts.append(
                f'<h{level} id="s{number}" class="heading" tabindex="0" {_span(start, end)}>'
                f'{html.escape(section.heading)} <span class="time">{clock(start)}</span>'
                f"</h{level}>"
            )
        parts += [_paragraph(p, source.sentences) for p in section.paragraphs]
    return parts


def _span(start: float, end: float) -> str:
    return f'data-start="{start:.2f}" data-end="{end:.2f}"'


def _paragraph(paragraph, sentences: list[Sentence]) -> str:
    said = " ".join(s.text for s in sentences if paragraph.start <= s.start < paragraph.end)
    flag = f'<p class="flag">Flagged: {html.escape(paragraph.flag)}</p>' if paragraph.flag else ""
    notes = "".join(
        f'<p class="note">Note to the editor: {html.escape(note)}</p>' for note in paragraph.notes
    )
    classes = "para flagged" if paragraph.flag else "para"
    return (
        f'<article class="{classes}" tabindex="0" {_span(paragraph.start, paragraph.end)}>'
        f'<div class="time">{clock(paragraph.start)}–{clock(paragraph.end)}</div>'
        f'<p class="draft">{html.escape(paragraph.text)}</p>'
        f'<p class="said" title="what was said, with the cleanup\'s changes">'
        f"{word_diff(said, paragraph.text)}</p>{flag}{notes}</article>"
    )


def _key(word: str) -> str:
    """Words compared as spoken: no case, no punctuation."""
    return re.sub(r"[^\w']", "", word.lower())


def word_diff(said: str, written: str) -> str:
    """HTML of the change from said to written: removed words in <del>, added ones in <ins>,
    the rest as written."""
    a, b = said.split(), written.split()
    matcher = difflib.SequenceMatcher(None, [_key(w) for w in a], [_key(w) for w in b])
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(html.escape(" ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)
