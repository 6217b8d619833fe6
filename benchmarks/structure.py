"""Does a memo with no spoken cues come out with the author's sections? Print how close.

Real posts whose authors divided them into sections (benchmarks/texts/: blog posts and PEPs,
which are public domain) are read aloud without their headings by several synthetic voices,
transcribed with Whisper tiny.en and drafted offline, and with each real local model (cleanup
by the rules, sectioning by the model: what the model is asked here is where the sections
are and what they are called). Each draft is aligned word by word with the text read, and for
every memo and method it prints: the author's breaks found within 50 words (recall), the
draft's breaks near one of the author's (precision), F1, WindowDiff, words per paragraph,
paragraphs that run across an author's break, and how close the headings are to the author's.

Pauses: every paragraph of the post is synthesized on its own and the paragraphs are joined
with room tone, in two variants, both printed:
- flat: the same PARAGRAPH_PAUSE at every paragraph break, section or not, so the voice gives
  away paragraph breaks (as a person reading would) but not which of them are sections;
- read: pauses as a person reads a post aloud, drawn per break from two overlapping log-normal
  distributions, longer on average at the author's section breaks (READ_PAUSES). Readers pause
  at every paragraph break, 400-1340 ms (faster readers) to 750-1800 ms (slower) in
  Kazlauskienė & Kalašinskaitė, "The Duration of Pauses between Phrases in Reading Language",
  Respectus Philologicus 37(42), 2020 (8 readers, 6 texts), against 200-980 / 340-1360 ms
  between sentences; pause duration grows with the strength of the discourse boundary (Swerts,
  "Prosodic features at discourse boundaries of different strength", JASA 101(1), 1997), and
  silent pauses are "longer and more varied between larger units" (paragraphs over sentences,
  Acta Acustica 30(2), 2005, doi:10.15949/j.cnki.0371-0025.2005.02.014). No figure was found
  for a section break over a paragraph break, so the step is taken to be about the same as
  that from a sentence to a paragraph in the first study (x1.4 at the median). Each voice reads
  at its own pace (READER_PACE: slower readers pause longer throughout), so the method has to
  judge a pause against the memo's own.

Tuning: the offline method's constants were set on the TUNING texts only; the others are
held out, and the table gives both averages.

    python benchmarks/structure.py            # offline only, both pause variants
    python benchmarks/structure.py --pauses read   # one variant
    python benchmarks/structure.py --llm      # also with Qwen 0.5B and SmolLM2 (llama.cpp)
    python benchmarks/structure.py --voices slt --texts pep-0219   # a subset
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import re
import subprocess
import sys
import wave
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from memos import room_noise  # noqa: E402
from speech_text import speech_text  # noqa: E402

from voiceblog.audio import SAMPLE_RATE, decode  # noqa: E402
from voiceblog.fidelity import content_words  # noqa: E402
from voiceblog.transcription.options import TranscribeOptions  # noqa: E402
from voiceblog.workspace import Workspace, sha256_file  # noqa: E402

TEXTS = ROOT / "benchmarks" / "texts"
CACHE = ROOT / "benchmarks" / ".cache" / "structure"
# Posts with the author's sections (scaling-musings.txt has none, so it is not here).
TUNING = ("pep-0219", "pep-0434", "opinion-notes")
HELD_OUT = ("pep-0779", "pep-3113", "pep-3122", "series-intro")
VOICES = {"slt": ("flite", "slt"), "rms": ("flite", "rms"), "espeak": ("espeak-ng", "en-us")}
PARAGRAPH_PAUSE = 0.8  # seconds of room tone between any two paragraphs (flat)
VARIANTS = ("flat", "read")
# read: (median seconds, sigma of its logarithm) of the pause at a paragraph break within a
# section and at an author's section break (see the docstring for the figures behind them). At
# these, one section break in four is shorter than a typical paragraph break within a section.
READ_PAUSES = {"paragraph": (0.9, 0.35), "section": (1.25, 0.35)}
READER_PACE = {"slt": 1.0, "rms": 1.35, "espeak": 0.75}  # each voice's pauses scaled by this
NEAR = 50  # words: a break this close to the author's counts as found


@dataclass
class Post:
    name: str
    headings: list[str]  # the author's section headings, in order
    sections: list[list[str]]  # each section's paragraphs, as they are read aloud

    @property
    def words(self) -> list[str]:
        return [w for s in self.sections for p in s for w in p.split()]

    @property
    def breaks(self) -> list[int]:
        """Word positions where the author's second, third, … sections start."""
        sizes = [sum(len(p.split()) for p in s) for s in self.sections]
        # A preamble shorter than NEAR words (opinion-notes' list of what follows) is no break
        # a reader sees: the first section starts there.
        return [b for i in range(1, len(sizes)) if (b := sum(sizes[:i])) > NEAR]


