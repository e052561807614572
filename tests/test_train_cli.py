"""`dl-tutor train`: headless training, bad options, Ctrl+C/SIGTERM saving a checkpoint, --resume, --data-dir."""

from __future__ import annotations

import gzip
import os
import signal
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tutor.cli import main
from tutor.engines.model import MODELS
from tutor.model_files import load_checkpoint, load_model

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
    model = load_model(out, expect=MODELS["mlp-30-sigmoid"])
    assert model.predict_proba(np.zeros((1, 28, 28), dtype=np.uint8)).shape == (1, 10)


def test_a_validation_split_judges_epochs_on_held_out_images_and_tests_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_set(tmp_path / "tiny", 200, 40)
    code = main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--lr", "0.01",
                 "--validation-split", "0.1", "--save", str(tmp_path / "m.npz")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "on 180 images (" in err and "20 more held out for validation" in err
    epochs = [line for line in err.splitlines() if line.startswith("epoch ")]
    assert len(epochs) == 2 and all("validation accuracy" in line and "test" not in line for line in epochs)
    assert "done: test accuracy" in err and "measured once" in err


def test_default_save_path_is_in_the_data_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    assert main(["train", "lenet", "--data-dir", str(data), "--epochs", "1"]) == 0
    saved = Path(os.environ["DL_TUTOR_HOME"]) / "models" / "lenet.npz"
    assert saved.is_file() and str(saved) in capsys.readouterr().err


def test_digits_keep_their_recipe_and_the_line_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """MNIST (and a folder of MNIST's layout) trains with TrainConfig's recipe, which the line
    spells out; only a data set with a recipe of its own names it (tests/test_fm_fashion.py)."""
    data = write_set(tmp_path / "tiny", 64, 16)
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "1"]) == 0
    err = capsys.readouterr().err
    assert "batch 32, sgd lr 0.05 (x0.85 each epoch), shift 1 px, seed 0; backend numpy" in err
    assert "recipe" not in err.splitlines()[0]
    saved = load_checkpoint(Path(os.environ["DL_TUTOR_HOME"]) / "models" / "mlp-30-sigmoid.npz")
    assert (saved.config.optimizer, saved.config.lr, saved.config.batch_size, saved.config.shift) == ("sgd", None, 32, 1)


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--epochs", "0"], 2, "epochs must be at least 1"),
        (["--target", "5"], 2, "between 0 and 1"),
        (["--batch-size", "0"], 2, "batch size"),
        (["--lr", "-1"], 2, "positive"),
        (["--lr", "1e300"], 2, "no larger than 10"),
        (["--lr", "nan"], 2, "positive"),
        (["--epochs", "1000001"], 2, "at most 1,000"),
        (["--seed", "-1"], 2, "the seed must be a whole number from 0 to 4294967295"),
        (["--seed", str(2**32)], 2, "the seed must be a whole number from 0 to 4294967295"),
        (["--train-limit", "-5"], 2, "train_limit"),
        (["--resume", "/nonexistent/x.npz"], 1, "no such model file"),
        (["--validation-split", "0.9"], 2, "the validation split must be a fraction from 0 to 0.5"),
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


