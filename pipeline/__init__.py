"""voiceblog: turn dictated voice memos into editable, sectioned blog drafts.

The front door, for use from Python::

    import voiceblog
    result = voiceblog.draft("recordings/memo.m4a", format="md")
    print(result.draft.title, result.paths)

    drafts = voiceblog.drafter(llm="ollama/llama3.1")   # settings resolved once
    outcomes = drafts.batch("recordings").run()          # what `voiceblog batch` does

Settings are voiceblog.toml's names (pipeline/settings.py), resolved as the command line
resolves them: the keywords given, over VOICEBLOG_* variables, over the workspace's
voiceblog.toml, over the defaults; vocabulary.txt where no vocab is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stages import Whisper's and the LLM's helpers: loaded when used
    from voiceblog.batch import Batch, Watcher
    from voiceblog.flow import DraftOptions, Heard, Result
    from voiceblog.transcription.options import TranscribeOptions
    from voiceblog.transcription.transcript import Transcript
    from voiceblog.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["Drafter", "Result", "draft", "drafter", "heard", "transcribe"]


def draft(
    path: str | Path,
    *,
    workspace: str | Path | None = None,
    tune_memory: bool = False,
    **settings,
) -> Result:
    """Draft one memo, as `voiceblog draft PATH` does: the Draft, the files written, and for an
    LLM draft the faithfulness report. The memo is locked while it is drafted and recorded
    where `voiceblog status` and `batch` look.

    workspace: the folder with voiceblog.toml, vocabulary.txt and .voiceblog/ (default: the
    current one); a relative drafts folder is under it. tune_memory: let Whisper's engine set
    this process's C allocator (one arena, no trimming; 28% faster encoding), as the command
    line does; off by default, since it holds for the whole process.
    """
    return drafter(workspace=workspace, tune_memory=tune_memory, **settings).draft(Path(path))


def drafter(
    *,
    workspace: str | Path | None = None,
    tune_memory: bool = False,
    on_progress=None,
    on_llm_progress=None,
    **settings,
) -> Drafter:
    """A Drafter of these settings, for several memos, a folder, a merge or an append:
    settings resolved and checked once, as for draft(). on_progress(seconds done, seconds in
    all) is told how far transcription has come, on_llm_progress(chunks done, chunks in all)
    how far the LLM's cleanup has."""
    from voiceblog import settings as table
    from voiceblog.options import draft_options, keywords, resolve

    _tune(tune_memory)
    place = _workspace(workspace)
    resolved = resolve(place, keywords(settings, table.DRAFTING))
    if workspace is not None and not resolved.values["drafts"].is_absolute():
        resolved.values["drafts"] = place.root / resolved.values["drafts"]
    options = draft_options(
        place, resolved, on_progress=on_progress, on_llm_progress=on_llm_progress
    )
    return Drafter(place, options)


@dataclass(frozen=True)
class Drafter:
    """Memos drafted with one set of settings: what each `voiceblog` command that drafts does,
    the command line's way in as well as a program's. Every memo is drafted under its lock and
    recorded where `status` and `batch` look, then the `then` command runs for it."""

    workspace: Workspace
    options: DraftOptions

    def draft(self, path: Path) -> Result:
        """One memo, transcribed (or its cached transcript) and drafted: `voiceblog draft`."""
        from voiceblog.flow import draft_memo

        return draft_memo(Path(path), self.options, self.workspace)

    def redraft(self, path: Path) -> Result:
        """One memo drafted again from its cached transcript, nothing transcribed: `redraft`."""
        from voiceblog.flow import draft_memo

        return draft_memo(Path(path), self.options, self.workspace, from_cache=True)

    def append(self, path: Path, to: Path) -> Result:
        """The memo added at the end of the Markdown draft `to`, the person's edits to it kept:
        `draft --append`."""
        from voiceblog.flow import append_memo

        return append_memo(Path(path), Path(to), self.options, self.workspace)

    def merge(self, paths: list[Path], title: str) -> Result:
        """Memos dictated in pieces drafted as one post titled title: `draft --into`."""
        from voiceblog.flow import draft_merged

        return draft_merged([Path(p) for p in paths], title, self.options, self.workspace)

    def review(self, target: Path) -> Path:
        """The review page of a recording or of a Markdown draft voiceblog wrote: `review`."""
        from voiceblog.flow import recording_of, review_recording

        draft_path, recording = recording_of(Path(target), self.workspace)
        return review_recording(recording, draft_path, self.options, self.workspace)

    def batch(self, folder: Path) -> Batch:
        """Every memo in folder, to draft with .run() (the new and changed ones; finished ones
        skipped): `batch`. Its .found says what else the folder held."""
        from voiceblog.batch import Batch

        return Batch.of_folder(Path(folder), self.options, self.workspace)

    def status(self, folder: Path) -> list[tuple[Path, str]]:
        """Every memo in folder and where it stands, in the words `status` prints."""
        from voiceblog.batch import discover, recording_status

        found = discover(Path(folder)).recordings
        return [(path, recording_status(path, self.options, self.workspace)) for path in found]

    def watch(self, folder: Path, settle: float = 3.0, report=None) -> Watcher:
        """A Watcher that drafts each memo appearing in folder once it stops growing for
        settle seconds, until interrupted (.run()): `watch`. report(outcomes) is told of each
        round drafted."""
        from voiceblog.batch import Watcher

        return Watcher(Path(folder), self.options, self.workspace, settle, report or _ignore)


def transcribe(
    path: str | Path,
    *,
    workspace: str | Path | None = None,
    words: bool = False,
    tune_memory: bool = False,
    **settings,
) -> Transcript:
    """The memo's transcript, as `voiceblog transcribe PATH` prints it (cached; as the person
    corrected it, if they did). words: word timings on every segment. Settings: the
    transcription ones (engine, model, language, vocab, threads, device,
    transcription_api_base); workspace and tune_memory as for draft()."""
    from voiceblog import settings as table
    from voiceblog.options import keywords, resolve, transcribe_options

    _tune(tune_memory)
    place = _workspace(workspace)
    resolved = resolve(place, keywords(settings, table.TRANSCRIPTION), table.TRANSCRIPTION)
    return heard(path, transcribe_options(place, resolved, words), place).corrected


def heard(
    path: str | Path, options: TranscribeOptions, workspace: Workspace, on_progress=None
) -> Heard:
    """The memo's transcript as Whisper heard it and as the person corrected it, with its
    audio's hash: what `voiceblog transcribe` prints and `transcribe --edit` opens."""
    from voiceblog.flow import transcribed

    return transcribed(Path(path), options, workspace, on_progress)


def _tune(tune_memory: bool) -> None:
    if tune_memory:
        from voiceblog import memory

        memory.allow_keeping_freed_memory()


def _ignore(outcomes) -> None:
    """A watch with no one to tell: each round's outcomes are in the workspace's records."""


def _workspace(folder: str | Path | None):
    from voiceblog.workspace import Workspace

    return Workspace(Path.cwd() if folder is None else Path(folder))


def __getattr__(name: str):
    """Result, imported when first asked for (the flow imports every stage)."""
    if name == "Result":
        from voiceblog.flow import Result

        return Result
    raise AttributeError(f"module 'voiceblog' has no attribute {name!r}")
