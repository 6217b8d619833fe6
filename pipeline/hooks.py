"""--then: the user's command, run once after each memo is drafted, with the draft in its
environment (VOICEBLOG_MD, VOICEBLOG_DOCX, VOICEBLOG_TITLE, …).

The command is split as a shell splits words (shlex) and run directly, never through a shell:
a title or a file name can never become code, and `$VAR`, `;` or `|` mean nothing. Whoever
wants a shell writes one (`sh -c '…'`). Its output goes to stderr, as git's hooks' does, so
voiceblog's stdout stays the files written (or the batch table) for scripts that read it. A
command that fails is one warning: the draft is written and recorded before it runs.
"""

from __future__ import annotations

import io
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from voiceblog.errors import ConfigError
from voiceblog.export import slugify
from voiceblog.redact import printable

log = logging.getLogger("voiceblog")

# One command at a time in a process: a batch or watch finishing memos one after another
# never interleaves two commands' output.
_one_at_a_time = threading.Lock()


@dataclass(frozen=True)
class Drafted:
    """A memo's draft as the command after it sees it."""

    name: str  # how messages name the memo: its file name
    recording: Path
    files: tuple[Path, ...]  # every file written: drafts, report, review page
    title: str
    language: str


@dataclass(frozen=True)
class Then:
    argv: tuple[str, ...]

    @classmethod
    def parse(cls, command: str | None, where: str = "--then") -> Then | None:
        """The command as its words; None for none (an empty one too). where names the
        setting for a message: "--then", "voiceblog.toml: then =", …"""
        try:
            argv = shlex.split(command or "")
        except ValueError as e:  # an unclosed quote: said before any work, not after it
            raise ConfigError(f"{where} {command}: cannot split it into words ({e})") from None
        return cls(tuple(argv)) if argv else None

    def after(self, drafted: Drafted) -> None:
        """Run the command for this draft; a failure is one warning, never an error."""
        with _one_at_a_time:
            _running.drafted = drafted
            try:
                problem = _run(self.argv, environment(drafted))
            finally:
                _running.drafted = None
        if problem and not _running.stopping:  # stopped by Ctrl-C: stop_running() says so
            log.warning("--then for %s: %s", drafted.name, problem)


class _Running:
    """The command running now, if any (one at a time): Ctrl-C stops it with voiceblog."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.drafted: Drafted | None = None
        self.stopping = False


_running = _Running()


def stop_running(grace: float = 3.0) -> str | None:
    """Stop the --then command running now, if any (voiceblog is being interrupted: the
    command must not outlive it, holding the terminal or uploading on its own). SIGTERM, then
    SIGKILL after grace seconds. Returns the line to say, or None when none was running.

    Its memo was drafted and recorded before the command started, so the line says so."""
    process, drafted = _running.process, _running.drafted
    if process is None or drafted is None:
        return None
    _running.stopping = True
    # `sh -c "…"` may wait for its own children: they are stopped too, or they would go on.
    tree = [process.pid, *_descendants(process.pid)]
    _signal_all(tree, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_all(tree, signal.SIGKILL)  # what ignored SIGTERM (a process gone is skipped)
    process.wait()
    files = ", ".join(printable(str(f)) for f in drafted.files)
    return f"--then for {drafted.name} stopped; {drafted.name} is drafted and recorded: {files}"


def environment(drafted: Drafted) -> dict[str, str]:
    """The user's environment and the draft's VOICEBLOG_* variables ("" for what was not
    written). VOICEBLOG_THEN is left out: a voiceblog run inside the command must not run the
    command again, and again."""
    inherited = {k: v for k, v in os.environ.items() if k != "VOICEBLOG_THEN"}
    return inherited | {
        "VOICEBLOG_MD": _written(drafted, ".md"),
        "VOICEBLOG_DOCX": _written(drafted, ".docx"),
        "VOICEBLOG_REPORT": _written(drafted, ".report.json"),
        "VOICEBLOG_REVIEW": _written(drafted, ".review.html"),
        "VOICEBLOG_TITLE": drafted.title,
        "VOICEBLOG_SLUG": slugify(drafted.title),
        "VOICEBLOG_LANGUAGE": drafted.language,
        "VOICEBLOG_RECORDING": str(drafted.recording.absolute()),
    }


def _written(drafted: Drafted, ending: str) -> str:
    """The absolute path of the file written with this ending, or ""."""
    for path in drafted.files:
        if _ending(path) == ending:
            return str(path.absolute())
    return ""


def _ending(path: Path) -> str:
    """What a written file is, by its ending: a draft.report.json is no Markdown draft."""
    for two_part in (".report.json", ".review.html"):
        if path.name.endswith(two_part):
            return two_part
    return path.suffix


def _run(argv: tuple[str, ...], env: dict[str, str]) -> str:
    """Run argv to its end with its output on stderr; what went wrong, or ""."""
    sys.stdout.flush()  # what voiceblog said so far comes before what the command says
    sys.stderr.flush()
    try:
        if (stderr := _stderr_fd()) is not None:
            code = _run_to_the_end(argv, env, stdout=stderr, stderr=stderr)
        else:
            code = _run_copying_output(argv, env)
    except FileNotFoundError:
        return f"{argv[0]}: command not found"
    except (OSError, ValueError) as e:  # not executable, a directory, a NUL in a word
        return f"{argv[0]}: cannot run it ({getattr(e, 'strerror', None) or e})"
    return _exit_problem(code)


def _stderr_fd() -> int | None:
    """The file descriptor behind sys.stderr, for the command to write to directly (a terminal
    stays a terminal: colours, progress bars, an editor); None when stderr is no file (voiceblog
    run inside another program that captures it)."""
    try:
        return sys.stderr.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _descendants(pid: int) -> list[int]:
    """The processes started by pid, and by them, from /proc (Linux); [] where there is none."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, waiting = [], [pid]
    while waiting:
        children = parents.get(waiting.pop(), [])
        found += children
        waiting += children
    return found


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass  # already ended (or its pid reused by a process not ours)


def _run_to_the_end(argv: tuple[str, ...], env: dict[str, str], **streams) -> int:
    """Run argv, known to stop_running() while it runs; its exit code."""
    with subprocess.Popen(argv, env=env, **streams) as process:
        _running.process = process
        try:
            return process.wait()
        finally:
            _running.process = None


def _run_copying_output(argv: tuple[str, ...], env: dict[str, str]) -> int:
    """Run argv, copying what it writes to sys.stderr line by line, as it writes it."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    with subprocess.Popen(argv, env=env, **streams) as process:
        _running.process = process
        try:
            for line in process.stdout:
                sys.stderr.write(line.decode("utf-8", "replace"))
                sys.stderr.flush()
            return process.wait()
        finally:
            _running.process = None


def _exit_problem(code: int) -> str:
    if code == 0:
        return ""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited {code}"
