"""Export: Markdown with YAML front matter and Word .docx, written atomically into drafts/.

A draft the user has edited is never overwritten: the manifest remembers the hash of what
voiceblog last wrote at each path, and a file that no longer matches it is the user's.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from voiceblog.errors import ExportError
from voiceblog.redact import redact
from voiceblog.section import Draft
from voiceblog.workspace import Manifest, replaced_together, sha256_bytes, sha256_file

log = logging.getLogger("voiceblog")

SLUG_CHARS = 60  # long enough to tell drafts apart, short enough for any file system
NOTE = "Note to the editor: "  # before a spoken note, in its Word or HTML comment
PROPOSED = "proposed by voiceblog"  # the Word comment on a heading the speaker did not say
CORE_PROPERTY_CHARS = 255  # Word's limit for a core property (title, subject, comments, …)
# Characters XML 1.0 cannot hold: a .docx with one of them does not open (python-docx refuses it).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Text Word can store: control characters and lone surrogates out."""
    return XML_INVALID.sub("", text)


def shortened(text: str, limit: int) -> str:
    """At most limit characters, cut at a word with "…" where it had to be cut."""
    text = xml_safe(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


# What a Markdown reader takes as structure in a line of prose: at its start, a heading mark,
# a quote, a list item, a rule, a fence or an HTML block; anywhere, emphasis, code, a link,
# strikethrough or a tag. A backslash before the mark keeps it a character of the text.
BLOCK_START = re.compile(
    r"^(\s*)(#|>|[-+*](?=\s|$)|-(?=(?:\s*-){2,}\s*$)|(\d{1,9})([.)])(?=\s|$)|=+\s*$|`{3}|~{3}|<)"
)
INLINE_MARK = re.compile(r"[\\`*]|~~|\](?=\()|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])")


def markdown_text(text: str) -> str:
    """Prose as Markdown that reads back as the same prose, not as structure."""
    text = INLINE_MARK.sub(lambda m: "".join(f"\\{c}" for c in m.group(0)), text)
    return BLOCK_START.sub(_escaped_block_start, text)


def _escaped_block_start(match: re.Match) -> str:
    indent, mark = match.group(1), match.group(2)
    if match.group(3):  # "1. " is an ordered list; "1\. " is a number ending a sentence
        return f"{indent}{match.group(3)}\\{match.group(4)}"
    return f"{indent}\\{mark}" if not mark.startswith("\\") else match.group(0)


def html_comment(text: str) -> str:
    """Text that cannot end the HTML comment it is put in: no two dashes in a row, even in
    "--->" (where replacing "--" once would leave "-->")."""
    return re.sub(r"-(?=-)", "- ", text)


@dataclass(frozen=True)
class DraftInfo:
    """Where a draft came from, for front matter and document properties."""

    source: str  # the recording's file name
    recorded: datetime  # when the memo was recorded (the file's time for now)
    duration: float  # seconds of audio
    engine: str
    model: str
    llm: str | None  # None: drafted offline by the rules
    author: str = ""  # the user's name, from settings
    segments: tuple = ()  # the timed transcript, for --transcript
    language: str = ""  # the memo's language, as Whisper's code: "en", "de", …


# Front matter by the tool that reads it (its names: the front_matter setting's choices in
# pipeline/settings.py): what it expects, and whether it shows the title itself.
TITLE_FROM_FRONT_MATTER = {"hugo", "jekyll"}  # their themes print the title; no "# Title" then


def front_matter_fields(kind: str, draft: Draft, info: DraftInfo) -> dict | None:
    """The fields each kind of front matter expects, empty ones left out; None for none."""
    when, tags, summary = info.recorded, draft.tags or None, draft.summary or None
    author = info.author or None
    fields = {
        "voiceblog": {
            "title": draft.title,
            "date": when.date(),
            "lang": info.language or None,
            "tags": tags,
            "summary": summary,
            "source": info.source,
            "duration": round(info.duration, 1),
            "engine": info.engine,
            "model": info.model,
            "llm": info.llm,
        },
        "hugo": {
            "title": draft.title,
            "date": when.isoformat(timespec="seconds"),
            "draft": True,
            "author": author,
            "tags": tags,
            "description": summary,
            "slug": slugify(draft.title),
        },
        "jekyll": {
            "layout": "post",
            "title": draft.title,
            "date": when.strftime("%Y-%m-%d %H:%M:%S %z"),
            "published": False,
            "lang": info.language or None,
            "tags": tags,
            "excerpt": summary,
            "author": author,
        },
        "obsidian": {
            "aliases": [draft.title],
            "tags": tags,
            "created": when.isoformat(timespec="minutes"),
            "summary": summary,
            "source": info.source,
        },
    }.get(kind)
    if fields is None:
        return None
    return {k: v for k, v in fields.items() if v is not None or k == "llm"}


class MarkdownWriter:
    extension = "md"

    def __init__(self, front_matter: str = "voiceblog", timestamps: bool = False, transcript=False):
        self.front_matter = front_matter  # for which tool: voiceblog, hugo, jekyll, …
        self.timestamps = timestamps  # each paragraph followed by its audio span, as a comment
        self.transcript = transcript  # the timed transcript at the end, folded away

    def render(self, draft: Draft, info: DraftInfo) -> bytes:
        lines = []
        if (front := front_matter_fields(self.front_matter, draft, info)) is not None:
            text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
            lines += ["---", text.rstrip(), "---", ""]
        if self.front_matter not in TITLE_FROM_FRONT_MATTER:
            lines += [f"# {markdown_text(draft.title)}", ""]
        if not draft.paragraphs:  # nothing to put them under: they follow the title
            lines += [line for note in draft.notes for line in (_note_comment(note), "")]
        for section in draft.sections:
            if section.heading:
                lines += [f"{'#' * (section.level + 1)} {markdown_text(section.heading)}", ""]
            for paragraph in section.paragraphs:
                lines += [markdown_text(paragraph.text), "", *self._comments(paragraph)]
        if self.transcript and info.segments:
            lines += ["<details>", "<summary>Transcript</summary>", ""]
            lines += [f"[{clock(s.start)}] {markdown_text(s.text)}  " for s in info.segments]
            lines += ["", "</details>", ""]
        return "\n".join(lines).encode("utf-8")

    def _comments(self, paragraph) -> list[str]:
        """HTML comments under a paragraph: seen by the editor, invisible once rendered."""
        lines = []
        if self.timestamps:
            lines += [f"<!-- {clock(paragraph.start)}–{clock(paragraph.end)} -->", ""]
        if paragraph.flag:
            flag = html_comment(paragraph.flag)
            lines += [f"<!-- voiceblog flagged this paragraph: {flag} -->", ""]
        for note in paragraph.notes:
            lines += [_note_comment(note), ""]
        return lines


def _note_comment(note: str) -> str:
    """A spoken note as an HTML comment: for the editor, never in the rendered post."""
    return f"<!-- {html_comment(NOTE + note)} -->"


def clock(seconds: float) -> str:
    """1:05 or 1:02:05: a time in a recording as people read it."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class DocxWriter:
    extension = "docx"

    def __init__(self, transcript: bool = False):
        self.transcript = transcript  # the timed transcript as an appendix

    def render(self, draft: Draft, info: DraftInfo) -> bytes:
        from docx import Document  # imported here so `voiceblog --help` stays instant

        document = Document()
        title = document.add_heading(xml_safe(draft.title), level=0)  # Word's "Title" style
        if not draft.paragraphs:  # nothing to put them on: they go on the title
            for note in draft.notes:
                _add_note(document, title.runs[0], note)
        if draft.summary:
            document.add_paragraph(xml_safe(draft.summary), style="Subtitle")
        for section in draft.sections:
            if section.heading:
                heading = document.add_heading(xml_safe(section.heading), level=section.level)
                if section.proposed:  # the speaker did not dictate it: say so where it stands
                    document.add_comment(
                        heading.runs[0], text=PROPOSED, author="voiceblog", initials="vb"
                    )
            for paragraph in section.paragraphs:
                self._add_paragraph(document, paragraph)
        if self.transcript and info.segments:
            document.add_heading("Transcript", level=1)
            for segment in info.segments:
                document.add_paragraph(xml_safe(f"[{clock(segment.start)}] {segment.text}"))
        self._set_properties(document, draft, info)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def _add_paragraph(document, paragraph) -> None:
        """A body paragraph; a flagged one highlighted, with the reason as a Word comment."""
        from docx.enum.text import WD_COLOR_INDEX

        run = document.add_paragraph().add_run(xml_safe(paragraph.text))
        if paragraph.flag:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            reason = xml_safe(f"voiceblog flagged this paragraph: {paragraph.flag}")
            document.add_comment(run, text=reason, author="voiceblog", initials="vb")
        for note in paragraph.notes:
            _add_note(document, run, note)

    @staticmethod
    def _set_properties(document, draft: Draft, info: DraftInfo) -> None:
        properties = document.core_properties
        limit = CORE_PROPERTY_CHARS
        properties.title = shortened(draft.title, limit)
        properties.subject = shortened(draft.summary, limit)
        properties.keywords = shortened(", ".join(draft.tags), limit)
        properties.created = info.recorded.astimezone(UTC)  # docx stores UTC ("Z")
        properties.comments = shortened(f"Drafted by voiceblog from {info.source}", limit)
        # Without an author python-docx would sign every draft "python-docx".
        properties.author = shortened(info.author, limit)
        properties.last_modified_by = ""
        if info.language:  # the document's language, and the spelling checker's
            properties.language = info.language
            _set_proofing_language(document, info.language)


def _add_note(document, run, note: str) -> None:
    """A spoken note as a Word comment on the run it was said after: the speaker's, not
    voiceblog's, though voiceblog wrote it down."""
    document.add_comment(run, text=xml_safe(NOTE + note), author="voiceblog", initials="vb")


def _set_proofing_language(document, language: str) -> None:
    """Word checks spelling in the language of the Normal style's run properties."""
    from docx.oxml.ns import qn
    from docx.oxml.shared import OxmlElement

    run_properties = document.styles["Normal"].element.get_or_add_rPr()
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), language)


