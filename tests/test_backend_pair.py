"""`tutor.backend.run_pair`: two NumPy jobs on two cores where BLAS may use two threads."""

from __future__ import annotations

import threading

import pytest

from tutor import backend


def test_blas_threads_reads_the_loaded_library() -> None:
    assert backend.blas_threads() >= 1


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_results_come_back_in_order(monkeypatch, threads: int) -> None:
    monkeypatch.setattr(backend, "blas_threads", lambda: threads)
    here = threading.get_ident()
    (a, ta), (b, tb) = backend.run_pair(lambda: ("first", threading.get_ident()),
                                        lambda: ("second", threading.get_ident()))
    assert (a, b) == ("first", "second")
    assert ta == here
    assert (tb == here) == (threads < 2)  # the second job moves to the worker only with two cores


def test_blas_is_halved_while_the_pair_runs(monkeypatch) -> None:
    """Each job gets half of BLAS's threads, so two jobs never ask for more cores than one did."""
    lib = backend._blas_controller().select(user_api="blas")
    before = backend.blas_threads()
    monkeypatch.setattr(backend, "blas_threads", lambda: 4)
    seen = backend.run_pair(lambda: lib.info()[0]["num_threads"], lambda: lib.info()[0]["num_threads"])
    assert seen == (2, 2)
    assert lib.info()[0]["num_threads"] == before  # restored


@pytest.mark.parametrize("which", ["first", "second"])
def test_an_error_in_either_job_is_raised_after_both_end(monkeypatch, which: str) -> None:
    monkeypatch.setattr(backend, "blas_threads", lambda: 2)
    finished = []

    def job(name: str):
        def run():
            if name == which:
                raise ValueError(f"{name} failed")
            finished.append(name)
            return name
        return run

    with pytest.raises(ValueError, match=f"{which} failed"):
        backend.run_pair(job("first"), job("second"))
    other = "second" if which == "first" else "first"
    assert finished == [other]
    # the worker is free again: the next pair runs on two threads
    assert backend.run_pair(lambda: 1, lambda: 2) == (1, 2)


def test_a_pair_started_while_another_runs_waits_for_nothing(monkeypatch) -> None:
    """Two training runs at once: the second pair runs on its own thread, one job after the other."""
    monkeypatch.setattr(backend, "blas_threads", lambda: 2)
    release, inside = threading.Event(), threading.Event()
    results = {}

    def slow():
        inside.set()
        release.wait(5)
        return "slow"

    outer = threading.Thread(target=lambda: results.setdefault("outer", backend.run_pair(slow, lambda: "b")))
    outer.start()
    assert inside.wait(5)
    here = threading.get_ident()
    threads = backend.run_pair(threading.get_ident, threading.get_ident)
    assert threads == (here, here)
    release.set()
    outer.join(5)
    assert results["outer"] == ("slow", "b")
