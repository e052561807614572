"""Model and checkpoint files: an `.npz` read safely and written atomically, and why a path cannot be used.

The engines turn a model into arrays and back (`Model.to_arrays`, `Model.from_arrays`,
`Trainer.checkpoint_arrays`, `checkpoint_from_arrays`) and never touch a file; this module is
where those arrays meet the disk. `save_model` / `save_checkpoint` write through `write_npz`,
which writes into a temporary file beside the target that replaces it once complete (and is
removed on any failure), only over a regular file (`check_save_path` says why not, before a long
run). `load_model` / `load_checkpoint` read through `read_npz`, which opens only a regular file
that starts like a zip archive, checks the unpacked size before unpacking, and reads with
`allow_pickle=False`; anything else is a `ModelError` whose message is one line naming the file
and what to do. `load_shipped_lenet` reads the LeNet-5 weights shipped with dl-tutor.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from tutor.engines.spec import LENET5, ModelError, ModelSpec
from tutor.files import blocking_file, new_file_mode

__all__ = [
    "CHECKPOINT_ADVICE",
    "DAMAGED_ADVICE",
    "MAX_MODEL_FILE_BYTES",
    "SaveError",
    "DATASET_EXTRA",
    "check_save_path",
    "file_data_set",
    "load_checkpoint",
    "load_model",
    "load_model_with_extra",
    "load_shipped_lenet",
    "read_npz",
    "save_checkpoint",
    "save_model",
    "shipped_lenet_path",
    "trained_on",
    "write_npz",
]


class SaveError(OSError):
    """A model cannot be written where asked (a folder, a link, a device, no room, no permission);
    the message is one line naming the path and the reason. An OSError, so a caller that already
    handles I/O failures handles it too."""


#: What to do with a damaged model file, unless the caller knows better.
DAMAGED_ADVICE = "delete it, or train the model again"
#: What to do with a damaged checkpoint, unless the caller knows better.
CHECKPOINT_ADVICE = "delete it and train again without --resume"
#: The largest model file `read_npz` reads, on disk and unpacked (LeNet-5 with Adam's state is
#: under 1 MB): a bigger one is refused before it is read.
MAX_MODEL_FILE_BYTES = 256 * 2**20
_ZIP_MAGIC = b"PK\x03\x04"


def write_npz(path: Path | str, arrays: dict[str, np.ndarray]) -> None:
    """Write `arrays` to an .npz at `path`, atomically; SaveError when `path` is not a place for
    a model file (see `check_save_path`) or the write fails."""
    path = Path(path)
    _refuse_target(path)
    _make_folder(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise SaveError(f"{path}: cannot write in {path.parent} ({_reason(error)})") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(tmp, path)
        _refuse_target(path)  # again, just before replacing: it may have changed meanwhile
        os.replace(tmp, path)
    except BaseException as error:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if isinstance(error, OSError) and not isinstance(error, SaveError):
            raise SaveError(f"{path}: could not be written ({_reason(error)})") from None
        raise


def _first_line(error: BaseException) -> str:
    """An exception's message cut to its first line (its type's name when it has none)."""
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else type(error).__name__


def _reason(error: BaseException) -> str:
    """An OS error's reason in words ("Permission denied"), without the errno or the path."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _first_line(error)


