"""Damaged model and checkpoint files: every one is refused by the one loader (`load_model` /
`load_checkpoint`, in `tutor.model_files`) with one line naming the file and what to do, and every user of that loader
(`dl-tutor train --resume`, the training scene, the feature-maps scene) shows that line instead of a
traceback. Each case below is something a learner can do to a file (`head -c`, an editor, a copy
of the wrong file) or a file written to attack the loader (absurd sizes, wrong dtypes)."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.test_train_cli import write_set
from tutor import model_files
from tutor.cli import main
from tutor.engines.model import MODELS, ModelError
from tutor.engines.train import TrainConfig, Trainer
from tutor.model_files import load_checkpoint, load_model, save_checkpoint

MODEL = "mlp-30-sigmoid"


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real checkpoint of a run stopped mid-epoch (SGD state, epoch 1, batch 1)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (96, 28, 28), dtype=np.uint8)
    labels = np.arange(96) % 10
    trainer = Trainer(TrainConfig(model=MODEL, epochs=3, batch_size=32, report_seconds=0),
                      (images, labels), (images[:16], labels[:16]))
    for record in trainer.run():
        if trainer.epoch == 1 and trainer.batch == 1:
            trainer.stop()
    path = tmp_path_factory.mktemp("good") / "good.npz"
    save_checkpoint(trainer, path)
    return path


def _arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def _changed(**changes: Any) -> Callable[[Path, Path], None]:
    """A damage: the good checkpoint with some arrays replaced (None removes one)."""

    def write(good: Path, path: Path) -> None:
        arrays = _arrays(good)
        for key, value in changes.items():
            key = key.replace("__", ":")
            if value is None:
                arrays.pop(key)
            else:
                arrays[key] = value
        with path.open("wb") as handle:
            np.savez(handle, **arrays)

    return write


def _cut(size: int) -> Callable[[Path, Path], None]:
    return lambda good, path: path.write_bytes(good.read_bytes()[:size])


def _cut_half(good: Path, path: Path) -> None:
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _bytes(data: bytes) -> Callable[[Path, Path], None]:
    return lambda good, path: path.write_bytes(data)


def _non_array_member(good: Path, path: Path) -> None:
    path.write_bytes(good.read_bytes())
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("extra:notes.npy", b"not an array")


def _spec(data: object) -> np.ndarray:
    return np.array(json.dumps(data))


#: name -> how to damage a good checkpoint. Each must give one line naming the file.
DAMAGES: dict[str, Callable[[Path, Path], None]] = {
    "empty": _bytes(b""),
    "cut-100-bytes": _cut(100),
    "cut-in-half": _cut_half,
    "json": _bytes(b'{"epoch": 3, "weights": [1, 2, 3]}\n'),
    "random": _bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes()),
    "pickled-npy": _bytes(b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }" + b" " * 60),
    "plain-npz": lambda good, path: np.savez(path, a=np.zeros(3)),
    "non-array-member": _non_array_member,
    "epoch-1000001": _changed(extra__epoch=np.array(1_000_001)),
    "batch-minus-7": _changed(extra__batch=np.array(-7)),
    "epoch-float": _changed(extra__epoch=np.array(1.5)),
    "epoch-vector": _changed(extra__epoch=np.array([1, 2])),
    "best-nan": _changed(extra__best=np.array(np.nan)),
    "best-7": _changed(extra__best=np.array(7.0)),
    "weights-wrong-shape": _changed(**{"param__hidden.w": np.zeros((3, 3), np.float32)}),
    "weights-int": _changed(**{"param__hidden.w": np.zeros((784, 30), np.int32)}),
    "weights-text": _changed(**{"param__hidden.w": np.full((784, 30), "1.0")}),
    "weights-missing": _changed(**{"param__hidden.w": None}),
    "velocity-wrong-shape": _changed(**{"extra__opt__v:hidden.w": np.zeros((5,), np.float32)}),
    "velocity-text": _changed(**{"extra__opt__v:hidden.w": np.full((784, 30), "x")}),
    "velocity-inf": _changed(**{"extra__opt__v:hidden.b": np.full(30, np.inf, np.float32)}),
    "velocity-missing": _changed(**{"extra__opt__v:hidden.b": None}),
    "steps-negative": _changed(extra__opt__steps=np.array(-3)),
    "adam-state-for-sgd": _changed(**{"extra__opt__m:hidden.w": np.zeros((784, 30), np.float32)}),
    "recipe-not-json": _changed(extra__config=np.array("{epochs: ten")),
    "recipe-a-list": _changed(extra__config=np.array("[1, 2, 3]")),
    "recipe-wrong-types": _changed(extra__config=_spec({"model": MODEL, "epochs": "ten", "batch_size": 32})),
    "recipe-negative-seed": _changed(extra__config=_spec({"model": MODEL, "seed": -1})),
    "recipe-huge-numbers": _changed(extra__config=_spec({"model": MODEL, "lr": 10**400, "seed": 10**400})),
    "recipe-unknown-type": _changed(extra__config=_spec({"model": MODEL, "optimizer": ["sgd"]})),
    "recipe-other-model": _changed(extra__config=_spec({"model": "lenet"})),
    "recipe-an-array": _changed(extra__config=np.arange(4)),
    "spec-garbage": _changed(spec=np.array("not json")),
    "spec-number": _changed(spec=np.array(3.0)),
    "spec-huge-layer": _changed(spec=_spec({
        "name": "x", "input_shape": [1, 28, 28],
        "layers": [{"kind": "flatten", "name": "f"}, {"kind": "dense", "name": "d", "units": 1_000_000}],
    })),
    "spec-bad-activation": _changed(spec=_spec({
        "name": "x", "input_shape": [1, 28, 28],
        "layers": [{"kind": "flatten", "name": "f"}, {"kind": "dense", "name": "d", "units": 10, "activation": "os.system"}],
    })),
    "spec-missing": _changed(spec=None),
}


def _damaged(good: Path, folder: Path, damage: str) -> Path:
    path = folder / f"{damage}.npz"
    DAMAGES[damage](good, path)
    return path


def _one_line_naming(message: str, path: Path) -> None:
    assert "\n" not in message.strip() and "Traceback" not in message, message
    assert str(path) in message, message
    assert "allow_pickle" not in message and "File is not a zip file" not in message, message


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_load_checkpoint_refuses_with_one_line(good_checkpoint: Path, tmp_path: Path, damage: str) -> None:
    path = _damaged(good_checkpoint, tmp_path, damage)
    with pytest.raises(ModelError) as caught:
        load_checkpoint(path)
    _one_line_naming(str(caught.value), path)
    assert caught.value.__suppress_context__ or caught.value.__context__ is None  # no chained traceback


def test_the_good_checkpoint_still_loads(good_checkpoint: Path) -> None:
    checkpoint = load_checkpoint(good_checkpoint)
    assert (checkpoint.epoch, checkpoint.batch) == (1, 1) and set(checkpoint.optimizer_state) >= {"steps"}


@pytest.mark.parametrize("damage", ["cut-100-bytes", "json", "random", "weights-int", "spec-garbage", "empty"])
def test_model_load_says_what_to_do(good_checkpoint: Path, tmp_path: Path, damage: str) -> None:
    path = _damaged(good_checkpoint, tmp_path, damage)
    with pytest.raises(ModelError) as caught:
        load_model(path, expect=MODELS[MODEL])
    _one_line_naming(str(caught.value), path)
    assert str(caught.value).endswith("delete it, or train the model again")


def test_folders_fifos_and_huge_files_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   good_checkpoint: Path) -> None:
    with pytest.raises(ModelError, match="is a folder"):
        load_model(tmp_path)
    fifo = tmp_path / "fifo.npz"
    os.mkfifo(fifo)
    with pytest.raises(ModelError, match="not a regular file"):
        load_model(fifo)  # would block forever if it were opened
    monkeypatch.setattr(model_files, "MAX_MODEL_FILE_BYTES", 1000)
    with pytest.raises(ModelError, match="too large"):
        load_model(good_checkpoint)
    small = tmp_path / "bomb.npz"
    with zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spec.npy", b"\0" * 100_000)  # 100 KB unpacked from a few hundred bytes
    assert small.stat().st_size < 1000
    with pytest.raises(ModelError, match="unpacks to"):
        load_model(small)


@pytest.mark.parametrize("damage", ["cut-in-half", "json", "random", "epoch-1000001", "batch-minus-7",
                                    "weights-int", "velocity-wrong-shape", "recipe-wrong-types"])
def test_resume_of_a_damaged_checkpoint_is_one_line(good_checkpoint: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str], damage: str) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    path = _damaged(good_checkpoint, tmp_path, damage)
    assert main(["train", MODEL, "--data-dir", str(data), "--resume", str(path)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    _one_line_naming(err, path)
    assert "delete it" in err


def test_a_checkpoint_from_other_data_is_refused_at_resume(good_checkpoint: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 20, 16)  # one batch of 32 per epoch; the checkpoint is at batch 1
    assert main(["train", MODEL, "--data-dir", str(data), "--resume", str(good_checkpoint)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(good_checkpoint) in err
    assert "the data it was trained on" in err


def test_feature_maps_and_results_explain_a_damaged_model(good_checkpoint: Path) -> None:
    from tutor import models
    from tutor.scenes import feature_maps, training

    mine = training.model_path("lenet")
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_bytes(b"PK\x03\x04 cut short")
    model, which, note, _ = feature_maps.load_network("mine")
    assert which == "shipped" and str(mine) in note and "delete it" in note and "\n" not in note
    reason = models.find_model("lenet", shipped=False).saved_error
    assert str(mine) in reason and "delete it" in reason and "\n" not in reason
    model, where = training.find_model("lenet", np)
    assert model is not None and "shipped" in where  # falls back to the shipped LeNet-5


async def test_the_training_lesson_opens_over_a_damaged_stopped_run(good_checkpoint: Path) -> None:
    from tests.scene_host import SceneHost, shown_text
    from tutor.scenes.training import TrainingScene, stopped_path

    path = stopped_path("lenet")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(good_checkpoint.read_bytes()[:100])  # head -c 100 x.npz > models/lenet-stopped.npz
    scene = TrainingScene({"model": "lenet", "optimizer": "adam", "lr": 0.001, "batch_size": 64, "epochs": 1})
    async with SceneHost(scene).run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        shown = " ".join(shown_text(scene.query_one("#tr-state")).split())
        assert scene.state == "idle" and scene.checkpoint is None
        assert "lenet-stopped.npz" in shown and "press space to start a new run" in shown, shown
    assert path.read_bytes() == good_checkpoint.read_bytes()[:100]  # nothing deleted behind the learner's back
