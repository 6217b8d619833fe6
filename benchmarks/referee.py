"""The LLM referee for near-miss cues, measured with real local models on the synthetic memos.

For each memo of tests/data (transcribed once by Whisper tiny.en, cached in benchmarks/.cache/),
the near misses the grammar left (sentences that open with a structure word but are no cue),
the one referee request a real small model answers, how many of its verdicts became headings,
and how many of those were cues the script (tools/dictations.py) really has.

    python benchmarks/referee.py                 # Qwen2.5-Coder-0.5B-Instruct
    python benchmarks/referee.py --smollm        # and SmolLM2-135M-Instruct
    python benchmarks/referee.py --list          # the near misses and verdicts, one a line
    python benchmarks/referee.py --oracle        # and a scripted model that answers as the
                                                 # script says: what the checks let through
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import local_llm  # noqa: E402
from dictations import DICTATIONS, Cue  # noqa: E402
from llm_server import ScriptedLLM  # noqa: E402

from voiceblog.cues import WORD_TIMINGS, apply_spoken_cues  # noqa: E402
from voiceblog.errors import LLMError  # noqa: E402
from voiceblog.languages import language  # noqa: E402
from voiceblog.llm import LLMClient, LLMSettings, _litellm  # noqa: E402
from voiceblog.referee import checked_verdict, model_verdicts, near_misses  # noqa: E402
from voiceblog.templates import load_prompt  # noqa: E402
from voiceblog.transcription.options import TranscribeOptions  # noqa: E402
from voiceblog.transcription.run import transcribe  # noqa: E402
from voiceblog.transcription.transcript import Transcript  # noqa: E402
from voiceblog.workspace import Workspace, sha256_file  # noqa: E402

DATA = ROOT / "tests" / "data"
MEMOS = [
    "scaling-memo",
    "opinions-memo",
    "robots-memo",
    "dense-cues-memo",
    *(f"holdout-{n}-memo" for n in ("running", "allotment", "curves", "reading", "bicycle")),
]
WORKSPACE = Workspace(ROOT / "benchmarks" / ".cache" / "referee")
# A near miss is the script's line when most of its words are that line's, in order.
SAME_LINE = 0.6


def transcript_of(name: str) -> Transcript:
    """The memo as the CLI's default transcription hears it; one thread, to share the CPU."""
    path = DATA / f"{name}.ogg"
    options = TranscribeOptions(threads=1)
    return transcribe(path, sha256_file(path), options, WORKSPACE, word_timings=WORD_TIMINGS)[0]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def script_line(sentence: str, name: str) -> str | Cue | None:
    """The line of the memo's script the sentence was read from: a Cue, a line of prose, or
    None for the words of a blog text (prose too)."""
    said = words(sentence)
    best, best_share = None, 0.0
    for line in next(d for d in DICTATIONS if d.name == name).script:
        if isinstance(line, int):
            continue
        heard = words(line.said if isinstance(line, Cue) else line)
        blocks = difflib.SequenceMatcher(None, said, heard, autojunk=False).get_matching_blocks()
        share = sum(b.size for b in blocks) / max(1, len(said))
        if share > best_share:
            best, best_share = line, share
    return best if best_share >= SAME_LINE else None


def verdicts_of(misses: list, client: LLMClient) -> tuple[dict, dict, str]:
    """(the model's verdicts by number, those that hold by sentence, what went wrong)."""
    if not misses:
        return {}, {}, ""
    try:
        raw = model_verdicts(misses, client, load_prompt("referee", WORKSPACE.prompts))
    except LLMError as e:
        return {}, {}, str(e)
    lang = language("en")
    held = {n: checked_verdict(k, text, misses[n - 1], lang) for n, (k, text) in raw.items()}
    return raw, {misses[n - 1].sentence: v for n, v in held.items() if v}, ""


