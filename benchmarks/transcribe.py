"""Transcription speed, accuracy and memory: openai-whisper, faster-whisper, voiceblog.

All three run the same tiny.en weights on the same synthetic memo of about 25 minutes (flite
reading benchmarks/texts/, so the reference is known), with the same thread count. Each runs
in its own process so its peak RSS is its own. A last row runs voiceblog's default path on a
memo of 60+ minutes to show memory stays flat with length.

    python benchmarks/transcribe.py            # prints the table
    python benchmarks/transcribe.py voiceblog voiceblog-words dense-no-timings dense dense-words
    python benchmarks/transcribe.py --matrix   # engines × tiny.en/base × 5- and 25-min memos
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import memos  # noqa: E402

THREADS = os.cpu_count() or 1
CONFIGS = {
    "openai-whisper": "openai-whisper (fp32, beam 5, its defaults)",
    "faster-whisper": "faster-whisper (plain defaults)",
    "voiceblog": "voiceblog default (int8, VAD, batched)",
    "voiceblog-words": "voiceblog default + every word timed",
    "voiceblog-60min": "voiceblog default, 60+ min memo",
    # The 12-minute memo with a spoken cue every ~25 s, a third of them unpunctuated: what word
    # timings cost where cues need them (tests/data/dense-cues-memo.ogg).
    "dense-no-timings": "dense cues: no word timings",
    "dense": "dense cues: default (cue timings)",
    "dense-words": "dense cues: every word timed",
}
DENSE_MEMO = memos.ROOT / "tests" / "data" / "dense-cues-memo.ogg"


REPEATS = {"voiceblog-60min": 3}
FIVE_MINUTE_MEMO = memos.ROOT / "tests" / "data" / "scaling-memo.ogg"  # flite awb, 5.2 min

# --matrix: every engine on the same memos with the same weights.
MATRIX_ENGINES = {
    "openai-whisper": "openai-whisper (fp32, beam 5)",
    "faster-whisper": "faster-whisper (plain defaults)",
    # Not the default: faster, but it mishears spoken headings (tests/test_structure.py).
    "voiceblog-greedy": "voiceblog, beam 1 + fallback beam 3",
    "voiceblog": "voiceblog default (beam 3 + fallback beam 5)",
}
MATRIX_MODELS = ("tiny.en", "base")
MATRIX_MEMOS = ("5-min", "25-min")  # the memo read again with pauses: 3 × 25 min


def memo_for(config: str) -> np.ndarray:
    if config.endswith("@5-min"):
        from voiceblog.audio import decode

        return decode(FIVE_MINUTE_MEMO)
    if config.endswith("@25-min"):
        return memos.spoken_memo()[0]
    if config.startswith("dense"):
        from voiceblog.audio import decode

        return decode(DENSE_MEMO)
    samples, _ = memos.spoken_memo()
    pause = memos.room_noise(20)
    return np.concatenate([samples, pause] * (REPEATS.get(config, 1) - 1) + [samples])


def reference_for(config: str) -> str:
    if config.endswith("@5-min"):
        return json.loads(FIVE_MINUTE_MEMO.with_suffix(".json").read_text())["said"]
    if config.endswith("@25-min"):
        return memos.reference_text()
    if config.startswith("dense"):
        return json.loads(DENSE_MEMO.with_suffix(".json").read_text())["said"]
    return "\n".join([memos.reference_text()] * REPEATS.get(config, 1))


def transcribe_text(config: str, samples: np.ndarray) -> str:
    from voiceblog.transcription.whisper_weights import ct2_model_dir

    if "@" in config:
        return matrix_text(*config.split("@")[:2], samples)
    if config == "openai-whisper":
        import torch
        import whisper

        from voiceblog.transcription.whisper_weights import openai_whisper_checkpoint

        torch.set_num_threads(THREADS)
        checkpoint = openai_whisper_checkpoint("tiny.en", memos.CACHE)
        model = whisper.load_model(str(checkpoint), device="cpu")
        result = model.transcribe(samples, language="en", fp16=False, beam_size=5, best_of=5)
        return result["text"]
    if config == "faster-whisper":
        from faster_whisper import WhisperModel

        model = WhisperModel(str(ct2_model_dir("tiny.en")), device="cpu", cpu_threads=THREADS)
        segments, _ = model.transcribe(samples)
        return " ".join(s.text for s in segments)
    from voiceblog.cues import WORD_TIMINGS
    from voiceblog.transcription.options import TranscribeOptions
    from voiceblog.transcription.run import transcribe_samples
    from voiceblog.workspace import Workspace

    timings = {
        "voiceblog-words": {"words": True},
        "dense-words": {"words": True},
        "dense-no-timings": {"cue_timings": False},
    }
    options = TranscribeOptions(threads=THREADS, **timings.get(config, {}))
    return transcribe_samples(
        samples, options, Workspace(memos.CACHE), word_timings=WORD_TIMINGS
    ).text


def matrix_text(engine: str, model: str, samples: np.ndarray) -> str:
    """One cell of the matrix: engine with model's weights, English given (as for tiny.en)."""
    from voiceblog.transcription.whisper_weights import ct2_model_dir

    if engine == "openai-whisper":
        import torch
        import whisper

        from voiceblog.transcription.whisper_weights import openai_whisper_checkpoint

        torch.set_num_threads(THREADS)
        model_path = openai_whisper_checkpoint(model, memos.CACHE)
        loaded = whisper.load_model(str(model_path), device="cpu")
        result = loaded.transcribe(samples, language="en", fp16=False, beam_size=5, best_of=5)
        return result["text"]
    if engine == "faster-whisper":
        from faster_whisper import WhisperModel

        loaded = WhisperModel(str(ct2_model_dir(model)), device="cpu", cpu_threads=THREADS)
        segments, _ = loaded.transcribe(samples, language="en")
        return " ".join(s.text for s in segments)
    from voiceblog.cues import WORD_TIMINGS
    from voiceblog.transcription.options import TranscribeOptions
    from voiceblog.transcription.run import transcribe_samples
    from voiceblog.workspace import Workspace

    beams = {"beam_size": 1, "fallback_beam_size": 3} if engine == "voiceblog-greedy" else {}
    options = TranscribeOptions(model=model, language="en", threads=THREADS, **beams)
    return transcribe_samples(
        samples, options, Workspace(memos.CACHE), word_timings=WORD_TIMINGS
    ).text


