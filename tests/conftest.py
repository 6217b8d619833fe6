from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

sys.path.insert(0, str(Path(__file__).parent))  # helpers and llm_server, tests/ is no package

from helpers import encode, run  # noqa: E402

DATA = Path(__file__).parent / "data"
# Where voiceblog keeps a workspace's transcripts, one file per cache key (the audio's content
# hash with the options that change what Whisper writes).
TRANSCRIPTS = Path(".voiceblog") / "transcripts"


@pytest.fixture(scope="session")
def transcript_store(tmp_path_factory) -> Path:
    """Every transcript voiceblog made during this test run, under its own cache key: a memo
    dozens of tests draft is transcribed once. Only transcripts: drafts, manifests, state and
    LLM replies stay each test's own."""
    return tmp_path_factory.mktemp("transcripts")


@pytest.fixture(autouse=True)
def workspace(tmp_path, monkeypatch, request, transcript_store) -> Path:
    """Every test runs in its own workspace, with no settings from the machine and the run's
    transcripts already cached; a test marked fresh_cache starts with an empty cache."""
    without_the_machines_settings(monkeypatch, tmp_path / "config")
    root = tmp_path / "workspace"
    root.mkdir()
    monkeypatch.chdir(root)
    if request.node.get_closest_marker("fresh_cache"):
        yield root
        return
    seed_transcripts(root, transcript_store)
    yield root
    keep_transcripts(root, transcript_store)


def without_the_machines_settings(monkeypatch: pytest.MonkeyPatch, config: Path) -> None:
    for name in list(os.environ):
        if name.startswith("VOICEBLOG_") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the model must come from the installed package
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))  # trusted workspaces


@pytest.fixture(scope="session")
def transcribed(transcript_store, tmp_path_factory) -> Callable[[Path], Result]:
    """transcribed(memo): `voiceblog transcribe memo` in a workspace of its own that holds the
    run's transcripts, the memo's then kept among them. For a module whose tests each start
    from a memo already transcribed: it is transcribed once a run, whichever module asks."""

    def transcribe_once(memo: Path) -> Result:
        folder = tmp_path_factory.mktemp("transcribed")
        seed_transcripts(folder, transcript_store)
        with pytest.MonkeyPatch.context() as monkeypatch, contextlib.chdir(folder):
            without_the_machines_settings(monkeypatch, folder / "config")
            result = run("transcribe", memo)
        keep_transcripts(folder, transcript_store)
        return result

    return transcribe_once


def seed_transcripts(root: Path, store: Path) -> None:
    """The run's transcripts into the workspace's cache (none yet: no cache folder at all)."""
    if any(store.iterdir()):
        shutil.copytree(store, root / TRANSCRIPTS)


def keep_transcripts(root: Path, store: Path) -> None:
    """The transcripts this test made, into the run's store. One already there stays as it
    was; a file that is no transcript (a test may damage its own cache) is not kept."""
    for made in sorted((root / TRANSCRIPTS).glob("*.json")):
        if (store / made.name).exists() or not is_transcript(made):
            continue
        partial = store / f".{made.name}.partial"
        shutil.copyfile(made, partial)
        partial.replace(store / made.name)


def is_transcript(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")).get("segments"), list)
    except (OSError, ValueError, AttributeError):
        return False


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
