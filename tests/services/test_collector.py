"""The cyclic collector's pause: overlapping pauses (several request threads) resume it once."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from advocacy.services.collector import collector_paused


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_a_pause_stops_the_collector_and_resumes_it() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failure_inside_still_resumes_it() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("the answer failed")
    assert gc.isenabled()


def test_the_first_pause_to_end_leaves_it_off_for_the_other_thread() -> None:
    inside, finish = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_request() -> None:
        with collector_paused():
            inside.set()
            finish.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other_request)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
    # This request is done; the other one still reads: the collector stays off for it.
    still_paused = not gc.isenabled()
    finish.set()
    thread.join(5)
    assert still_paused
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()
