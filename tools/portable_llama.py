"""Install llama-cpp-python built to run on any x86-64 CPU with AVX2, never for this one alone.

PyPI has only llama-cpp-python's source, and llama.cpp builds with GGML_NATIVE=ON by default:
`-march=native`, so on a CPU that advertises AMX (an Intel Xeon of this machine's kind) the
AMX kernels are compiled in, and in this kind of virtual machine the first AMX tile instruction
(`ldtilecfg` in ggml_backend_amx_mul_mat) is a general protection fault: the server dies on its
first completion. pip's own wheel cache would hand back a wheel built with whatever flags built
it first, so the portable wheel is built here with pip's cache off, kept in the user's cache
under a name that holds the flags, checked for AMX and AVX-512 instructions by disassembling
its libraries, and installed from there. A second run installs the kept wheel in seconds.

    python tools/portable_llama.py      # into the interpreter that runs it (the venv's python)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REQUIREMENT = "llama-cpp-python[server]==0.3.36"
# x86-64-v3 (AVX2, FMA, F16C, BMI2: every x86-64 server CPU since 2013-2015), named one by one
# instead of -march=native; AVX-512 and AMX off, as CPUs and hypervisors differ on both.
CMAKE_ARGS = " ".join(
    [
        "-DGGML_NATIVE=OFF",
        "-DGGML_AVX=ON",
        "-DGGML_AVX2=ON",
        "-DGGML_FMA=ON",
        "-DGGML_F16C=ON",
        "-DGGML_BMI2=ON",
        "-DGGML_AVX512=OFF",
        "-DGGML_AVX512_VBMI=OFF",
        "-DGGML_AVX512_VNNI=OFF",
        "-DGGML_AVX512_BF16=OFF",
        "-DGGML_AVX_VNNI=OFF",
        "-DGGML_AMX_TILE=OFF",
        "-DGGML_AMX_INT8=OFF",
        "-DGGML_AMX_BF16=OFF",
    ]
)
# Instructions a portable build must not contain: AMX tiles, and any AVX-512 (zmm) register.
FORBIDDEN = re.compile(r"\b(ldtilecfg|tileloadd\w*|tdpb\w+|tilezero)\b|%zmm\d")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "voiceblog" / "wheels"


class BuildError(RuntimeError):
    """The portable wheel could not be built, or is not portable."""


def wheel_folder() -> Path:
    """Where the wheel for this requirement and these flags is kept."""
    key = hashlib.sha256(f"{REQUIREMENT} {CMAKE_ARGS}".encode()).hexdigest()[:12]
    return CACHE / f"llama-cpp-python-{key}"


def portable_wheel() -> Path:
    """The kept wheel, built and checked the first time."""
    folder = wheel_folder()
    kept = sorted(folder.glob("llama_cpp_python-*.whl"))
    if kept:
        return kept[-1]
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
        wheel = _build(Path(scratch))
        _check_portable(wheel)
        Path(scratch, "checked").mkdir()
        shutil.move(wheel, Path(scratch, "checked") / wheel.name)
        Path(scratch, "checked").rename(folder)
    return folder / wheel.name


def _build(scratch: Path) -> Path:
    print(f"building {REQUIREMENT} for any AVX2 x86-64 CPU (once; ~7 min on 2 cores)", flush=True)
    env = dict(os.environ, CMAKE_ARGS=CMAKE_ARGS, FORCE_CMAKE="1")
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir"]
    command += ["--no-binary", "llama-cpp-python", "-w", str(scratch), REQUIREMENT]
    if subprocess.run(command, env=env).returncode != 0:
        raise BuildError(f"pip wheel {REQUIREMENT} failed (its output is above)")
    return next(scratch.glob("llama_cpp_python-*.whl"))


def _check_portable(wheel: Path) -> None:
    """Disassemble every shared library in the wheel: no AMX or AVX-512 instruction in any."""
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(wheel) as archive:
        libraries = [n for n in archive.namelist() if re.search(r"\.so(\.\d+)*$", n)]
        if not libraries:
            raise BuildError(f"{wheel.name} holds no shared library")
        for name in libraries:
            path = archive.extract(name, folder)
            found = _forbidden_instructions(path)
            if found:
                raise BuildError(f"{wheel.name}: {name} is not portable: {found}")
        print(f"{wheel.name}: {len(libraries)} libraries, no AMX or AVX-512 instruction")


def _forbidden_instructions(library: str) -> str:
    listing = subprocess.run(["objdump", "-d", library], capture_output=True, text=True, check=True)
    hits = {m.group(0) for m in FORBIDDEN.finditer(listing.stdout)}
    return ", ".join(sorted(hits)[:5])


def main() -> None:
    try:
        wheel = portable_wheel()
    except BuildError as e:
        sys.exit(f"portable_llama: {e}")
    # --force-reinstall: a llama-cpp-python already in the venv may be a native build.
    command = [sys.executable, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps"]
    subprocess.run([*command, str(wheel)], check=True)
    server_extra = [sys.executable, "-m", "pip", "install", "-q", f"{wheel}[server]"]
    subprocess.run(server_extra, check=True)


if __name__ == "__main__":
    main()
