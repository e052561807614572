"""Process-wide memory tuning, done once per process at its start.

`dl-tutor train` calls `tune_allocator()` before its first batch and the training scene before
its first run; the engine itself (`tutor.engines.train.Trainer.run`) changes nothing process-wide.
The app (`dl-tutor`, `dl-tutor open`) and the test workers call `tune_gc()` once started.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

__all__ = ["GC_THRESHOLDS", "tune_allocator", "tune_gc"]

#: Python's cycle collector runs its youngest generation after this many more allocations than
#: frees (Python's default: 700), and the older ones after these many younger collections.
GC_THRESHOLDS = (20_000, 50, 100)

_LOCK = threading.Lock()
_DONE = False


def tune_allocator() -> None:
    """Ask glibc to keep freed memory instead of unmapping it (Linux only; no effect elsewhere),
    the first time it is called in this process.

    A training step allocates and frees the same few multi-megabyte arrays hundreds of times a
    second; by default glibc returns each to the OS and page-faults it back in, which more than
    doubled the time of a LeNet step on NumPy in our measurements.
    """
    global _DONE
    with _LOCK:
        if _DONE:
            return
        _DONE = True
    name = ctypes.util.find_library("c")
    if not name or "libc" not in name:
        return
    try:
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, 1 << 30)
        libc.mallopt(m_trim_threshold, 1 << 30)
    except (OSError, AttributeError):
        return


def tune_gc() -> None:
    """Make Python's cycle collector cheaper for a Textual app: move everything built so far
    (modules, the course, classes, caches) out of its reach (`gc.freeze`), and look for cycles
    among young objects every GC_THRESHOLDS[0] allocations instead of every 700.

    Drawing a screen allocates tens of thousands of short-lived objects (segments, strips,
    styles), so at Python's default the collector ran dozens of times per frame and walked
    every long-lived object in its older passes: 15-20% of the CPU of opening a lesson or of
    the Pilot tests. Cycles are still collected, a little later; memory stays bounded."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()  # `dl-tutor` starts with it off while it imports (tutor.cli.main)
