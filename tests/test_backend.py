"""Tests for tutor.backend with fake CuPy modules (no GPU is needed, or assumed)."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from tutor import backend
from tutor.backend import Backend, BackendError, probe_cupy, select_backend, to_numpy


class FakeCupyArray:
    """A stand-in for cupy.ndarray: holds a NumPy array, hands it back with .get()."""

    def __init__(self, data: np.ndarray) -> None:
        """Wrap `data`."""
        self.data = np.asarray(data)

    def get(self) -> np.ndarray:
        """Copy to the host, as cupy.ndarray.get does."""
        return self.data.copy()


FakeCupyArray.__module__ = "cupy._core.core"


def make_fake_cupy(
    *,
    kernel_error: Exception | None = None,
    matmul: Callable[[np.ndarray, np.ndarray], np.ndarray] = np.matmul,
    device_name: object = b"NVIDIA H100 80GB HBM3",
    total_memory: int = int(79.1 * 2**30),
    properties_error: Exception | None = None,
) -> types.ModuleType:
    """A module that quacks like CuPy, computing with NumPy, with injectable failures."""
    cupy = types.ModuleType("cupy")
    cupy.float32 = np.float32

    def arange(n: int, dtype: object = None) -> FakeCupyArray:
        """cupy.arange."""
        return FakeCupyArray(np.arange(n, dtype=dtype))

    def asarray(a: object) -> FakeCupyArray:
        """cupy.asarray."""
        return FakeCupyArray(np.asarray(a))

    class ElementwiseKernel:
        """cupy.ElementwiseKernel, hard-wired to the probe's `2 * x + 1`."""

        def __init__(self, in_params: str, out_params: str, operation: str, name: str) -> None:
            """Remember the operation."""
            self.operation = operation

        def __call__(self, x: FakeCupyArray) -> FakeCupyArray:
            """Run the kernel, or fail as configured."""
            if kernel_error is not None:
                raise kernel_error
            return FakeCupyArray(2 * x.data + 1)

    cupy.arange = arange
    cupy.asarray = asarray
    cupy.ElementwiseKernel = ElementwiseKernel
    cupy.matmul = lambda a, b: FakeCupyArray(matmul(a.data, b.data))

    def get_device_properties(index: int) -> dict[str, object]:
        """cupy.cuda.runtime.getDeviceProperties."""
        if properties_error is not None:
            raise properties_error
        return {"name": device_name}

    class Device:
        """cupy.cuda.Device with mem_info (free, total)."""

        def __init__(self, index: int = 0) -> None:
            """Device `index`."""
            self.mem_info = (total_memory // 2, total_memory)

    cupy.cuda = types.SimpleNamespace(
        runtime=types.SimpleNamespace(getDeviceProperties=get_device_properties),
        Device=Device,
    )
    return cupy


class CUDARuntimeError(RuntimeError):
    """Named like CuPy's error so the reason reads as it would on a real machine."""


@pytest.fixture(autouse=True)
def fresh_probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test probes afresh and starts without DL_TUTOR_BACKEND."""
    monkeypatch.delenv("DL_TUTOR_BACKEND", raising=False)
    backend._reset_cache()
    yield
    backend._reset_cache()


def install(monkeypatch: pytest.MonkeyPatch, module: types.ModuleType | None) -> None:
    """Make `import cupy` return `module` (None makes it raise ImportError)."""
    monkeypatch.setitem(sys.modules, "cupy", module)


def test_cupy_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, None)
    assert probe_cupy() == (None, "CuPy is not installed (pip install 'dl-tutor[gpu]')", None)
    chosen = select_backend("auto")
    assert chosen == Backend(
        "numpy", np, "Using NumPy: CuPy is not installed (pip install 'dl-tutor[gpu]')", None
    )
    with pytest.raises(BackendError, match="not installed"):
        select_backend("cupy")


def test_broken_gpu_falls_back_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    error = CUDARuntimeError(
        "cudaErrorInsufficientDriver: CUDA driver version is insufficient\nmore detail"
    )
    install(monkeypatch, make_fake_cupy(kernel_error=error))
    reason = (
        "CuPy is installed but no GPU works: CUDARuntimeError: "
        "cudaErrorInsufficientDriver: CUDA driver version is insufficient"
    )
    chosen = select_backend()
    assert chosen.name == "numpy" and chosen.xp is np and chosen.device is None
    assert chosen.reason == f"Using NumPy: {reason}"
    with pytest.raises(BackendError) as info:
        select_backend("cupy")
    assert str(info.value) == reason


def test_wrong_numbers_count_as_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, make_fake_cupy(matmul=lambda a, b: np.zeros_like(a)))
    cupy, reason, device = probe_cupy()
    assert cupy is None and device is None
    assert reason.startswith("CuPy is installed but no GPU works: RuntimeError: matmul returned")


def test_import_failing_otherwise_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def broken_import(name: str, *args: object, **kwargs: object) -> object:
        """Fail to import cupy the way a missing CUDA library does."""
        if name == "cupy":
            raise OSError("libcudart.so.12: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "cupy", raising=False)
    monkeypatch.setattr(builtins, "__import__", broken_import)
    cupy, reason, _ = probe_cupy()
    assert cupy is None
    assert (
        reason == "CuPy is installed but could not be imported: OSError: "
        "libcudart.so.12: cannot open shared object file"
    )


def test_working_cupy_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = make_fake_cupy()
    install(monkeypatch, fake)
    chosen = select_backend("auto")
    assert chosen.name == "cupy" and chosen.xp is fake
    assert chosen.device == "NVIDIA H100 80GB HBM3, 79.1 GiB"
    assert chosen.reason == "CuPy works on NVIDIA H100 80GB HBM3, 79.1 GiB."
    assert select_backend("cupy") == chosen
    assert select_backend("numpy") == Backend("numpy", np, "NumPy was requested.", None)


def test_device_description_is_guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, make_fake_cupy(properties_error=RuntimeError("no props")))
    assert select_backend().device == "GPU 0, 79.1 GiB"
    backend._reset_cache()
    install(monkeypatch, make_fake_cupy(device_name="Some GPU"))
    assert select_backend().device == "Some GPU, 79.1 GiB"


def test_probe_is_cached_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, None)
    first = probe_cupy()
    install(monkeypatch, make_fake_cupy())
    assert probe_cupy() is first
    backend._reset_cache()
    assert probe_cupy()[0] is not None


@pytest.mark.parametrize(
    ("env", "expected"), [("numpy", "numpy"), ("NumPy", "numpy"), ("auto", "cupy"), ("", "cupy")]
)
def test_env_var_is_honoured(monkeypatch: pytest.MonkeyPatch, env: str, expected: str) -> None:
    install(monkeypatch, make_fake_cupy())
    monkeypatch.setenv("DL_TUTOR_BACKEND", env)
    assert select_backend().name == expected


def test_env_var_cupy_without_gpu_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, None)
    monkeypatch.setenv("DL_TUTOR_BACKEND", "cupy")
    with pytest.raises(BackendError, match="not installed"):
        select_backend()


def test_explicit_choice_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    install(monkeypatch, None)
    monkeypatch.setenv("DL_TUTOR_BACKEND", "cupy")
    assert select_backend("numpy").name == "numpy"


@pytest.mark.parametrize("choice", ["torch", "gpu", "np"])
def test_unknown_backend(choice: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendError) as info:
        select_backend(choice)
    assert str(info.value) == f"Unknown backend '{choice}': choose auto, numpy or cupy."
    monkeypatch.setenv("DL_TUTOR_BACKEND", choice)
    with pytest.raises(BackendError, match="Unknown backend"):
        select_backend()


def test_numpy_request_never_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> None:
        """Fail the test if a probe happens."""
        raise AssertionError("probed")

    monkeypatch.setattr(backend, "_run_probe", explode)
    assert select_backend("numpy").name == "numpy"


def test_to_numpy() -> None:
    a = np.arange(6).reshape(2, 3)
    assert to_numpy(a) is a
    fake = FakeCupyArray(a)
    out = to_numpy(fake)
    assert isinstance(out, np.ndarray) and np.array_equal(out, a)
    assert isinstance(to_numpy(3.5), np.ndarray) and to_numpy(3.5) == 3.5
    assert np.array_equal(to_numpy([[1, 2], [3, 4]]), [[1, 2], [3, 4]])


def test_backend_module_imports_no_cupy_or_ui() -> None:
    import subprocess
    from pathlib import Path

    code = (
        "import sys, tutor.backend; "
        "bad = [m for m in ('cupy', 'numpy', 'textual', 'rich') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1]
    )
    assert result.returncode == 0, result.stdout + result.stderr
