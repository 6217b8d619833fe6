"""Ten memos, a local LLM server with a fixed latency: `batch` with transcription of the next memo
overlapping the LLM stage of the last, against the two stages run one after the other, and an
unchanged re-run. With --soak: concurrent runs in one workspace, one of them killed.

    python benchmarks/batch.py
    python benchmarks/batch.py --soak
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import memos  # noqa: E402
from helpers import write_wav  # noqa: E402
from llm_server import ScriptedLLM, is_cleanup, transcript_of  # noqa: E402

from voiceblog.batch import run_batch  # noqa: E402
from voiceblog.flow import DraftOptions, draft_transcript, transcribe_recording  # noqa: E402
from voiceblog.llm import LLMSettings  # noqa: E402
from voiceblog.workspace import Workspace, sha256_file  # noqa: E402

MEMOS = 10
MEMO_SECONDS = 60
LATENCY = 1.5  # seconds per LLM answer, like a hosted model
SECTIONS = '{"title": "Notes", "summary": "Notes.", "tags": ["ai"], "sections": []}'


class Counter(logging.Handler):
    """Counts the transcriptions voiceblog reports."""

    def __init__(self) -> None:
        super().__init__()
        self.transcriptions = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.transcriptions += "transcribing" in record.getMessage()


def make_memos(folder: Path, count: int = MEMOS, seconds: int = MEMO_SECONDS) -> list[Path]:
    """count different stretches of the benchmark speech, seconds long each."""
    samples, _ = memos.spoken_memo()
    folder.mkdir(parents=True)
    step = (len(samples) - seconds * 16_000) // count
    return [
        write_wav(folder / f"memo-{i:02d}.wav", samples[i * step : i * step + seconds * 16_000])
        for i in range(count)
    ]


def answer(messages: list[dict]) -> str:
    return transcript_of(messages) if is_cleanup(messages) else SECTIONS


def measure(server, counter, work) -> tuple[float, int, int]:
    """(seconds, transcriptions, LLM calls) of running work()."""
    calls, transcriptions = len(server.requests), counter.transcriptions
    started = time.perf_counter()
    work()
    return (
        time.perf_counter() - started,
        counter.transcriptions - transcriptions,
        len(server.requests) - calls,
    )


def in_series(recordings: list[Path], options: DraftOptions, workspace: Workspace) -> None:
    """Every memo transcribed, then every memo through the LLM: the stages one after the other."""
    done = []
    for path in recordings:
        audio_hash = sha256_file(path)
        done.append((path, audio_hash, transcribe_recording(path, audio_hash, options, workspace)))
    for path, audio_hash, transcript in done:
        draft_transcript(path, audio_hash, transcript, options, workspace)


def main() -> None:
    log = logging.getLogger("voiceblog")
    counter = Counter()
    log.addHandler(counter)
    log.setLevel(logging.INFO)
    rows = {}
    with ScriptedLLM(answer, latency=LATENCY) as server, tempfile.TemporaryDirectory() as tmp:
        for label in ("stages in series", "overlapped batch"):
            workspace = Workspace(Path(tmp) / label.replace(" ", "-"))
            recordings = make_memos(workspace.root / "recordings")
            settings = LLMSettings("openai/benchmark", api_base=server.url)
            options = DraftOptions(drafts=workspace.root / "drafts", llm=settings)
            options.drafts.mkdir()
            run = in_series if label == "stages in series" else run_batch
            work = partial(run, recordings, options, workspace)
            rows[label] = measure(server, counter, work)
        rows["unchanged re-run"] = measure(server, counter, work)
    print(
        f"{MEMOS} memos of {MEMO_SECONDS} s, tiny.en, LLM server latency {LATENCY:g} s per call\n"
    )
    print("| run                | wall s | transcriptions | LLM calls |")
    print("|--------------------|--------|----------------|-----------|")
    for label, (seconds, transcriptions, calls) in rows.items():
        print(f"| {label:<18} | {seconds:6.1f} | {transcriptions:14d} | {calls:9d} |")
    series, overlapped = rows["stages in series"][0], rows["overlapped batch"][0]
    print(
        f"\nthe overlapped batch takes {overlapped / series:.0%} of the time of the stages in "
        f"series ({series - overlapped:.1f} s less)"
    )


SOAK_MEMOS = 20
SOAK_SECONDS = 20
SOAK_LATENCY = 0.5


def soak() -> None:
    """3 `batch` and 2 `draft` processes at once on 20 memos in one workspace; one batch is
    killed with SIGKILL once half the memos are drafted; then one clean `batch`."""
    with ScriptedLLM(answer, latency=SOAK_LATENCY) as server, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "workspace"
        recordings = make_memos(root / "recordings", SOAK_MEMOS, SOAK_SECONDS)
        llm = ["--llm", "openai/soak", "--api-base", server.url, "--jobs", "2"]
        names = [str(p.relative_to(root)) for p in recordings]
        commands = [["batch", *llm]] * 3 + [
            ["draft", *llm, *names],  # every memo, in order
            ["draft", *llm, *reversed(names)],  # every memo, from the other end
        ]
        started = time.perf_counter()
        runs = [
            _voiceblog(root, command, Path(tmp) / f"run-{i}.err")
            for i, command in enumerate(commands)
        ]
        _wait_until(
            lambda: _drafted(root) >= SOAK_MEMOS // 2 or all(r.poll() is not None for r in runs)
        )
        runs[0].send_signal(signal.SIGKILL)
        killed_at = _drafted(root)
        codes = [r.wait() for r in runs]
        concurrent = time.perf_counter() - started
        requests_before_clean = len(server.requests)
        clean = _voiceblog(root, ["batch", *llm], Path(tmp) / "clean.err")
        clean_out, _ = clean.communicate()
        logs = [(Path(tmp) / f"run-{i}.err").read_text() for i in range(len(commands))]
        clean_log = (Path(tmp) / "clean.err").read_text()
        report = _soak_report(root, server, logs, clean_log, clean_out, requests_before_clean)
    print(
        f"{SOAK_MEMOS} memos of {SOAK_SECONDS} s, tiny.en, scripted LLM {SOAK_LATENCY:g} s a "
        f"call; 3 batch + 2 draft processes at once, batch #1 killed (SIGKILL) when "
        f"{killed_at} memos were drafted; exit codes {codes}; {concurrent:.0f} s\n"
    )
    print("| measure | value |")
    print("|---|---|")
    for label, value in report.items():
        print(f"| {label} | {value} |")


def _voiceblog(root: Path, command: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1"}
    with open(log, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "voiceblog", *command, "--format", "all"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
        )


def _wait_until(condition) -> None:
    while not condition():
        time.sleep(0.2)


def _drafted(root: Path) -> int:
    try:
        entries = json.loads((root / ".voiceblog" / "state.json").read_text()).values()
    except (FileNotFoundError, ValueError):
        return 0
    return sum(e.get("status") == "drafted" for e in entries)


def _soak_report(root, server, logs, clean_log, clean_out, requests_before_clean) -> dict:
    manifest = json.loads((root / ".voiceblog" / "manifest.json").read_text())
    written = [p for p in (root / "drafts").iterdir() if p.suffix in (".md", ".docx")]
    sources = {entry["source"] for entry in manifest.values()}
    markdown = [p for p in written if p.suffix == ".md"]
    bodies = [json.dumps(r["messages"], sort_keys=True) for r in server.requests]
    transcriptions = sum(log.count(": transcribing ") for log in logs)
    last_rows = clean_out.strip().splitlines()[-1] if clean_out.strip() else ""
    return {
        "memos drafted (state.json)": _drafted(root),
        "distinct memos in the manifest": len(sources),
        "Markdown drafts": len(markdown),
        "duplicates (-2 copies, or more drafts than memos)": len(markdown) - len(sources),
        "manifest entries": len(manifest),
        "draft files written (.md + .docx)": len(written),
        "transcriptions, concurrent runs (minimum 20)": transcriptions,
        "LLM requests, all runs": len(server.requests),
        "LLM requests asked twice (same messages)": len(bodies) - len(set(bodies)),
        "waits for another run's memo": sum(log.count("waiting for voiceblog") for log in logs),
        "memos put off (another run had them)": sum(log.count("coming back to it") for log in logs),
        "clean batch: transcriptions (work redone)": clean_log.count(": transcribing "),
        "clean batch: LLM requests (work redone)": len(server.requests) - requests_before_clean,
        "clean batch: summary": last_rows,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soak", action="store_true", help="concurrent runs, one killed")
    soak() if parser.parse_args().soak else main()
