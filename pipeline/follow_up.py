"""A follow-up memo joins an existing draft: `voiceblog draft more.m4a --append drafts/post.md`.

Each memo of the post is drafted on its own, as it would be alone, and the later ones are laid
after the first: their spoken sections as sections, the rest of their paragraphs at the end of
the section before. The first memo's part therefore comes out as it did before the follow-up,
and the three-way merge (pipeline/merge.py) keeps every edit the person made and adds only the
new memo's text. Which memos make up a post is kept in .voiceblog/posts.json, by the first
memo's audio hash (the source the manifest records for the draft), so a re-draft of any of
them re-drafts the whole post, and batch never drafts a follow-up as a post of its own.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from voiceblog.audio import check_readable
from voiceblog.clean import Paragraph
from voiceblog.errors import VoiceblogError
from voiceblog.merge import front_matter
from voiceblog.section import Draft
from voiceblog.workspace import (
    Workspace,
    as_shown,
    atomic_write,
    read_records,
    records_lock,
    sha256_file,
)

log = logging.getLogger("voiceblog")


@dataclass(frozen=True)
class Memo:
    audio_hash: str
    path: Path


class Posts:
    """The posts made of several memos: first memo's hash → every memo's hash and path."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.path = workspace.cache / "posts.json"

    def memos_of(self, audio_hash: str) -> list[Memo] | None:
        """The memos of the post this audio is part of, in order; None when it is in none."""
        for entry in read_records(self.path, _valid_post).values():
            memos = [Memo(m["hash"], self.workspace.root / m["path"]) for m in entry["memos"]]
            if any(m.audio_hash == audio_hash for m in memos):
                return memos
        return None

    def record(self, memos: list[Memo]) -> None:
        with records_lock(self.path):  # other runs' posts are kept
            posts = read_records(self.path, _valid_post)
            posts[memos[0].audio_hash] = {
                "memos": [{"hash": m.audio_hash, "path": self._relative(m.path)} for m in memos]
            }
            atomic_write(self.path, json.dumps(posts, indent=1, sort_keys=True).encode())

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.workspace.root.resolve()).as_posix()
        except ValueError:
            return str(path.resolve())  # a memo outside the workspace


def _valid_post(entry) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("memos"), list)


def append_memo(path: Path, audio_hash: str, target: Path, options, workspace: Workspace):
    """Add the memo at path (its audio's hash given) to the end of the post drafted at target;
    the flow.Result of the post. The caller holds the memo's lock (flow.append_memo)."""
    entry = _draft_entry(target, workspace)
    memos = Posts(workspace).memos_of(entry["source"]) or [_first_memo(target, entry, workspace)]
    if any(m.audio_hash == audio_hash for m in memos):
        raise VoiceblogError(f"{path}: already in {target}")
    return draft_post([*memos, Memo(audio_hash, path)], target, options, workspace)


def _draft_entry(target: Path, workspace: Workspace) -> dict:
    """The manifest's record of the Markdown draft at target; one line saying why there is
    none: gone, not Markdown, or no draft of voiceblog's. A draft voiceblog wrote elsewhere
    and the person moved here is found, and recorded where it is now."""
    manifest = workspace.manifest
    if not target.exists():
        gone = (
            "; voiceblog wrote it, but it is gone (moved or deleted?)"
            if manifest.entry(target)
            else ""
        )
        raise VoiceblogError(f"{target}: no such draft{gone}; nothing appended")
    if not target.is_file() or target.suffix.lower() != ".md":
        raise VoiceblogError(f"{target}: not a Markdown draft; give the .md voiceblog wrote")
    if entry := manifest.entry(target) or _moved_here(target, manifest):
        return entry
    raise VoiceblogError(
        f"{target}: not a draft voiceblog wrote (nor one it wrote elsewhere, moved here);"
        " nothing appended"
    )


def _moved_here(target: Path, manifest) -> dict | None:
    """The record of a draft voiceblog wrote elsewhere that is now at target: one whose file
    is gone and whose content target holds exactly, or (edited since) whose recording the
    front matter still names. Recorded at target from now on, as voiceblog wrote it, so the
    person's edits are merged as in place."""
    gone = [
        (path, e) for path, e in manifest.drafts() if path.suffix == ".md" and not path.exists()
    ]
    content = sha256_file(target)
    found = [(path, e) for path, e in gone if e["sha256"] == content]
    if not found and (source := _source_in(_text(target))):
        found = [(path, e) for path, e in gone if _source_in(manifest.written(path)) == source]
    if len({e["sha256"] for _, e in found}) != 1:
        return None  # none, or several it could be: not a guess to merge into
    moved_from, entry = found[-1]
    manifest.record(target, entry["sha256"], entry["source"])
    log.info("%s: the draft voiceblog wrote as %s, moved here", target, as_shown(moved_from))
    return entry


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _source_in(markdown: str | None) -> str | None:
    """The recordings a Markdown draft's front matter names (its `source`), or None."""
    source = front_matter(markdown or "").get("source")
    return source if isinstance(source, str) and source else None


