"""Where Whisper runs: --device auto (a CUDA GPU when the engine's library sees one), cpu or cuda.

Each engine asks its own library, because that library is the one that must use the GPU:
CTranslate2 for faster-whisper, torch for openai-whisper (a CPU build of torch sees no GPU even
on a machine that has one). Not run on a GPU here: the cuda path is what faster-whisper and
openai-whisper document (float16 on CUDA), the cpu path is the one voiceblog always had.
"""

from __future__ import annotations

from functools import lru_cache

from voiceblog.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")


def resolved(engine: str, requested: str) -> str:
    """The device auto means on this machine for this engine ("cuda" or "cpu")."""
    if requested == "auto":
        return "cuda" if _sees_a_gpu(engine) else "cpu"
    return requested


def compute_type(device: str) -> str:
    """CTranslate2's compute type: float16 is the usual one on a GPU; int8 is what makes a CPU
    fast (and what voiceblog has always used there)."""
    return "float16" if device == "cuda" else "int8"


def check_available(engine: str, requested: str) -> None:
    """ConfigError in one line when cuda is asked for and the engine's library sees no GPU,
    so the run stops before any work rather than in a traceback from inside Whisper."""
    if requested == "cuda" and not _sees_a_gpu(engine):
        library = "torch" if engine == "openai-whisper" else "CTranslate2"
        raise ConfigError(
            f"--device cuda: {library} ({engine}) sees no CUDA GPU on this machine; "
            "use --device auto or cpu"
        )


@lru_cache(maxsize=2)
def _sees_a_gpu(engine: str) -> bool:
    if engine == "openai-whisper":
        try:
            import torch
        except ImportError:
            return False  # the engine says it is not installed when it is used
        return torch.cuda.is_available()
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0
