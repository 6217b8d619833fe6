"""Ten memos, a local LLM server with a fixed latency: `batch` with transcription of the next memo
overlapping the LLM stage of the last, against the two stages run one after the other, and an
unchanged re-run.

    python benchmarks/batch.py
"""

from __future__ import annotations

import logging
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

from pipeline.batch import run_batch  # noqa: E402
from pipeline.flow import DraftOptions, draft_transcript, transcribe_recording  # noqa: E402
from pipeline.llm import LLMSettings  # noqa: E402
from pipeline.workspace import Workspace, sha256_file  # noqa: E402

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


def make_memos(folder: Path) -> list[Path]:
    """Ten different minutes of the benchmark speech."""
    samples, _ = memos.spoken_memo()
    folder.mkdir(parents=True)
    step = (len(samples) - MEMO_SECONDS * 16_000) // MEMOS
    return [
        write_wav(
            folder / f"memo-{i:02d}.wav", samples[i * step : i * step + MEMO_SECONDS * 16_000]
        )
        for i in range(MEMOS)
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


if __name__ == "__main__":
    main()