def writers_for(options: ExportOptions) -> list:
    """The writers for a --format value: one format by name, or "all"."""
    writers = {
        "md": MarkdownWriter(options.front_matter, options.timestamps, options.transcript),
        "docx": DocxWriter(options.transcript),
    }
    return list(writers.values()) if options.format == "all" else [writers[options.format]]


def slugify(title: str) -> str:
    """A file-name-safe slug: ASCII letters, digits and dashes only, so no path can escape."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:SLUG_CHARS].rstrip("-") or "memo"


def draft_stem(draft: Draft, recorded: datetime) -> str:
    """A draft's file name without its extension: the recording's date and the title's slug."""
    return f"{recorded:%Y-%m-%d}-{slugify(draft.title)}"


def ensure_drafts_dir(drafts: Path) -> None:
    """Create the drafts folder and prove it is writable, before any slow work starts."""
    import tempfile

    try:
        drafts.mkdir(parents=True, exist_ok=True)
        # A probe of its own: runs starting at once must not delete each other's.
        with tempfile.TemporaryFile(dir=drafts, prefix=".voiceblog-write-test"):
            pass
    except OSError as e:
        raise ExportError(f"cannot write drafts to {drafts}: {e.strerror or e}") from e


@dataclass(frozen=True)
class ExportOptions:
    """Which files a draft is written as, where, and what goes around its text."""

    drafts: Path  # the folder drafts are written to
    format: str = "all"  # "md", "docx" or "all"
    front_matter: str = "voiceblog"  # Markdown front matter for: voiceblog, hugo, jekyll, …
    timestamps: bool = False  # each Markdown paragraph followed by its audio span
    transcript: bool = False  # the timed transcript appended to each draft
    force: bool = False  # replace our earlier drafts even where the person edited them


