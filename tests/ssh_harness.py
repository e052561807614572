"""A throwaway `sshd` on loopback and a `tmux` terminal, for the SSH end-to-end tests.

`LoopbackSshd` starts a private OpenSSH server on 127.0.0.1 with its own host key, one client
key and a config in a temporary folder; it touches nothing of the machine's own SSH setup.
`TmuxTerminal` runs a command in a detached tmux pane of a fixed size, on a socket of its own,
and lets a test read the screen and type keys, as a person at a terminal would.

Both are plain helpers with `start()` and `stop()`; `stop()` is safe to call more than once.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

#: Where Debian and most Linux systems keep sshd when it is not on PATH.
SSHD_FALLBACKS = ("/usr/sbin/sshd", "/usr/local/sbin/sshd")
#: The privilege separation folder OpenSSH needs when sshd runs as root.
PRIVSEP_DIR = Path("/run/sshd")


def find_sshd() -> str | None:
    """The absolute path of `sshd` (sshd refuses to start from a relative path), or None."""
    found = shutil.which("sshd")
    if found:
        return os.path.abspath(found)
    return next((path for path in SSHD_FALLBACKS if os.access(path, os.X_OK)), None)


def missing_tools() -> list[str]:
    """The names of the tools the SSH tests need that this machine lacks."""
    missing = []
    if find_sshd() is None:
        missing.append("sshd")
    for tool in ("ssh", "ssh-keygen", "tmux"):
        if shutil.which(tool) is None:
            missing.append(tool)
    return missing


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    """Call `predicate` until it returns true or `timeout` seconds pass; return its last result."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def process_alive(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    except OSError:  # no /proc: fall back to a signal 0 probe
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")


