"""The file system under the progress file: the lock, atomic writes, rescue, and checks.

Saving writes a temporary file in the same directory, fsyncs it and `os.replace`s it over the
old one, so a crash mid-write leaves the old file. Several tutors may share one file: each
read-merge-replace holds an advisory lock (`progress.json.lock`, `fcntl.flock`) so that two never
interleave; the lock is given up after LOCK_TIMEOUT seconds (the save then goes ahead unlocked,
as it would on a platform without `fcntl`), so a stuck lock never hangs the app. When saving
fails for good, `rescue_text` writes the progress to another folder rather than lose it. Errors
become one-line reasons a learner can act on (`os_reason`).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tutor.files import blocking_file, file_kind, new_file_mode

try:
    import fcntl
except ImportError:  # Windows: saves go unlocked (see LOCK_TIMEOUT)
    fcntl = None  # type: ignore[assignment]

#: Prefix and suffix of the temporary files an atomic write creates.
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
#: Stray temporary files older than this (seconds) are removed by `ProgressStore.load`; younger
#: ones may belong to another running copy of the app that is writing right now.
STALE_TEMP_SECONDS = 60.0
#: Suffix of the lock file beside the progress file (`progress.json.lock`); it is never removed.
LOCK_SUFFIX = ".lock"
#: Seconds a save waits for another copy of the app to release the lock before going ahead
#: unlocked (a lock is held for milliseconds; this only bounds a stuck holder, e.g. a hung disk).
LOCK_TIMEOUT = 2.0
#: Name of the file `rescue_text` (for `ProgressStore.save_at_exit`) rescues unsaved progress to, in the first
#: folder of `rescue_folders()` that takes it.
RESCUE_NAME = "dl-tutor-progress-rescued"


class ProgressSaveError(OSError):
    """Progress could not be written; the message is one line saying where and why."""


class ExportTargetError(ProgressSaveError):
    """An export was refused because something other than a regular file is at the target
    (a symbolic link, a FIFO, a device, a folder); nothing was written or replaced."""


def one_line(text: str, limit: int = 160) -> str:
    """Collapse whitespace and newlines and shorten, for one-line messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def os_reason(error: BaseException, path: Path | None = None, *, writing: bool = True) -> str:
    """A short human reason for an OS-level error on `path` (the file written, or read when not
    `writing`): what it means, with the system's own words kept to search for."""
    if not isinstance(error, OSError):
        return one_line(str(error) or type(error).__name__)
    words = one_line(error.strerror or str(error) or type(error).__name__)
    code = error.errno
    folder = path.parent if path is not None else None
    if code in (errno.EEXIST, errno.ENOTDIR) and path is not None:
        blocker = blocking_file(folder)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    if code == errno.ENOSPC:
        return f"the disk is full ({words})"
    if code == getattr(errno, "EDQUOT", None):
        return f"your disk quota is used up ({words})"
    if code == errno.EROFS:
        return f"the disk is mounted read-only ({words})"
    if code in (errno.EACCES, errno.EPERM) and folder is not None and writing:
        return f"{words}: you may not write in {folder}"
    return words


_JSON_POSITION_WORDS = re.compile(r"\s+(?:starting\s+)?at$")


def json_reason(error: json.JSONDecodeError) -> str:
    """"invalid JSON at line L, column C: what" (json's own message ends with a dangling "at",
    e.g. "Unterminated string starting at", which expects the position after it)."""
    what = _JSON_POSITION_WORDS.sub("", one_line(error.msg))
    return f"invalid JSON at line {error.lineno}, column {error.colno}: {what}"