def measure(name: str, client: LLMClient, listing: bool) -> dict:
    dictation = apply_spoken_cues(transcript_of(name))
    misses = near_misses(dictation)
    started = time.monotonic()
    raw, verdicts, failed = verdicts_of(misses, client)
    seconds = time.monotonic() - started
    taken = {s: v for s, v in verdicts.items() if v.kind != "title" or dictation.title is None}
    # What the model called a cue, before the checks: the headings it would have made.
    said_cue = [m for n, m in enumerate(misses, start=1) if raw.get(n, ("prose",))[0] != "prose"]
    real = [s for s in taken if isinstance(script_line(s.text, name), Cue)]
    cues = [m for m in misses if isinstance(script_line(m.sentence.text, name), Cue)]
    if listing:
        for number, miss in enumerate(misses, start=1):
            line = script_line(miss.sentence.text, name)
            truth = f"cue {line.kind}" if isinstance(line, Cue) else "prose"
            kind, text = raw.get(number, ("no verdict", ""))
            kept = "taken" if miss.sentence in taken else "not taken"
            print(f"  {name}: {miss.sentence.text!r} -> {kind} {text!r}, {kept} (script: {truth})")
        if failed:
            print(f"  {name}: {failed}")
    return {
        "memo": name,
        "near": len(misses),
        "cues": len(cues),
        "said_cue": len(said_cue),
        "said_real": sum(isinstance(script_line(m.sentence.text, name), Cue) for m in said_cue),
        "headings": len(taken),
        "real": len(real),
        "seconds": seconds,
        "tokens": client.usage.prompt_tokens + client.usage.completion_tokens,
        "failed": bool(failed),
    }


def run_model(model: local_llm.LocalModel, listing: bool) -> list[dict]:
    with local_llm.serve(model) as url:
        return run_memos(f"openai/{model.alias}", url, listing)


def run_memos(model: str, url: str, listing: bool) -> list[dict]:
    rows = []
    for name in MEMOS:
        settings = LLMSettings(model, api_base=url, timeout=600, retries=0, no_cache=True)
        rows.append(measure(name, LLMClient(settings, None), listing))
    return rows


def heard_name(sentence: str, name: str) -> str:
    """The name as Whisper wrote it in the sentence: the run of its words that lines up with
    the script's ("why no money warns you" for "Why nobody warns you"), as a model that copies
    the speaker's words would give it."""
    said = sentence.split()
    blocks = difflib.SequenceMatcher(
        None, [w.lower().strip(".,;:!?") for w in said], words(name), autojunk=False
    ).get_matching_blocks()
    matched = [b for b in blocks if b.size]
    if not matched:
        return name
    return " ".join(said[matched[0].a : matched[-1].a + matched[-1].size])


def oracle(messages: list[dict]) -> str:
    """The verdicts the memos' scripts give: each real cue with its name as Whisper heard it."""
    user = messages[-1]["content"]
    verdicts = []
    for number, sentence in re.findall(r"^\[(\d+)\] (.+)$", user, re.MULTILINE):
        line = next(
            (found for name in MEMOS if isinstance(found := script_line(sentence, name), Cue)),
            None,
        )
        kind, name = (line.kind, heard_name(sentence, line.name)) if line else ("prose", "")
        verdicts.append({"n": int(number), "kind": kind, "name": name})
    return json.dumps({"verdicts": verdicts})


COLUMNS = [  # (heading, key): what each column counts
    ("near misses", "near"),
    ("of them real cues", "cues"),
    ("model said cue", "said_cue"),
    ("of those real cues", "said_real"),
    ("became headings", "headings"),
    ("of those real cues", "real"),
]


def table(model: str, rows: list[dict]) -> None:
    print(f"\n{model}")
    print("| memo | " + " | ".join(h for h, _ in COLUMNS) + " | referee call s | tokens |")
    print("|---|" + "---:|" * (len(COLUMNS) + 2))
    for r in rows:
        counts = " | ".join(str(r[k]) for _, k in COLUMNS)
        failed = " (unusable answer)" if r["failed"] else ""
        print(f"| {r['memo']} | {counts} | {r['seconds']:.1f} | {r['tokens']}{failed} |")
    totals = " | ".join(str(sum(r[k] for r in rows)) for _, k in COLUMNS)
    print(f"| all | {totals} | {sum(r['seconds'] for r in rows):.1f} | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smollm", action="store_true", help="SmolLM2-135M-Instruct as well")
    parser.add_argument("--list", action="store_true", help="each near miss and its verdict")
    parser.add_argument("--oracle", action="store_true", help="a model that answers right too")
    args = parser.parse_args()
    models = [local_llm.QWEN, local_llm.SMOLLM] if args.smollm else [local_llm.QWEN]
    for name in MEMOS:
        transcript_of(name)  # Whisper first, so the model's timings are its own
    _litellm()  # ... and litellm's few seconds of importing are in no memo's
    if args.oracle:
        with ScriptedLLM(oracle) as server:
            table("the script's own verdicts", run_memos("openai/oracle", server.url, args.list))
    for model in models:
        table(model.alias, run_model(model, args.list))


if __name__ == "__main__":
    main()