class LoopbackSshd:
    """A private sshd on 127.0.0.1 that lets the current user in with a fresh key.

    Attributes:
        folder: where keys, config, pid file and log live.
        port: the port it listens on (set by `start`).
        client_key: the private key `ssh -i` must use.
        user: the account to log in as (the one running the tests).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = 0
        self.client_key = folder / "client_key"
        self.user = getpass.getuser()
        self.log_path = folder / "sshd.log"
        self._process: subprocess.Popen | None = None
        self._log = None

    def _keygen(self, path: Path) -> None:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dl-tutor-test", "-f", str(path)],
            check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
        )

    def _write_keys(self) -> None:
        self._keygen(self.folder / "host_key")
        self._keygen(self.client_key)
        authorized = self.folder / "authorized_keys"
        authorized.write_text(Path(f"{self.client_key}.pub").read_text())
        authorized.chmod(0o600)

    def _write_config(self) -> Path:
        host_key = self.folder / "host_key"
        authorized = self.folder / "authorized_keys"
        config = self.folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    "ListenAddress 127.0.0.1",
                    f"Port {self.port}",
                    f"HostKey {host_key}",
                    f"AuthorizedKeysFile {authorized}",
                    f"PidFile {self.folder / 'sshd.pid'}",
                    "UsePAM no",
                    "StrictModes no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PubkeyAuthentication yes",
                    "PermitRootLogin prohibit-password",
                    "PermitUserEnvironment no",
                    "PermitUserRC no",
                    "AcceptEnv none",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "UseDNS no",
                    "X11Forwarding no",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )
        return config

    def start(self, timeout: float = 10.0, attempts: int = 3) -> None:
        """Start sshd and wait until it accepts connections; RuntimeError with its log if not.

        A port found free can be taken by another process before sshd binds it, so a start
        that fails is tried again on another port, `attempts` times in all.
        """
        sshd = find_sshd()
        if sshd is None:
            raise RuntimeError("sshd is not installed.")
        if os.geteuid() == 0 and not PRIVSEP_DIR.is_dir():
            PRIVSEP_DIR.mkdir(mode=0o755, parents=True, exist_ok=True)
        self._write_keys()
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            config = self._write_config()
            self._log = open(self.log_path, "wb")
            self._process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            )
            if self._wait_listening(timeout):
                return
            self.stop()
            log = self.log_path.read_text(errors="replace")
            if attempt == attempts or "Address already in use" not in log:
                raise RuntimeError(f"sshd did not start on port {self.port}. Its log:\n{log}")

    def _wait_listening(self, timeout: float) -> bool:
        """True once sshd accepts a connection; False if it exits or `timeout` passes first."""
        assert self._process is not None
        process = self._process

        def ready() -> bool | None:
            if process.poll() is not None:
                return None  # it died
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                return False

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = ready()
            if state is not False:
                return bool(state)
            time.sleep(0.1)
        return False

    def ssh_command(self, remote_command: str, terminal: bool = True) -> list[str]:
        """The ssh command line that runs `remote_command` on this server: in a terminal
        (`ssh -t`) by default, without one (`ssh -T`) when `terminal` is False."""
        return [
            "ssh", "-t" if terminal else "-T", "-F", "/dev/null",
            "-p", str(self.port), "-i", str(self.client_key),
            "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes",
            "-o", "LogLevel=ERROR",
            f"{self.user}@127.0.0.1", remote_command,
        ]

    def stop(self) -> None:
        """Stop the listening sshd (a session still open ends when its ssh client does)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
        self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class TmuxTerminal:
    """A detached tmux pane of `width` x `height` running `command`, on a private socket."""

    def __init__(self, width: int = 100, height: int = 30) -> None:
        self.width = width
        self.height = height
        self.socket = f"dl-tutor-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._started = False
        self._socket_path: Path | None = None

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # Without $TMUX, so that tests run from inside a tmux session behave the same.
        env = {key: value for key, value in os.environ.items() if key != "TMUX"}
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            check=check, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15,
            env=env,
        )

    def start(self, command: list[str]) -> None:
        """Open the pane running `command` (an argument list, run through `sh -c`)."""
        self._tmux(
            "new-session", "-d", "-s", "test", "-x", str(self.width), "-y", str(self.height),
            shlex.join(command),
        )
        self._started = True
        found = self._tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self._socket_path = Path(found) if found else None

    def screen(self) -> str:
        """The visible text of the pane, one line per row."""
        result = self._tmux("capture-pane", "-p", "-t", "test", check=False)
        return result.stdout

    def pane_flags(self) -> dict[str, str]:
        """tmux's view of the pane's terminal modes: alternate screen, mouse, cursor."""
        names = ("alternate_on", "mouse_any_flag", "cursor_flag")
        fmt = " ".join(f"#{{{name}}}" for name in names)
        result = self._tmux("display-message", "-p", "-t", "test", fmt)
        return dict(zip(names, result.stdout.split()))

    def wait_for(self, text: str, timeout: float = 30.0) -> bool:
        """Wait until `text` is on screen; True if it appeared in time."""
        return wait_until(lambda: text in self.screen(), timeout, interval=0.2)

    def send(self, *keys: str) -> None:
        """Type keys, in tmux's names (`Enter`, `Right`, `q`, `C-c`)."""
        self._tmux("send-keys", "-t", "test", *keys)

    def send_text(self, text: str) -> None:
        """Type `text` literally."""
        self._tmux("send-keys", "-t", "test", "-l", text)

    def stop(self) -> None:
        """Kill this tmux server (and whatever still runs in its pane)."""
        if self._started:
            self._tmux("kill-server", check=False)
            self._started = False
            if self._socket_path is not None:  # tmux may leave its socket file behind
                self._socket_path.unlink(missing_ok=True)


def stop_pid_from_file(path: Path, command_contains: str) -> None:
    """Kill the process whose id `path` holds, if it still runs and its command line contains
    `command_contains` (so a recycled process id never hits an unrelated process)."""
    try:
        pid = int(path.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return
    if command_contains in command and process_alive(pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
