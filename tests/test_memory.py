"""The allocator settings Whisper runs under: a freed big block is reused, not faulted in again,
and a user's own glibc settings are left alone. Each case runs in a fresh process."""

import os
import subprocess
import sys

import pytest

# Allocate and touch 200 MB twice, freeing it between: how many page faults each time costs.
FAULTS = """
import resource, sys
import numpy as np
from voiceblog.memory import allow_keeping_freed_memory, keep_freed_memory
if sys.argv[1] == "keep":
    allow_keeping_freed_memory()
applied = keep_freed_memory()
faults = []
for _ in range(2):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(50_000_000, dtype=np.float32)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    del block
print(applied, *faults)
"""


def faults(mode: str, **env: str) -> tuple[str, int, int]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    out = subprocess.run(
        [sys.executable, "-c", FAULTS, mode], capture_output=True, text=True, env=environment
    )
    assert out.returncode == 0, out.stderr
    applied, first, second = out.stdout.split()
    return applied, int(first), int(second)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_freed_big_block_is_reused_without_page_faults():
    applied, first, second = faults("keep")
    assert applied == "True"
    assert first > 50  # 200 MB faulted in (in huge pages where the kernel uses them)
    assert second < first / 20  # the same pages again
    _, first, second = faults("default")
    assert second > first / 2  # glibc's default: the block went back to the kernel


def test_the_users_own_allocator_settings_are_kept():
    applied, _, _ = faults("keep", MALLOC_ARENA_MAX="4")
    assert applied == "False"