@pytest.mark.slow  # a real `dl-tutor train` process per signal (the fast tier keeps the in-process Ctrl+C tests)
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
    stopped = tmp_path / "ck-stopped.npz"  # beside --save, never over it
    assert f"checkpoint saved to {stopped}" in rest and "--resume" in rest and not out.exists()
    checkpoint = load_checkpoint(stopped)
    assert checkpoint.epoch * 47 + checkpoint.batch > 0 and checkpoint.optimizer_state
    resumed = subprocess.run(
        [*cmd[:-4], "--epochs", str(checkpoint.epoch + 1), "--resume", str(stopped), "--save", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming at epoch {checkpoint.epoch + 1}, batch {checkpoint.batch}" in resumed.stderr
    assert "done: test accuracy" in resumed.stderr and out.is_file()
    assert not stopped.exists()  # the finished run supersedes the checkpoint it continued


# --- where results go, and what protects them (issue #14) ------------------------------------------


def _no_temporary_files(*folders: Path) -> None:
    for folder in folders:
        left = [p.name for p in folder.iterdir() if ".tmp" in p.name or p.name.endswith(".probe")]
        assert not left, left


def _one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


def test_save_to_a_folder_is_refused_before_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["train", "lenet", "--data-dir", str(data), "--save", str(folder)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert f"{folder} is a folder: give a file name in it" in err and "training" not in err
    assert list(folder.iterdir()) == [] and not any(p.name.endswith(".npz") for p in tmp_path.iterdir())


def test_save_under_a_file_names_the_file_not_file_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    assert main(["train", "lenet", "--data-dir", str(data), "--save", str(blocker / "m.npz")]) == 2
    err = _one_line(capsys.readouterr().err)
    assert f"{blocker} is a file, not a folder" in err and "File exists" not in err
    assert blocker.read_text() == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_save_into_an_unwritable_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["train", "lenet", "--data-dir", str(data), "--save", str(locked / "m.npz")]) == 2
    finally:
        locked.chmod(0o700)
    assert "Permission denied" in _one_line(capsys.readouterr().err)


def test_save_where_nothing_can_be_written_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    data = write_set(tmp_path / "tiny", 64, 16)

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert main(["train", "lenet", "--data-dir", str(data), "--save", str(tmp_path / "m.npz")]) == 2
    err = _one_line(capsys.readouterr().err)
    assert f"cannot write in {tmp_path} (Read-only file system)" in err


def test_a_full_disk_at_the_end_saves_to_a_rescue_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    out_dir = tmp_path / "out"
    out = out_dir / "m.npz"
    out_dir.mkdir()
    out.write_bytes(b"the user's earlier model")
    real_savez, calls = np.savez, []

    def disk_full_once(handle, **arrays):  # the first two model saves (the run kept with the
        calls.append("spec" in arrays)     # others, then --save) write half: the disk is full
        if calls.count(True) in (1, 2) and "spec" in arrays:
            handle.write(b"PK\x03\x04 half a file")
            raise OSError(28, "No space left on device")
        return real_savez(handle, **arrays)

    monkeypatch.setattr(np, "savez", disk_full_once)
    code = main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "1", "--save", str(out)])
    err = capsys.readouterr().err
    assert code == 1, err
    rescued = list((Path(os.environ["DL_TUTOR_HOME"]) / "models").glob("mlp-30-sigmoid-rescued-*.npz"))
    assert len(rescued) == 1
    assert f"could not save the model: {out}: could not be written (No space left on device); saved it to {rescued[0]} instead" in err
    assert out.read_bytes() == b"the user's earlier model"
    load_model(rescued[0], expect=MODELS["mlp-30-sigmoid"])
    _no_temporary_files(out_dir, rescued[0].parent)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_save_never_replaces_a_link_a_fifo_or_a_device(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       kind: str) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    if kind == "symlink":
        path = tmp_path / "link.npz"
        path.symlink_to(target)
    elif kind == "fifo":
        path = tmp_path / "pipe.npz"
        os.mkfifo(path)
    else:
        path = Path(os.devnull)
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "1", "--save", str(path)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert str(path) in err and ("symbolic link" in err or "not a regular file" in err)
    assert target.read_text() == "keep me"
    if kind == "symlink":
        assert path.is_symlink()
    elif kind == "fifo":
        assert stat.S_ISFIFO(path.lstat().st_mode)
    else:
        assert stat.S_ISCHR(path.stat().st_mode)


def _interrupted(monkeypatch: pytest.MonkeyPatch, signals: int = 1, during_save: bool = False) -> None:
    """Make the next run get `signals` real SIGINTs after its first batch (or one more while it saves)."""
    from tutor import model_files
    from tutor.engines import train as train_module

    original_run, original_save = train_module.Trainer.run, model_files.save_checkpoint

    def run(self):
        for index, record in enumerate(original_run(self)):
            yield record
            if index == 0:
                for _ in range(signals):
                    os.kill(os.getpid(), signal.SIGINT)

    def save(trainer, path, data=None):
        if during_save:
            os.kill(os.getpid(), signal.SIGINT)
        return original_save(trainer, path, data=data)

    monkeypatch.setattr(train_module.Trainer, "run", run)
    monkeypatch.setattr(model_files, "save_checkpoint", save)


