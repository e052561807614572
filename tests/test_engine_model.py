"""Model specs, the LeNet-5 summary the workshop counts, whole-network gradients and model files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tutor.engines import layers as L
from tutor.engines.model import (
    LENET5,
    MODELS,
    Conv,
    Dense,
    Flatten,
    Model,
    ModelError,
    ModelSpec,
    Pool,
    format_summary,
    mlp_spec,
    summary,
    total_params,
)
from tutor.model_files import load_model, load_model_with_extra, save_model


def test_lenet5_summary_matches_the_workshop() -> None:
    rows = {row.name: row for row in summary(LENET5)}
    assert rows["C1"].output_shape == (6, 28, 28) and rows["C1"].params == 6 * (5 * 5 + 1) == 156
    assert rows["S2"].output_shape == (6, 14, 14) and rows["S2"].params == 0
    assert rows["C3"].output_shape == (16, 10, 10) and rows["C3"].params == 16 * (6 * 25 + 1) == 2416
    assert rows["S4"].output_shape == (16, 5, 5) and rows["S4"].params == 0
    assert rows["C5"].output_shape == (120, 1, 1) and rows["C5"].params == 400 * 120 + 120 == 48120
    assert rows["F6"].output_shape == (84,) and rows["F6"].params == 120 * 84 + 84 == 10164
    assert rows["output"].output_shape == (10,) and rows["output"].params == 850
    assert rows["output"].activation == "softmax"
    assert total_params(LENET5) == 61706
    assert Model(LENET5).parameter_count() == 61706
    text = format_summary(LENET5)
    assert "Total params: 61,706" in text and "C5 (Conv2D)" in text and "(None, 120, 1, 1)" in text


def test_dense_classifiers_count_like_the_workshop() -> None:
    rows = summary(mlp_spec(30, "sigmoid"))
    assert rows[1].params == 784 * 30 + 30 == 23550
    assert total_params(mlp_spec(30, "sigmoid")) == 23550 + 310
    assert total_params(MODELS["mlp-128-relu"]) == 784 * 128 + 128 + 1290


def test_shapes_that_do_not_chain_are_refused() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        summary(ModelSpec("bad", (1, 4, 4), (Conv("C", 2, 5),)))
    with pytest.raises(ValueError, match="Flatten"):
        summary(ModelSpec("bad", (1, 4, 4), (Dense("D", 3),)))


SMALL = ModelSpec(
    "small",
    (2, 8, 8),
    (
        Conv("C1", 3, 3, pad=1, activation="tanh"),
        Pool("P1", "max"),
        Conv("C2", 4, 3, activation="relu"),
        Pool("P2", "avg"),
        Flatten(),
        Dense("H", 5, activation="sigmoid"),
        Dense("output", 10, activation="linear"),
    ),
)


def test_whole_network_gradients_against_numerical_ones() -> None:
    model = Model(SMALL, seed=3, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 8, 8))
    labels = np.array([1, 7, 4])
    _, _, grads = model.loss_and_grads(x, labels)

    def f() -> float:
        return L.softmax_cross_entropy(model.scores(x), labels)[0]

    for name, param in model.params.items():
        np.testing.assert_allclose(grads[name], L.numerical_gradient(f, param), rtol=1e-4, atol=1e-7, err_msg=name)


def test_lenet_gradients_against_numerical_ones_on_a_sample() -> None:
    model = Model(LENET5, seed=1, dtype=np.float64)
    rng = np.random.default_rng(1)
    x = rng.random(size=(2, 1, 28, 28))
    labels = np.array([3, 8])
    _, _, grads = model.loss_and_grads(x, labels)

    def f() -> float:
        return L.softmax_cross_entropy(model.scores(x), labels)[0]

    for name in ("C1.w", "C1.b", "C3.w", "C5.b", "F6.w", "output.b"):
        param = model.params[name]
        flat = param.reshape(-1)
        for index in rng.choice(flat.size, size=min(6, flat.size), replace=False):
            old = flat[index]
            flat[index] = old + 1e-6
            plus = f()
            flat[index] = old - 1e-6
            minus = f()
            flat[index] = old
            numeric = (plus - minus) / 2e-6
            assert grads[name].reshape(-1)[index] == pytest.approx(numeric, rel=1e-4, abs=1e-8), name


def test_backward_needs_a_training_forward() -> None:
    model = Model(SMALL)
    inference = model.forward(np.zeros((1, 2, 8, 8), dtype=np.float32))
    with pytest.raises(RuntimeError, match="train=True"):
        model.backward(np.zeros((1, 10), dtype=np.float32), inference)


def test_passes_are_independent_so_threads_can_share_a_model() -> None:
    """`forward` keeps nothing on the model: a pass made in between (another thread's) does not
    change the gradients of the first one."""
    model = Model(SMALL, seed=3, dtype=np.float64)
    rng = np.random.default_rng(4)
    x, other = rng.normal(size=(3, 2, 8, 8)), rng.normal(size=(5, 2, 8, 8))
    labels = np.array([1, 7, 4])
    _, _, expected = model.loss_and_grads(x, labels)
    first = model.forward(x, train=True)
    model.forward(other, train=True, keep=True)  # e.g. a scene's worker, at the same time
    _, _, dscores = L.softmax_cross_entropy_device(first.scores, labels)
    grads = model.backward(dscores, first)
    for name in expected:
        np.testing.assert_allclose(grads[name], expected[name], err_msg=name)
    assert not hasattr(model, "_caches") and not hasattr(model, "activations")


def test_old_files_naming_lenet5_load_as_lenet(tmp_path) -> None:
    """The shipped weights and older saved models say "lenet5" inside: the same model."""
    data = json.loads(LENET5.to_json())
    assert data["name"] == "lenet"
    data["name"] = "lenet5"
    assert ModelSpec.from_json(json.dumps(data)) == LENET5


def test_predict_proba_accepts_uint8_and_floats() -> None:
    model = Model(LENET5, seed=0)
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    p8 = model.predict_proba(images)
    pf = model.predict_proba(images.astype(np.float32) / 255)
    assert p8.shape == (3, 10) and p8.dtype == np.float64
    np.testing.assert_allclose(p8.sum(axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(p8, pf, atol=1e-6)
    maps = model.feature_maps(images[0])
    assert maps["C1"].shape == (6, 28, 28) and maps["S2"].shape == (6, 14, 14)
    assert maps["C3"].shape == (16, 10, 10) and maps["output"].shape == (10,)


def test_save_and_load_round_trip(tmp_path) -> None:
    model = Model(LENET5, seed=5)
    path = tmp_path / "m.npz"
    save_model(model, path, extra={"note": np.array(7)})
    again, extra = load_model_with_extra(path)
    assert int(extra["note"]) == 7
    for name, value in model.params.items():
        np.testing.assert_array_equal(again.params[name], value)
    with pytest.raises(ModelError, match="expected"):
        load_model(path, expect=MODELS["mlp-30-sigmoid"])


def test_damaged_model_files_give_one_sentence(tmp_path) -> None:
    with pytest.raises(ModelError, match="no such model file"):
        load_model(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="junk.npz: not a dl-tutor model file"):
        load_model(junk)
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(3))
    with pytest.raises(ModelError, match="not a dl-tutor model file"):
        load_model(plain)
    model = Model(LENET5)
    model.params["C1.w"][0, 0, 0, 0] = np.nan
    bad = tmp_path / "nan.npz"
    save_model(model, bad)
    with pytest.raises(ModelError, match="NaN"):
        load_model(bad)


def test_a_model_of_another_version_is_named_as_such(tmp_path) -> None:
    from dataclasses import replace

    old = Model(replace(LENET5, input_mean=0.0, input_std=1.0))
    path = tmp_path / "old.npz"
    save_model(old, path)
    with pytest.raises(ModelError, match="another version"):
        load_model(path, expect=LENET5)


# --- saving: atomic, never over anything but a regular file (issue #14) ------------------------------


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch) -> None:
    from tutor.model_files import SaveError

    path = tmp_path / "m.npz"
    path.write_bytes(b"the earlier model")

    def disk_full(handle, **arrays):
        handle.write(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(SaveError, match="m.npz: could not be written \\(No space left on device\\)"):
        save_model(Model(MODELS["mlp-30-sigmoid"]), path)
    assert path.read_bytes() == b"the earlier model"
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_an_interrupted_save_leaves_no_temporary(tmp_path, monkeypatch) -> None:
    def interrupted(handle, **arrays):
        handle.write(b"PK")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(Model(MODELS["mlp-30-sigmoid"]), tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_what_is_not_a_regular_file(tmp_path) -> None:
    import os
    import stat

    from tutor.model_files import SaveError, check_save_path

    model = Model(MODELS["mlp-30-sigmoid"])
    target = tmp_path / "target.txt"
    target.write_text("keep")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    for path, match in ((tmp_path, "is a folder"), (link, "symbolic link"), (fifo, "not a regular file"),
                        (target / "m.npz", "is a file, not a folder")):
        with pytest.raises(SaveError, match=match):
            save_model(model, path)
        with pytest.raises(SaveError, match=match):
            check_save_path(path)
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode) and target.read_text() == "keep"
    with pytest.raises(SaveError, match="free on its disk"):
        check_save_path(tmp_path / "ok.npz", size_hint=2**62)
    check_save_path(tmp_path / "new" / "ok.npz")
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == []  # the probe is gone
    save_model(model, tmp_path / "new" / "ok.npz")
    assert load_model(tmp_path / "new" / "ok.npz").parameter_count() == model.parameter_count()


@pytest.mark.parametrize(
    "layers,match",
    [
        ([{"kind": "dense", "name": "d", "units": -3}], "whole number"),
        ([{"kind": "dense", "name": "d", "units": True}], "whole number"),
        ([{"kind": "conv", "name": "c", "filters": 6, "kernel": 5, "activation": "exec"}], "unknown activation"),
        ([{"kind": "pool", "name": "p", "mode": "median"}], "avg or max"),
        ([{"kind": "flatten", "name": "f"}, {"kind": "dense", "name": "d", "units": 100_000}], "more than dl-tutor"),
        ([{"kind": "flatten"}], "no layer has parameters"),
        ("layers", "list of layers"),
        ([["dense"]], "must be an object"),
    ],
)
def test_absurd_model_descriptions_are_refused(layers, match) -> None:
    import json

    text = json.dumps({"name": "x", "input_shape": [1, 28, 28], "layers": layers})
    with pytest.raises(ModelError, match=match):
        ModelSpec.from_json(text)
    for shape in ([1, 28], [1, -28, 28], [1, 28, "28"]):
        with pytest.raises(ModelError, match="input_shape"):
            ModelSpec.from_json(json.dumps({"name": "x", "input_shape": shape, "layers": [{"kind": "flatten"}]}))


def test_damaged_shipped_weights_say_reinstall(tmp_path, monkeypatch) -> None:
    from tutor import model_files

    broken = tmp_path / "lenet5.npz"
    broken.write_bytes(model_files.shipped_lenet_path().read_bytes()[:1000])
    monkeypatch.setattr(model_files, "shipped_lenet_path", lambda: broken)
    with pytest.raises(ModelError) as caught:
        model_files.load_shipped_lenet()
    message = str(caught.value)
    assert str(broken) in message and "reinstall dl-tutor" in message and "delete it" not in message
    assert message.count("; reinstall dl-tutor (") == 1 and "\n" not in message
