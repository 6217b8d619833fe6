"""The voiceblog command line. It parses, calls a stage, and reports; the work is elsewhere."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from voiceblog import Drafter, __version__, heard
from voiceblog import settings as settings_table
from voiceblog.errors import VoiceblogError, describe
from voiceblog.memory import allow_keeping_freed_memory
from voiceblog.options import Resolved, resolve
from voiceblog.redact import printable, redact, shown
from voiceblog.transcription.formats import FORMATS as TRANSCRIPT_FORMATS
from voiceblog.workspace import Workspace, as_shown

log = logging.getLogger("voiceblog")


class _StderrFormatter(logging.Formatter):
    """Every line voiceblog logs, with no secret in it and file names' control characters
    escaped (a traceback under -v keeps its lines)."""

    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord({**record.__dict__, "msg": shown(record.getMessage())})
        safe.args = None
        message = redact(super().format(safe))
        return f"Warning: {message}" if record.levelno >= logging.WARNING else message


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler()  # stderr: stdout carries results only
    handler.setFormatter(_StderrFormatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False


class _Commands(click.Group):
    """The command group: an error no command turned into a message still gets one line
    (an OSError says which file; anything else is named as a bug, its traceback under -v)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 (no traceback reaches a user)
            raise click.ClickException(describe(e)) from e


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="voiceblog")
@click.option("-v", "--verbose", is_flag=True, help="Show debugging detail on stderr.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Turn dictated voice memos into titled, sectioned blog drafts."""
    import signal
    import threading

    # Ctrl-C always stops voiceblog, even when it was started by a process that ignores SIGINT
    # (Python then keeps the inherited "ignore", and watch would never stop).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    _setup_logging(verbose)
    # The process is voiceblog's own: Whisper's engine may set the C allocator (memory.py).
    allow_keeping_freed_memory()
    workspace = Workspace(Path.cwd())
    try:  # read once, checked before any command: voiceblog.toml and VOICEBLOG_* under flags
        ctx.meta["loaded"] = settings_table.load(workspace.config_file, os.environ)
    except VoiceblogError as e:
        raise click.ClickException(describe(e)) from e
    ctx.obj = workspace


def click_option(setting: settings_table.Setting):
    """The command-line option of a setting in pipeline/settings.py."""
    if setting.kind == "flag":
        return click.option(setting.flag, setting.python_name, is_flag=True, help=setting.help)
    types = {
        "text": str,
        "path": click.Path(path_type=Path, file_okay=False),
        "int": click.IntRange(min=setting.minimum),
        "float": click.FloatRange(min=setting.minimum),
        "choice": click.Choice(setting.choices),
    }
    return click.option(
        setting.flag,
        setting.python_name,
        type=types[setting.kind],
        default=setting.default,
        show_default=setting.default not in (None, "", 0),
        help=setting.help,
    )


def with_settings(settings):
    """A decorator adding the options of these settings, in order."""

    def add(command):
        for setting in reversed(settings):
            command = click_option(setting)(command)
        return command

    return add


transcription_options = with_settings(settings_table.TRANSCRIPTION)
drafting_options = with_settings(settings_table.DRAFTING)


def _resolved(settings: dict, table=settings_table.DRAFTING) -> Resolved:
    """The settings in effect: the flags given on the command line over VOICEBLOG_* over
    voiceblog.toml over the defaults (pipeline/options.py), as the library resolves them."""
    ctx = click.get_current_context()
    given = {
        name: value
        for name, value in settings.items()
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    }
    return resolve(ctx.obj, given, table, "flag", ctx.find_root().meta["loaded"])


def _progress_printer():
    """Audio seconds done and speed on one rewritten stderr line; nothing when not a terminal."""
    import sys
    import time

    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: float, total: float) -> None:
        speed = done / max(1e-6, time.monotonic() - started)
        line = f"\r  {done:,.0f} of {total:,.0f} s of audio, {speed:.1f}x real time"
        click.echo(line, err=True, nl=done >= total)

    return show


