"""The MNIST files shipped with dl-tutor: their names and a checksum check.

The decoding loader for the images and labels arrives with the images unit; this module
already knows the files and verifies them against SHA256SUMS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

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
    repair = "reinstall dl-tutor (pip install --force-reinstall dl-tutor) to restore it"
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
