"""The workspace: recordings/, drafts/, the .voiceblog/ cache and the manifest of written drafts."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CACHE_DIRNAME = ".voiceblog"
LOCK_WAIT_SECONDS = 60  # another voiceblog writing the same record finishes well within this

log = logging.getLogger("voiceblog")


def as_shown(path: Path) -> Path:
    """The path as the user would write it from here, where it is under here; else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's content, read in blocks so long memos do not load at once."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes) -> None:
    """Write data to path so that readers see the old file or the new one, never half of one.

    An OSError (a full disk, a folder that cannot be written) names path, not the temporary
    file, so the one line the user sees says which file could not be written.
    """
    try:
        _write_then_replace(path, data)
    except OSError as e:
        raise OSError(e.errno, f"cannot write it: {e.strerror or e}", str(path)) from e


def _write_then_replace(path: Path, data: bytes) -> None:
    tmp = _temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temporary(path: Path, data: bytes, kind: str = "tmp") -> Path:
    """data in a new hidden file beside path, on disk (fsynced), ready to be renamed onto it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".{kind}")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; a draft is an ordinary file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


@contextlib.contextmanager
def replaced_together(files: list[tuple[Path, bytes]]):
    """Write several files as a set: each to a temporary file first (a full disk stops here,
    nothing replaced), then all replaced. If a replacement fails, or the block inside the
    `with` does (say, recording them), the files already replaced are put back as they were.
    An OSError names the file that could not be written."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    replaced: list[Path] = []
    try:
        for path, data in files:
            temps[path] = _named(path, _temporary, path, data)
        for path, _ in files:
            backups[path] = _named(path, _backup, path)
        for path, _ in files:
            _named(path, os.replace, temps.pop(path), path)
            replaced.append(path)
        yield
    except BaseException:
        for path in reversed(replaced):
            _put_back(path, backups.get(path))
        raise
    finally:
        for leftover in [*temps.values(), *filter(None, backups.values())]:
            leftover.unlink(missing_ok=True)


def _named(path: Path, operation, *args):
    """operation(*args), its OSError naming path (not a temporary file) as the one at fault."""
    try:
        return operation(*args)
    except OSError as e:
        raise OSError(e.errno, f"cannot write it: {e.strerror or e}", str(path)) from e


