"""A folder of memos: find them, draft the new and changed, skip the finished, keep going.

Transcription (CPU) of the next memo overlaps the LLM stage (network) of the one before. What is
finished is remembered in .voiceblog/state.json (pipeline/state.py) after every memo, so a run
killed at any moment loses at most the memo in flight, and the next run redoes nothing.
Concurrent runs in one workspace share the work: each memo is drafted under its own OS lock.
"""

from __future__ import annotations

import contextlib
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceblog.audio import check_readable, read_recording
from voiceblog.errors import LLMError, VoiceblogError, describe
from voiceblog.flow import DraftOptions, draft_and_record, run_then, transcribe_recording
from voiceblog.llm import LLMHealth
from voiceblog.state import State, verdict
from voiceblog.transcription.corrections import memo_fingerprint
from voiceblog.transcription.run import cached_transcript
from voiceblog.workspace import Workspace, sha256_file

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


class Batch:
    """Draft every recording, transcribing one while the LLM stage of the last is in flight.

    A memo another voiceblog run is drafting (its lock is held) is put off to the end, then
    waited for, and skipped if that run drafted it. Nothing here handles Ctrl-C: the command
    line runs a batch in a worker thread and, on Ctrl-C, reports `so_far()` and exits at once
    (every file is written atomically, so nothing half-written is left).
    """

    def __init__(
        self,
        recordings: list[Path],
        options: DraftOptions,
        workspace: Workspace,
        found: Discovery | None = None,
    ):
        self.recordings = recordings
        self.found = found or Discovery(list(recordings))  # what the folder held, if one
        self.options = options
        self.workspace = workspace
        self.state = State(workspace)
        self._results: dict[Path, Outcome | Future] = {}
        self._seen: dict[str, str] = {}  # audio hash → the name it was first met under
        self._drafting = ThreadPoolExecutor(max_workers=1)  # one LLM stage at a time, in order

    @classmethod
    def of_folder(cls, folder: Path, options: DraftOptions, workspace: Workspace) -> Batch:
        """The batch of every memo in folder (discover())."""
        found = discover(folder)
        return cls(found.recordings, options, workspace, found)

    def run(self) -> list[Outcome]:
        try:
            put_off = []
            for number, path in enumerate(self.recordings, start=1):
                log.info("[%d/%d] %s", number, len(self.recordings), path.name)
                if (result := self._start(path, wait=False)) is None:
                    put_off.append(path)
                else:
                    self._results[path] = result
            for path in put_off:
                self._results[path] = self._start(path, wait=True)
            return [self._outcome(path, wait=True) for path in self.recordings]
        finally:
            self._drafting.shutdown(wait=False, cancel_futures=True)

    def so_far(self) -> list[Outcome]:
        """Every recording's outcome as far as the batch got; the unfinished ones "stopped"."""
        return [self._outcome(path, wait=False) for path in self.recordings]

    def _outcome(self, path: Path, wait: bool) -> Outcome:
        result = self._results.get(path)
        if isinstance(result, Future):
            finished = wait or (result.done() and not result.cancelled())
            result = result.result() if finished else None
        return result or Outcome(path, "stopped", "interrupted before it was drafted")

    def _start(self, path: Path, wait: bool) -> Outcome | Future | None:
        """Transcribe here and now and hand the rest to the drafting thread; None when another
        run holds the memo and wait is False."""
        audio_hash = lock = None
        try:
            check_readable(path)
            audio_hash = sha256_file(path)
            if self._seen.get(audio_hash, path.name) != path.name:
                return Outcome(path, "skipped", f"same audio as {self._seen[audio_hash]}")
            self._seen[audio_hash] = path.name
            lock = self.workspace.memo_lock(audio_hash, path.name)
            if not lock.try_acquire():
                if not wait:
                    log.info("%s: %s is drafting it; coming back to it", path.name, lock.holder())
                    return None
                lock.acquire()
            if skipped := self._skip(path, audio_hash):
                lock.release()
                return skipped
            self._check_required_llm()
            transcript = transcribe_recording(path, audio_hash, self.options, self.workspace)
        except Exception as e:  # noqa: BLE001 (one memo's failure never stops the others)
            if lock:
                lock.release()
            return self._failed(path, audio_hash, e)
        return self._drafting.submit(self._finish, path, audio_hash, transcript, lock)

    def _skip(self, path: Path, audio_hash: str) -> Outcome | None:
        if self.options.force:
            return None
        self.state.reload()  # another run may have drafted it a moment ago
        standing = verdict_of(audio_hash, self.options, self.state, self.workspace)
        if not standing.finished:
            return None
        earlier = self.state.entries[audio_hash]["recording"]
        same = "" if earlier == path.name else f" (same audio as {earlier})"
        return Outcome(path, "skipped", f"already drafted{same}")

    def _check_required_llm(self) -> None:
        """With --require-llm, a memo after the LLM has stopped answering fails at once,
        without a transcription it could not use."""
        llm, health = self.options.llm, self.options.llm_health
        if llm and llm.require_llm and health and health.down:
            raise LLMError(f"{health.given_up(llm)} (no draft: --require-llm is set)")

    def _finish(self, path, audio_hash, transcript, lock) -> Outcome:
        try:
            result = draft_and_record(
                path, audio_hash, transcript, self.options, self.workspace, self.state
            )
        except Exception as e:  # noqa: BLE001 (one memo's failure never stops the others)
            return self._failed(path, audio_hash, e)
        finally:
            lock.release()
        # Recorded and unlocked first: a slow command holds up no other run, and a run killed
        # while it runs finds the memo drafted.
        run_then(self.options, path, result)
        return Outcome(path, "drafted", files=list(result.paths))

    def _failed(self, path: Path, audio_hash: str | None, error: Exception) -> Outcome:
        reason = describe(error)
        if audio_hash:
            with contextlib.suppress(OSError):  # a full disk may refuse the record too
                self.state.failed(audio_hash, path, reason)
        return Outcome(path, "failed", reason)


