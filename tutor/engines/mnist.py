"""The data sets shipped with dl-tutor: checksums, IDX decoding, a cached loader, statistics.

read_idx decodes one IDX file (gzipped or plain); load_digits loads the four files of a data
folder (default: the shipped MNIST; `shipped_dir("fashion-mnist")` is the shipped Fashion-MNIST)
into a Digits record, verifying them against SHA256SUMS and caching the decoded arrays as one
folder of .npy files in the cache folder its caller names (read back memory-mapped: a second
load costs almost nothing until pixels are used) (`tutor.data` is the app's memoised way in, and knows
the folders). A folder may describe another data set of the same layout in a dataset.toml (its
name and class names; the shipped Fashion-MNIST has one). class_counts, mean_images and
pixel_histogram are pure statistics. Every data problem raises DataError with a one-line message
naming the file and the repair. Nothing here prints or imports a UI library.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import stat
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@dataclass(frozen=True)
class FileCheck:
    """The result of checking one file: ok, and a one-line message when not."""

    name: str
    ok: bool
    message: str = ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_sums(folder: Path) -> dict[str, str]:
    """The expected SHA-256 per file name, from `folder/SHA256SUMS` (empty when missing)."""
    sums: dict[str, str] = {}
    path = folder / "SHA256SUMS"
    if not path.is_file():
        return sums
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0].lower()
    return sums


def verify_checksums(folder: Path) -> list[FileCheck]:
    """Check each MNIST file in `folder` against its SHA256SUMS entry."""
    sums = read_sums(folder)
    repair = _repair(folder)
    results = []
    for name in FILES:
        path = folder / name
        if name not in sums:
            results.append(FileCheck(name, False, f"{folder / 'SHA256SUMS'} has no entry for {name}"))
        elif not path.is_file():
            results.append(FileCheck(name, False, f"{path} is missing: {repair}"))
        elif _sha256(path) != sums[name]:
            results.append(FileCheck(name, False, f"{path} is damaged (checksum mismatch): {repair}"))
        else:
            results.append(FileCheck(name, True))
    return results


# --------------------------------------------------------------------------------------------
# Decoding, descriptors, the cached loader and per-class statistics.
# --------------------------------------------------------------------------------------------

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
CACHE_VERSION = 2
#: The most images (or labels) one IDX file may hold (MNIST's training set has 60,000).
MAX_IDX_ITEMS = 1_000_000
#: The largest image side an IDX file may declare (MNIST: 28).
MAX_IDX_SIDE = 256
#: The most pixel bytes one IDX file may declare (MNIST's training images: 47 MB); a header
#: promising more is refused before anything is inflated.
MAX_IDX_BYTES = 256 * 2**20

MNIST_CLASS_NAMES: tuple[str, ...] = tuple(str(digit) for digit in range(10))
FASHION_CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_SHIPPED_REPAIR = "reinstall dl-tutor (pip install --force-reinstall dl-tutor)"
_USER_REPAIR = "check the file or download it again"
_FILE_KEYS = ("train_images", "train_labels", "test_images", "test_labels")
_ARRAY_KEYS = ("train_images", "train_labels", "test_images", "test_labels")


class DataError(Exception):
    """A data file is missing, damaged or mis-described; the message is one line naming the
    file and how to repair it."""


@dataclass(frozen=True)
class DatasetInfo:
    """What a data folder holds: a name, its four IDX files (train images, train labels, test
    images, test labels) and the names of its 10 classes (MNIST: "0".."9")."""

    name: str
    files: tuple[str, str, str, str]
    class_names: tuple[str, ...]


MNIST_INFO = DatasetInfo("MNIST", (FILES[0], FILES[1], FILES[2], FILES[3]), MNIST_CLASS_NAMES)


@dataclass(frozen=True)
class Digits:
    """A decoded data set.

    train_images (N, rows, cols) uint8 (MNIST: (60000, 28, 28)), train_labels (N,) uint8,
    test_images (M, rows, cols) uint8 (MNIST: (10000, 28, 28)), test_labels (M,) uint8, and
    the DatasetInfo describing it. Pixel values are 0..255; labels index info.class_names.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    info: DatasetInfo


