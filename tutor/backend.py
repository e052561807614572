"""The one place that chooses the array library: NumPy, or CuPy on a working GPU.

`select_backend("auto" | "numpy" | "cupy")` returns a `Backend` whose `xp` module the engines
compute with, and a one-line `reason` the app can show. CuPy is imported lazily and *probed*:
`import cupy` succeeds even without a driver, and a CUDA toolkit mismatch only shows when a
kernel is compiled, so the probe runs a real elementwise kernel and a matmul and copies the
results back. Anything that goes wrong falls back to NumPy with the reason ("auto"), or raises
`BackendError` when CuPy was explicitly requested. Widgets only ever see NumPy arrays:
`to_numpy` converts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tutor.text import first_line

#: The environment variables the BLAS libraries under NumPy read for their thread count (read
#: once, when NumPy is first imported): the app and the exercise sandbox set them.
BLAS_THREADS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

__all__ = [
    "BACKEND_CHOICES",
    "Backend",
    "BackendError",
    "blas_limit",
    "blas_threads",
    "error_line",
    "probe_cupy",
    "select_backend",
    "to_numpy",
    "usable_cores",
]

#: Values accepted by `select_backend` and the `DL_TUTOR_BACKEND` environment variable.
BACKEND_CHOICES: tuple[str, ...] = ("auto", "numpy", "cupy")
#: The environment variable consulted when no choice is passed.
BACKEND_ENV = "DL_TUTOR_BACKEND"
NOT_INSTALLED = "CuPy is not installed (pip install 'dl-tutor[gpu]')"

ProbeResult = tuple[ModuleType | None, str, str | None]
_probe_cache: ProbeResult | None = None


@dataclass(frozen=True)
class Backend:
    """The chosen array library.

    Attributes:
        name: "numpy" or "cupy".
        xp: the module itself (`numpy` or `cupy`), used as `xp.zeros(...)` by the engines.
        reason: one line saying why this backend was chosen.
        device: for cupy, the GPU and its memory, e.g. "NVIDIA H100 80GB HBM3, 79.1 GiB";
            None for numpy.
    """

    name: str
    xp: Any
    reason: str
    device: str | None = None


class BackendError(RuntimeError):
    """The requested backend cannot work; the message is one line saying why."""


def error_line(error: BaseException) -> str:
    """`TypeName: first line of the message` (just the type name when the message is empty): how
    the backend and the engines report an error in one line."""
    return first_line(error, limit=200, with_type=True)


def _describe_device(cupy: Any) -> str:
    """Name and total memory of GPU 0, each guarded (a partial answer beats none)."""
    try:
        name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
        if isinstance(name, bytes):
            name = name.decode("utf-8", errors="replace")
        name = str(name).strip() or "GPU 0"
    except Exception:
        name = "GPU 0"
    try:
        total = int(cupy.cuda.Device(0).mem_info[1])
    except Exception:
        return name
    return f"{name}, {total / 2**30:.1f} GiB"


def _run_probe() -> ProbeResult:
    """Import CuPy and run a tiny kernel and matmul on GPU 0 (uncached; see `probe_cupy`)."""
    try:
        import cupy
    except ImportError:
        return None, NOT_INSTALLED, None
    except Exception as error:  # a broken install can fail at import in many ways
        return None, f"CuPy is installed but could not be imported: {error_line(error)}", None
    try:
        import numpy

        x = cupy.arange(4, dtype=cupy.float32)
        # An explicit ElementwiseKernel is compiled by NVRTC: this catches toolkit mismatches.
        kernel = cupy.ElementwiseKernel("float32 x", "float32 y", "y = 2 * x + 1", "dl_tutor_probe")
        doubled = numpy.asarray(kernel(x).get())
        if not numpy.array_equal(doubled, numpy.array([1, 3, 5, 7], dtype=numpy.float32)):
            raise RuntimeError(f"elementwise kernel returned {doubled.tolist()}")
        a = cupy.asarray(numpy.array([[1, 2], [3, 4]], dtype=numpy.float32))
        product = numpy.asarray(cupy.matmul(a, a).get())  # cuBLAS
        if not numpy.allclose(product, [[7, 10], [15, 22]]):
            raise RuntimeError(f"matmul returned {product.tolist()}")
    except Exception as error:
        return None, f"CuPy is installed but no GPU works: {error_line(error)}", None
    return cupy, "CuPy works", _describe_device(cupy)


def probe_cupy() -> ProbeResult:
    """Check once per process whether CuPy really computes on a GPU.

    Returns:
        (cupy, reason, device): the module, "CuPy works" and the device description when a
        kernel and a matmul ran and gave the right numbers; otherwise (None, one-line reason,
        None). Never raises.
    """
    global _probe_cache
    if _probe_cache is None:
        _probe_cache = _run_probe()
    return _probe_cache


def _reset_cache() -> None:
    """Forget the cached probe (for tests)."""
    global _probe_cache
    _probe_cache = None


def select_backend(choice: str | None = None) -> Backend:
    """Choose the backend: "auto" (CuPy if it works, else NumPy), "numpy" or "cupy".

    Args:
        choice: None reads `$DL_TUTOR_BACKEND`, defaulting to "auto". Case-insensitive.

    Raises:
        BackendError: for an unknown choice, or "cupy" when CuPy cannot work here.
    """
    if choice is None:
        choice = os.environ.get(BACKEND_ENV, "").strip() or "auto"
    normalised = choice.strip().lower()
    if normalised not in BACKEND_CHOICES:
        raise BackendError(f"Unknown backend '{choice}': choose auto, numpy or cupy.")
    if normalised == "numpy":
        import numpy

        return Backend("numpy", numpy, "NumPy was requested.", None)
    cupy, reason, device = probe_cupy()
    if cupy is not None:
        return Backend("cupy", cupy, f"CuPy works on {device}.", device)
    if normalised == "cupy":
        raise BackendError(reason)
    import numpy

    return Backend("numpy", numpy, f"Using NumPy: {reason}", None)


def to_numpy(a: Any) -> Any:
    """Return `a` as a NumPy array: NumPy arrays pass through, CuPy arrays are copied to host.

    Scalars and lists go through `numpy.asarray`. (`numpy.asarray` on a CuPy array raises on
    purpose, hence the `.get()`.)
    """
    import numpy

    if isinstance(a, numpy.ndarray):
        return a
    module = type(a).__module__ or ""
    if module.split(".")[0] == "cupy" and hasattr(a, "get"):
        return numpy.asarray(a.get())
    return numpy.asarray(a)


# ---------------------------------------------------------------------------------------------
# Cores on NumPy: BLAS's thread count is the engine's share of the machine
# ---------------------------------------------------------------------------------------------

_controller: Any = None


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _blas_controller() -> Any:
    """threadpoolctl's view of the BLAS libraries NumPy loaded (built once, about 1 ms)."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        __import__("numpy")  # BLAS is loaded with NumPy

        _controller = ThreadpoolController()
    return _controller


def blas_threads() -> int:
    """How many threads NumPy's BLAS may use now: the cores the NumPy engine may take. The app
    leaves one core to the UI (`OPENBLAS_NUM_THREADS` is set before NumPy loads), and a learner
    who sets it to 1 gets one core everywhere."""
    libraries = _blas_controller().select(user_api="blas").lib_controllers
    return max([lib.num_threads for lib in libraries] or [1])


@contextmanager
def blas_limit(threads: int) -> Iterator[None]:
    """BLAS limited to `threads` threads inside the block (each half of a split batch gets its
    share of the cores), then back to what it was."""
    with _blas_controller().limit(limits=threads, user_api="blas"):
        yield
