"""Real instruct models on 127.0.0.1 (llama.cpp's server), one per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import local_llm  # noqa: E402


def _served(model: local_llm.LocalModel):
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as e:  # the one reason to skip: the runtime could not be built here
        pytest.skip(f"llama-cpp-python[server] is not installed: {e}")
    return local_llm.serve(model)


@pytest.fixture(scope="session")
def qwen() -> str:
    """Qwen2.5-Coder-0.5B-Instruct (Q4_K_M): the model's /v1 URL."""
    with _served(local_llm.QWEN) as url:
        yield url


@pytest.fixture(scope="session")
def smollm() -> str:
    """SmolLM2-135M-Instruct: a model that loops and ignores JSON."""
    with _served(local_llm.SMOLLM) as url:
        yield url