#: The data sets shipped inside the package, by the name `--data` takes, in the order a data
#: switch offers them; each is a folder of tutor/data/ named alike.
SHIPPED_SETS: tuple[str, ...] = ("mnist", "fashion-mnist")

#: Who made each shipped data set and under which licence (the About panel and the doctor
#: print it; the folder's README and LICENSE say it in full).
ATTRIBUTION: dict[str, str] = {
    "mnist": "Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0",
    "fashion-mnist": "H. Xiao, K. Rasul, R. Vollgraf, Zalando Research (2017); MIT licence, Zalando SE",
}


def shipped_dir(name: str = "mnist") -> Path:
    """The folder holding the data set `name` (one of SHIPPED_SETS; default MNIST) shipped
    inside the package: four gzipped IDX files, their SHA256SUMS, a README and (Fashion-MNIST)
    a dataset.toml and LICENSE. The one place that says where; `tutor.paths` asks it.
    ValueError for a name that is not shipped."""
    if name not in SHIPPED_SETS:
        raise ValueError(f"dl-tutor ships no data set {name!r}: choose one of {', '.join(SHIPPED_SETS)}")
    return Path(__file__).resolve().parent.parent / "data" / name


def shipped_name(folder: Path | str) -> str | None:
    """The name (in SHIPPED_SETS) of the shipped data set `folder` is, or None for any other
    folder (a learner's own, given with `--data-dir`)."""
    try:
        resolved = Path(folder).resolve()
        return next((name for name in SHIPPED_SETS if resolved == shipped_dir(name).resolve()), None)
    except OSError:
        return None


def _is_shipped(folder: Path) -> bool:
    """Whether `folder` is a data set shipped inside the package (reinstalling restores it), as
    opposed to a folder of the learner's own (`--data-dir`), which they must check themselves."""
    return shipped_name(folder) is not None


def _repair(folder: Path) -> str:
    return _SHIPPED_REPAIR if _is_shipped(folder) else _USER_REPAIR