def read_post(path: Path) -> Post:
    """The post's top-level sections (## headings; the # title and ### subheadings are not
    sections) and their paragraphs as a reader says them."""
    text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    text = re.sub(r"```.*?```|<!--.*?-->", "", text, flags=re.DOTALL)
    headings, sections = [""], [[]]
    text = re.sub(r"^(#+\s.*)$", r"\n\1\n", text, flags=re.MULTILINE)  # a heading: its own block
    for block in re.split(r"\n\s*\n", text):
        if m := re.match(r"^##\s+(.+)$", block.strip()):
            headings.append(m.group(1).strip())
            sections.append([])
        elif not re.match(r"^#+\s", block.strip()) and (said := _spoken(block)):
            sections[-1].append(said)
    pairs = [(h, s) for h, s in zip(headings, sections, strict=True) if s]
    return Post(path.stem, [h for h, _ in pairs], [s for _, s in pairs])


def _spoken(block: str) -> str:
    """A Markdown block as one spoken paragraph: wrapped lines joined, list items kept apart."""
    items: list[str] = []
    for line in block.splitlines():
        if re.match(r"^\s*(?:[-*+>]|\d+\.)\s", line) or not items:
            items.append(line)
        else:
            items[-1] += " " + line.strip()
    return " ".join(speech_text(item) for item in items if speech_text(item)).strip()


def memo(post: Post, voice: str, variant: str = "flat") -> Path:
    """The post read aloud in the voice, paragraph by paragraph, with the variant's pauses
    between paragraphs (kept in the cache)."""
    out = CACHE / (
        f"{post.name}-{voice}.wav" if variant == "flat" else f"{post.name}-{voice}-{variant}.wav"
    )
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    pieces = []
    paragraphs = [p for s in post.sections for p in s]
    pauses = paragraph_pauses(post, voice, variant)
    for number, (paragraph, pause) in enumerate(zip(paragraphs, pauses, strict=True)):
        pieces += [_speak(paragraph, voice), room_noise(pause, seed=number)]
    _write_wav(out, np.concatenate(pieces[:-1]))
    return out


def paragraph_pauses(post: Post, voice: str, variant: str) -> list[float]:
    """The pause after each paragraph (the last one's is not used): flat, or drawn as a reader
    pauses, longer on average where the author's next section starts."""
    kinds = [
        "section" if k == len(s) - 1 else "paragraph" for s in post.sections for k in range(len(s))
    ]
    if variant == "flat":
        return [PARAGRAPH_PAUSE] * len(kinds)
    rng = np.random.default_rng(zlib.crc32(f"{post.name}/{voice}".encode()))
    pace = READER_PACE[voice]
    return [
        pace * float(rng.lognormal(np.log(READ_PAUSES[k][0]), READ_PAUSES[k][1])) for k in kinds
    ]


