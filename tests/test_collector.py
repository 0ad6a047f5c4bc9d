"""portal.collector: the cyclic garbage collector paused around bulk work."""

import gc
import threading

from portal import collector


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_and_concurrent_pauses_resume_when_the_last_one_ends():
    inner_started, release = threading.Event(), threading.Event()

    def other():
        with collector.paused():
            inner_started.set()
            release.wait(5)

    with collector.paused():
        thread = threading.Thread(target=other)
        thread.start()
        inner_started.wait(5)
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off_and_an_error_still_resumes():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    try:
        with collector.paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.isenabled()


def test_paused_works_as_a_decorator():
    @collector.paused()
    def work():
        return gc.isenabled()

    assert work() is False and gc.isenabled()
