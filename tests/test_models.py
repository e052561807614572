"""tutor.models: one name per model, the model files, finding a trained model with a reason, and
the evaluation cache. (The stopped-path test moved here from test_engine_model.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tutor import model_files, models
from tutor.engines import model as model_engine
from tutor.engines.model import LENET5, MODELS, Model, mlp_spec
from tutor.scenes.registry import SCENES


def test_one_name_per_model_everywhere() -> None:
    assert models.MODEL_NAMES == tuple(MODELS) == ("lenet", "mlp-30-sigmoid", "mlp-128-relu")
    for name, spec in MODELS.items():
        assert spec.name == name and name in models.TITLES
    assert set(models.TRAINING_ORDER) == set(models.MODEL_NAMES)
    assert models.TRAINING_ORDER[-1] == "lenet"  # the dense networks (quick) first
    assert SCENES["lenet-summary"].specs["model"].choices == models.MODEL_NAMES
    assert SCENES["training"].specs["model"].choices == models.TRAINING_ORDER


def test_lenet5_is_another_name_for_lenet() -> None:
    assert models.canonical("lenet5") == "lenet" == models.canonical("lenet")
    assert models.spec("lenet5") is LENET5
    assert models.title("lenet5") == "LeNet-5"
    with pytest.raises(ValueError, match="choose one of lenet, mlp-30-sigmoid, mlp-128-relu"):
        models.canonical("resnet")


def test_model_files_live_in_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DL_TUTOR_HOME", str(tmp_path))
    assert models.model_path("lenet5") == tmp_path / "models" / "lenet.npz"
    assert models.stopped_path("lenet") == tmp_path / "models" / "lenet-stopped.npz"
    first, second = models.rescue_paths("mlp-30-sigmoid")
    assert first.parent == tmp_path / "models" and first.name.startswith("mlp-30-sigmoid-rescued-")
    assert second.name == first.name
    assert models.stopped_runs() == []
    models.stopped_path("mlp-128-relu").parent.mkdir(parents=True)
    models.stopped_path("mlp-128-relu").write_bytes(b"x")
    assert models.stopped_runs() == ["mlp-128-relu"]


def test_stopped_path_sits_beside_the_model() -> None:
    assert models.stopped_path_for("runs/best.npz") == Path("runs/best-stopped.npz")
    assert models.stopped_path_for("runs/best") == Path("runs/best-stopped")
    assert models.stopped_path_for("runs/best-stopped.npz") == Path("runs/best-stopped.npz")


def test_find_model_prefers_the_learners_then_the_shipped(monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = Model(LENET5, seed=1)
    monkeypatch.setattr(model_files, "load_shipped_lenet", lambda *a, **k: shipped)
    found = models.find_model("lenet")
    assert found.model is shipped and found.source == "shipped" and found.missing
    mine = Model(LENET5, seed=2)
    model_files.save_model(mine, models.model_path("lenet"))
    found = models.find_model("lenet5")
    assert found.source == "saved" and found.path == models.model_path("lenet")
    np.testing.assert_array_equal(found.model.params["C1.w"], mine.params["C1.w"])
    assert models.find_model("lenet", saved=False).model is shipped


def test_find_model_says_why_not(monkeypatch: pytest.MonkeyPatch) -> None:
    path = models.model_path("mlp-30-sigmoid")
    found = models.find_model("mlp-30-sigmoid")
    assert found.model is None and found.missing and found.shipped_error == ""  # none shipped
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a model")
    found = models.find_model("mlp-30-sigmoid")
    assert found.model is None and not found.missing
    assert str(path) in found.saved_error and "\n" not in found.saved_error

    def missing(*args: Any, **kwargs: Any) -> Any:
        raise model_engine.ModelError("the shipped LeNet-5 weights cannot be used (gone)")

    monkeypatch.setattr(model_files, "load_shipped_lenet", missing)
    found = models.find_model("lenet")
    assert found.model is None
    assert found.shipped_error.startswith("the shipped LeNet-5 weights cannot be used (gone). Reinstall")
    model_files.save_model(Model(mlp_spec(30, "sigmoid")), models.model_path("lenet"))  # another network in lenet.npz
    found = models.find_model("lenet")
    assert "holds a mlp-30-sigmoid model, expected lenet" in found.saved_error


def test_evaluation_is_computed_once_per_model() -> None:
    calls = []

    class Counting:
        def predict_proba(self, images: Any) -> np.ndarray:
            calls.append(len(images))
            probs = np.full((len(images), 10), 0.01)
            probs[:, 3] = 0.91
            return probs

    model = Counting()
    images = np.zeros((7, 28, 28), dtype=np.uint8)
    labels = np.array([3, 3, 3, 1, 3, 3, 3])
    models.forget_evaluations()
    first = models.evaluation(model, images, labels, batch=4)
    assert calls == [4, 3] and models.cached_evaluation(model) is first
    assert models.evaluation(model, images, labels) is first and calls == [4, 3]
    assert list(first.wrong) == [3] and first.confusion[1, 3] == 1
    models.forget_evaluations()
    assert models.cached_evaluation(model) is None
    assert models.evaluation(model, images, labels, cancelled=lambda: True) is None
    assert models.cached_evaluation(model) is None


def test_the_catalogue_loads_without_numpy(tmp_path: Path) -> None:
    """The CLI's parser and the lesson checker read the names: no NumPy for that."""
    code = "import sys, tutor.models, tutor.train_cli; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