def test_ctrl_c_never_replaces_the_finished_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 640, 16)
    args = ["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--batch-size", "8"]
    assert main(args) == 0
    models = Path(os.environ["DL_TUTOR_HOME"]) / "models"
    finished = (models / "mlp-30-sigmoid.npz").read_bytes()
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as patch:
        _interrupted(patch)
        assert main(args) == 0
    err = capsys.readouterr().err
    stopped = models / "mlp-30-sigmoid-stopped.npz"
    assert f"checkpoint saved to {stopped}" in err and f"--resume {stopped}" in err
    assert (models / "mlp-30-sigmoid.npz").read_bytes() == finished
    checkpoint = load_checkpoint(stopped)
    assert 0 < checkpoint.epoch * 80 + checkpoint.batch < 160  # stopped part-way
    assert main([*args, "--resume", str(stopped)]) == 0
    err = capsys.readouterr().err
    assert f"resuming at epoch {checkpoint.epoch + 1}, batch {checkpoint.batch}" in err
    assert f"saved to {models / 'mlp-30-sigmoid.npz'}" in err
    assert not stopped.exists()  # the finished run supersedes its own stopped checkpoint
    (tmp_path / "first.npz").write_bytes(finished)
    replay, first = load_model(models / "mlp-30-sigmoid.npz"), load_model(tmp_path / "first.npz")
    for name, value in first.state().items():  # an exact replay of the same run
        np.testing.assert_array_equal(replay.state()[name], value)
    _no_temporary_files(models)


def test_ctrl_c_with_save_writes_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 640, 16)
    out = tmp_path / "best.npz"
    out.write_bytes(b"a finished model")
    _interrupted(monkeypatch)
    args = ["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--batch-size", "8", "--save", str(out)]
    assert main(args) == 0
    err = capsys.readouterr().err
    stopped = tmp_path / "best-stopped.npz"
    assert f"checkpoint saved to {stopped}" in err and f"--resume {stopped} --epochs 2 --save {out}" in err
    assert out.read_bytes() == b"a finished model" and load_checkpoint(stopped).epoch < 2


def test_a_second_ctrl_c_while_saving_still_saves_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 640, 16)
    _interrupted(monkeypatch, during_save=True)
    args = ["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--batch-size", "8"]
    assert main(args) == 0
    err = capsys.readouterr().err
    stopped = Path(os.environ["DL_TUTOR_HOME"]) / "models" / "mlp-30-sigmoid-stopped.npz"
    assert f"checkpoint saved to {stopped}" in err and load_checkpoint(stopped).epoch < 2
    _no_temporary_files(stopped.parent)


def test_two_ctrl_c_during_training_stop_at_once_and_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 640, 16)
    _interrupted(monkeypatch, signals=2)
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--batch-size", "8"]) == 130
    assert "stopped at once: nothing was saved from this run." in capsys.readouterr().err
    assert not (Path(os.environ["DL_TUTOR_HOME"]) / "models" / "mlp-30-sigmoid-stopped.npz").exists()


# --- data problems in --data-dir -----------------------------------------------------------------


def test_damaged_data_dir_says_check_the_file_not_reinstall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    (data / FILES[0]).write_bytes((data / FILES[0]).read_bytes()[:50])
    assert main(["train", "lenet", "--data-dir", str(data)]) == 1
    err = _one_line(capsys.readouterr().err)
    assert FILES[0] in err and "check the file" in err and "reinstall" not in err


def test_no_test_images_is_one_line_not_zero_percent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 0)
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "1"]) == 1
    err = _one_line(capsys.readouterr().err)
    assert "test images" in err and "are empty" in err and "0.00%" not in err


def test_resume_of_a_file_that_is_not_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    for name, content in (("notes.json", b'{"a": 1}\n'), ("noise.npz", os.urandom(4000))):
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["train", "lenet", "--data-dir", str(data), "--resume", str(path)]) == 1
        err = _one_line(capsys.readouterr().err)
        assert f"{path}: not a dl-tutor model file" in err and "allow_pickle" not in err and "delete it" in err


def test_resume_needs_more_epochs_than_done(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_set(tmp_path / "tiny", 64, 16)
    out = tmp_path / "m.npz"
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--save", str(out)]) == 0
    capsys.readouterr()
    assert main(["train", "mlp-30-sigmoid", "--data-dir", str(data), "--epochs", "2", "--resume", str(out)]) == 2
    assert "has already done 2 epoch(s); give --epochs 3 or more" in _one_line(capsys.readouterr().err)


def test_lenet5_is_accepted_for_lenet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`lenet5` (the name the shipped weights carry) is another name for `lenet`."""
    data = write_set(tmp_path / "tiny", 32, 8)
    out = tmp_path / "m.npz"
    assert main(["train", "lenet5", "--data-dir", str(data), "--epochs", "1", "--train-limit", "32",
                 "--save", str(out)]) == 0
    assert "training lenet on" in capsys.readouterr().err
    assert load_model(out, expect=MODELS["lenet"]).spec.name == "lenet"
