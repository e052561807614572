"""The app leaves a core to the UI: BLAS gets one thread fewer than there are cores (set
before NumPy is imported); a count the learner set is kept, and `dl-tutor train` is untouched."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tutor.backend import BLAS_THREADS_ENV

PROBE = """
import os, sys
import tutor.cli as cli
cli.COMMANDS[None] = cli.COMMANDS["run"] = cli.COMMANDS["train"] = lambda args: 0
cli.main(sys.argv[1:])
print(os.environ.get("OPENBLAS_NUM_THREADS", "unset"), "numpy" in sys.modules)
"""


def _probe(*argv: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in BLAS_THREADS_ENV}
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], env={**clean, **env},
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.split()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores")
def test_the_app_leaves_one_core_and_train_keeps_all() -> None:
    cores = len(os.sched_getaffinity(0))
    assert _probe() == [str(cores - 1), "False"]  # set before NumPy was imported
    assert _probe("run") == [str(cores - 1), "False"]
    assert _probe("run", OPENBLAS_NUM_THREADS="3") == ["3", "False"]  # the learner's choice stays
    assert _probe("train", "lenet") == ["unset", "False"]