def _backup(path: Path) -> Path | None:
    """A copy of what is at path now, to put back if the set fails; None when nothing is."""
    if not path.is_symlink() and not path.exists():
        return None
    backup = Path(tempfile.mktemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
    try:
        os.link(path, backup, follow_symlinks=False)  # instant, and the same file exactly
    except OSError:  # no hard links here (or an immutable file): a copy does
        shutil.copy2(path, backup, follow_symlinks=False)
    return backup


def _put_back(path: Path, backup: Path | None) -> None:
    with contextlib.suppress(OSError):  # the error that got us here is the one to report
        if backup is None:
            path.unlink()
        else:
            os.replace(backup, path)


def _file_mode() -> int:
    """The mode open() would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_records(path: Path, valid=lambda entry: isinstance(entry, dict)) -> dict[str, dict]:
    """The JSON object of records in path; {} when there is none yet.

    A damaged file, or one of the wrong shape, is set aside as <name>.corrupt-<time>.json with a
    warning naming it: never a traceback, never silently thrown away.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        return _set_aside(path, f"unreadable: {e}")
    if not isinstance(data, dict) or not all(valid(v) for v in data.values()):
        return _set_aside(path, "not the records voiceblog writes")
    return data


def _set_aside(path: Path, reason: str) -> dict:
    aside = path.with_name(f"{path.stem}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}.json")
    with contextlib.suppress(OSError):
        os.replace(path, aside)
    log.warning("%s was damaged (%s); set aside as %s, starting afresh", path, reason, aside.name)
    return {}


@contextlib.contextmanager
def records_lock(path: Path):
    """An OS file lock beside path: concurrent voiceblog runs read, change and write a record
    file one at a time, so none loses another's entries."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path.with_name(path.name + ".lock")))
    try:
        with lock.acquire(timeout=LOCK_WAIT_SECONDS):
            yield
    except Timeout as e:
        raise OSError(f"{path} is locked by another voiceblog for over a minute") from e


class MemoLock:
    """An OS file lock on one memo's work (by its audio hash), held from transcription to the
    recorded result, so two voiceblog runs in one workspace never draft the same memo at once.

    The OS releases it when the holder dies, even by SIGKILL. Who holds it is written beside
    it, so a run that has to wait can say for whom.
    """

    def __init__(self, cache: Path, audio_hash: str, recording: str):
        from filelock import FileLock

        folder = cache / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        # thread_local=False: batch takes it while transcribing and releases it in the
        # drafting thread once the draft is written.
        self._lock = FileLock(str(folder / f"{audio_hash}.lock"), thread_local=False)
        self._holder = folder / f"{audio_hash}.holder"
        self.recording = recording

    def try_acquire(self) -> bool:
        from filelock import Timeout

        try:
            self._lock.acquire(blocking=False)
        except Timeout:
            return False
        self._say_who_holds_it()
        return True

    def acquire(self) -> None:
        """Wait for the lock; say once whom we wait for."""
        if not self.try_acquire():
            log.info("%s: waiting for %s, which is drafting it", self.recording, self.holder())
            self._lock.acquire()
            self._say_who_holds_it()

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def holder(self) -> str:
        """Who holds the lock, in words: "voiceblog process 4242 (batch, since 20:41:07)"."""
        try:
            return self._holder.read_text(encoding="utf-8").strip()
        except OSError:
            return "another voiceblog run"

    def _say_who_holds_it(self) -> None:
        import sys

        command = next((a for a in sys.argv[1:] if not a.startswith("-")), "voiceblog")
        since = time.strftime("%H:%M:%S")
        with contextlib.suppress(OSError):  # only ever read to word a message
            atomic_write(
                self._holder, f"voiceblog process {os.getpid()} ({command}, since {since})".encode()
            )

    def __enter__(self) -> MemoLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


@dataclass(frozen=True)
class Workspace:
    """Where a user keeps memos and drafts; by default the current directory."""

    root: Path

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

    @property
    def drafts(self) -> Path:
        return self.root / "drafts"

    @property
    def prompts(self) -> Path:
        return self.root / "prompts"

    @property
    def config_file(self) -> Path:
        return self.root / "voiceblog.toml"

    def vocabulary(self) -> str:
        """The names and jargon in vocabulary.txt, one per line or comma-separated ("" if none)."""
        try:
            text = (self.root / "vocabulary.txt").read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        lines = [line.split("#", 1)[0] for line in text.splitlines()]
        terms = [term.strip() for line in lines for term in line.split(",")]
        return ", ".join(term for term in terms if term)

    @property
    def cache(self) -> Path:
        return self.root / CACHE_DIRNAME

    def cache_dir(self, kind: str) -> Path:
        path = self.cache / kind
        path.mkdir(parents=True, exist_ok=True)
        return path

    def memo_lock(self, audio_hash: str, recording: str) -> MemoLock:
        return MemoLock(self.cache, audio_hash, recording)

    @property
    def manifest(self) -> Manifest:
        return Manifest(self.cache / "manifest.json")


class Manifest:
    """Remembers what voiceblog last wrote at each draft path, to tell the user's edits apart.

    Paths are kept relative to the workspace, so a workspace moved or renamed keeps its records.
    """

    def __init__(self, path: Path):
        self.path = path
        self.root = path.parent.parent  # <workspace>/.voiceblog/manifest.json

    @property
    def written_folder(self) -> Path:
        """What voiceblog wrote, by content hash: the base a re-draft merges an edit with."""
        return self.path.parent / "written"

    def keep_written(self, data: bytes) -> None:
        """Keep a Markdown draft as voiceblog wrote it, under the hash the manifest records."""
        self.written_folder.mkdir(parents=True, exist_ok=True)
        kept = self.written_folder / f"{sha256_bytes(data)}.md"
        if not kept.exists():
            atomic_write(kept, data)

    def written(self, draft_path: Path) -> str | None:
        """What voiceblog last wrote at draft_path, if it kept it (older versions did not)."""
        entry = self.entry(draft_path)
        try:
            return (self.written_folder / f"{entry['sha256']}.md").read_text(encoding="utf-8")
        except (TypeError, OSError, UnicodeDecodeError):
            return None

    def _load(self) -> dict[str, dict]:
        # A damaged manifest must not lose drafts: with no record, an existing draft voiceblog
        # did not just write again byte for byte counts as the user's and is left alone.
        return read_records(self.path, lambda e: isinstance(e, dict) and "sha256" in e)

    def _key(self, draft_path: Path) -> str:
        resolved = draft_path.resolve()
        try:
            return resolved.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(resolved)  # drafts outside the workspace (--drafts elsewhere)

    def _path(self, key: str) -> Path:
        return Path(key) if Path(key).is_absolute() else self.root / key

    def entry(self, draft_path: Path) -> dict | None:
        return self._load().get(self._key(draft_path))

    def drafts(self) -> list[tuple[Path, dict]]:
        """Every draft path recorded, with its record (the file may be gone since)."""
        return [(self._path(key), entry) for key, entry in self._load().items()]

    def draft_of(self, source_hash: str) -> Path | None:
        """The latest draft voiceblog wrote of this memo that still exists, Markdown first."""
        entries = self._load().items()
        paths = [self._path(key) for key, e in entries if e.get("source") == source_hash]
        existing = sorted((p for p in paths if p.exists()), key=lambda p: p.stat().st_mtime)
        markdown = [p for p in existing if p.suffix == ".md"]
        return (markdown or existing or [None])[-1]

    def record(self, draft_path: Path, content_hash: str, source_hash: str) -> None:
        self.record_all([(draft_path, content_hash)], source_hash)

    def record_all(self, drafts: list[tuple[Path, str]], source_hash: str) -> None:
        """(path, content hash) of each draft written of one memo, in one write."""
        with records_lock(self.path):  # read, change, write: one voiceblog at a time
            entries = self._load()
            replaced = {entries.get(self._key(path), {}).get("sha256") for path, _ in drafts}
            for draft_path, content_hash in drafts:
                entries[self._key(draft_path)] = {"sha256": content_hash, "source": source_hash}
            atomic_write(self.path, json.dumps(entries, indent=1, sort_keys=True).encode())
            self._forget_written(replaced - {e["sha256"] for e in entries.values()})

    def _forget_written(self, hashes: set) -> None:
        """The kept drafts no path records any more: no re-draft can merge with them."""
        for content_hash in filter(None, hashes):
            with contextlib.suppress(OSError):
                (self.written_folder / f"{content_hash}.md").unlink()