def _chunk_progress_printer():
    """Chunks the LLM has cleaned, of all, and the rate, on one rewritten stderr line; nothing
    when stderr is not a terminal. A local model takes minutes on a long memo."""
    import sys
    import time

    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        rate = 60 * done / max(1e-6, time.monotonic() - started)
        line = f"\r  LLM cleanup: {done} of {total} chunks, {rate:.1f} a minute"
        click.echo(line, err=True, nl=done >= total)

    return show


@main.command()
@click.argument("recording", type=click.Path(path_type=Path))
@transcription_options
@click.option(
    "--format",
    "transcript_format",
    type=click.Choice(TRANSCRIPT_FORMATS),
    default="txt",
    show_default=True,
    help="Output format.",
)
@click.option("--words", is_flag=True, help="Word-level timestamps (in json).")
@click.option(
    "--edit",
    is_flag=True,
    help="Correct the transcript in $VISUAL or $EDITOR; drafts of this audio then use it.",
)
@click.pass_obj
def transcribe(
    workspace: Workspace, recording: Path, transcript_format, words, edit, **settings
) -> None:
    """Print the transcript of RECORDING on stdout (as you corrected it, if you did)."""
    from voiceblog.options import transcribe_options
    from voiceblog.transcription.formats import render

    resolved = _resolved(settings, settings_table.TRANSCRIPTION)  # in click's thread
    options = transcribe_options(workspace, resolved, words)

    def work():
        return heard(recording, options, workspace, _progress_printer())

    try:
        memo = _interruptible(work, lambda: f"{recording} was not transcribed")
    except (VoiceblogError, OSError) as e:
        raise click.ClickException(describe(e)) from e
    if edit:
        _edit_transcript(workspace, recording, memo.audio_hash, memo.transcript)
        return
    click.echo(render(memo.corrected, transcript_format, words), nl=False)


def _edit_transcript(workspace: Workspace, recording: Path, audio_hash: str, transcript) -> None:
    """Open the memo's correctable transcript in the person's editor; with none set, say
    where it is. Its path is printed on stdout either way, as every file voiceblog makes."""
    import shlex
    import subprocess

    from voiceblog.transcription.corrections import (
        corrections_text,
        editable_file,
        offer_vocabulary,
    )

    path = editable_file(transcript, audio_hash, str(recording), workspace)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    click.echo(printable(str(as_shown(path))))
    if not editor:
        log.info("no VISUAL or EDITOR set: edit the file above, then voiceblog redraft")
        return
    try:
        finished = subprocess.run([*shlex.split(editor), str(path)], check=False).returncode
    except OSError as e:
        raise click.ClickException(f"cannot run your editor ({editor}): {describe(e)}") from e
    if finished != 0:
        log.warning("%s exited with %d; the file keeps what it saved", editor, finished)
    if corrections_text(audio_hash, workspace) is None:
        log.info("%s: no corrections; drafts use what Whisper heard", recording.name)
        return
    log.info("%s: corrected; voiceblog redraft %s uses your transcript", recording.name, recording)
    offer_vocabulary(recording.name, audio_hash, workspace)


@main.command()
@click.argument("recordings", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--into",
    metavar="TITLE",
    help="Merge the RECORDINGS, in the order given, into one post with this title.",
)
@click.option(
    "--append",
    "append_to",
    metavar="DRAFT",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Add the RECORDINGS at the end of this Markdown draft, keeping your edits to it.",
)
@drafting_options
@click.pass_obj
def draft(
    workspace: Workspace,
    recordings: tuple[Path, ...],
    into: str | None,
    append_to: Path | None,
    **settings,
) -> None:
    """Draft each RECORDING; prints the path of every file written."""
    drafts = _drafter(workspace, settings)
    if into and append_to:
        raise click.UsageError("--into and --append cannot be used together")
    if append_to:
        _for_each_recording(recordings, lambda path: drafts.append(path, append_to).paths)
    elif into:
        _for_each_recording([recordings], lambda memos: drafts.merge(list(memos), into).paths)
    else:
        _for_each_recording(recordings, lambda path: drafts.draft(path).paths)


