"""What is at a path, in words: the one home for the checks made before dl-tutor writes a file.

The progress store (its exports) and the model files (`dl-tutor train --save`, checkpoints)
both refuse to replace anything but a regular file, both name a file that stands where a folder
should be, and both give a new file the permissions a shell would. Pure standard library: the
engines and the CLI's fast path may import it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["blocking_file", "file_kind", "new_file_mode", "umask"]

#: What a non-regular file is, by `stat` test, in the order they are tried.
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a symbolic link", "a folder", ...), from its
    `st_mode` (as `os.lstat` gives it)."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def blocking_file(path: Path) -> Path | None:
    """The nearest of `path` and its ancestors that exists but is not a folder, if any: the
    file that stands where a folder is needed (e.g. DL_TUTOR_HOME set to a file)."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return None if candidate.is_dir() else candidate
        except OSError:
            return None
    return None


def umask() -> int:
    """The process's umask (read from /proc where possible: setting it to read it is racy)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(target: Path) -> int:
    """The permission bits for a file written to `target`: those of the regular file already
    there, else 0666 less the umask (what `cp` or a shell redirection gives a new file)."""
    try:
        info = os.lstat(target)
    except OSError:
        return 0o666 & ~umask()
    if stat.S_ISREG(info.st_mode):
        return stat.S_IMODE(info.st_mode) & 0o777
    return 0o666 & ~umask()