def read_idx(path: Path | str, *, repair: str = _USER_REPAIR, kind: str | None = None) -> np.ndarray:
    """Decode one IDX file, gzipped or plain.

    Magic 0x00000803 gives images (N, rows, cols) uint8; 0x00000801 gives labels (N,) uint8;
    `kind` ("images" or "labels") demands one of them. The header is read first (from the gzip
    stream when gzipped) and its sizes checked against MAX_IDX_ITEMS, MAX_IDX_SIDE and
    MAX_IDX_BYTES; then exactly the bytes it promises are read, so a small file that inflates
    to gigabytes costs no more than the header allows. Any problem (missing, not a regular file,
    unreadable, bad gzip, wrong magic, absurd sizes, truncated or too long) raises DataError
    with one line naming the file.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataError(f"{path} is missing: {repair}") from None
    except OSError as error:
        raise DataError(f"{path} cannot be read ({error.strerror or error}): {repair}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path} is not a regular file: {repair}")
    try:
        handle = path.open("rb")
    except OSError as error:
        raise DataError(f"{path} cannot be read ({error.strerror or error}): {repair}") from None
    with handle:
        zipped = handle.read(2) == b"\x1f\x8b"
        handle.seek(0)
        if not zipped:
            try:
                return _decode_idx(handle, path, repair, kind)
            except OSError as error:
                raise DataError(f"{path} cannot be read ({error.strerror or error}): {repair}") from None
        try:
            with gzip.GzipFile(fileobj=handle, mode="rb") as stream:
                return _decode_idx(stream, path, repair, kind)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path} is damaged (bad gzip data: {error}): {repair}") from None


def _read_up_to(stream: Any, size: int) -> bytes:
    """Up to `size` bytes from `stream` (fewer only at its end)."""
    parts, left = [], size
    while left:
        part = stream.read(left)
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _decode_idx(stream: Any, path: Path, repair: str, kind: str | None) -> np.ndarray:
    """The body of `read_idx`: header, size checks, then exactly the promised bytes."""
    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise DataError(f"{path} is damaged (too short for an IDX header): {repair}")
    magic = int.from_bytes(head, "big")
    if magic == IMAGES_MAGIC:
        ndim, found = 3, "images"
    elif magic == LABELS_MAGIC:
        ndim, found = 1, "labels"
    else:
        raise DataError(
            f"{path} is not an IDX image or label file (magic 0x{magic:08x}, expected "
            f"0x{IMAGES_MAGIC:08x} or 0x{LABELS_MAGIC:08x}): {repair}"
        )
    if kind is not None and found != kind:
        raise DataError(f"{path} holds {found} where {kind} are expected: {repair}")
    raw = _read_up_to(stream, 4 * ndim)
    if len(raw) < 4 * ndim:
        raise DataError(f"{path} is damaged (truncated header): {repair}")
    dims = tuple(int.from_bytes(raw[4 * i : 4 + 4 * i], "big") for i in range(ndim))
    if dims[0] > MAX_IDX_ITEMS:
        raise DataError(
            f"{path} is damaged or too large (its header promises {dims[0]:,} {found}, "
            f"more than the {MAX_IDX_ITEMS:,} dl-tutor reads): {repair}"
        )
    if ndim == 3 and not (1 <= dims[1] <= MAX_IDX_SIDE and 1 <= dims[2] <= MAX_IDX_SIDE):
        raise DataError(
            f"{path} is damaged (image size {dims[1]}x{dims[2]}; dl-tutor reads 1 to {MAX_IDX_SIDE} "
            f"pixels a side): {repair}"
        )
    size = math.prod(dims)
    if size > MAX_IDX_BYTES:
        raise DataError(
            f"{path} is damaged or too large (its header promises {size / 2**20:,.0f} MB of pixels, "
            f"more than the {MAX_IDX_BYTES // 2**20} MB dl-tutor reads): {repair}"
        )
    expected = 4 + 4 * ndim + size
    data = np.empty(size, dtype=np.uint8)
    view = memoryview(data)
    filled = 0
    while filled < size:
        count = stream.readinto(view[filled:])
        if not count:
            break
        filled += count
    if filled < size:
        raise DataError(
            f"{path} is damaged (truncated: {4 + 4 * ndim + filled} bytes, header says {expected}): {repair}"
        )
    if stream.read(1):
        raise DataError(
            f"{path} is damaged (trailing bytes: more than the {expected} bytes its header says): {repair}"
        )
    return data.reshape(dims)


def _safe_name(value: object) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    parts = Path(value).parts
    return not Path(value).is_absolute() and ".." not in parts


def read_descriptor(folder: Path | str) -> DatasetInfo:
    """The DatasetInfo of `folder`: from `folder/dataset.toml` when present, else MNIST.

    dataset.toml holds ``name`` (string), ``class_names`` (10 strings) and optionally a
    ``[files]`` table with train_images, train_labels, test_images, test_labels (file names
    relative to the folder; missing keys keep the MNIST names). Mistakes raise DataError.
    """
    folder = Path(folder)
    path = folder / "dataset.toml"
    if not path.is_file():
        return MNIST_INFO
    fix = "fix dataset.toml (keys: name, class_names, optional [files])"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path} cannot be read ({error}): {fix}") from None
    except tomllib.TOMLDecodeError as error:
        raise DataError(f"{path} is not valid TOML ({error}): {fix}") from None
    unknown = sorted(set(data) - {"name", "class_names", "files"})
    if unknown:
        raise DataError(f"{path} has unknown keys {', '.join(unknown)}: {fix}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DataError(f"{path} needs a non-empty string 'name': {fix}")
    names = data.get("class_names")
    if (
        not isinstance(names, list)
        or len(names) != 10
        or not all(isinstance(item, str) and item.strip() for item in names)
    ):
        raise DataError(f"{path} needs 'class_names', a list of 10 non-empty strings: {fix}")
    files = list(MNIST_INFO.files)
    table = data.get("files", {})
    if not isinstance(table, dict):
        raise DataError(f"{path}: 'files' must be a table: {fix}")
    unknown = sorted(set(table) - set(_FILE_KEYS))
    if unknown:
        raise DataError(f"{path}: unknown [files] keys {', '.join(unknown)}: {fix}")
    for index, key in enumerate(_FILE_KEYS):
        if key in table:
            if not _safe_name(table[key]):
                raise DataError(f"{path}: files.{key} must be a file name inside the folder: {fix}")
            files[index] = table[key]
    return DatasetInfo(name.strip(), (files[0], files[1], files[2], files[3]), tuple(names))


def _verify(folder: Path, info: DatasetInfo, repair: str) -> None:
    sums = read_sums(folder)
    for name in info.files:
        path = folder / name
        if not path.is_file():
            raise DataError(f"{path} is missing: {repair}")
        if name not in sums:
            raise DataError(f"{folder / 'SHA256SUMS'} has no entry for {name}: {repair}")
        if _sha256(path) != sums[name]:
            raise DataError(f"{path} is damaged (checksum mismatch): {repair}")


def _cache_key(folder: Path, info: DatasetInfo) -> str:
    digest = hashlib.sha256(f"v{CACHE_VERSION}|{info.name}|{info.class_names}".encode())
    for name in info.files:
        stat = (folder / name).stat()
        digest.update(f"|{name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    sums = folder / "SHA256SUMS"
    if sums.is_file():
        digest.update(sums.read_bytes())
    return digest.hexdigest()


def _read_cache(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays in folder `path`, memory-mapped copy-on-write (pages are read when
    used, and writing to an array never touches the file); None when any is missing or damaged."""
    try:
        arrays = {key: np.load(path / f"{key}.npy", mmap_mode="c", allow_pickle=False) for key in _ARRAY_KEYS}
    except Exception:  # noqa: BLE001 - any damaged cache is simply rebuilt
        return None
    for key, array in arrays.items():
        if array.dtype != np.uint8 or array.ndim != (3 if key.endswith("images") else 1):
            return None
    return arrays


