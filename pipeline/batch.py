"""A folder of memos: find them, draft the new and changed, skip the finished, keep going.

Transcription (CPU) of the next memo overlaps the LLM stage (network) of the one before. What
is finished is remembered in .voiceblog/state.json, written atomically after every memo, so a
run killed at any moment loses at most the memo in flight, and the next run redoes nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.audio import check_readable
from pipeline.errors import VoiceblogError
from pipeline.flow import DraftOptions, draft_transcript, transcribe_recording
from pipeline.workspace import Workspace, atomic_write, read_records, records_lock, sha256_file

log = logging.getLogger("voiceblog")

# Files with these endings are memos; a file with another ending is one if it holds audio.
AUDIO_SUFFIXES = {
    ".m4a", ".aac", ".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".webm", ".mp4",
    ".mka", ".3gp", ".amr", ".aif", ".aiff", ".caf", ".wma",
}  # fmt: skip


@dataclass
class Discovery:
    recordings: list[Path] = field(default_factory=list)
    hidden: int = 0  # dot files and folders: sync tools' partial files, .DS_Store
    not_audio: int = 0  # notes, images, anything without an audio track


@dataclass
class Outcome:
    recording: Path
    status: str  # "drafted", "skipped", "failed", or "stopped" by Ctrl-C
    detail: str = ""  # the reason it failed or was skipped
    files: list[Path] = field(default_factory=list)


def discover(folder: Path) -> Discovery:
    """Every memo in folder (not its subfolders), by name; by content where the name is unsure."""
    found = Discovery()
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            found.hidden += 1
        elif path.suffix.lower() in AUDIO_SUFFIXES or _holds_audio(path):
            found.recordings.append(path)  # a bad one fails later with its reason
        else:
            found.not_audio += 1
    return found


def _holds_audio(path: Path) -> bool:
    import av

    if not path.is_file():
        return False
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError, ValueError):
        return False


class State:
    """Per recording (by content hash): what was drafted, with which options, or why it failed."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.entries: dict[str, dict] = read_records(path, _valid_entry)

    def finished(self, audio_hash: str, fingerprint: str) -> dict | None:
        entry = self.entries.get(audio_hash)
        if entry and entry["status"] == "drafted" and entry["fingerprint"] == fingerprint:
            if all(Path(f).exists() for f in entry["files"]):
                return entry
        return None

    def record(self, audio_hash: str, recording: Path, **fields) -> None:
        with self._lock, records_lock(self.path):  # other runs' entries are kept, not overwritten
            self.entries = {**read_records(self.path, _valid_entry), **self.entries}
            self.entries[audio_hash] = {"recording": recording.name, **fields}
            atomic_write(self.path, json.dumps(self.entries, indent=1, sort_keys=True).encode())


def _valid_entry(entry) -> bool:
    return isinstance(entry, dict) and {"status", "recording"} <= entry.keys()


class Interrupted(Exception):
    """Ctrl-C during a batch, carrying the outcome of every recording as far as it got."""

    def __init__(self, outcomes: list[Outcome]):
        super().__init__("interrupted")
        self.outcomes = outcomes


def run_batch(recordings: list[Path], options: DraftOptions, workspace: Workspace) -> list[Outcome]:
    """Draft every recording, transcribing one while the LLM stage of the last is in flight.

    Ctrl-C raises Interrupted at once: pending work is cancelled, the stage in flight is not
    waited for (every file is written atomically, so nothing half-written is left).
    """
    state = State(workspace.cache / "state.json")
    fingerprint = options.fingerprint()
    outcomes: list[Outcome | Future] = []
    seen: dict[str, str] = {}  # audio hash → the name it was first met under in this run
    drafting = ThreadPoolExecutor(max_workers=1)  # one LLM stage at a time, in order
    try:
        for number, path in enumerate(recordings, start=1):
            log.info("[%d/%d] %s", number, len(recordings), path.name)
            start = _start(path, options, workspace, state, fingerprint, drafting, seen)
            outcomes.append(start)
        return [o.result() if isinstance(o, Future) else o for o in outcomes]
    except KeyboardInterrupt:
        drafting.shutdown(wait=False, cancel_futures=True)
        raise Interrupted(_as_far_as_it_got(recordings, outcomes)) from None
    finally:
        drafting.shutdown(wait=False)