def export(
    draft: Draft,
    info: DraftInfo,
    options: ExportOptions,
    manifest: Manifest,
    source_hash: str,
    report: dict | None = None,
    at: Path | None = None,
) -> list[Path]:
    """Write the draft in each format, and its faithfulness report; returns the paths written.

    at: the Markdown draft to write (merge) into, whatever the title now says: a post that a
    follow-up memo was appended to keeps its file.
    """
    stem = at.stem if at else draft_stem(draft, info.recorded)
    drafts = at.parent if at else options.drafts
    writers = writers_for(options)
    # Every format is rendered before any is written: a draft that cannot be rendered leaves
    # nothing behind, never an .md without its .docx.
    rendered = [(writer.extension, _render(writer, draft, info)) for writer in writers]
    md_path = drafts / f"{stem}.md"
    merged = (
        None
        if options.force
        else _merged_into_edit(md_path, rendered, writers, info, manifest, source_hash)
    )
    if merged is None:
        paths = _free_paths(drafts, stem, rendered, manifest, source_hash, options.force)
        files = [(path, data) for path, (_, data) in zip(paths, rendered, strict=True)]
        recorded = [(path, sha256_bytes(data)) for path, data in files]
    else:
        files, recorded = merged
    if report is not None:
        files.append(_report(files[0][0], info, report))
    # Written as a set: a failure anywhere, even in recording them, leaves every format as it
    # was, never an .md that disagrees with its .docx.
    try:
        with replaced_together(files):
            for extension, data in rendered:
                if extension == "md":  # the base the next re-draft merges the person's edits with
                    manifest.keep_written(data)
            manifest.record_all(recorded, source_hash)
    except OSError as e:
        where = e.filename or drafts
        raise ExportError(
            f"{where}: {e.strerror or e}; this memo's drafts were left as they were"
        ) from e
    return [path for path, _ in files]