def read_npz(path: Path, advice: str) -> dict[str, np.ndarray]:
    """Every array of the .npz at `path`, or ModelError with one line naming the file.

    Only a regular file that starts like a zip archive is opened, its unpacked size is checked
    before anything is unpacked, and any failure to read it (cut short, bad CRC, pickled or
    non-array members) is reported as damage, never as a NumPy or zipfile traceback."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except OSError as error:
        raise ModelError(f"{path}: cannot be read ({_reason(error)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ModelError(f"{path}: is a folder, not a model file; give the path of an .npz file")
    if not stat.S_ISREG(info.st_mode):
        raise ModelError(f"{path}: not a regular file, so not a model file; give the path of an .npz file")
    if info.st_size == 0:
        raise ModelError(f"{path}: the file is empty; {advice}")
    if info.st_size > MAX_MODEL_FILE_BYTES:
        raise ModelError(f"{path}: too large for a dl-tutor model file ({info.st_size / 2**20:,.0f} MB); {advice}")
    try:
        with path.open("rb") as handle:
            if handle.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
                raise ModelError(f"{path}: not a dl-tutor model file (not an .npz archive); {advice}")
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                unpacked = sum(item.file_size for item in archive.infolist())
            if unpacked > MAX_MODEL_FILE_BYTES:
                raise ModelError(f"{path}: unpacks to {unpacked / 2**20:,.0f} MB, too large for a model file; {advice}")
            handle.seek(0)
            with np.load(handle, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
    except ModelError:
        raise
    except zipfile.BadZipFile:
        raise ModelError(f"{path}: damaged (the archive is cut short or corrupt); {advice}") from None
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file") from None
    except PermissionError as error:
        raise ModelError(f"{path}: cannot be read ({_reason(error)})") from None
    except Exception as error:  # noqa: BLE001 - whatever a damaged archive raises, it is damage
        raise ModelError(f"{path}: damaged, cannot be read ({_first_line(error)}); {advice}") from None
    for name, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise ModelError(f"{path}: damaged ({name} is not an array); {advice}")
    return arrays


def _refuse_target(path: Path) -> None:
    """SaveError unless `path` is missing or a regular file (never replace a folder, a symbolic
    link, a FIFO or a device node), under folders (not files) where it is missing."""
    blocker = blocking_file(path.parent)
    if blocker is not None:
        raise SaveError(f"{path}: {blocker} is a file, not a folder: give another path")
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise SaveError(f"{path} cannot be checked ({_reason(error)}): give another path") from None
    if stat.S_ISDIR(info.st_mode):
        raise SaveError(f"{path} is a folder: give a file name in it, e.g. {path / 'model.npz'}")
    if stat.S_ISLNK(info.st_mode):
        raise SaveError(f"{path} is a symbolic link, which dl-tutor does not replace: give the path of a regular file")
    if not stat.S_ISREG(info.st_mode):
        raise SaveError(f"{path} is not a regular file (a FIFO, socket or device): give another path")


def _make_folder(path: Path) -> None:
    """Create `path`'s folder (and its parents); SaveError when that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SaveError(f"{path}: cannot create the folder {path.parent} ({_reason(error)}): give another path") from None


def _keep_mode(tmp: Path, path: Path) -> None:
    """Give the new file the mode of the one it replaces, or a new file's usual mode
    (`tutor.files.new_file_mode`)."""
    try:
        os.chmod(tmp, new_file_mode(path))
    except OSError:
        pass


def check_save_path(path: Path | str, size_hint: int = 0) -> None:
    """Check, before a long run, that a model can be saved at `path`; SaveError saying why not.

    Refuses a folder, a symbolic link, a FIFO or device, a path under a file, a folder that
    cannot be created or written (by writing and removing a small probe file there), and a disk
    with less than `size_hint` bytes free. The folder is created when missing, as `save` would."""
    path = Path(path)
    _refuse_target(path)
    _make_folder(path)
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise SaveError(f"{path}: cannot write in {path.parent} ({_reason(error)}): give another path") from None
    if size_hint:
        try:
            free = shutil.disk_usage(path.parent).free
        except OSError:
            return
        if free < size_hint:
            raise SaveError(
                f"{path}: only {free / 2**20:,.1f} MB free on its disk, {size_hint / 2**20:,.1f} MB needed: "
                "free some space or give another path"
            )


# --- models and checkpoints -------------------------------------------------------------------


def save_model(model: Any, path: Path | str, extra: dict[str, np.ndarray] | None = None) -> None:
    """Write `model`'s spec and parameters (plus `extra` arrays) to an .npz, atomically
    (`write_npz`: a full disk or Ctrl+C never leaves a partial file). SaveError when `path` is
    not a place for a model file or the write fails."""
    write_npz(path, model.to_arrays(extra))


