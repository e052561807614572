"""`tutor.backend.blas_threads` and `blas_limit`: BLAS's thread count is the NumPy engine's share of the cores."""

from __future__ import annotations

from tutor import backend


def test_blas_threads_reads_the_loaded_library() -> None:
    assert backend.blas_threads() >= 1


def test_blas_limit_holds_inside_the_block_and_restores() -> None:
    before = backend.blas_threads()
    with backend.blas_limit(1):
        assert backend.blas_threads() == 1
        with backend.blas_limit(3):
            assert backend.blas_threads() == 3
        assert backend.blas_threads() == 1
    assert backend.blas_threads() == before
