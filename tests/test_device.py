"""--device auto|cpu|cuda on this machine, which has no GPU: auto and cpu draft as voiceblog
always has, cuda is one line before any work, and the transcript cache is keyed as before."""

from pathlib import Path

import ctranslate2
import pytest
from helpers import run

from voiceblog.transcription.options import TranscribeOptions

pytestmark = [
    pytest.mark.skipif(
        ctranslate2.get_cuda_device_count() > 0,
        reason="these are the answers of a machine without a GPU",
    ),
    pytest.mark.fresh_cache,  # how the transcript cache is keyed, from an empty one
]

NO_GPU = (
    "Error: --device cuda: CTranslate2 (faster-whisper) sees no CUDA GPU on this machine; "
    "use --device auto or cpu\n"
)


def test_cpu_and_auto_draft_as_before_from_one_transcript(jfk, workspace):
    cpu = run("draft", jfk, "--device", "cpu")
    assert cpu.exit_code == 0, cpu.output
    # The same line as before --device: no GPU, nothing said about one.
    assert "jfk.flac: transcribing 11 s of audio with faster-whisper tiny.en\n" in cpu.stderr
    drafts = {p: p.read_bytes() for p in map(Path, cpu.stdout.split()) if p.suffix == ".md"}
    for device in ("auto", None):  # None: the default, auto
        again = run("draft", jfk, *(["--device", device] if device else []))
        assert again.exit_code == 0, again.output
        assert "jfk.flac: using the cached transcript" in again.stderr  # the same cache key
        assert again.stdout == cpu.stdout
        assert {p: p.read_bytes() for p in drafts} == drafts
    assert len(list((workspace / ".voiceblog" / "transcripts").iterdir())) == 1
    # Not an option that changes a draft: a batch finds the memo drafted.
    (workspace / "recordings").mkdir()
    jfk.rename(workspace / "recordings" / jfk.name)
    assert run("status", "--device", "cpu").stdout == "jfk.flac: drafted [en]\n"


def test_cuda_without_a_gpu_is_one_line_and_nothing_is_done(jfk, workspace):
    for command in (["draft", jfk], ["transcribe", jfk], ["batch", "."]):
        result = run(*command, "--device", "cuda")
        assert (result.exit_code, result.stderr, result.stdout) == (1, NO_GPU, "")
    assert not (workspace / "drafts").exists()
    assert not (workspace / ".voiceblog" / "transcripts").exists()

    (workspace / "voiceblog.toml").write_text('device = "cuda"\n')
    assert run("draft", jfk).stderr == NO_GPU
    assert "device         = cuda" in run("config").stdout


def test_cuda_for_openai_whisper_asks_torch(jfk):
    pytest.importorskip("torch")
    result = run("draft", jfk, "--engine", "openai-whisper", "--device", "cuda")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --device cuda: torch (openai-whisper) sees no CUDA GPU on this machine; "
        "use --device auto or cpu\n",
    )


def test_the_device_is_not_in_the_transcript_cache_key():
    """Transcripts cached before --device existed stay valid: these keys were computed by the
    code before it (main at 22840a1)."""
    assert TranscribeOptions(device="cpu").cache_key("0" * 64) == (
        "a81bf3391585a73c7a33fb136ef653cd6851c1bc996a411a69368bdeefc6f545"
    )
    options = {"language": "en", "vocab": "QLoRA", "threads": 2}
    for device in ("auto", "cpu", "cuda"):
        assert TranscribeOptions(**options, device=device).cache_key("ab" * 32) == (
            "0df628f1db310f18ab9400f72010ba5e874ad9a9e5a35e5f2e415f3a5ef7918b"
        )