def _write_cache(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays as .npy files into a new folder, then move it to `path` in one rename
    (a damaged folder already there is moved aside and removed first); errors are ignored."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_tree(temporary)
        temporary.mkdir()
        for key, array in arrays.items():
            np.save(temporary / f"{key}.npy", np.ascontiguousarray(array), allow_pickle=False)
        if path.exists():
            old = path.with_name(f"{path.name}.{os.getpid()}.old")
            os.replace(path, old)
            _remove_tree(old)
        os.replace(temporary, path)
    except OSError:
        _remove_tree(temporary)


def _remove_tree(path: Path) -> None:
    """Remove a cache folder (or a file of that name, e.g. an old-style cache); never raises."""
    import shutil

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink()
    except OSError:
        pass


def _check_arrays(folder: Path, info: DatasetInfo, arrays: dict[str, np.ndarray], repair: str) -> None:
    for split, images_name, labels_name in (
        ("train", info.files[0], info.files[1]),
        ("test", info.files[2], info.files[3]),
    ):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3:
            raise DataError(f"{folder / images_name} does not hold images: {repair}")
        if labels.ndim != 1:
            raise DataError(f"{folder / labels_name} does not hold labels: {repair}")
        if images.shape[0] != labels.shape[0]:
            raise DataError(
                f"{folder / labels_name} has {labels.shape[0]} labels for "
                f"{images.shape[0]} images in {images_name}: {repair}"
            )
        if labels.size and int(labels.max()) >= len(info.class_names):
            raise DataError(
                f"{folder / labels_name} has label {int(labels.max())}, beyond the "
                f"{len(info.class_names)} classes: {repair}"
            )
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataError(
            f"{folder / info.files[2]} has images of another size than {info.files[0]}: {repair}"
        )


def load_digits(
    folder: Path | str | None = None,
    *,
    cache_dir: Path | str | None = None,
    verify: bool = True,
) -> Digits:
    """Load a data set from `folder` (default: the shipped MNIST, `shipped_dir()`).

    With `verify`, the files are checked against `folder/SHA256SUMS` when it exists. With a
    `cache_dir` (the app passes its data folder's "cache", see `tutor.data`), the decoded arrays
    are cached there as one folder of .npy files (read back memory-mapped), keyed by the files' sizes and mtimes and the SHA256SUMS
    content, so a second load is fast; a damaged or unwritable cache is ignored and rebuilt.
    Without one nothing is written. Problems with the data themselves raise DataError.
    """
    folder = shipped_dir() if folder is None else Path(folder)
    repair = _repair(folder)
    info = read_descriptor(folder)
    if verify and (folder / "SHA256SUMS").is_file():
        _verify(folder, info, repair)
    for name in info.files:
        if not (folder / name).is_file():
            raise DataError(f"{folder / name} is missing: {repair}")
    cache_path: Path | None = None
    if cache_dir is not None:
        try:
            key = _cache_key(folder, info)
            slug = "".join(ch if ch.isalnum() else "-" for ch in info.name.lower())
            cache_path = Path(cache_dir) / f"{slug}-{key[:32]}"
        except OSError:
            cache_path = None
    arrays = _read_cache(cache_path) if cache_path is not None and cache_path.is_dir() else None
    if arrays is not None:
        try:
            _check_arrays(folder, info, arrays, repair)
        except DataError:
            arrays = None
    if arrays is None:
        arrays = {
            key: read_idx(folder / name, repair=repair, kind=key.split("_")[1])
            for key, name in zip(_ARRAY_KEYS, info.files)
        }
        _check_arrays(folder, info, arrays, repair)
        if cache_path is not None:
            _write_cache(cache_path, arrays)
            for old in cache_path.parent.glob(f"{slug}-*.npz"):  # the cache format before v2
                _remove_tree(old)
    return Digits(info=info, **arrays)


def class_counts(labels: np.ndarray, classes: int = 10) -> tuple[int, ...]:
    """How many of each class: labels (N,) ints in 0..classes-1 -> tuple of `classes` ints."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in 0..{classes - 1}")
    return tuple(int(count) for count in np.bincount(labels.ravel().astype(np.int64), minlength=classes))


def mean_images(images: np.ndarray, labels: np.ndarray, classes: int = 10) -> np.ndarray:
    """The average image per class: images (N, rows, cols) uint8, labels (N,) ->
    (classes, rows, cols) float64 in 0..1 (a class without images gives zeros)."""
    images = np.asarray(images)
    labels = np.asarray(labels)
    out = np.zeros((classes, *images.shape[1:]), dtype=np.float64)
    for digit in range(classes):
        chosen = images[labels == digit]
        if len(chosen):
            out[digit] = chosen.mean(axis=0, dtype=np.float64) / 255.0
    return out


def pixel_histogram(images: np.ndarray, bins: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of pixel values / 255 over [0, 1]: images uint8 (any shape) ->
    (counts (bins,) int64, edges (bins+1,) float64), numpy.histogram's bin convention."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    values = np.bincount(np.asarray(images, dtype=np.uint8).ravel(), minlength=256)
    counts, edges = np.histogram(
        np.arange(256) / 255.0, bins=bins, range=(0.0, 1.0), weights=values.astype(np.float64)
    )
    return np.rint(counts).astype(np.int64), edges
