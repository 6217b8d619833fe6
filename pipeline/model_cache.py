"""~/.cache/voiceblog: what is worth keeping between workspaces (the Whisper weights and the
local LLM, joined from their packages once). Shared by transcription and the LLM, so it
imports no stage."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache() -> Path:
    """~/.cache/voiceblog (or under $XDG_CACHE_HOME): what is worth keeping between workspaces."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "voiceblog"
