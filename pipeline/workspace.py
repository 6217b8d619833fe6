"""The workspace: recordings/, drafts/, the .voiceblog/ cache and the manifest of written drafts."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHE_DIRNAME = ".voiceblog"


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
    """Write data to path so that readers see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; a draft is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_mode() -> int:
    """The mode open() would give a new file under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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

    @property
    def manifest(self) -> Manifest:
        return Manifest(self.cache / "manifest.json")


class Manifest:
    """Remembers what voiceblog last wrote at each draft path, to tell the user's edits apart."""

    def __init__(self, path: Path):
        self.path = path

    def _load(self) -> dict[str, dict]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            # A damaged manifest must not lose drafts: with no record, every existing draft
            # counts as the user's and is left alone.
            return {}

    def entry(self, draft_path: Path) -> dict | None:
        return self._load().get(str(draft_path.resolve()))

    def draft_of(self, source_hash: str) -> Path | None:
        """The latest draft voiceblog wrote of this memo that still exists, Markdown first."""
        paths = [Path(p) for p, e in self._load().items() if e.get("source") == source_hash]
        existing = sorted((p for p in paths if p.exists()), key=lambda p: p.stat().st_mtime)
        markdown = [p for p in existing if p.suffix == ".md"]
        return (markdown or existing or [None])[-1]

    def record(self, draft_path: Path, content_hash: str, source_hash: str) -> None:
        entries = self._load()
        entries[str(draft_path.resolve())] = {"sha256": content_hash, "source": source_hash}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(entries, indent=1, sort_keys=True).encode())