def matrix() -> None:
    memos.spoken_memo()
    rows = {}
    for memo in MATRIX_MEMOS:
        for model in MATRIX_MODELS:
            for engine in MATRIX_ENGINES:
                config = f"{engine}@{model}@{memo}"
                print(f"running {config} …", file=sys.stderr, flush=True)
                rows[config] = measured(config)
    print(f"{THREADS} threads, flite speech with known text, English given to every engine\n")
    header = "| memo | weights | engine | wall s | x real time | WER % | peak RSS MB | speed-up |"
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    for config, row in rows.items():
        engine, model, memo = config.split("@")
        reference = rows[f"openai-whisper@{model}@{memo}"]["seconds"]
        print(
            f"| {memo} | {model} | {MATRIX_ENGINES[engine]} | {row['seconds']:.1f} "
            f"| {row['audio'] / row['seconds']:.1f} | {100 * row['wer']:.1f} "
            f"| {row['rss_mb']:.0f} | {reference / row['seconds']:.1f}x faster |"
        )
    print()
    for memo in MATRIX_MEMOS:
        for model in MATRIX_MODELS:
            ours, theirs = rows[f"voiceblog@{model}@{memo}"], rows[f"openai-whisper@{model}@{memo}"]
            print(
                f"{memo} {model}: the voiceblog default is "
                f"{theirs['seconds'] / ours['seconds']:.1f}x faster than openai-whisper, "
                f"WER {100 * ours['wer']:.1f}% against {100 * theirs['wer']:.1f}%"
            )


def measured(config: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--one", config], check=True, capture_output=True, text=True
    )
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["wer"] = word_error_rate(config, row.pop("text"))
    return row


def run_one(config: str) -> dict:
    """In a fresh process: transcribe, then report time, text and this process's peak RSS."""
    memos.CACHE.mkdir(exist_ok=True)  # the converted openai-whisper checkpoint goes there
    samples = memo_for(config)
    started = time.perf_counter()
    hypothesis = transcribe_text(config, samples)
    return {
        "audio": len(samples) / 16_000,
        "seconds": time.perf_counter() - started,
        "text": hypothesis,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def word_error_rate(config: str, hypothesis: str) -> float:
    """WER after openai-whisper's English normalizer, as Whisper's own papers score it."""
    import jiwer
    from whisper.normalizers import EnglishTextNormalizer

    normalize = EnglishTextNormalizer()
    return jiwer.wer(normalize(reference_for(config)), normalize(hypothesis))


def main(only: list[str]) -> None:
    memos.spoken_memo()  # synthesize once, before anything is timed
    rows = {}
    for config in only or CONFIGS:
        print(f"running {config} …", file=sys.stderr, flush=True)
        rows[config] = measured(config)
    print_table(rows)


def print_table(rows: dict[str, dict]) -> None:
    print(f"tiny.en weights, {THREADS} threads, flite speech with known text\n")
    print(f"| {'engine':<42} | audio min | wall s | real-time factor | WER % | peak RSS MB |")
    print(f"|{'-' * 44}|-----------|--------|------------------|-------|-------------|")
    for config, row in rows.items():
        print(
            f"| {CONFIGS[config]:<42} | {row['audio'] / 60:9.1f} | {row['seconds']:6.1f} "
            f"| {row['seconds'] / row['audio']:16.3f} | {100 * row['wer']:5.1f} "
            f"| {row['rss_mb']:11.0f} |"
        )
    print()
    if "voiceblog" in rows:
        ours = rows["voiceblog"]["seconds"]
        for other in ("openai-whisper", "faster-whisper"):
            if other in rows:
                print(
                    f"voiceblog default is {rows[other]['seconds'] / ours:.1f}x faster than {other}"
                )
        if "voiceblog-words" in rows:
            print(f"timing every word costs {extra(rows, 'voiceblog-words', 'voiceblog')}")
    if "dense-no-timings" in rows:
        for config in ("dense", "dense-words"):
            if config in rows:
                print(f"{CONFIGS[config]} costs {extra(rows, config, 'dense-no-timings')}")


def extra(rows: dict, config: str, baseline: str) -> str:
    """How much longer config took than baseline, in seconds and percent."""
    more = rows[config]["seconds"] - rows[baseline]["seconds"]
    return f"{more:+.1f} s ({100 * more / rows[baseline]['seconds']:+.0f}%) over {baseline}"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(sys.argv[2])))
    elif sys.argv[1:2] == ["--matrix"]:
        matrix()
    else:
        main(sys.argv[1:])  # configs to run, all by default