def _as_far_as_it_got(recordings: list[Path], outcomes: list) -> list[Outcome]:
    done = []
    for path, outcome in zip(recordings, outcomes + [None] * len(recordings), strict=False):
        if isinstance(outcome, Future):
            finished = outcome.done() and not outcome.cancelled()
            outcome = outcome.result() if finished else None
        done.append(outcome or Outcome(path, "stopped", "interrupted before it was drafted"))
    return done


def _start(path, options, workspace, state, fingerprint, drafting, seen) -> Outcome | Future:
    """Transcribe here and now; hand the rest to the drafting thread."""
    audio_hash = None
    try:
        check_readable(path)
        audio_hash = sha256_file(path)
        if audio_hash in seen:
            return Outcome(path, "skipped", f"same audio as {seen[audio_hash]}")
        seen[audio_hash] = path.name
        if not options.force and (done := state.finished(audio_hash, fingerprint)):
            same = "" if done["recording"] == path.name else f" (same audio as {done['recording']})"
            return Outcome(path, "skipped", f"already drafted{same}")
        transcript = transcribe_recording(path, audio_hash, options, workspace)
    except VoiceblogError as e:
        return _failed(path, state, e, audio_hash)
    return drafting.submit(_finish, path, audio_hash, transcript, options, workspace, state)


def _finish(path, audio_hash, transcript, options, workspace, state) -> Outcome:
    try:
        files = draft_transcript(path, audio_hash, transcript, options, workspace)
    except VoiceblogError as e:
        return _failed(path, state, e, audio_hash)
    state.record(
        audio_hash,
        path,
        status="drafted",
        fingerprint=options.fingerprint(),
        files=[str(f) for f in files],
        error=None,
    )
    return Outcome(path, "drafted", files=files)


def _failed(path: Path, state: State, error: VoiceblogError, audio_hash: str | None) -> Outcome:
    if audio_hash:
        state.record(audio_hash, path, status="failed", fingerprint="", files=[], error=str(error))
    return Outcome(path, "failed", str(error))


def recording_status(path: Path, options: DraftOptions, workspace: Workspace) -> str:
    """new, transcribed, drafted, edited by you, or failed and why."""
    try:
        check_readable(path)
    except VoiceblogError as e:
        return f"failed: {e}"
    audio_hash = sha256_file(path)
    entry = State(workspace.cache / "state.json").entries.get(audio_hash)
    if entry and entry["status"] == "failed":
        return f"failed: {entry['error']}"
    if entry and entry["status"] == "drafted":
        edited = [f for f in entry["files"] if _edited(Path(f), workspace)]
        return f"edited by you: {', '.join(edited)}" if edited else "drafted"
    key = options.transcription.cache_key(audio_hash)
    cached = (workspace.cache / "transcripts" / f"{key}.json").exists()
    return "transcribed" if cached else "new"


def _edited(path: Path, workspace: Workspace) -> bool:
    entry = workspace.manifest.entry(path)
    return bool(entry) and path.exists() and sha256_file(path) != entry["sha256"]


def watch_folder(folder: Path, options: DraftOptions, workspace: Workspace, settle: float, report):
    """Draft each memo once it has stopped growing for settle seconds; runs until interrupted."""
    import time

    sizes: dict[Path, tuple[int, float]] = {}  # path → (size, when that size was first seen)
    handled: dict[Path, tuple[int, float]] = {}  # path → (size, mtime) when it was drafted
    while True:
        now = time.monotonic()
        ready = []
        for path in discover(folder).recordings:
            try:
                stat = path.stat()
            except FileNotFoundError:  # gone again between the listing and now
                continue
            if handled.get(path) == (stat.st_size, stat.st_mtime):
                continue
            size, since = sizes.get(path, (-1, now))
            if size != stat.st_size:
                sizes[path] = (stat.st_size, now)
            elif now - since >= settle:
                ready.append(path)
                handled[path] = (stat.st_size, stat.st_mtime)
        if ready:
            report(run_batch(ready, options, workspace))
        time.sleep(min(1.0, settle / 3))
