"""The wheel carries the course, the MNIST and Fashion-MNIST files with their checksums and
attribution, and an entry point; unpacked anywhere, it finds its own lessons and validates them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


#: One worker builds this module's shared fixture once (addopts use --dist loadgroup).
pytestmark = pytest.mark.xdist_group("packaging")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once for this module (about five seconds)."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("dl_tutor-*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _read(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name).decode("utf-8")


def test_wheel_contains_the_course(wheel: Path, names: set[str]) -> None:
    for name in (
        "tutor/lessons/course.toml",
        "tutor/lessons/artificial-neuron/lesson.toml",
        "tutor/lessons/artificial-neuron/lesson.md",
        "tutor/cli.py",
        "tutor/__main__.py",
        "tutor/engines/neuron.py",
        "tutor/scenes/registry.py",
    ):
        assert name in names, name
    # The packaged course is byte-for-byte the repository's.
    assert _read(wheel, "tutor/lessons/course.toml") == (REPO / "lessons/course.toml").read_text(
        encoding="utf-8"
    )


def test_wheel_contains_mnist_with_checksums_and_attribution(wheel: Path, names: set[str]) -> None:
    gz = {name for name in names if name.startswith("tutor/data/mnist/") and name.endswith(".gz")}
    assert gz == {f"tutor/data/mnist/{name}" for name in MNIST_FILES}
    assert "tutor/data/mnist/SHA256SUMS" in names
    sums = _read(wheel, "tutor/data/mnist/SHA256SUMS")
    assert all(name in sums for name in MNIST_FILES)
    readme = _read(wheel, "tutor/data/mnist/README.md")
    assert "CC BY-SA" in readme
    assert "LeCun" in readme


def test_wheel_contains_fashion_mnist_with_checksums_licence_and_names(wheel: Path, names: set[str]) -> None:
    folder = "tutor/data/fashion-mnist"
    gz = {name for name in names if name.startswith(f"{folder}/") and name.endswith(".gz")}
    assert gz == {f"{folder}/{name}" for name in MNIST_FILES}
    for name in ("SHA256SUMS", "README.md", "LICENSE", "dataset.toml"):
        assert f"{folder}/{name}" in names, name
    sums = _read(wheel, f"{folder}/SHA256SUMS")
    assert all(name in sums for name in MNIST_FILES)
    assert "Zalando" in _read(wheel, f"{folder}/README.md") and "MIT" in _read(wheel, f"{folder}/LICENSE")
    assert "Ankle boot" in _read(wheel, f"{folder}/dataset.toml")


#: The most the wheel may weigh: the two data sets (MNIST about 11 MB, Fashion-MNIST about
#: 31 MB, already gzip -9), the weights and the code. A guard against shipping a cache or
#: uncompressed data by mistake, not a target.
MAX_WHEEL_BYTES = 48 * 2**20


def test_wheel_stays_within_its_size(wheel: Path) -> None:
    assert wheel.stat().st_size <= MAX_WHEEL_BYTES, f"{wheel.stat().st_size / 2**20:.1f} MB"


def test_wheel_ships_the_lenet_weights_and_how_they_were_made(wheel: Path, names: set[str]) -> None:
    assert "tutor/data/weights/lenet5.npz" in names
    readme = _read(wheel, "tutor/data/weights/README.md")
    assert "dl-tutor train lenet" in readme and "--seed 0" in readme


def test_shipped_weights_read_mnist_test_digits() -> None:
    from tutor.engines.mnist import load_digits
    from tutor.model_files import load_shipped_lenet
    from tutor.engines.train import evaluate

    digits = load_digits()
    accuracy, _, _ = evaluate(load_shipped_lenet(), digits.test_images[:2000], digits.test_labels[:2000])
    assert accuracy >= 0.98


def test_wheel_has_no_tests_or_caches(names: set[str]) -> None:
    assert not any(name.startswith("tests/") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_wheel_entry_point(wheel: Path, names: set[str]) -> None:
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    text = _read(wheel, entry_points)
    assert "[console_scripts]" in text
    assert "dl-tutor = tutor.cli:main" in text
    (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
    meta = _read(wheel, metadata)
    from tutor import __version__

    assert f"Version: {__version__}" in meta
    assert "Requires-Dist: textual" in meta and "Requires-Dist: numpy" in meta


def _env(unpacked: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(unpacked))
    return env


def test_unpacked_wheel_finds_its_own_lessons(unpacked: Path, tmp_path: Path) -> None:
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(unpacked)!r})\n"
        "import tutor\n"
        "from tutor.paths import default_lessons_dir, mnist_dir, shipped_data_dir\n"
        "print(tutor.__file__)\n"
        "print(default_lessons_dir())\n"
        "print(mnist_dir())\n"
        "print(shipped_data_dir('fashion-mnist'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    package, lessons, mnist, fashion = (Path(line) for line in result.stdout.splitlines())
    assert package.is_relative_to(unpacked)
    assert lessons == (unpacked / "tutor" / "lessons").resolve()
    assert mnist == (unpacked / "tutor" / "data" / "mnist").resolve()
    assert fashion == (unpacked / "tutor" / "data" / "fashion-mnist").resolve()


def test_unpacked_wheel_check_lessons(unpacked: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "check-lessons"], capture_output=True, text=True,
        cwd=tmp_path, env=_env(unpacked), timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str((unpacked / "tutor" / "lessons").resolve()) in result.stdout
    assert _shipped_counts() in result.stdout


def test_unpacked_wheel_doctor_checksums(unpacked: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "doctor", "--backend", "numpy"], capture_output=True,
        text=True, cwd=tmp_path, env=_env(unpacked), timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SHA-256 OK" in result.stdout
    assert str((unpacked / "tutor" / "data" / "mnist").resolve()) in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "tutor", "--data", "fashion-mnist", "doctor", "--backend", "numpy"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(unpacked), timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert str((unpacked / "tutor" / "data" / "fashion-mnist").resolve()) in result.stdout
    assert "Fashion-MNIST (shipped" in result.stdout


def _shipped_counts() -> str:
    """The "N lessons, N steps, N questions" summary check-lessons prints for the shipped course."""
    from tutor.content import load_course
    from tutor.paths import default_lessons_dir

    course = load_course(default_lessons_dir())
    steps = sum(len(lesson.steps) for lesson in course.lessons)
    questions = sum(len(lesson.questions) for lesson in course.lessons)
    return f"{len(course.lessons)} lessons, {steps} steps, {questions} questions"