@contextlib.contextmanager
def locked(lock_path: Path) -> Iterator[bool]:
    """Hold the exclusive lock on the file `lock_path` for one read-merge-replace; yields whether it
    is held. Without `fcntl`, without a lock file (a missing or read-only folder) or after
    LOCK_TIMEOUT seconds of waiting, the body runs unlocked rather than not at all."""
    if fcntl is None:
        yield False
        return
    flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:  # read-write: NFS emulates flock with byte-range locks, which need it
        fd = os.open(lock_path, flags | os.O_RDWR, 0o644)
    except PermissionError:  # another user's lock file: a read-only one locks on local disks
        try:
            fd = os.open(lock_path, flags | os.O_RDONLY)
        except OSError:
            yield False
            return
    except OSError:
        yield False
        return
    try:
        held = False
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:  # another copy of the app holds it
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.005)
            except OSError:  # e.g. ENOLCK on a network file system without locks
                break
        yield held
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove_stray_temp_files(folder: Path) -> None:
    """Delete `.progress-*.tmp` files in `folder` left by a writer that was killed mid-write."""
    now = time.time()
    try:
        candidates = list(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    except OSError:
        return
    for candidate in candidates:
        try:
            if now - candidate.stat().st_mtime >= STALE_TEMP_SECONDS:
                candidate.unlink()
        except OSError:
            pass


def free_name(path: Path, kind: str) -> Path:
    """A free name `<path>.<kind>-YYYYmmdd-HHMMSS[-N]` beside the file."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.{kind}-{stamp}")
    candidate = base
    counter = 1
    while candidate.exists() or candidate.is_symlink():
        candidate = base.with_name(f"{base.name}-{counter}")
        counter += 1
    return candidate


def directory_problem(directory: Path) -> tuple[str, str] | None:
    """Whether progress can be saved in `directory`: None, or (what is wrong, what to do).

    Really creates and removes a temporary file there (permissions alone do not tell: a
    read-only disk, a full one, root on a network share)."""
    directory = Path(directory)
    blocker = blocking_file(directory)
    if blocker is not None:
        return (
            f"{blocker} is a file, not a folder",
            "move that file away, or set DL_TUTOR_HOME to a folder you can write to",
        )
    probe = directory / "progress.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        try:
            os.write(fd, b"{}\n")  # an empty file fits on a full disk; its content may not
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as error:
        reason = os_reason(error, probe)
        if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", None)):
            return reason, "free some space on that disk, or set DL_TUTOR_HOME to another folder"
        if error.errno == errno.EROFS:
            return reason, "set DL_TUTOR_HOME to a folder on a disk you can write to"
        return (
            reason,
            f"make it writable (chmod u+w {directory}), or set DL_TUTOR_HOME to a folder you "
            "can write to",
        )
    return None


def default_home() -> Path:
    """The data directory: `$DL_TUTOR_HOME` if set, else the platform's user data directory.

    The directory is created when possible; failure to create it is not an error here (saving
    will report it).
    """
    override = os.environ.get("DL_TUTOR_HOME")
    if override:
        home = Path(override).expanduser()
    else:
        import platformdirs

        home = Path(platformdirs.user_data_path("dl-tutor", appauthor=False))
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return home


def _fsync_directory(directory: Path) -> None:
    """fsync a directory so a rename survives a power cut; ignored where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` to `path` atomically: temp file in the same dir, fsync, os.replace.

    The file is private (0600, as `tempfile.mkstemp` makes it) unless `mode` gives its
    permission bits. On failure the old file is untouched, the temp file is removed and the
    OSError is re-raised.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        if mode is not None:
            os.chmod(temp_name, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def rescue_folders() -> list[Path]:
    """Where `rescue_text` (`ProgressStore.rescue`) tries to write, in order: the current folder (where the
    learner will look), the home folder, then the temporary folder."""
    folders: list[Path] = []
    for get in (Path.cwd, Path.home, lambda: Path(tempfile.gettempdir())):
        try:
            folder = get()
        except (OSError, RuntimeError):  # a deleted current folder, no home
            continue
        if folder not in folders:
            folders.append(folder)
    return folders


def rescue_text(text: str) -> Path | None:
    """Write `text` to a new private file `dl-tutor-progress-rescued-<timestamp>.json`
    in the first of `rescue_folders()` that takes it; its path, or None when none did.
    Never replaces anything (the file is created exclusively, links are not followed)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for folder in rescue_folders():
        for counter in range(100):
            suffix = f"-{counter}" if counter else ""
            target = folder / f"{RESCUE_NAME}-{stamp}{suffix}.json"
            try:
                fd = os.open(target, flags, 0o600)
            except FileExistsError:
                continue
            except OSError:
                break
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(target)
                break
            return target
    return None


def export_mode(target: Path) -> int:
    """The permission bits for a report written to `target` (`tutor.files.new_file_mode`).

    Raises:
        ExportTargetError: what is at `target` is not a regular file (links are not followed:
            replacing one would swap a regular file in for what it points to).
    """
    try:
        info = os.lstat(target)
    except OSError:  # nothing there (or an unreachable folder: the write says why)
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise ExportTargetError(
            f"Not exporting to {target}: it is {file_kind(info.st_mode)}, not a regular file "
            "(an export only ever replaces a regular file). Choose another file name."
        )
    return new_file_mode(target)
