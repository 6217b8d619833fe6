"""The allocator settings Whisper runs under: a freed big block is reused, not faulted in again,
and a user's own glibc settings are left alone. Each case runs in a fresh process."""

import sys

import pytest
from helpers import page_faults

KEEP_IF_ASKED = """
import sys
from voiceblog.memory import allow_keeping_freed_memory
if sys.argv[1] == "keep":
    allow_keeping_freed_memory()
"""


def faults(mode: str, **env: str) -> tuple[str, int, int]:
    return page_faults(KEEP_IF_ASKED, mode, **env)


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
