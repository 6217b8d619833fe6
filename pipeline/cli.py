"""The voiceblog command line. It parses, calls a stage, and reports; the work is elsewhere."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from pipeline import __version__
from pipeline.config import load_settings
from pipeline.errors import VoiceblogError
from pipeline.workspace import Workspace

log = logging.getLogger("voiceblog")


class _StderrFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return f"Warning: {message}" if record.levelno >= logging.WARNING else message


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()  # stderr: stdout carries results only
    handler.setFormatter(_StderrFormatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voiceblog")
@click.option("-v", "--verbose", is_flag=True, help="Show debugging detail on stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Turn dictated voice memos into titled, sectioned blog drafts."""
    _setup_logging(verbose)
    workspace = Workspace(Path.cwd())
    try:
        settings = load_settings(workspace.config_file)
    except VoiceblogError as e:
        raise click.ClickException(str(e)) from e
    # voiceblog.toml sits under flags and VOICEBLOG_* variables: click's default_map layer.
    ctx.default_map = {name: settings for name in main.commands}
    ctx.obj = workspace


@main.command()
@click.argument("recordings", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--llm",
    envvar="VOICEBLOG_LLM",
    help="litellm model for cleanup and sectioning, e.g. gpt-4o-mini, ollama/llama3.1. "
    "Without it, drafts are made offline by rules.",
)
@click.option(
    "--api-base",
    envvar="VOICEBLOG_API_BASE",
    help="Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio).",
)
@click.option(
    "--model",
    envvar="VOICEBLOG_MODEL",
    default="tiny.en",
    show_default=True,
    help="Whisper model name, or a folder of CTranslate2 weights.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "docx", "all"]),
    envvar="VOICEBLOG_FORMAT",
    default="all",
    show_default=True,
    help="Which files to write.",
)
@click.option(
    "--drafts",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="VOICEBLOG_DRAFTS",
    default=Path("drafts"),
    show_default=True,
    help="Folder to write drafts to.",
)
@click.pass_obj
def draft(
    workspace: Workspace,
    recordings: tuple[Path, ...],
    llm: str | None,
    api_base: str | None,
    model: str,
    fmt: str,
    drafts: Path,
) -> None:
    """Draft each RECORDING; prints the path of every file written."""
    from pipeline.export import ensure_drafts_dir
    from pipeline.flow import DraftOptions
    from pipeline.llm import LLMSettings
    from pipeline.transcribe import TranscribeOptions

    options = DraftOptions(
        drafts=drafts,
        fmt=fmt,
        transcription=TranscribeOptions(model=model),
        llm=LLMSettings(model=llm, api_base=api_base or None) if llm else None,
    )
    try:
        ensure_drafts_dir(drafts)
    except VoiceblogError as e:
        raise click.ClickException(str(e)) from e
    failed = sum(not _draft_one(path, options, workspace) for path in recordings)
    _exit_with_failures(failed, len(recordings))


def _draft_one(path: Path, options, workspace: Workspace) -> bool:
    """Draft one recording, echoing its files; on failure say why in one line."""
    from pipeline.flow import draft_recording

    try:
        for written in draft_recording(path, options, workspace):
            click.echo(written)
    except VoiceblogError as e:
        click.echo(f"Error: {e}", err=True)
        return False
    return True


def _exit_with_failures(failed: int, total: int) -> None:
    """Never exit 0 after a failure; with several recordings, say how many failed."""
    if failed and total > 1:
        raise click.ClickException(f"{failed} of {total} recordings failed")
    if failed:
        raise SystemExit(1)
