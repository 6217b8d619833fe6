"""voiceblog: turn dictated voice memos into editable, sectioned blog drafts.

The front door, for use from Python::

    import voiceblog
    result = voiceblog.draft("recordings/memo.m4a", format="md")
    print(result.draft.title, result.paths)

Settings are voiceblog.toml's names (pipeline/settings.py), resolved as the command line
resolves them: the keywords given, over VOICEBLOG_* variables, over the workspace's
voiceblog.toml, over the defaults; vocabulary.txt where no vocab is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the stages import Whisper's and the LLM's helpers: loaded when used
    from voiceblog.flow import Result
    from voiceblog.transcription.transcript import Transcript

__version__ = "0.1.0"
__all__ = ["Result", "draft", "transcribe"]


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
    from voiceblog import flow, memory
    from voiceblog import settings as table
    from voiceblog.options import draft_options, keywords, resolve

    if tune_memory:
        memory.allow_keeping_freed_memory()
    place = _workspace(workspace)
    resolved = resolve(place, keywords(settings, table.DRAFTING))
    if workspace is not None and not resolved.values["drafts"].is_absolute():
        resolved.values["drafts"] = place.root / resolved.values["drafts"]
    options = draft_options(place, resolved)
    return flow.draft_memo(Path(path), options, place)


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
    from voiceblog import flow, memory
    from voiceblog import settings as table
    from voiceblog.options import keywords, resolve, transcribe_options

    if tune_memory:
        memory.allow_keeping_freed_memory()
    place = _workspace(workspace)
    resolved = resolve(place, keywords(settings, table.TRANSCRIPTION), table.TRANSCRIPTION)
    return flow.transcribed(Path(path), transcribe_options(place, resolved, words), place).corrected


def _workspace(folder: str | Path | None):
    from voiceblog.workspace import Workspace

    return Workspace(Path.cwd() if folder is None else Path(folder))


def __getattr__(name: str):
    """Result, imported when first asked for (the flow imports every stage)."""
    if name == "Result":
        from voiceblog.flow import Result

        return Result
    raise AttributeError(f"module 'voiceblog' has no attribute {name!r}")
