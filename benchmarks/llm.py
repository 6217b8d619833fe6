"""The LLM stage on a 25-minute memo against a local server with a fixed latency per call.

Prints wall time with --jobs 1 and the default, the requests and tokens sent against the
transcript's own tokens, and the calls an unchanged re-run makes.

With --real: the example memo and a 5-minute memo drafted by the rules, by
Qwen2.5-Coder-0.5B-Instruct in process (--llm local, CTranslate2) and by the same model behind
llama.cpp's server on 127.0.0.1: wall time of the LLM stage, tokens/s, kept, chunks the rules
had to clean, and what the checks found (--no-server: without the server).

    python benchmarks/llm.py
    python benchmarks/llm.py --real
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import memos  # noqa: E402
from llm_server import ScriptedLLM, is_cleanup, transcript_of  # noqa: E402

from voiceblog.cues import apply_spoken_cues  # noqa: E402
from voiceblog.flow import make_draft  # noqa: E402
from voiceblog.llm import LLMSettings, count_tokens  # noqa: E402
from voiceblog.templates import load_prompt  # noqa: E402
from voiceblog.transcription.transcript import Segment, Transcript  # noqa: E402

LATENCY = 1.0  # seconds the server takes for every answer, like a hosted model
CHUNK_TOKENS = 500
WORDS_PER_SECOND = 2.6  # flite's pace, so the transcript is as long as the memo
SECTIONS = '{"title": "Notes", "summary": "Notes.", "tags": ["ai"], "sections": []}'


def tokens(text: str) -> int:
    return count_tokens(text)  # gpt-4o-mini's tokenizer


def transcript() -> Transcript:
    """The benchmark texts as Whisper would deliver them: one timed segment per line."""
    segments, clock = [], 0.0
    for line in memos.reference_text().splitlines():
        seconds = len(line.split()) / WORDS_PER_SECOND
        segments.append(Segment(round(clock, 2), round(clock + seconds, 2), line))
        clock += seconds + 0.4
    return Transcript(tuple(segments), round(clock, 2), "en", "faster-whisper", "tiny.en")


def answer(messages: list[dict]) -> str:
    return transcript_of(messages) if is_cleanup(messages) else SECTIONS


def run(server: ScriptedLLM, workspace: Path, jobs: int) -> tuple[float, int, int]:
    """(seconds, requests, tokens sent) of drafting the memo once."""
    from voiceblog.workspace import Workspace

    settings = LLMSettings(
        "openai/benchmark", api_base=server.url, jobs=jobs, chunk_tokens=CHUNK_TOKENS
    )
    before = len(server.requests)
    started = time.perf_counter()
    make_draft(apply_spoken_cues(transcript()), settings, Workspace(workspace), "memo")
    seconds = time.perf_counter() - started
    sent = server.requests[before:]
    return seconds, len(sent), sum(tokens(m["content"]) for r in sent for m in r["messages"])


def fixed_prompt_tokens(cleanup_calls: int) -> int:
    """The tokens the requests carry besides the memo: prompts and instructions."""
    prompts = ROOT / "prompts"
    style = (prompts / "style-light.md").read_text()
    cleanup = load_prompt("cleanup", prompts).render(
        transcript="", before="", after="", style=style
    )
    section = load_prompt("section", prompts).render(paragraphs="", count="")
    return cleanup_calls * sum(tokens(m["content"]) for m in cleanup) + sum(
        tokens(m["content"]) for m in section
    )


def main() -> None:
    memo = transcript()
    memo_tokens = tokens(memo.text)
    rows = {}
    with ScriptedLLM(answer, latency=LATENCY) as server:
        for label, jobs in (("--jobs 1", 1), ("default (--jobs 8)", 8)):
            with tempfile.TemporaryDirectory() as folder:
                rows[label] = run(server, Path(folder), jobs)
                if jobs == 8:
                    rerun = run(server, Path(folder), jobs)
    chunks = rows["--jobs 1"][1] - 1
    fixed = fixed_prompt_tokens(chunks)
    print(
        f"memo: {memo.duration / 60:.1f} min, {len(memo.text.split())} words, "
        f"{memo_tokens} tokens; {chunks} chunks of ≤{CHUNK_TOKENS} tokens; "
        f"server latency {LATENCY:g} s per call\n"
    )
    print("| run                  | wall s | requests | tokens sent | sent / transcript |")
    print("|----------------------|--------|----------|-------------|-------------------|")
    for label, (seconds, requests, sent) in {**rows, "unchanged re-run": rerun}.items():
        print(
            f"| {label:<20} | {seconds:6.1f} | {requests:8d} | {sent:11,d} | "
            f"{sent / memo_tokens:17.2f} |"
        )
    one, default = rows["--jobs 1"][0], rows["default (--jobs 8)"][0]
    requests, sent = rows["default (--jobs 8)"][1], rows["default (--jobs 8)"][2]
    print(f"\ndefault concurrency is {one / default:.1f}x faster than --jobs 1")
    print(
        f"tokens sent {sent:,} against a budget of 1.6 x {memo_tokens:,} transcript tokens + "
        f"{fixed:,} fixed prompt tokens in {requests} calls = {1.6 * memo_tokens + fixed:,.0f}"
    )
    print(f"unchanged re-run: {rerun[1]} LLM calls")


REAL_MEMOS = [
    ROOT / "recordings" / "example-memo.m4a",
    ROOT / "tests" / "data" / "scaling-memo.ogg",
]


def real_main() -> None:
    """Each memo drafted by the rules, by Qwen 0.5B in process (--llm local) and by the same
    model behind llama.cpp's server; the transcript is made once, before the clock. The LLM
    stage is a draft's wall time less the rules' draft of the same memo (same start-up)."""
    import json
    import shutil

    sys.path.insert(0, str(ROOT / "tools"))
    import local_llm

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        for memo in REAL_MEMOS:
            shutil.copy(memo, workspace)
            voiceblog(workspace, "transcribe", memo.name)
        runs = [("rules", [])] + [("local (in process)", ["--llm", "local", "--no-cache"])]
        if "--no-server" not in sys.argv:
            runs.append(("llama.cpp server", None))
        for label, llm in runs:
            if llm is None:
                with local_llm.serve(local_llm.QWEN) as url:
                    llm = ["--llm", f"openai/{local_llm.QWEN.alias}", "--api-base", url]
                    rows += [
                        draft_once(workspace, m, label, [*llm, "--no-cache"], json)
                        for m in REAL_MEMOS
                    ]
            else:
                rows += [draft_once(workspace, memo, label, llm, json) for memo in REAL_MEMOS]
    print_real(rows)


RULES_REPORT = {"chunks": [], "chunks_by_rules": "all", "kept": 1.0}


def draft_once(workspace: Path, memo: Path, label: str, llm: list[str], json):
    started = time.perf_counter()
    out = voiceblog(workspace, "draft", memo.name, "--format", "md", *llm)
    seconds = time.perf_counter() - started
    paths = [workspace / line for line in out.stdout.splitlines()]
    reports = [p for p in paths if p.suffix == ".json"]  # the rules alone write no report
    report = json.loads(reports[0].read_text()) if reports else RULES_REPORT
    markdown = next(p for p in paths if p.suffix == ".md").read_text()
    for path in paths:
        path.unlink()
    print(f"{label} / {memo.name}: {seconds:.1f} s", file=sys.stderr, flush=True)
    return label, memo.name, seconds, report, markdown


def voiceblog(workspace: Path, *args: str):
    import subprocess

    command = [sys.executable, "-m", "voiceblog", *args]
    return subprocess.run(command, cwd=workspace, capture_output=True, text=True, check=True)


def print_real(rows) -> None:
    import os

    rules = {memo: seconds for label, memo, seconds, _, _ in rows if label == "rules"}
    print(
        f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores (other jobs share this machine)\n"
    )
    print(
        "| path | memo | draft wall s | LLM stage s | tokens in / out | out tokens/s | "
        "chunks | by the rules | kept | problems |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, memo, seconds, report, _ in rows:
        usage, chunks = report.get("usage") or {}, report["chunks"]
        stage = seconds - rules[memo] if label != "rules" else 0.0
        out = usage.get("completion_tokens", 0)
        problems = sorted({c["problem"].split(" (")[0] for c in chunks if c.get("problem")})
        rate = f"{out / stage:.1f}" if stage > 0 and out else "—"
        print(
            f"| {label} | {memo} | {seconds:.1f} | {stage:.1f} | "
            f"{usage.get('prompt_tokens', 0):,} / {out:,} | {rate} | {len(chunks)} | "
            f"{report['chunks_by_rules']} | {report['kept']:.0%} | "
            f"{'; '.join(problems) if label != 'rules' and problems else '—'} |"
        )
    print()
    for label, memo, _, _, markdown in rows:
        body = markdown.split("---\n", 2)[2]
        found = [line for line in body.splitlines() if line.startswith("#")]
        markup = bool(__import__("re").search(r"<(?!!--)[^>]*>", body))
        print(f"{label} / {memo}: markup {markup}; headings {found}")


if __name__ == "__main__":
    if "--real" in sys.argv:
        real_main()
    else:
        main()
