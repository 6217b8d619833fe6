"""Which workspaces the user trusts with their API keys, kept in the user's own config folder.

A workspace's voiceblog.toml may come from anyone (a cloned repository, a shared folder): its
api_base would otherwise receive the user's key, and its then command would run whatever it
says after every draft. Until the user runs `voiceblog config --trust` in it, requests to an
api_base from voiceblog.toml carry no key and its then command does not run. Workspaces are
recorded by their resolved path, outside any workspace, so a folder cannot trust itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from voiceblog.workspace import atomic_write

TRUST_FILE = "trusted-workspaces.json"


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$XDG_CONFIG_HOME/voiceblog, or ~/.config/voiceblog."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "voiceblog"


def trusted_workspaces() -> list[str]:
    try:
        data = json.loads((config_dir() / TRUST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # none yet, or unreadable: trusting nothing is the safe reading
    workspaces = data.get("workspaces") if isinstance(data, dict) else None
    return [w for w in workspaces if isinstance(w, str)] if isinstance(workspaces, list) else []


def is_trusted(root: Path) -> bool:
    return str(root.resolve()) in trusted_workspaces()


def set_trust(root: Path, trusted: bool) -> Path:
    """Trust the workspace at root (or stop trusting it); returns the file that records it."""
    here = str(root.resolve())
    workspaces = [w for w in trusted_workspaces() if w != here] + ([here] if trusted else [])
    path = config_dir() / TRUST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({"workspaces": workspaces}, indent=1).encode())
    return path