def _first_memo(target: Path, entry: dict, workspace: Workspace) -> Memo:
    from voiceblog.flow import recording_of
    from voiceblog.state import State

    name = State(workspace).entries.get(entry["source"], {}).get("recording")
    folders = (workspace.recordings, workspace.root, target.parent.parent / "recordings")
    for candidate in [folder / name for folder in folders] if name else []:
        if candidate.is_file() and sha256_file(candidate) == entry["source"]:
            return Memo(entry["source"], candidate)
    _, recording = recording_of(target, workspace)  # by the draft's front matter
    return Memo(entry["source"], recording)


def draft_post(memos: list[Memo], target: Path | None, options, workspace: Workspace):
    """Draft every memo of the post and write them as one, merged into target as it is now;
    every memo recorded as drafted into it. The flow.Result of the post (in the first memo's
    language)."""
    from voiceblog.cues import apply_spoken_cues
    from voiceblog.export import export
    from voiceblog.flow import Result, joined_info, make_draft, record_drafted, transcribe_recording
    from voiceblog.state import State

    transcripts, drafts = [], []
    for memo in memos:
        _check_unchanged(memo)
        transcript = transcribe_recording(memo.path, memo.audio_hash, options, workspace)
        draft, report = make_draft(
            apply_spoken_cues(transcript), options.llm, workspace, memo.path.name,
            options.on_llm_progress, options.llm_health,
        )  # fmt: skip
        transcripts.append(transcript)
        drafts.append((draft, report))
    offsets = [sum(t.duration for t in transcripts[:i]) for i in range(len(transcripts))]
    post = joined([d for d, _ in drafts], offsets)
    info = joined_info([m.path for m in memos], transcripts, offsets, options)
    target = target or _as_given(workspace.manifest.draft_of(memos[0].audio_hash), options)
    files = export(
        post, info, options.export_options(), workspace.manifest, memos[0].audio_hash,
        drafts[0][1], at=target,
    )  # fmt: skip
    Posts(workspace).record(memos)
    result = Result(post, tuple(files), drafts[0][1], info.language)
    state = State(workspace)
    for memo, transcript in zip(memos, transcripts, strict=True):
        record_drafted(state, memo.path, memo.audio_hash, transcript, result, options)
    return result


def _as_given(path: Path | None, options) -> Path | None:
    """A draft the manifest names, under the drafts folder as the user gave it, so the paths
    printed and recorded read as the user's own."""
    if path is not None and path.parent.resolve() == options.drafts.resolve():
        return options.drafts / path.name
    return path


def _check_unchanged(memo: Memo) -> None:
    """The post's memo is still where it was, with the same audio."""
    check_readable(memo.path)
    if sha256_file(memo.path) != memo.audio_hash:
        raise VoiceblogError(
            f"{memo.path}: not the recording this post was drafted from any more (it changed);"
            " put the original back to re-draft the post"
        )


def joined(drafts: list[Draft], offsets: list[float]) -> Draft:
    """The first draft with each later one after it: a later memo's spoken sections as
    sections, its other paragraphs (all of them, when it has no cues) at the end of the
    section before, since a heading voiceblog proposed or an "Introduction" has no place in
    the middle of a post."""
    first = drafts[0]
    sections = [replace(s, paragraphs=list(s.paragraphs)) for s in first.sections]
    for draft, offset in zip(drafts[1:], offsets[1:], strict=True):
        if not draft.paragraphs:  # a memo that is only notes: they follow what came before
            _add_notes(sections, draft.notes)
        for section in draft.sections:
            paragraphs = [_shifted(p, offset) for p in section.paragraphs]
            if section.spoken or not sections:  # (no section before: the first was a note)
                sections.append(replace(section, paragraphs=paragraphs))
            else:
                sections[-1].paragraphs.extend(paragraphs)
    if not first.paragraphs:  # the first memo was only notes: said first, on the first paragraph
        _add_notes(sections, first.notes, last=False)
    notes = [note for draft in drafts for note in draft.notes]
    return replace(first, sections=sections, notes=notes)


def _add_notes(sections: list, notes: list[str], last: bool = True) -> None:
    """The notes on the post's last (or first) paragraph so far; on none while it has none
    (the post's own list, draft.notes, still holds them: they are written after its title)."""
    with_paragraphs = [s for s in sections if s.paragraphs]
    if notes and with_paragraphs:
        paragraphs = with_paragraphs[-1 if last else 0].paragraphs
        at = -1 if last else 0
        paragraphs[at] = replace(paragraphs[at], notes=paragraphs[at].notes + tuple(notes))


def _shifted(paragraph: Paragraph, offset: float) -> Paragraph:
    return replace(paragraph, start=paragraph.start + offset, end=paragraph.end + offset)