def run_batch(recordings: list[Path], options: DraftOptions, workspace: Workspace) -> list[Outcome]:
    return Batch(recordings, options, workspace).run()


def verdict_of(audio_hash: str, options: DraftOptions, state: State, workspace: Workspace):
    return standing_of(audio_hash, options, state, workspace)[0]


def standing_of(audio_hash: str, options: DraftOptions, state: State, workspace: Workspace):
    """(the memo's verdict, its cached transcript with these options or None)."""
    cached = cached_transcript(audio_hash, options.transcription, workspace)
    drafted_with = state.entries.get(audio_hash, {}).get("options")
    fingerprint = memo_fingerprint(options.fingerprint_against(drafted_with), audio_hash, workspace)
    return verdict(audio_hash, fingerprint, cached is not None, state, workspace), cached


def recording_status(path: Path, options: DraftOptions, workspace: Workspace) -> str:
    """The memo's verdict, in the words `status` prints, and its language once transcribed."""
    try:
        check_readable(path)
        audio_hash = sha256_file(path)
    except (VoiceblogError, OSError) as e:
        return f"failed: {describe(e)}"
    standing, cached = standing_of(audio_hash, options, State(workspace), workspace)
    if standing.kind == "new" and (problem := arrival_problem(path)):
        return f"still arriving or damaged: {problem}"
    if cached is None:
        return str(standing)
    if cached.ends_early and standing.kind == "transcribed":
        return f"transcribed from an incomplete recording ({cached.ends_early}) [{cached.language}]"
    return f"{standing} [{cached.language}]"


def arrival_problem(path: Path) -> str:
    """Why the file is not a whole recording yet ("" when it decodes to its end)."""
    try:
        return read_recording(path).ends_early
    except VoiceblogError as e:
        return str(e).removeprefix(f"{path}: ")


class Watcher:
    """Drafts each memo that appears in a folder once it is complete; runs until interrupted.

    Complete means: size and modification time unchanged for settle seconds, and the file
    decodes to its end. One that does not (a sync still copying, an m4a whose index is not
    written yet) is "still arriving or damaged": said once, looked at again when it changes,
    never drafted.
    """

    def __init__(self, folder, options, workspace, settle: float, report):
        self.folder, self.options, self.workspace = folder, options, workspace
        self.settle, self.report = settle, report
        self.batch: Batch | None = None  # the one in progress, for a summary on Ctrl-C
        self._sizes: dict[Path, tuple[int, float, float]] = {}  # size, mtime, when first seen
        self._looked_at: dict[Path, tuple[int, float]] = {}  # (size, mtime) when last judged

    def run(self) -> None:
        while True:
            if ready := self._complete(self._settled()):
                # A server that was not answering for the last memos gets another chance.
                options = replace(self.options, llm_health=self.options.llm and LLMHealth())
                self.batch = Batch(ready, options, self.workspace)
                self.report(self.batch.run())
                self.batch = None
            time.sleep(min(1.0, self.settle / 3))

    def _settled(self) -> list[Path]:
        """The files unchanged for settle seconds and not judged in this state before."""
        now = time.monotonic()
        settled = []
        for path in discover(self.folder).recordings:
            try:
                stat = path.stat()
            except FileNotFoundError:  # gone again between the listing and now
                continue
            seen = (stat.st_size, stat.st_mtime)
            if self._looked_at.get(path) == seen:
                continue
            size, mtime, since = self._sizes.get(path, (-1, -1.0, now))
            if (size, mtime) != seen:
                self._sizes[path] = (*seen, now)
            elif now - since >= self.settle:
                settled.append(path)
                self._looked_at[path] = seen
        return settled

    def _complete(self, paths: list[Path]) -> list[Path]:
        """The settled files to draft: not already drafted, and whole."""
        state = State(self.workspace)
        complete = []
        for path in paths:
            try:
                audio_hash = sha256_file(path)
            except OSError:  # gone or unreadable: judged again when it changes
                continue
            standing = verdict_of(audio_hash, self.options, state, self.workspace)
            if standing.finished and not self.options.force:
                continue  # drafted before watch started: no need to decode it
            if problem := arrival_problem(path):
                log.warning(
                    "%s: still arriving or damaged (%s); waiting for it to change", path, problem
                )
            else:
                complete.append(path)
        return complete
