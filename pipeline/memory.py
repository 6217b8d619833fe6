"""How the process's C allocator treats the big blocks Whisper's engine asks for.

CTranslate2 allocates and frees a few hundred MB for every batch of windows (attention scores,
activations). glibc serves blocks that big with fresh mmap'ed pages and hands them back to the
kernel on free, so each batch paid for page faults and zeroing again: a quarter of encoding time
(perf, tiny.en on 2 cores), and worker threads' own arenas cannot hold a block past 64 MB at all.
With one arena, big blocks from the heap and no trimming, freed memory is reused: encoding is
28% faster, peak memory the same. After a memo the free memory is given back.

These settings hold for the whole process, so they apply only where it is voiceblog's own:
the command line allows them (cli.main), a library caller only by asking
(voiceblog.draft(..., tune_memory=True)); elsewhere keep_freed_memory does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import cache

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
NEVER = 2**31 - 1  # bytes, the largest value mallopt takes (an int): "never", as a threshold
# A user who tunes glibc's allocator through its environment variables keeps their settings.
USER_SETTINGS = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")


@cache
def _glibc():
    """The C library, when it is glibc (which has mallopt and malloc_trim); else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_allowed = False  # whether this process lets voiceblog set its allocator


def allow_keeping_freed_memory() -> None:
    """Let keep_freed_memory change the process's allocator: the process is voiceblog's."""
    global _allowed
    _allowed = True


def keep_freed_memory() -> bool:
    """Reuse freed big blocks instead of returning them to the kernel at once, where allowed.
    Call it before the engine starts its threads (an arena is chosen per thread). True when
    the settings apply."""
    return _allowed and _kept_freed_memory()


@cache
def _kept_freed_memory() -> bool:
    libc = _glibc()
    if libc is None or any(name in os.environ for name in USER_SETTINGS):
        return False
    settings = ((M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, NEVER), (M_TRIM_THRESHOLD, NEVER))
    return all(libc.mallopt(parameter, ctypes.c_int(value)) for parameter, value in settings)


def give_back_memory() -> None:
    """Return the free memory to the kernel: a long batch or watch keeps no idle peak."""
    if (libc := _glibc()) is not None and keep_freed_memory():
        libc.malloc_trim(0)
