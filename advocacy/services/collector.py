"""Pausing Python's cyclic garbage collector around reads that build many short-lived objects.

A nurture run or an analytics answer over a large firm builds a few objects per contact or
engagement, all alive until the work is done and none in a reference cycle. The collector,
triggered by those allocations, walks every live object again and again for nothing: on the
large demo firm it was a third of a planning run and over half of a filtered analytics page.
Reference counting still frees everything; cycles made meanwhile wait for the next collection.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # how many threads are inside `collector_paused` right now
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; the last of overlapping pauses resumes it."""
    # Counted, not saved and restored per call: a web worker runs several threads, and one
    # request finishing must not switch the collector back on under another one still reading.
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
