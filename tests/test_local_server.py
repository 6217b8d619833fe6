"""A local model server that crashes is reported as a crash, in one line, by the tests' own
server helper (tools/local_llm.py) and by voiceblog itself; never as "is it running?"."""

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import local_llm  # noqa: E402

CRASHING = [sys.executable, str(Path(__file__).parent / "crashing_server.py")]


def test_a_server_that_dies_on_its_first_completion_is_reported_as_a_crash():
    port = local_llm.free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with pytest.raises(local_llm.ModelUnavailable) as failed:
        with local_llm.serve_command([*CRASHING, str(port)], url, "crashy", wait=30):
            pytest.fail("a server that crashed on its first completion was handed to a test")
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith(
        "the local model server crashed (signal 11, SIGSEGV) on its first completion"
    ), message
    assert "ggml_backend_amx_mul_mat" in message  # the last lines of its log


def test_voiceblog_says_a_server_that_hangs_up_on_a_request_may_have_crashed(jfk):
    port = local_llm.free_port()
    server = subprocess.Popen([*CRASHING, str(port)], stdout=subprocess.DEVNULL)
    try:
        local_llm._wait_until_up(f"http://127.0.0.1:{port}/v1", server, 30, None)
        url = f"http://127.0.0.1:{port}/v1"
        result = run("draft", jfk, "--llm", "openai/crashy", "--api-base", url)
    finally:
        server.kill()
        server.wait()
    said = f"the LLM server openai/crashy at {url} closed the connection without answering"
    assert said in result.output, result.output
    assert "may have crashed" in result.output
    assert "is the server running" not in result.output


def test_the_installed_llama_cpp_runs_on_any_avx2_cpu():
    """The llama.cpp the tests serve has no AMX or AVX-512 instruction: built by
    tools/portable_llama.py, not by pip with -march=native on whatever CPU built it."""
    llama_cpp = pytest.importorskip("llama_cpp")
    import portable_llama

    libraries = sorted((Path(llama_cpp.__file__).parent / "lib").glob("*.so"))
    assert libraries
    assert {lib.name: portable_llama._forbidden_instructions(str(lib)) for lib in libraries} == {
        lib.name: "" for lib in libraries
    }
