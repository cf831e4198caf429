"""The C allocator's settings for the server process: keep freed memory for the next tick.

A tick allocates and frees numpy temporaries of up to a few megabytes (the autopilot's horizon tables
and pair tests). With glibc's defaults, blocks over its mmap threshold are unmapped when freed, and free
memory over the trim threshold at the top of the heap goes back to the kernel, so the next tick faults
the same memory in again page by page. With 1000 autopiloted vehicles that was 2,000 to 3,000 page
faults a tick and a quarter to a third of its time, and whether it happened depended on the allocation
history (glibc moves both thresholds as blocks come and go), so the tick rate of one build jumped by
1.5x between runs.

Fixed thresholds stop the churn: blocks up to ``MMAP_THRESHOLD`` come from the heap, and up to
``TRIM_THRESHOLD`` of free heap stays with the process. Only glibc has ``mallopt``; elsewhere this does
nothing.
"""
from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024        # glibc's largest (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit)
TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds for this process; False where the C library has no mallopt
    or refuses a value."""
    try:
        mallopt = ctypes.CDLL(None).mallopt      # the C library the interpreter runs on (no library search)
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    mmap_set = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    trim_set = mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    return mmap_set and trim_set
