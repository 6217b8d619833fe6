from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # helpers and llm_server, tests/ is no package

from helpers import encode  # noqa: E402

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch) -> Path:
    """Every test runs in its own empty workspace, with no settings from the machine."""
    for name in list(os.environ):
        if name.startswith("VOICEBLOG_") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the model must come from the installed package
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # trusted workspaces
    root = tmp_path / "workspace"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def jfk(workspace) -> Path:
    """11 s of real human speech, copied into the workspace."""
    return Path(shutil.copy(DATA / "jfk.flac", workspace / "jfk.flac"))


@pytest.fixture
def cues_memo(workspace) -> Path:
    """A synthetic memo with spoken section cues (made by tools/make_memos.py)."""
    return Path(shutil.copy(DATA / "cues-memo.m4a", workspace / "cues-memo.m4a"))


@pytest.fixture(scope="session")
def jfk_formats(tmp_path_factory) -> dict[str, Path]:
    """jfk.flac re-encoded into every container a phone or laptop produces."""
    folder = tmp_path_factory.mktemp("formats")
    suffixes = [".m4a", ".mp3", ".ogg", ".webm", ".mp4", ".wav"]
    return {s: encode(DATA / "jfk.flac", folder / f"jfk{s}") for s in suffixes}