def load_model_with_extra(
    path: Path | str, xp: Any = np, expect: ModelSpec | None = None, advice: str = DAMAGED_ADVICE
) -> tuple[Any, dict[str, np.ndarray]]:
    """Like `load_model`, also returning the extra arrays saved beside the parameters."""
    from tutor.engines.model import Model

    path = Path(path)
    arrays = read_npz(path, advice)
    return Model.from_arrays(arrays, xp=xp, expect=expect, source_name=str(path), advice=advice)


def load_model(path: Path | str, xp: Any = np, expect: ModelSpec | None = None, advice: str = DAMAGED_ADVICE) -> Any:
    """A `Model` from an .npz written by `save_model` (allow_pickle=False); ModelError otherwise,
    one line naming the file and ending with `advice` when the file is damaged."""
    model, _ = load_model_with_extra(path, xp, expect, advice)
    return model


#: The extra array naming the data set a model was trained on (`tutor.data.DataSet.key`).
DATASET_EXTRA = "dataset"


def save_checkpoint(trainer: Any, path: Path | str, data: str | None = None,
                    extra: dict[str, np.ndarray] | None = None) -> None:
    """Write a `Trainer`'s checkpoint (the model, the recipe, the position and the optimizer
    state: `Trainer.checkpoint_arrays`) to an .npz, atomically; SaveError as `save_model`.
    `data` (a data set's key, e.g. "fashion-mnist") is kept inside, so the model is never
    tested on another data set (`trained_on` reads it back); `extra` arrays are kept as
    "extra:NAME" (a run's summary: `tutor.runs`)."""
    arrays = trainer.checkpoint_arrays()
    for name, value in (extra or {}).items():
        arrays[f"extra:{name}"] = np.asarray(value)
    if data is not None:
        arrays[f"extra:{DATASET_EXTRA}"] = np.array(str(data))
    write_npz(path, arrays)


def file_data_set(path: Path | str, advice: str = CHECKPOINT_ADVICE) -> str | None:
    """The data set key recorded in the model or checkpoint file at `path` (None when it records
    none: an older file or the shipped weights, both MNIST); ModelError as `read_npz`."""
    value = read_npz(Path(path), advice).get(f"extra:{DATASET_EXTRA}")
    return trained_on({} if value is None else {DATASET_EXTRA: value})


def trained_on(extra: dict[str, np.ndarray]) -> str | None:
    """The data set key a model file's extra arrays record (`save_checkpoint(data=...)`), or
    None for a file that records none (older files, the shipped weights: MNIST)."""
    value = extra.get(DATASET_EXTRA)
    if value is None or value.ndim != 0 or value.dtype.kind != "U":
        return None
    return str(value)


def load_checkpoint(path: Path | str, xp: Any = np, advice: str = CHECKPOINT_ADVICE) -> Any:
    """A `Checkpoint` from a file written by `save_checkpoint` (or a plain model file: training
    then starts at epoch 0 with it); ModelError otherwise, one line naming the file and ending
    with `advice` when it is damaged (`tutor.engines.train.checkpoint_from_arrays` checks it)."""
    from tutor.engines.train import checkpoint_from_arrays

    path = Path(path)
    arrays = read_npz(path, advice)
    return checkpoint_from_arrays(arrays, xp=xp, source_name=str(path), advice=advice)


def shipped_lenet_path() -> Path:
    """Where the package keeps the LeNet-5 weights it ships (see tutor/data/weights/README.md)."""
    return Path(__file__).resolve().parent / "data" / "weights" / "lenet5.npz"


def load_shipped_lenet(xp: Any = np) -> Any:
    """The shipped, pre-trained LeNet-5; ModelError with a way forward when it is missing or damaged."""
    path = shipped_lenet_path()
    advice = ("reinstall dl-tutor (pip install --force-reinstall dl-tutor), "
              "or train your own with `dl-tutor train lenet`")
    try:
        return load_model(path, xp=xp, expect=LENET5, advice=advice)
    except ModelError as error:
        message = str(error)
        if not message.endswith(advice):
            message = f"{message}; {advice}"
        raise ModelError(f"the shipped LeNet-5 weights cannot be used: {message}") from None