@main.command()
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@drafting_options
@click.pass_obj
def review(workspace: Workspace, target: Path, open_page: bool, **settings) -> None:
    """Write TARGET's review page: each paragraph of the draft beside the recording.

    TARGET is a recording, or a Markdown draft voiceblog wrote (its recording is found from
    the draft's front matter or voiceblog's records). Prints the page's path.
    """
    drafts = _drafter(workspace, settings, runs_then=False)
    try:
        page = _interruptible(lambda: drafts.review(target), lambda: "no review page written")
    except (VoiceblogError, OSError) as e:
        raise click.ClickException(describe(e)) from e
    click.echo(printable(str(as_shown(page))))
    if open_page:
        click.launch(str(page))


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@drafting_options
@click.pass_obj
def batch(workspace: Workspace, folder: Path | None, **settings) -> None:
    """Draft every new or changed memo in FOLDER (default: recordings/); skip finished ones."""
    folder = folder or Path("recordings")  # relative, so messages name files as the user sees them
    if not folder.is_dir():
        raise click.ClickException(f"{printable(str(folder))}: no such folder")
    run = _drafter(workspace, settings).batch(folder)

    def stopped() -> str:
        _print_batch_summary(run.so_far(), run.found)
        return "the memos above marked stopped were not drafted"

    outcomes = _interruptible(run.run, stopped)
    _print_batch_summary(outcomes, run.found)
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        raise click.ClickException(f"{failed} of {len(outcomes)} recordings failed")


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@drafting_options
@click.pass_obj
def status(workspace: Workspace, folder: Path | None, **settings) -> None:
    """Every memo in FOLDER (default: recordings/) and where it stands."""
    folder = folder or Path("recordings")  # relative, so messages name files as the user sees them
    if not folder.is_dir():
        raise click.ClickException(f"{printable(str(folder))}: no such folder")
    for path, standing in _drafter(workspace, settings, check_drafts=False).status(folder):
        click.echo(f"{printable(path.name)}: {shown(standing)}")


@main.command()
@click.argument("recordings", nargs=-1, required=True, type=click.Path(path_type=Path))
@drafting_options
@click.pass_obj
def redraft(workspace: Workspace, recordings: tuple[Path, ...], **settings) -> None:
    """Clean, section and export RECORDINGS again from their cached transcripts.

    For after editing a prompt, or to try another --llm or --style: nothing is transcribed.
    """
    drafts = _drafter(workspace, settings)
    _for_each_recording(recordings, lambda path: drafts.redraft(path).paths)


@main.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--settle",
    type=click.FloatRange(min=0.1),
    default=3.0,
    show_default=True,
    help="Seconds a new file must stop growing before it is drafted (phones sync in pieces).",
)
@drafting_options
@click.pass_obj
def watch(workspace: Workspace, folder: Path | None, settle: float, **settings) -> None:
    """Keep drafting each memo that appears in FOLDER (default: recordings/); Ctrl-C stops."""
    folder = folder or Path("recordings")
    if not folder.is_dir():
        raise click.ClickException(f"{printable(str(folder))}: no such folder")
    drafts = _drafter(workspace, settings)
    log.info("watching %s for new memos (Ctrl-C stops)", folder)
    watcher = drafts.watch(folder, settle, report=_print_batch_rows)

    def stopped() -> str:
        if watcher.batch:
            _print_batch_rows([o for o in watcher.batch.so_far() if o.status != "skipped"])
        return f"stopped watching {folder}"

    _interruptible(watcher.run, stopped)


@main.command()
@click.option(
    "--trust",
    "trust",
    flag_value=True,
    default=None,
    help="Trust this workspace: its voiceblog.toml's api_base may get your API key, and its "
    "then command may run.",
)
@click.option("--untrust", "trust", flag_value=False, help="Stop trusting this workspace.")
@drafting_options
@click.pass_context
def config(ctx: click.Context, trust: bool | None, **settings) -> None:
    """Show the settings in effect and where each comes from."""
    if trust is not None:
        from voiceblog.trust import set_trust

        recorded = set_trust(ctx.obj.root, trust)
        doing = "trusted" if trust else "no longer trusted"
        what = "with your API keys and to run its voiceblog.toml's then command"
        click.echo(f"{ctx.obj.root.resolve()}: {doing} {what} (recorded in {recorded})")
        return
    resolved = _resolved(settings)
    values = resolved.values
    for setting in settings_table.DRAFTING:
        value = values[setting.python_name]
        if value is None and setting.name in ("jobs", "timeout"):  # by where the model runs
            from voiceblog.llm import local_defaults

            value = local_defaults(values["llm"] or "", values["api_base"])[setting.name]
        value = "" if value is None else shown(str(value))
        name = setting.flag.lstrip("-")
        click.echo(f"{name:<14} = {value:<24} ({resolved.sources[setting.python_name]})")