def _speak(text: str, voice: str) -> np.ndarray:
    engine, name = VOICES[voice]
    # one pair of files per process: two runs of the benchmark may synthesize at once
    script, wav = CACHE / f"say-{os.getpid()}.txt", CACHE / f"say-{os.getpid()}.wav"
    script.write_text(text, encoding="utf-8")
    if engine == "flite":
        command = ["flite", "-voice", name, "-f", str(script), "-o", str(wav)]
    else:
        command = ["espeak-ng", "-v", name, "-s", "160", "-w", str(wav), "-f", str(script)]
    subprocess.run(command, check=True, capture_output=True)
    return decode(wav)


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def transcript_of(path: Path, workspace: Workspace, words: bool = False):
    """The memo's transcript; with words, every word timed, so the speaker's pauses show
    (the default transcript's 30-second segments hide them)."""
    from voiceblog.cues import WORD_TIMINGS
    from voiceblog.transcription.run import transcribe

    options = TranscribeOptions(words=words)
    return transcribe(path, sha256_file(path), options, workspace, word_timings=WORD_TIMINGS)[0]


# Drafting -------------------------------------------------------------------------------


def draft_offline(transcript, workspace: Workspace):
    from voiceblog.cues import apply_spoken_cues
    from voiceblog.flow import make_draft

    return make_draft(apply_spoken_cues(transcript), None, workspace, "memo")[0]


def draft_with_llm(transcript, workspace: Workspace, url: str, alias: str):
    """Cleanup by the rules, sectioning by the model, as flow.make_draft would section it."""
    from voiceblog.clean import clean_heading
    from voiceblog.cues import apply_spoken_cues
    from voiceblog.languages import language
    from voiceblog.llm import LLMClient, LLMSettings
    from voiceblog.section import CleanBlock, ask_sectioning, draft_by_llm
    from voiceblog.templates import load_prompt
    from voiceblog.topics import block_sections

    dictation = apply_spoken_cues(transcript)
    lang, pauses = language(dictation.language), dictation.pauses
    blocks = [  # one block per dictated block, as the LLM's cleanup gives them
        CleanBlock(clean_heading(b.heading, lang), b.spoken, _flat(block_sections(b, lang, pauses)))
        for b in dictation.blocks
    ]
    settings = LLMSettings(f"openai/{alias}", api_base=url, timeout=600, temperature=0.0)
    client = LLMClient(settings, workspace.cache_dir("llm"))
    sectioning = ask_sectioning(
        blocks, client, load_prompt("section", workspace.prompts), lang, pauses
    )
    return draft_by_llm(blocks, dictation.title, sectioning, lang)


def _flat(parts: list[list]) -> list:
    return [p for part in parts for p in part]


# Scoring --------------------------------------------------------------------------------


def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def draft_positions(post: Post, draft) -> tuple[list[int], list[tuple[int, int]]]:
    """Where the draft's sections start and its paragraphs lie, in the post's word positions
    (the draft aligned with what was read, word by word)."""
    said = [_norm(w) for w in post.words]
    written, starts, paragraphs = [], [], []
    for section in draft.sections:
        starts.append(len(written))
        for paragraph in section.paragraphs:
            first = len(written)
            written += [_norm(w) for w in paragraph.text.split()]
            paragraphs.append((first, len(written)))
    at = _alignment(said, written)
    return [at[i] for i in starts[1:]], [(at[a], at[min(b, len(at) - 1)]) for a, b in paragraphs]


def _alignment(said: list[str], written: list[str]) -> list[int]:
    """For each written word (and one past the end), the position of the word read there."""
    matcher = difflib.SequenceMatcher(None, said, written, autojunk=False)
    at = [-1] * (len(written) + 1)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            at[block.b + k] = block.a + k
    at[-1] = len(said)
    for i in range(len(at)):  # unmatched words sit just after the last matched one
        at[i] = at[i] if at[i] >= 0 else (at[i - 1] + 1 if i else 0)
    return at


def window_diff(reference: list[int], hypothesis: list[int], length: int) -> float:
    """Pevzner and Hearst's WindowDiff: the share of windows (k = half the author's mean
    section) in which the two segmentations have a different number of breaks."""
    k = max(2, round(length / (len(reference) + 1) / 2))
    ref, hyp = np.zeros(length + 1), np.zeros(length + 1)
    ref[[b for b in reference if b <= length]] = 1
    hyp[[b for b in hypothesis if b <= length]] = 1
    rc, hc = np.cumsum(ref), np.cumsum(hyp)
    windows = [(i, i + k) for i in range(length - k)]
    return float(np.mean([(rc[j] - rc[i]) != (hc[j] - hc[i]) for i, j in windows]))


