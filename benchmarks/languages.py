"""The German, French and Spanish test memos (espeak-ng) with the multilingual base model: the
language detected and how sure, WER against what was said, and the dictated headings found.

    python benchmarks/languages.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceblog.audio import decode  # noqa: E402
from voiceblog.cues import WORD_TIMINGS, apply_spoken_cues  # noqa: E402
from voiceblog.transcription.options import TranscribeOptions  # noqa: E402
from voiceblog.transcription.run import transcribe_samples  # noqa: E402
from voiceblog.workspace import Workspace  # noqa: E402

MEMOS = {"de": "german-memo", "fr": "french-memo", "es": "spanish-memo"}


def words(text: str) -> str:
    """Lower case, punctuation off: WER on the words alone (no English normalizer here)."""
    return " ".join(re.findall(r"[^\W_]+(?:'[^\W_]+)?", text.lower()))


def main() -> None:
    import jiwer

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for code, name in MEMOS.items():
            memo = ROOT / "tests" / "data" / f"{name}.ogg"
            expected = json.loads(memo.with_suffix(".json").read_text())
            samples = decode(memo)
            started = time.perf_counter()
            transcript = transcribe_samples(
                samples,
                TranscribeOptions(model="base"),
                Workspace(Path(tmp)),
                word_timings=WORD_TIMINGS,
            )
            seconds = time.perf_counter() - started
            dictation = apply_spoken_cues(transcript)
            dictated = [heading for _, heading in expected["headings"]]
            found = [b.heading for b in dictation.blocks if b.heading in dictated]
            rows.append(
                (
                    code,
                    transcript.language,
                    transcript.language_probability,
                    100 * jiwer.wer(words(expected["said"]), words(transcript.text)),
                    f"{len(found)} of {len(dictated)}",
                    dictation.title or "",
                    seconds,
                )
            )
    print("base model, language detected (auto), espeak-ng voices\n")
    print("| memo | detected | probability | WER % | headings found | spoken title heard | s |")
    print("|---|---|---|---|---|---|---|")
    for code, language, probability, wer, found, title, seconds in rows:
        cells = [code, language, probability, f"{wer:.1f}", found, title, f"{seconds:.1f}"]
        print("| " + " | ".join(map(str, cells)) + " |")


if __name__ == "__main__":
    main()