def _merged_into_edit(
    md_path: Path, rendered: list, writers: list, info: DraftInfo, manifest: Manifest, source: str
) -> tuple[list, list] | None:
    """When md_path holds this memo's Markdown draft as the person edited it: the files to
    write, the merged .md first, and (path, hash) to record for each. The .md's record is the
    hash of the new draft as voiceblog wrote it, so the person's edits still count as theirs
    and the next re-draft merges again. None when this is no merge."""
    formats = dict(rendered)
    if "md" not in formats or not _edited_by_the_person(md_path, manifest, source):
        return None
    base, mine = manifest.written(md_path), _text_of(md_path)
    if base is None or mine is None:
        log.warning(
            "%s: cannot merge the new draft into your edits: voiceblog kept no copy of what it"
            " wrote there (a draft by an older voiceblog)",
            md_path,
        )
        return None
    from voiceblog.merge import draft_of, merge_drafts, merged_words

    merged = merge_drafts(base, mine, formats["md"].decode("utf-8"))
    log.info(
        "%s: %s (your edits kept; the new text where you had not changed it)",
        md_path,
        merged_words(merged.conflicts),
    )
    files = [(md_path, merged.text.encode("utf-8"))]
    recorded = [(md_path, sha256_bytes(formats["md"]))]
    for writer in writers:
        if writer.extension == "docx":  # the Word file of the merged draft, so both agree
            data = _render(writer, draft_of(merged.text), info)
            docx_path = _docx_beside(md_path, data, manifest, source)
            files.append((docx_path, data))
            recorded.append((docx_path, sha256_bytes(data)))
    return files, recorded


def _edited_by_the_person(path: Path, manifest: Manifest, source: str) -> bool:
    """Whether path holds voiceblog's draft of this memo, changed since voiceblog wrote it."""
    if not path.is_file() or not os.access(path, os.W_OK):
        return False
    entry = manifest.entry(path)
    return bool(entry) and entry["source"] == source and sha256_file(path) != entry["sha256"]


def _text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _docx_beside(md_path: Path, data: bytes, manifest: Manifest, source: str) -> Path:
    """Where the merged draft's .docx goes: over voiceblog's own unedited one; beside one the
    person edited, since python-docx cannot merge a Word file without losing its formatting."""
    for number in range(1, 1000):
        name = md_path.stem if number == 1 else f"{md_path.stem}-{number}"
        path = md_path.with_name(f"{name}.docx")
        if _may_write(path, data, manifest, source, force=False):
            if number > 1:
                log.warning(
                    "%s: Word files are not merged (that would lose your formatting); the"
                    " merged draft's is %s",
                    md_path.with_suffix(".docx"),
                    path,
                )
            return path
    raise ExportError(f"too many drafts named {md_path.stem} in {md_path.parent}")


def _render(writer, draft: Draft, info: DraftInfo) -> bytes:
    try:
        return writer.render(draft, info)
    except (ValueError, TypeError) as e:  # python-docx and yaml refuse what they cannot store
        raise ExportError(f"cannot write the {writer.extension} draft: {e}") from e


def _report(draft_path: Path, info: DraftInfo, report: dict) -> tuple[Path, bytes]:
    """<draft>.report.json beside the draft it describes; voiceblog's own, so always replaced."""
    data = {"draft": draft_path.name, "recording": info.source, "llm": info.llm, **report}
    text = redact(json.dumps(data, indent=1, ensure_ascii=False))  # an error may quote a key
    return draft_path.with_suffix(".report.json"), text.encode()


def _free_paths(
    drafts: Path, stem: str, rendered: list, manifest: Manifest, source: str, force: bool
) -> list[Path]:
    """One path a format: the first of stem.ext, stem-2.ext, … where every format may go, so
    a memo's formats always share a name and none is left beside an older version of another."""
    for number in range(1, 1000):
        name = stem if number == 1 else f"{stem}-{number}"
        paths = [drafts / f"{name}.{extension}" for extension, _ in rendered]
        allowed = [  # a list, not all(): each one in the way is named
            _may_write(path, data, manifest, source, force)
            for path, (_, data) in zip(paths, rendered, strict=True)
        ]
        if all(allowed):
            return paths
    raise ExportError(f"too many drafts named {stem} in {drafts}")


def _may_write(path: Path, data: bytes, manifest: Manifest, source: str, force: bool) -> bool:
    """Whether path is new, holds exactly what we are about to write, or holds our own
    unedited draft of this memo (with force, edited or not)."""
    if not path.exists():
        return True
    if not path.is_file() or not os.access(path, os.W_OK):
        log.warning("%s is not a file voiceblog can write; the draft goes beside it", path)
        return False  # a folder in its place, or a read-only file: never fail on every run
    on_disk = sha256_file(path)
    entry = manifest.entry(path)
    if entry is None and on_disk == sha256_bytes(data):
        return True  # the same draft again, and the manifest lost it: no copy
    if entry and entry["source"] == source:
        if force or on_disk == entry["sha256"]:
            return True  # our own earlier draft of this memo: replace it
        log.warning("%s was edited since voiceblog wrote it; keeping it as it is", path)
    return False