def _interruptible(work, on_interrupt):
    """Run work() in a worker thread and return what it returns; Ctrl-C exits 130 at once.

    The main thread only waits, so Ctrl-C reaches it within a moment even while the worker is
    inside Whisper's C++ or an LLM request. on_interrupt() then prints what finished and
    returns the line that says what did not; the
    work in flight is abandoned, not waited for: every file is written atomically (nothing
    half-written is left) and the OS releases the memo locks.
    """
    import threading

    outcome: dict = {}

    def worker() -> None:
        try:
            outcome["value"] = work()
        except BaseException as e:  # handed to the main thread, which reports it
            outcome["error"] = e

    thread = threading.Thread(target=worker, name="voiceblog-work", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.1)
    except KeyboardInterrupt:
        from voiceblog.hooks import stop_running

        cut_short = stop_running()  # a --then command does not outlive voiceblog
        said = on_interrupt()  # still called: batch prints its table
        _exit_interrupted(cut_short or said)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _exit_interrupted(message: str) -> None:
    """Exit 130 (Ctrl-C) now: an LLM request in flight is abandoned, not waited for."""
    import os
    import sys

    click.echo(f"Interrupted: {message}.", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)


def _print_batch_rows(outcomes) -> None:
    for o in outcomes:
        files = ", ".join(str(f) for f in o.files)
        # A name with a newline or escape sequence must not forge rows or drive the terminal.
        click.echo(f"{o.status:<8}  {printable(o.recording.name)}  {shown(files or o.detail)}")


def _print_batch_summary(outcomes, found) -> None:
    """A table on stdout: one row per recording, then the counts."""
    _print_batch_rows(outcomes)
    statuses = ("drafted", "skipped", "failed", "stopped")
    counts = {s: sum(o.status == s for o in outcomes) for s in statuses}
    if not counts["stopped"]:
        del counts["stopped"]
    ignored = f"; ignored {found.hidden} hidden and {found.not_audio} non-audio files"
    click.echo(", ".join(f"{n} {s}" for s, n in counts.items()) + ignored)


def _drafter(
    workspace: Workspace, settings: dict, check_drafts: bool = True, runs_then: bool = True
) -> Drafter:
    """The front door's Drafter of the settings in effect, checked before any slow work starts
    (pipeline/options.py), with progress on stderr."""
    from voiceblog.options import draft_options

    try:
        options = draft_options(
            workspace,
            _resolved(settings),
            check_drafts,
            runs_then,
            on_progress=_progress_printer(),
            on_llm_progress=_chunk_progress_printer(),
        )
    except VoiceblogError as e:
        raise click.ClickException(describe(e)) from e
    return Drafter(workspace, options)


def _for_each_recording(recordings, work) -> None:
    """Run work on each recording, echo the files it wrote, say in one line why any failed."""
    done = {"failed": 0, "finished": 0}

    def each() -> None:
        for path in recordings:
            try:
                for written in work(path):
                    click.echo(printable(str(written)))
            except Exception as e:  # noqa: BLE001 (one memo's failure never stops the others)
                click.echo(f"Error: {describe(e)}", err=True)
                done["failed"] += 1
            done["finished"] += 1

    def stopped() -> str:
        left = len(recordings) - done["finished"]
        return f"{left} of {len(recordings)} not drafted; the files listed above were written"

    _interruptible(each, stopped)
    _exit_with_failures(done["failed"], len(recordings))


def _exit_with_failures(failed: int, total: int) -> None:
    """Never exit 0 after a failure; with several recordings, say how many failed."""
    if failed and total > 1:
        raise click.ClickException(f"{failed} of {total} recordings failed")
    if failed:
        raise SystemExit(1)
