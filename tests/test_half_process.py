"""`tutor.engines.half_process`: the second half of a big batch in a real second process.

Each test starts from no child and no failure, and ends the child it started. BLAS is told it
has two threads (`blas_threads`), so the split happens on any machine; the halves then run with
one BLAS thread each, in either process, which is what makes the bits comparable.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from tutor import backend
from tutor.engines import half_process as H
from tutor.engines import layers as L
from tutor.engines import model as M
from tutor.engines.model import LENET5, Conv, Dense, Flatten, Model, ModelSpec, Pool


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    H.close()
    monkeypatch.setattr(H, "_broken", None)
    monkeypatch.setattr(H, "blas_threads", lambda: 2)
    monkeypatch.setattr(M, "SPLIT_BATCH", 8)
    yield
    H.close()


def _batch(n: int, seed: int, shape=(1, 28, 28)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, *shape)), rng.integers(0, 10, size=n)


def _local(model: Model, x, labels):
    """The same split, both halves here with one BLAS thread."""
    with backend.blas_limit(1):
        h = x.shape[0] // 2
        parts = [model._training_step(x[s]).run(model.params, x[s], labels[s]) for s in (slice(None, h), slice(h, None))]
    (l1, p1, g1), (l2, p2, g2) = parts
    w1 = h / x.shape[0]
    grads = {k: g1[k] * w1 + g2[k] * (1 - w1) for k in g1}
    return l1 * w1 + l2 * (1 - w1), np.concatenate([p1, p2]), grads


def _assert_same(got, want, exact: bool) -> None:
    check = np.testing.assert_array_equal if exact else (lambda a, b, err_msg="": np.testing.assert_allclose(
        a, b, rtol=1e-10, atol=1e-14, err_msg=err_msg))
    check(np.asarray(got[0]), np.asarray(want[0]))
    check(got[1], want[1])
    assert set(got[2]) == set(want[2])
    for name in want[2]:
        check(got[2][name], want[2][name], err_msg=name)


def _reference(model: Model, x, labels):
    first = model.forward(x, train=True)
    loss, probs, dscores = L.softmax_cross_entropy_device(first.scores, labels)
    return loss, probs, model.backward(dscores, first)


def test_the_child_computes_the_second_half() -> None:
    model = Model(LENET5, seed=1, dtype=np.float64)
    x, labels = _batch(12, 1)
    got = model.loss_and_grads(x, labels)
    assert H._child is not None and H._child.process.poll() is None
    assert H.status() == "big batches train as two halves in two processes (the second is running)"
    _assert_same(got, _reference(model, x, labels), exact=False)  # the whole batch, to rounding
    for name, value in got[2].items():  # nothing returned lives in the shared memory
        assert not any(np.shares_memory(value, view) for view in H._child.views.values()), name


def test_float32_bits_match_the_halves_done_here() -> None:
    model = Model(LENET5, seed=2)
    x, labels = _batch(16, 2)
    x = x.astype(np.float32)
    _assert_same(model.loss_and_grads(x, labels), _local(model, x, labels), exact=True)


def test_results_are_new_arrays_that_the_next_step_does_not_touch() -> None:
    model = Model(LENET5, seed=3, dtype=np.float64)
    x1, y1 = _batch(10, 3)
    x2, y2 = _batch(10, 4)
    loss, probs, grads = model.loss_and_grads(x1, y1)
    kept = (float(loss), probs.copy(), {k: v.copy() for k, v in grads.items()})
    model.loss_and_grads(x2, y2)
    assert float(loss) == kept[0]
    np.testing.assert_array_equal(probs, kept[1])
    for name in grads:
        np.testing.assert_array_equal(grads[name], kept[2][name], err_msg=name)


def test_the_shared_file_grows_for_bigger_batches_and_leaves_nothing_behind(monkeypatch) -> None:
    made = []
    real_mkstemp = H.tempfile.mkstemp

    def mkstemp(**kwargs):
        fd, path = real_mkstemp(**kwargs)
        made.append(path)
        return fd, path

    monkeypatch.setattr(H.tempfile, "mkstemp", mkstemp)
    model = Model(LENET5, seed=4, dtype=np.float64)
    sizes = []
    for n in (12, 16, 10, 9, 16):
        x, labels = _batch(n, 10 + n)
        _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), exact=False)
        sizes.append(H._child.capacity)
    assert sizes == [6, 8, 8, 8, 8]  # the second half: 6, 8, 5, 5, 8 images
    assert len(made) == 2 and not any(os.path.exists(path) for path in made)  # unlinked once the child opened it


def test_another_network_and_dtype_get_a_new_layout() -> None:
    odd = ModelSpec(
        name="odd", input_shape=(2, 9, 9),
        layers=(Conv("A", filters=3, kernel=3, stride=2, pad=1, activation="relu"), Pool("P", "avg", size=5),
                Flatten("flatten"), Dense("output", 10, activation="linear")),
    )
    for model, shape in ((Model(LENET5, seed=5, dtype=np.float64), (1, 28, 28)), (Model(odd, seed=6, dtype=np.float64), (2, 9, 9)),
                         (Model(odd, seed=6), (2, 9, 9))):
        x, labels = _batch(8, 7, shape=shape)
        x = x.astype(model.dtype)
        want = _reference(model, x, labels)
        got = model.loss_and_grads(x, labels)
        assert got[2][next(iter(got[2]))].dtype == model.dtype
        np.testing.assert_allclose(got[1], want[1], rtol=1e-4 if model.dtype == np.float32 else 1e-10)


def test_a_dead_child_hands_the_half_back_and_says_why() -> None:
    model = Model(LENET5, seed=8, dtype=np.float64)
    x, labels = _batch(8, 8)
    model.loss_and_grads(x, labels)
    pid = H._child.process.pid
    H._child.process.kill()
    H._child.process.wait()
    got = model.loss_and_grads(x, labels)  # the same answer, computed here
    _assert_same(got, _reference(model, x, labels), exact=False)
    assert H._child is None
    assert H.status().startswith("big batches train in this process only: ")
    assert not H.available()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_failing_child_is_given_up(monkeypatch) -> None:
    model = Model(LENET5, seed=9, dtype=np.float64)
    x, labels = _batch(8, 9)
    model.loss_and_grads(x, labels)
    process = H._child.process
    H._child.send_end.send(("go", "ten"))  # nonsense: the child answers with an error line, and lives
    assert H._child.recv_end.recv()[0] == "error"
    assert H._child.process.poll() is None
    monkeypatch.setattr(H._Child, "collect", lambda self, names, n: (_ for _ in ()).throw(RuntimeError("MemoryError: no room")))
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), exact=False)
    assert "MemoryError: no room" in H.status()
    assert process.wait(timeout=5) is not None  # ended


def test_a_child_that_cannot_start_leaves_the_run_on_this_process(monkeypatch) -> None:
    def fail(self):
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(H._Child, "__init__", fail)
    model = Model(LENET5, seed=10, dtype=np.float64)
    x, labels = _batch(8, 10)
    _assert_same(model.loss_and_grads(x, labels), _reference(model, x, labels), exact=False)
    assert H.status() == "big batches train in this process only: OSError: fork: Resource temporarily unavailable"


def test_an_interrupted_step_does_not_leave_a_stale_answer() -> None:
    """Ctrl+C between sending the half and reading it: the next step reads the old answer first."""
    model = Model(LENET5, seed=11, dtype=np.float64)
    x1, y1 = _batch(8, 11)
    x2, y2 = _batch(8, 12)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        H.run_halves(interrupted, lambda: None, model.spec, model.dtype, model.params, x1[4:], y1[4:])
    assert H._child.pending
    _assert_same(model.loss_and_grads(x2, y2), _reference(model, x2, y2), exact=False)
    assert not H._child.pending
    # interrupted again, and the next batch is bigger: the new layout waits for the old answer too
    with pytest.raises(KeyboardInterrupt):
        H.run_halves(interrupted, lambda: None, model.spec, model.dtype, model.params, x1[4:], y1[4:])
    x3, y3 = _batch(20, 13)
    _assert_same(model.loss_and_grads(x3, y3), _reference(model, x3, y3), exact=False)
    assert H._child is not None and H._child.capacity == 10 and H.status().endswith("(the second is running)")


def test_the_child_is_out_of_reach_of_ctrl_c_and_ends_with_close() -> None:
    model = Model(LENET5, seed=12, dtype=np.float64)
    x, labels = _batch(8, 12)
    model.loss_and_grads(x, labels)
    process = H._child.process
    assert os.getsid(process.pid) != os.getsid(0)  # its own session: the terminal's SIGINT misses it
    H.close()
    assert process.poll() is not None
    assert H._child is None


def test_while_one_run_uses_the_child_another_computes_both_halves_itself() -> None:
    model = Model(LENET5, seed=13, dtype=np.float64)
    x, labels = _batch(8, 13)
    release, inside = threading.Event(), threading.Event()
    results = {}

    def slow():
        inside.set()
        release.wait(10)
        return "first"

    outer = threading.Thread(target=lambda: results.setdefault(
        "outer", H.run_halves(slow, lambda: None, model.spec, model.dtype, model.params, x[4:], labels[4:])))
    outer.start()
    assert inside.wait(10)
    assert H.run_halves(lambda: "a", lambda: "b", model.spec, model.dtype, model.params, x[4:], labels[4:]) == ("a", "b")
    release.set()
    outer.join(10)
    assert results["outer"][0] == "first"
    _assert_same(results["outer"][1], model._training_step(x[4:]).run(model.params, x[4:], labels[4:]), exact=False)


def test_one_blas_thread_never_starts_a_child(monkeypatch) -> None:
    monkeypatch.setattr(H, "blas_threads", lambda: 1)
    model = Model(LENET5, seed=14, dtype=np.float64)
    x, labels = _batch(8, 14)
    model.loss_and_grads(x, labels)
    assert H._child is None
    assert H.status() == "big batches train in this process only: BLAS may use one thread"
