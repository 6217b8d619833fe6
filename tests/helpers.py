"""What several test modules share: real audio made for tests (re-encodings of real speech,
and silence; also used by tools/), the CLI run in-process, a workspace's recordings/ of real
memos, drafts with a scripted LLM, and how a draft of a real model is judged."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
from click.testing import CliRunner, Result
from llm_server import ScriptedLLM, is_cleanup, transcript_of

from voiceblog.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

# container suffix → (codec, sample rate the codec wants)
FORMATS = {
    ".m4a": ("aac", 16_000),
    ".mp3": ("libmp3lame", 16_000),
    ".ogg": ("libopus", 48_000),
    ".webm": ("libopus", 48_000),
    ".mp4": ("aac", 16_000),
    ".wav": ("pcm_s16le", 16_000),
    ".flac": ("flac", 16_000),
}


def encode(source: Path, out: Path, bit_rate: int = 48_000) -> Path:
    """Re-encode source's audio as a phone or laptop would store it, chosen by out's suffix."""
    codec, rate = FORMATS[out.suffix]
    with av.open(str(source)) as src, av.open(str(out), "w") as target:
        stream = target.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if codec not in ("pcm_s16le", "flac"):
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        for frame in src.decode(audio=0):
            for piece in resampler.resample(frame):
                target.mux(stream.encode(piece))
        for piece in resampler.resample(None):
            target.mux(stream.encode(piece))
        target.mux(stream.encode(None))
    return out


def write_wav(out: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """A 16-bit mono WAV of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(out), "w") as target:
        stream = target.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        target.mux(stream.encode(frame))
        target.mux(stream.encode(None))
    return out


def run(*args) -> Result:
    """Run the voiceblog CLI in-process (the model loads once per test session)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def memo_folder(workspace: Path, *names: str) -> Path:
    """The workspace's recordings/, holding these of the tests' real memos."""
    folder = workspace / "recordings"
    folder.mkdir()
    sources = {
        "jfk.flac": DATA / "jfk.flac",
        "cues-memo.m4a": DATA / "cues-memo.m4a",
        "vocab memo é 🎙.m4a": DATA / "vocab-memo.m4a",
        "example-memo.m4a": ROOT / "recordings" / "example-memo.m4a",
    }
    for name in names:
        shutil.copy(sources[name], folder / name)
    return folder


# Drafts with a scripted LLM (tests/llm_server.py): what the model answers, and the results.

SECTIONS = json.dumps({"title": "Bread", "summary": "On bread.", "tags": ["bread"], "sections": []})


def faithful(chunk: str) -> str:
    """What a good model does: the same words without the fillers."""
    return re.sub(r"\b(?:uh|um),?\s*", "", chunk, flags=re.IGNORECASE)


def script(on_chunk=faithful, on_sections=lambda: SECTIONS):
    def answer(messages):
        if is_cleanup(messages):
            return on_chunk(transcript_of(messages))
        return on_sections()

    return answer


def draft(memo: Path, server: ScriptedLLM, *extra):
    args = ["draft", memo, "--llm", "openai/scripted", "--api-base", server.url, *extra]
    return run(*args)


def report_of(result) -> dict:
    (path,) = [Path(p) for p in result.stdout.splitlines() if p.endswith(".report.json")]
    return json.loads(path.read_text())


def markdown_of(result) -> str:
    (path,) = [Path(p) for p in result.stdout.splitlines() if p.endswith(".md")]
    return path.read_text()


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def with_context_prompt(workspace: Path) -> Path:
    """A workspace prompts/ folder whose cleanup prompt sends the neighbouring chunks' edges
    along, as a user's own prompt may (the built-in one does not)."""
    folder = workspace / "prompts"
    folder.mkdir(exist_ok=True)
    builtin = (ROOT / "prompts" / "cleanup.md").read_text()
    user = "<before>${before}</before>\n<transcript>\n${transcript}\n</transcript>\n"
    user += "<after>${after}</after>"
    (folder / "cleanup.md").write_text(builtin.split("[user]")[0] + "[user]\n" + user + "\n")
    return folder


# A real model's draft (tests/real_llm/): the example memo's spoken headings, and what a
# clean draft is.

SPOKEN = ["What changed", "What it costs", "Plans for the winter"]


def headings(body: str) -> list[str]:
    """The section headings of a draft's body, without their closing mark."""
    return [line.lstrip("# ").rstrip("?.") for line in body.splitlines() if line.startswith("##")]


def assert_clean(body: str) -> None:
    """No markup, no fillers, no heading twice, no paragraph twice (voiceblog's own comments on
    flagged paragraphs aside)."""
    body = re.sub(r"<!-- voiceblog flagged this paragraph: [^\n]*-->", "", body)
    assert not re.search(r"<[^>]*>", body), body
    assert not re.search(r"\b(um|uh)\b", body, re.IGNORECASE)
    found = headings(body)
    assert len(found) == len(set(found)), found
    paragraphs = [p for p in body.split("\n\n") if len(p.split()) > 6 and not p.startswith("#")]
    assert len(paragraphs) == len(set(paragraphs))


# After the setup code, allocate and touch 200 MB twice, freeing it between: glibc's default
# hands the block back to the kernel, so the second time faults its pages in again; under the
# allocator settings of pipeline/memory.py the freed block is reused.
FAULT_TWICE = """
import resource
import numpy as np
from voiceblog.memory import keep_freed_memory
applied = keep_freed_memory()  # as Whisper's engine asks (again, after a library call)
faults = []
for _ in range(2):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(50_000_000, dtype=np.float32)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del block
print(applied, *faults)
"""


def page_faults(setup: str, *args: str, **env: str) -> tuple[str, int, int]:
    """Run setup (Python; sys.argv[1:] is args) in a fresh process with none of the user's
    MALLOC_ variables but env's, then FAULT_TWICE: whether the allocator settings applied
    ("True"/"False"), and the page faults of the first and the second allocation."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    code = setup + "\n" + FAULT_TWICE
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment
    )
    assert out.returncode == 0, out.stderr
    applied, first, second = out.stdout.split()
    return applied, int(first), int(second)