def score(post: Post, draft) -> dict:
    starts, paragraphs = draft_positions(post, draft)
    author = post.breaks
    found = sum(any(abs(a - b) <= NEAR for b in starts) for a in author)
    right = sum(any(abs(a - b) <= NEAR for a in author) for b in starts)
    recall = found / len(author) if author else 1.0
    precision = right / len(starts) if starts else (1.0 if not author else 0.0)
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    return {
        "recall": recall,
        "precision": precision,
        "f1": f1,
        "wd": window_diff(author, starts, len(post.words)),
        "sections": len(draft.sections),
        "words/para": np.mean([len(p.text.split()) for p in draft.paragraphs]),
        "spanning": sum(_spans(a, b, author) for a, b in paragraphs),
        "heading": heading_closeness(post, draft, starts),
    }


def _spans(first: int, end: int, breaks: list[int], slack: int = 10) -> bool:
    """A paragraph that runs across an author's break by more than a few misheard words."""
    return any(first + slack < b < end - slack for b in breaks)


def heading_closeness(post: Post, draft, starts: list[int]) -> float:
    """The share of the draft's headings that share a content word with the author's heading
    of the section they open (or the author's section text, half a point: the heading is of
    the right section, in other words than the author's)."""
    sizes = np.cumsum([0] + [sum(len(p.split()) for p in s) for s in post.sections])
    points = []
    for section, start in zip(draft.sections, [0, *starts], strict=True):
        index = int(np.searchsorted(sizes, start + NEAR // 2, side="right") - 1)
        index = min(index, len(post.headings) - 1)
        mine = _stems(section.heading or "")
        if mine & _stems(post.headings[index]):
            points.append(1.0)
        elif mine and mine <= _stems(" ".join(post.sections[index])):
            points.append(0.5)
        else:
            points.append(0.0)
    return float(np.mean(points)) if points and len(draft.sections) > 1 else 0.0


def _stems(text: str) -> set[str]:
    return {w[:5] for w in content_words(text)}


# The table ------------------------------------------------------------------------------

COLUMNS = ("recall", "precision", "f1", "wd", "sections", "words/para", "spanning", "heading")


def run(
    texts: list[str], voices: list[str], llms: list[tuple[str, str]], words=False, variants=VARIANTS
) -> list:
    workspace = Workspace(CACHE / "workspace")
    rows = []
    for variant in variants:
        for name in texts:
            post = read_post(next(TEXTS.glob(f"{name}.*")))
            for voice in voices:
                rows += _rows(post, voice, variant, llms, workspace, words)
    return rows


def _rows(post: Post, voice: str, variant: str, llms, workspace: Workspace, words: bool) -> list:
    """One memo's rows: its offline draft and each model's, scored against the author's."""
    transcript = transcript_of(memo(post, voice, variant), workspace, words)
    drafts = [("offline", draft_offline(transcript, workspace))]
    drafts += [(a, draft_with_llm(transcript, workspace, u, a)) for a, u in llms]
    rows = []
    for method, draft in drafts:
        row = {"memo": f"{post.name}/{voice}", "variant": variant, "method": method}
        row |= score(post, draft)
        row["headings"] = " | ".join(s.heading or "-" for s in draft.sections)
        row["title"] = draft.title
        rows.append(row)
        print(_line(row), flush=True)
    return rows


def _line(row: dict) -> str:
    cells = [row["memo"], row["variant"], row["method"]] + [_cell(row[c]) for c in COLUMNS]
    return "| " + " | ".join(cells) + " |"


def _cell(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


GROUPS = (("tuning", TUNING), ("held out", HELD_OUT), ("all", TUNING + HELD_OUT))


def averages(rows: list[dict]) -> None:
    """Per pause variant, method and group of texts, the mean of every column and the worst F1."""
    print("\n| pauses | texts | method | memos | " + " | ".join(COLUMNS) + " | min F1 |")
    print("|" + "---|" * (len(COLUMNS) + 5))
    for variant in dict.fromkeys(r["variant"] for r in rows):
        for group, names in GROUPS:
            for method in dict.fromkeys(r["method"] for r in rows):
                mine = [
                    r
                    for r in rows
                    if (r["variant"], r["method"]) == (variant, method)
                    and r["memo"].split("/")[0] in names
                ]
                if mine:
                    means = [_cell(float(np.mean([r[c] for r in mine]))) for c in COLUMNS]
                    low = min(r["f1"] for r in mine)
                    cells = [variant, group, method, str(len(mine)), *means, f"{low:.2f}"]
                    print("| " + " | ".join(cells) + " |")


# The offline method before the speaker's pauses counted (main at 0b1f956: cohesion depth, new
# vocabulary and carry-on openers, paragraphs from the pauses), per pause variant and memo: F1,
# WindowDiff, words per paragraph, paragraphs across an author's break, heading closeness.
# Printed beside today's numbers.
BEFORE = {
    "flat": {
        "pep-0219/slt": (0.67, 0.21, 50.96, 0, 0.33),
        "pep-0219/rms": (0.44, 0.43, 53.00, 0, 0.25),
        "pep-0219/espeak": (0.44, 0.43, 50.33, 0, 0.17),
        "pep-0434/slt": (0.75, 0.32, 69.83, 0, 0.33),
        "pep-0434/rms": (0.75, 0.32, 70.50, 0, 0.33),
        "pep-0434/espeak": (0.50, 0.44, 70.83, 0, 0.17),
        "opinion-notes/slt": (0.40, 0.69, 35.77, 0, 0.42),
        "opinion-notes/rms": (0.40, 0.67, 32.75, 0, 0.33),
        "opinion-notes/espeak": (0.40, 0.77, 33.37, 0, 0.42),
        "pep-0779/slt": (0.50, 0.52, 71.81, 0, 0.25),
        "pep-0779/rms": (0.50, 0.40, 82.36, 0, 0.42),
        "pep-0779/espeak": (0.50, 0.54, 72.06, 1, 0.33),
        "pep-3113/slt": (0.44, 0.68, 52.29, 0, 0.21),
        "pep-3113/rms": (0.67, 0.43, 48.86, 0, 0.36),
        "pep-3113/espeak": (0.44, 0.51, 58.58, 1, 0.21),
        "pep-3122/slt": (0.50, 0.48, 51.83, 0, 0.44),
        "pep-3122/rms": (0.55, 0.40, 49.97, 0, 0.43),
        "pep-3122/espeak": (0.83, 0.24, 44.65, 0, 0.38),
        "series-intro/slt": (1.00, 0.26, 56.71, 0, 0.50),
        "series-intro/rms": (1.00, 0.26, 65.67, 0, 0.50),
        "series-intro/espeak": (1.00, 0.26, 65.67, 0, 0.50),
    },
    "read": {
        "pep-0219/slt": (0.44, 0.43, 58.33, 1, 0.17),
        "pep-0219/rms": (0.44, 0.44, 51.00, 0, 0.25),
        "pep-0219/espeak": (0.44, 0.40, 59.55, 0, 0.08),
        "pep-0434/slt": (0.50, 0.47, 65.89, 0, 0.33),
        "pep-0434/rms": (0.75, 0.32, 70.11, 0, 0.42),
        "pep-0434/espeak": (0.25, 0.71, 74.47, 0, 0.17),
        "opinion-notes/slt": (0.27, 0.75, 33.89, 0, 0.38),
        "opinion-notes/rms": (0.40, 0.66, 31.11, 1, 0.38),
        "opinion-notes/espeak": (0.00, 0.74, 31.00, 1, 0.33),
        "pep-0779/slt": (0.50, 0.40, 81.00, 0, 0.25),
        "pep-0779/rms": (0.50, 0.48, 71.00, 0, 0.42),
        "pep-0779/espeak": (0.25, 0.69, 67.76, 0, 0.25),
        "pep-3113/slt": (0.44, 0.55, 57.54, 1, 0.29),
        "pep-3113/rms": (0.44, 0.59, 54.96, 0, 0.29),
        "pep-3113/espeak": (0.44, 0.51, 56.04, 1, 0.14),
        "pep-3122/slt": (0.91, 0.17, 46.75, 0, 0.36),
        "pep-3122/rms": (0.91, 0.22, 46.81, 0, 0.43),
        "pep-3122/espeak": (0.83, 0.24, 58.15, 0, 0.50),
        "series-intro/slt": (1.00, 0.26, 56.71, 0, 0.50),
        "series-intro/rms": (1.00, 0.12, 60.17, 0, 0.50),
        "series-intro/espeak": (1.00, 0.26, 66.50, 0, 0.25),
    },
}  # fmt: skip
COMPARED = ("f1", "wd", "words/para", "spanning", "heading")


def before_and_after(rows: list[dict]) -> None:
    """Per pause variant, memo and group, the offline method's numbers before and now."""
    for variant, before in BEFORE.items():
        now = {
            r["memo"]: r
            for r in rows
            if (r["variant"], r["method"]) == (variant, "offline") and r["memo"] in before
        }
        if now:
            _before_and_after(variant, before, now)


def _before_and_after(variant: str, before: dict, now: dict) -> None:
    print(f"\n| {variant} | " + " | ".join(f"{c} before | {c} now" for c in COMPARED) + " |")
    print("|" + "---|" * (2 * len(COMPARED) + 1))
    for memo, row in now.items():
        cells = [
            f"{_cell(float(b))} | {_cell(float(row[c]))}"
            for b, c in zip(before[memo], COMPARED, strict=True)
        ]
        print(f"| {memo} | " + " | ".join(cells) + " |")
    for group, names in GROUPS:
        memos = [m for m in now if m.split("/")[0] in names]
        if memos:
            cells = []
            for k, c in enumerate(COMPARED):
                then = np.mean([before[m][k] for m in memos])
                cells.append(f"{then:.2f} | {np.mean([now[m][c] for m in memos]):.2f}")
            low = (min(before[m][0] for m in memos), min(now[m]["f1"] for m in memos))
            print(
                f"| **{group}** | " + " | ".join(cells) + f" | min F1 {low[0]:.2f} → {low[1]:.2f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", nargs="*", default=list(TUNING + HELD_OUT))
    parser.add_argument("--voices", nargs="*", default=list(VOICES))
    parser.add_argument("--pauses", nargs="*", default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument("--llm", action="store_true", help="also Qwen 0.5B and SmolLM2")
    parser.add_argument(
        "--models", nargs="*", default=["qwen-0.5b", "smollm2-135m"], help="with --llm"
    )
    parser.add_argument("--headings", action="store_true", help="print each draft's headings")
    parser.add_argument("--words", action="store_true", help="transcribe with word timings")
    parser.add_argument("--save", type=Path, help="write every row to this JSON file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="  %(message)s")
    print("| memo | pauses | method | " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * (len(COLUMNS) + 3))
    if not args.llm:
        rows = run(args.texts, args.voices, [], args.words, args.pauses)
    else:
        rows = _with_models(args.texts, args.voices, args.words, args.pauses, args.models)
    averages(rows)
    before_and_after(rows)
    if args.headings:
        for row in rows:
            which = f"{row['memo']} {row['variant']} {row['method']}"
            print(f"{which}: {row['title']} :: {row['headings']}")
    if args.save:
        args.save.write_text(json.dumps(rows, indent=1, default=float), encoding="utf-8")


def _with_models(texts, voices, words: bool, variants, aliases: list[str]) -> list[dict]:
    """The benchmark with each local model named served by llama.cpp on 127.0.0.1."""
    import contextlib

    import local_llm

    with contextlib.ExitStack() as stack:
        models = [
            (alias, stack.enter_context(local_llm.serve(local_llm.MODELS[alias])))
            for alias in aliases
        ]
        return run(texts, voices, models, words, variants)


if __name__ == "__main__":
    main()
