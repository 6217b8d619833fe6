"""What voiceblog has done with each memo, and one verdict on where a memo stands.

`status`, `batch`, `watch` and `draft` all decide through `verdict()`, so what `status` says is
what `batch` will do. The records live in .voiceblog/state.json, keyed by the audio's content
hash (a renamed memo is the same memo), and are merged under a file lock so concurrent runs
keep each other's entries.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from voiceblog.redact import redact
from voiceblog.transcription.corrections import corrections_fingerprint
from voiceblog.workspace import Workspace, atomic_write, read_records, records_lock, sha256_file

# Verdicts on which batch leaves a memo alone (unless --force).
FINISHED = ("drafted", "edited by you")


@dataclass(frozen=True)
class Verdict:
    # new, transcribed, drafted, edited by you, options changed, transcript corrected, draft
    # missing, failed
    kind: str
    detail: str = ""

    @property
    def finished(self) -> bool:
        return self.kind in FINISHED

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


class State:
    """Per recording (by content hash): what was drafted, with which options, or why it failed."""

    def __init__(self, workspace: Workspace):
        self.path = workspace.cache / "state.json"
        self.workspace = workspace
        self._lock = threading.Lock()
        self.entries: dict[str, dict] = read_records(self.path, _valid_entry)

    def reload(self) -> None:
        """Take in what other voiceblog runs recorded since this one started."""
        with self._lock:
            self.entries = {**self.entries, **read_records(self.path, _valid_entry)}

    def record(self, audio_hash: str, recording: Path, **fields) -> None:
        with self._lock, records_lock(self.path):  # other runs' entries are kept, not overwritten
            self.entries = {**self.entries, **read_records(self.path, _valid_entry)}
            self.entries[audio_hash] = {"recording": recording.name, **fields}
            records = json.dumps(self.entries, indent=1, sort_keys=True)
            atomic_write(self.path, redact(records).encode())  # an error may quote a secret

    def drafted(
        self, audio_hash, recording, fingerprint, files, ends_early="", options=None
    ) -> None:
        self.record(
            audio_hash,
            recording,
            status="drafted",
            fingerprint=fingerprint,
            files=[str(f) for f in files],
            ends_early=ends_early,
            error=None,
            # Which corrected transcript it was drafted from, to tell a correction made since
            # from changed options.
            corrections=corrections_fingerprint(audio_hash, self.workspace),
            options=options,  # what it was drafted with, for a status given no options
        )

    def failed(self, audio_hash: str, recording: Path, error: str) -> None:
        self.record(audio_hash, recording, status="failed", fingerprint="", files=[], error=error)


def _valid_entry(entry) -> bool:
    return isinstance(entry, dict) and {"status", "recording"} <= entry.keys()


def verdict(audio_hash: str, fingerprint: str, transcribed: bool, state, workspace) -> Verdict:
    """Where the memo with this audio stands for a run with options of this fingerprint.

    transcribed: whether its transcript with these options is cached.
    """
    entry = state.entries.get(audio_hash)
    if entry and entry["status"] == "drafted":
        return _drafted_verdict(audio_hash, entry, fingerprint, workspace)
    if entry and entry["status"] == "failed":
        return Verdict("failed", entry.get("error") or "")
    return Verdict("transcribed" if transcribed else "new")


def _drafted_verdict(audio_hash, entry: dict, fingerprint: str, workspace: Workspace) -> Verdict:
    if entry.get("corrections", "") != corrections_fingerprint(audio_hash, workspace):
        return Verdict(
            "transcript corrected", "drafted before your corrections; batch drafts it again"
        )
    if entry.get("fingerprint") != fingerprint:
        return Verdict("options changed", "drafted with other settings; batch drafts it again")
    missing = [f for f in entry["files"] if not Path(f).exists()]
    if missing:
        return Verdict("draft missing", f"{missing[0]} is gone; batch drafts it again")
    incomplete = (
        f"from an incomplete recording ({ends})" if (ends := entry.get("ends_early")) else ""
    )
    edited = [f for f in entry["files"] if _edited(Path(f), workspace)]
    if edited:
        described = ", ".join(_what_a_redraft_does(Path(f), workspace) for f in edited)
        return Verdict("edited by you", "; ".join(filter(None, [described, incomplete])))
    return Verdict("drafted", incomplete)


def _edited(path: Path, workspace: Workspace) -> bool:
    entry = workspace.manifest.entry(path)
    return bool(entry) and sha256_file(path) != entry["sha256"]


def _what_a_redraft_does(path: Path, workspace: Workspace) -> str:
    """An edited draft, and what it holds or what a re-draft would do with it: the new texts
    a merge marked that are still there ("merged, 2 conflicts"), or that a re-draft merges."""
    from voiceblog.merge import count_conflicts, merged_words

    if path.suffix != ".md":
        return path.as_posix()
    try:
        conflicts = count_conflicts(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return path.as_posix()
    if conflicts:
        return f"{path.as_posix()} ({merged_words(conflicts)})"
    if workspace.manifest.written(path) is not None:
        return f"{path.as_posix()} (a re-draft merges)"
    return path.as_posix()
