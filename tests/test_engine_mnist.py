"""The MNIST engine: IDX decoding, descriptors, the cached loader and statistics."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
import pytest

from tutor.engines.mnist import (
    FASHION_CLASS_NAMES,
    FILES,
    DataError,
    DatasetInfo,
    Digits,
    class_counts,
    load_digits,
    mean_images,
    pixel_histogram,
    read_descriptor,
    read_idx,
    verify_checksums,
)
from tutor.paths import mnist_dir

TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)


def _idx_images(images: np.ndarray) -> bytes:
    return struct.pack(">IIII", 0x803, *images.shape) + images.astype(np.uint8).tobytes()


def _idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes()


def _write_set(folder: Path, *, sums: bool = False, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train_labels": np.arange(20, dtype=np.uint8) % 10,
        "test_images": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "test_labels": np.array([3, 1, 4, 1, 5], dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    payloads = [
        _idx_images(arrays["train_images"]),
        _idx_labels(arrays["train_labels"]),
        _idx_images(arrays["test_images"]),
        _idx_labels(arrays["test_labels"]),
    ]
    lines = []
    for name, payload in zip(FILES, payloads):
        data = gzip.compress(payload, mtime=0)
        (folder / name).write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}")
    if sums:
        (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return arrays


def test_tiny_generated_set_loads_back_exactly(tmp_path: Path) -> None:
    arrays = _write_set(tmp_path / "data", sums=True)
    digits = load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")
    assert isinstance(digits, Digits)
    for key, expected in arrays.items():
        got = getattr(digits, key)
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, expected)
    assert digits.info.name == "MNIST"
    assert digits.info.class_names == tuple(str(d) for d in range(10))
    again = load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")
    np.testing.assert_array_equal(again.train_images, arrays["train_images"])


def test_read_idx_plain_and_gzipped(tmp_path: Path) -> None:
    labels = np.array([7, 2, 1], dtype=np.uint8)
    (tmp_path / "plain").write_bytes(_idx_labels(labels))
    (tmp_path / "zipped.gz").write_bytes(gzip.compress(_idx_labels(labels)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain"), labels)
    np.testing.assert_array_equal(read_idx(tmp_path / "zipped.gz"), labels)


def test_wrong_magic_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad-idx.gz"
    path.write_bytes(gzip.compress(struct.pack(">II", 0x802, 1) + b"\x00"))
    with pytest.raises(DataError, match="bad-idx.gz"):
        read_idx(path)


@pytest.mark.parametrize("cut", [3, 10, 100])
def test_truncated_file_names_the_file(tmp_path: Path, cut: int) -> None:
    payload = _idx_images(np.zeros((2, 28, 28), dtype=np.uint8))
    path = tmp_path / "short-idx"
    path.write_bytes(payload[:-cut] if cut != 3 else payload[:3])
    with pytest.raises(DataError, match="short-idx"):
        read_idx(path)


def test_truncated_gzip_stream_names_the_file(tmp_path: Path) -> None:
    data = gzip.compress(_idx_images(np.ones((4, 28, 28), dtype=np.uint8)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="cut.gz"):
        read_idx(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")
    _write_set(tmp_path / "data")
    (tmp_path / "data" / FILES[3]).unlink()
    with pytest.raises(DataError, match=FILES[3]) as caught:
        load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")
    assert "download it again" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_checksum_mismatch_in_user_folder(tmp_path: Path) -> None:
    _write_set(tmp_path / "data", sums=True)
    (tmp_path / "data" / FILES[1]).write_bytes(gzip.compress(_idx_labels(np.zeros(20, np.uint8))))
    with pytest.raises(DataError, match="checksum mismatch") as caught:
        load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")
    assert FILES[1] in str(caught.value)
    assert "check the file or download it again" in str(caught.value)
    digits = load_digits(tmp_path / "data", cache_dir=tmp_path / "cache", verify=False)
    assert digits.train_labels.sum() == 0


def test_label_count_mismatch_is_a_data_error(tmp_path: Path) -> None:
    _write_set(tmp_path / "data")
    (tmp_path / "data" / FILES[1]).write_bytes(gzip.compress(_idx_labels(np.zeros(7, np.uint8))))
    with pytest.raises(DataError, match=FILES[1]):
        load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")


def test_fashion_descriptor_is_read(tmp_path: Path) -> None:
    names = ", ".join(f'"{name}"' for name in FASHION_CLASS_NAMES)
    (tmp_path / "dataset.toml").write_text(
        f'name = "Fashion-MNIST"\nclass_names = [{names}]\n\n[files]\ntest_labels = "labels.gz"\n',
        encoding="utf-8",
    )
    info = read_descriptor(tmp_path)
    assert info == DatasetInfo(
        "Fashion-MNIST", (FILES[0], FILES[1], FILES[2], "labels.gz"), FASHION_CLASS_NAMES
    )
    assert info.class_names[0] == "T-shirt/top" and info.class_names[9] == "Ankle boot"


def test_default_descriptor_is_mnist(tmp_path: Path) -> None:
    info = read_descriptor(tmp_path)
    assert info.name == "MNIST" and info.files == FILES
    assert info.class_names == ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


@pytest.mark.parametrize(
    "text",
    [
        'name = "x"\nclass_names = ["a"]\n',
        'class_names = ["0","1","2","3","4","5","6","7","8","9"]\n',
        'name = "x"\nclass_names = [0,1,2,3,4,5,6,7,8,9]\n',
        'name = "x\n',
        'name = "x"\nclass_names = ["0","1","2","3","4","5","6","7","8","9"]\ncolour = 1\n',
        'name = "x"\nclass_names = ["0","1","2","3","4","5","6","7","8","9"]\n[files]\nextra = "y"\n',
        'name = "x"\nclass_names = ["0","1","2","3","4","5","6","7","8","9"]\n[files]\ntrain_images = "../y"\n',
    ],
)
def test_bad_descriptor_is_a_data_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "dataset.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="dataset.toml"):
        read_descriptor(tmp_path)
    with pytest.raises(DataError, match="dataset.toml"):
        load_digits(tmp_path, cache_dir=tmp_path / "cache")


def test_statistics_on_small_arrays() -> None:
    images = np.zeros((4, 2, 2), dtype=np.uint8)
    images[0] = 255
    images[1, 0, 0] = 255
    labels = np.array([1, 1, 3, 3], dtype=np.uint8)
    assert class_counts(labels) == (0, 2, 0, 2, 0, 0, 0, 0, 0, 0)
    means = mean_images(images, labels)
    assert means.shape == (10, 2, 2) and means.dtype == np.float64
    np.testing.assert_allclose(means[1], [[1.0, 0.5], [0.5, 0.5]])
    assert not means[0].any() and not means[3].any()
    counts, edges = pixel_histogram(images, bins=4)
    assert counts.tolist() == [11, 0, 0, 5]
    np.testing.assert_allclose(edges, [0, 0.25, 0.5, 0.75, 1.0])
    expected, _ = np.histogram(images / 255.0, bins=4, range=(0, 1))
    assert counts.tolist() == expected.tolist()


# -- the real shipped data --------------------------------------------------------------------


#: One worker builds this module's shared fixture once (addopts use --dist loadgroup).
pytestmark = pytest.mark.xdist_group("engine-mnist")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Digits, Path]:
    cache = tmp_path_factory.mktemp("mnist-cache")
    return load_digits(cache_dir=cache), cache


def test_shipped_checksums_still_ok() -> None:
    assert all(check.ok for check in verify_checksums(mnist_dir()))


def test_shipped_shapes_and_labels(shipped: tuple[Digits, Path]) -> None:
    digits, _ = shipped
    assert digits.train_images.shape == (60000, 28, 28)
    assert digits.train_labels.shape == (60000,)
    assert digits.test_images.shape == (10000, 28, 28)
    assert digits.test_labels.shape == (10000,)
    assert digits.train_images.dtype == np.uint8 and digits.test_labels.dtype == np.uint8
    assert digits.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert class_counts(digits.train_labels) == TRAIN_COUNTS
    assert sum(class_counts(digits.test_labels)) == 10000


def test_shipped_pixel_mean_and_std(shipped: tuple[Digits, Path]) -> None:
    digits, _ = shipped
    counts = np.bincount(digits.train_images.ravel(), minlength=256).astype(np.float64)
    values = np.arange(256) / 255.0
    n = counts.sum()
    mean = (counts * values).sum() / n
    std = np.sqrt((counts * (values - mean) ** 2).sum() / n)
    assert abs(mean - 0.1307) < 1e-3
    assert abs(std - 0.3081) < 1e-3
    hist, edges = pixel_histogram(digits.train_images)
    assert hist.shape == (16,) and edges.shape == (17,)
    assert int(hist.sum()) == 60000 * 28 * 28
    means = mean_images(digits.train_images, digits.train_labels)
    assert means.shape == (10, 28, 28)
    assert abs(float((means * np.array(TRAIN_COUNTS)[:, None, None]).sum() / n) - mean) < 1e-9


def test_second_load_comes_from_cache(shipped: tuple[Digits, Path]) -> None:
    digits, cache = shipped
    folders = [p for p in cache.iterdir() if p.is_dir()]
    assert len(folders) == 1 and sorted(f.name for f in folders[0].iterdir()) == [
        "test_images.npy", "test_labels.npy", "train_images.npy", "train_labels.npy"]
    again = load_digits(cache_dir=cache)
    assert isinstance(again.train_images, np.memmap)  # read back mapped, not copied
    np.testing.assert_array_equal(again.train_images, digits.train_images)
    assert again.info == digits.info
    again.train_images[0, 0, 0] = 77  # copy-on-write: the cache file is untouched
    assert load_digits(cache_dir=cache).train_images[0, 0, 0] == digits.train_images[0, 0, 0]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_corrupted_cache_is_ignored_and_rewritten(shipped: tuple[Digits, Path], damage: str) -> None:
    digits, cache = shipped
    (folder,) = [p for p in cache.iterdir() if p.is_dir()]
    path = folder / "train_labels.npy"
    if damage == "garbage":
        path.write_bytes(b"not a .npy file at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    else:
        path.unlink()
    again = load_digits(cache_dir=cache)
    np.testing.assert_array_equal(again.train_labels, digits.train_labels)
    np.testing.assert_array_equal(again.test_images, digits.test_images)
    assert np.load(path, allow_pickle=False).shape == (60000,)
    assert sorted(p.name for p in cache.iterdir()) == [folder.name]  # nothing left lying about


def test_shipped_folder_damage_says_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tutor.engines.mnist as mnist

    _write_set(tmp_path / "data", sums=True)
    (tmp_path / "data" / FILES[0]).write_bytes(b"garbage")
    monkeypatch.setattr(mnist, "shipped_dir", lambda name="mnist": tmp_path / "data")
    with pytest.raises(DataError) as caught:
        load_digits(cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert FILES[0] in message and "is damaged (checksum mismatch)" in message
    assert message.endswith("reinstall dl-tutor (pip install --force-reinstall dl-tutor)")


def test_damage_in_the_learners_data_dir_never_says_reinstall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `dl-tutor --data-dir` sets DL_TUTOR_DATA_DIR, so mnist_dir() *is* the learner's folder,
    # and tutor.data reads it.
    import tutor.data
    import tutor.engines.mnist as mnist

    _write_set(tmp_path / "data", sums=True)
    (tmp_path / "data" / FILES[0]).write_bytes(b"garbage")
    monkeypatch.setenv("DL_TUTOR_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(DataError) as caught:
        tutor.data.load_digits()
    message = str(caught.value)
    assert FILES[0] in message and "check the file or download it again" in message and "reinstall" not in message
    checks = mnist.verify_checksums(tmp_path / "data")
    assert not checks[0].ok and "reinstall" not in checks[0].message and "check the file" in checks[0].message


def _gzip_of_zeros(header: bytes, megabytes: int) -> bytes:
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(header)]
    block = b"\0" * 2**20
    parts += [packer.compress(block) for _ in range(megabytes)]
    parts.append(packer.flush())
    return b"".join(parts)


def test_a_small_gzip_that_inflates_past_its_header_is_refused_early(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "bomb.gz"
    # The header promises 100 images; the stream inflates to 512 MB from about half a megabyte.
    path.write_bytes(_gzip_of_zeros(struct.pack(">IIII", 0x803, 100, 28, 28), 512))
    assert path.stat().st_size < 2**20
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="trailing bytes") as caught:
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "bomb.gz" in str(caught.value) and "\n" not in str(caught.value)
    assert peak < 8 * 2**20  # only what the header promised (and gzip's buffers) was ever held


@pytest.mark.parametrize(
    "header,match",
    [
        (struct.pack(">IIII", 0x803, 10_000_000, 28, 28), "promises 10,000,000 images"),
        (struct.pack(">IIII", 0x803, 900_000, 200, 200), "MB of pixels"),
        (struct.pack(">IIII", 0x803, 10, 0, 28), "image size 0x28"),
        (struct.pack(">IIII", 0x803, 10, 100_000, 28), "image size 100000x28"),
        (struct.pack(">II", 0x801, 2_000_000_000), "promises 2,000,000,000 labels"),
    ],
)
def test_absurd_headers_are_refused_before_reading(tmp_path: Path, header: bytes, match: str) -> None:
    path = tmp_path / "huge-idx.gz"
    path.write_bytes(gzip.compress(header + b"\0" * 64))
    with pytest.raises(DataError, match=match) as caught:
        read_idx(path)
    assert "huge-idx.gz" in str(caught.value)


def test_labels_where_images_belong_are_named(tmp_path: Path) -> None:
    _write_set(tmp_path / "data")
    (tmp_path / "data" / FILES[0]).write_bytes((tmp_path / "data" / FILES[1]).read_bytes())
    with pytest.raises(DataError, match="holds labels where images are expected") as caught:
        load_digits(tmp_path / "data", cache_dir=tmp_path / "cache")
    assert FILES[0] in str(caught.value)


def test_short_and_long_plain_files_are_refused(tmp_path: Path) -> None:
    payload = _idx_labels(np.arange(10, dtype=np.uint8))
    (tmp_path / "short").write_bytes(payload[:-1])
    (tmp_path / "long").write_bytes(payload + b"\x01")
    with pytest.raises(DataError, match="truncated: 17 bytes, header says 18"):
        read_idx(tmp_path / "short")
    with pytest.raises(DataError, match="trailing bytes"):
        read_idx(tmp_path / "long")
    (tmp_path / "exact").write_bytes(payload)
    np.testing.assert_array_equal(read_idx(tmp_path / "exact"), np.arange(10))


def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo-idx"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        read_idx(fifo)  # opening it would block forever
