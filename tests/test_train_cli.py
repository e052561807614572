"""`dl-tutor train`: headless training, bad options, Ctrl+C/SIGTERM saving a checkpoint, --resume, --data-dir."""

from __future__ import annotations

import gzip
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tutor.cli import main
from tutor.engines.model import MODELS, Model
from tutor.engines.train import load_checkpoint

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def write_set(folder: Path, train: int, test: int, size: int = 28, name: str | None = None) -> Path:
    """A tiny data set in MNIST's layout: class k has a bright bar at row 2k + 4."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = []
    for count in (train, test):
        labels = rng.integers(0, 10, size=count).astype(np.uint8)
        images = rng.integers(0, 30, size=(count, size, size)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 * label + 4 : 2 * label + 6, 3 : size - 3] = 255
        arrays += [images, labels]
    for file, array in zip(FILES, arrays):
        header = struct.pack(">IIII", 0x803, *array.shape) if array.ndim == 3 else struct.pack(">II", 0x801, len(array))
        (folder / file).write_bytes(gzip.compress(header + array.tobytes(), mtime=0))
    if name:
        classes = ", ".join(f'"{c}"' for c in ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                                "Shirt", "Sneaker", "Bag", "Ankle boot"])
        (folder / "dataset.toml").write_text(f'name = "{name}"\nclass_names = [{classes}]\n', encoding="utf-8")
    return folder


def test_train_headless_on_a_tiny_data_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 256, 64, name="Tiny Fashion")
    out = tmp_path / "model.npz"
    code = main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--lr", "0.01", "--save", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "training mlp-30-sigmoid on 256 images (Tiny Fashion)" in err
    assert "epoch 2/2" in err and "test accuracy" in err and f"saved to {out}" in err
    model = Model.load(out, expect=MODELS["mlp-30-sigmoid"])
    assert model.predict_proba(np.zeros((1, 28, 28), dtype=np.uint8)).shape == (1, 10)


def test_default_save_path_is_in_the_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    assert main(["train", "lenet", "--data-dir", str(data), "--epochs", "1"]) == 0
    saved = Path(os.environ["DL_TUTOR_HOME"]) / "models" / "lenet.npz"
    assert saved.is_file() and str(saved) in capsys.readouterr().err


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--epochs", "0"], 2, "epochs must be at least 1"),
        (["--target", "5"], 2, "between 0 and 1"),
        (["--batch-size", "0"], 2, "batch size"),
        (["--lr", "-1"], 2, "positive"),
        (["--resume", "/nonexistent/x.npz"], 1, "no such model file"),
    ],
)
def test_bad_options_get_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], args, code, message) -> None:
    data = write_set(tmp_path / "tiny", 32, 8)
    assert main(["train", "lenet", "--data-dir", str(data), *args]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_wrong_image_size_and_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "small", 32, 8, size=20)
    assert main(["train", "lenet", "--data-dir", str(data)]) == 1
    assert "expect 28x28 images; this data set has 20x20" in capsys.readouterr().err
    assert main(["train", "lenet", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_resume_refuses_another_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    out = tmp_path / "m.npz"
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "1", "--save", str(out)]) == 0
    assert main(["train", "lenet", "--data-dir", str(data), "--resume", str(out)]) == 2
    assert "holds a mlp-30-sigmoid model, not lenet" in capsys.readouterr().err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_saves_a_checkpoint_that_resumes(tmp_path: Path, sig: int) -> None:
    data = write_set(tmp_path / "tiny", 3000, 100)
    out = tmp_path / "ck.npz"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "tutor", "train", "lenet", "--backend", "numpy", "--data-dir", str(data),
           "--epochs", "30", "--save", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first.startswith("training lenet"), first
    time.sleep(1.5)
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 0, rest
    assert "checkpoint saved" in rest and "--resume" in rest
    checkpoint = load_checkpoint(out)
    assert checkpoint.epoch * 47 + checkpoint.batch > 0 and checkpoint.optimizer_state
    resumed = subprocess.run(
        [*cmd[:-4], "--epochs", str(checkpoint.epoch + 1), "--resume", str(out), "--save", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming at epoch {checkpoint.epoch + 1}, batch {checkpoint.batch}" in resumed.stderr
    assert "done: test accuracy" in resumed.stderr
