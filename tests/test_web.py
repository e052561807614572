"""`dl-tutor --web`: the tutor served to a browser by textual-serve.

The server runs as a real `python -m tutor --web` process on loopback; the tests fetch its page and
open the websocket the page's script opens, as a browser tab would, with the token the server
printed in its link (as another local account would, without it).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from tutor import web
from tutor.content import load_course
from tutor.paths import default_lessons_dir

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 20.0
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")

HAS_EXTRA = importlib.util.find_spec("textual_serve") is not None
needs_extra = pytest.mark.skipif(
    not HAS_EXTRA,
    reason="the web extra (textual-serve) is not installed: pip install -e '.[web]'",
)


def _stop_with_the_tests() -> None:
    """In the server process: get SIGTERM when the test run dies (Linux), so none is left behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A `python -m tutor --web ...` process whose output goes to one file (stdout and stderr)."""

    page: str = ""
    """The page it served first (set by the module's fixture)."""
    port: int = 0
    """The port it listens on (set by the module's fixture and by `wait_for_page`)."""
    token: str = ""
    """The token in the link it printed (set by `wait_for_page`)."""

    def __init__(self, tmp: Path, *options: str, env: dict[str, str] | None = None) -> None:
        self.log = tmp / f"server-{time.monotonic_ns()}.log"
        full_env = {**os.environ, "DL_TUTOR_HOME": str(tmp / "home"), "DL_TUTOR_BACKEND": "numpy"}
        full_env.pop(web.TOKEN_ENV, None)  # a random token, unless a test sets one
        full_env.update(env or {})
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tutor", "--web", *options],
                cwd=REPO, env=full_env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,  # its own group, to kill it all
                preexec_fn=_stop_with_the_tests,
            )

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, text: str, timeout: float = START_TIMEOUT) -> str:
        """Wait until `text` was printed; fail with the output if the server exits or is too slow."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.output()
            if text in out:
                return out
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            time.sleep(0.1)
        pytest.fail(f"the server did not print {text!r} within {timeout} s:\n{self.output()}")

    def get(self, url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """GET url: (status, body)."""
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", errors="replace")

    def url(self, path: str = "/", scheme: str = "http", **query: object) -> str:
        """The address of `path` on this server, with its token (and `query`) in the query string."""
        pairs = "".join(f"&{name}={value}" for name, value in query.items())
        return f"{scheme}://127.0.0.1:{self.port}{path}?token={quote(self.token, safe='')}{pairs}"

    def wait_for_page(self, port: int) -> str:
        """Read the token from the link the server printed, then GET the page; return it."""
        self.port = port
        out = self.wait_for_output("Press Ctrl+C")
        found = re.search(rf"http://127\.0\.0\.1:{port}/\?token=(\S+)", out)
        assert found, f"no link with a token was printed:\n{out}"
        self.token = unquote(found.group(1))
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, body = self.get(self.url())
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
                continue
            assert status == 200, body
            return body
        pytest.fail(f"no page on port {port} within {START_TIMEOUT} s:\n{self.output()}")

    def interrupt(self, timeout: float = 15.0) -> int:
        """Press Ctrl+C (SIGINT to the server alone) and return its exit status."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Kill the server and every app it started (its whole process group)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        else:
            try:  # apps a stopped server may have left behind
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def screen_text(chunks: list[bytes]) -> str:
    """What the app drew, with the terminal escape sequences taken out."""
    return ANSI.sub("", b"".join(chunks).decode("utf-8", errors="replace"))


async def read_until(websocket, needles: list[str], timeout: float = START_TIMEOUT) -> str:
    """Read the app's output from the websocket until every needle was drawn; return the text."""
    import aiohttp

    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        text = screen_text(chunks)
        if all(needle in text for needle in needles):
            return text
        if left <= 0:
            pytest.fail(f"the app did not draw {needles} within {timeout} s; it drew:\n{text[-3000:]}")
        try:  # a hard deadline: aiohttp restarts receive's own timeout after each server ping
            message = await asyncio.wait_for(websocket.receive(), timeout=left)
        except asyncio.TimeoutError:
            continue
        if message.type == aiohttp.WSMsgType.BINARY:
            chunks.append(message.data)
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            pytest.fail(f"the session ended before {needles} appeared; it drew:\n{text[-3000:]}")


#: One worker builds this module's shared fixture once (addopts use --dist loadgroup).
pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """One served tutor on a free loopback port, shared by the page and websocket tests."""
    if not HAS_EXTRA:
        pytest.skip("the web extra (textual-serve) is not installed")
    port = free_port()
    served = Served(tmp_path_factory.mktemp("web"), "--port", str(port),
                    env={"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22"})
    try:
        served.page = served.wait_for_page(port)
        yield served
    finally:
        served.kill()


# --- the page ---------------------------------------------------------------------------------


def test_startup_prints_the_address_and_the_ssh_forward(server):
    out = server.wait_for_output("Ctrl+C")
    port, token = server.port, server.token
    assert f"dl-tutor is serving the course map at http://127.0.0.1:{port}/?token={token}\n" in out
    assert f"From your laptop: ssh -L {port}:127.0.0.1:{port} " in out
    assert f"then open http://localhost:{port}/?token={token}\n" in out
    assert len(token) >= 32 and token != web.new_token()  # random, made at this start
    assert "up to 4 tabs" in out
    assert "Traceback" not in out


def test_page_is_titled_dl_tutor_and_needs_no_internet(server):
    page, port = server.page, server.port
    assert "<title>dl-tutor</title>" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
    # Every address in the page points back at this server: no Google Fonts, no CDN.
    addresses = re.findall(r"""(?:href|src)\s*=\s*["']([^"']+)""", page)
    assert addresses, page
    for address in addresses:
        if "://" in address:
            assert address.startswith(f"http://127.0.0.1:{port}/"), address
    assert "googleapis" not in page
    # The script, the style sheet and the terminal font the page uses are all served from here.
    in_css = re.findall(r"""url\(["']([^"']+)""", page)
    assert sum(address.endswith(".ttf") for address in in_css) == 2, page
    for address in [*addresses, *in_css]:
        assert server.get(address)[0] == 200, address


def test_page_addresses_follow_the_address_the_browser_used(server):
    # `ssh -L 9000:127.0.0.1:PORT` leaves the browser's Host header at localhost:9000.
    status, page = server.get(server.url(), headers={"Host": "localhost:9000"})
    assert status == 200
    assert 'data-session-websocket-url="ws://localhost:9000/ws"' in page
    assert 'href="http://localhost:9000/static/css/xterm.css"' in page


def test_requests_for_another_site_are_refused(server):
    status, body = server.get(server.url(), headers={"Host": "evil.example"})
    assert status == 403
    assert "localhost" in body


# --- the token ----------------------------------------------------------------------------------


def test_the_page_without_the_token_is_refused_with_the_way_in(server):
    status, body = server.get(f"http://127.0.0.1:{server.port}/")
    assert status == 403
    assert body.splitlines() == [
        "dl-tutor: this tutor needs its token. Open the whole link `dl-tutor --web` printed"
        f" when it started: http://127.0.0.1:{server.port}/?token=..."
    ]
    assert server.get(f"http://127.0.0.1:{server.port}/download/anything")[0] == 403


@pytest.mark.parametrize(
    "wrong", ["", "x", "not-the-token", "a" * 400, "%C3%A9t%C3%A9"],
    ids=["empty", "short", "other", "long", "non-ascii"],
)
def test_a_wrong_token_is_refused(server, wrong):
    status, body = server.get(f"http://127.0.0.1:{server.port}/?token={wrong}")
    assert status == 403
    assert body.startswith("dl-tutor: wrong token.")
    # a token that only begins like the right one is wrong too
    assert server.get(f"http://127.0.0.1:{server.port}/?token={server.token[:-1]}")[0] == 403


def tutor_pids(server_pid: int) -> set[int]:
    """The `python -m tutor ... run` processes the server started (none off Linux)."""
    return {pid for pid, _ in tab_processes(server_pid)}


async def test_a_websocket_without_the_token_starts_no_tutor(server):
    import aiohttp

    before = tutor_pids(server.process.pid)
    base = f"ws://127.0.0.1:{server.port}/ws?width=80&height=24"
    forged = aiohttp.CookieJar(unsafe=True)
    forged.update_cookies({web.cookie_name(server.port): "0" * 64})
    for url, jar in [(base, None), (f"{base}&token=wrong", None), (base, forged)]:
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with session.ws_connect(url):
                    pass
        assert refused.value.status == 403, url
    assert tutor_pids(server.process.pid) <= before  # nothing new started


async def test_the_link_sets_a_cookie_that_lets_reloads_and_the_tab_in(server):
    import aiohttp

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(server.url()) as response:  # the link, as printed
            assert response.status == 200
            cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"{web.cookie_name(server.port)}=")
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert server.token not in cookie  # the cookie holds a digest, not the token
        async with session.get(f"http://127.0.0.1:{server.port}/") as response:  # a reload
            assert response.status == 200
        # the page's script opens its websocket without the token: the cookie carries it
        url = f"ws://127.0.0.1:{server.port}/ws?width=100&height=30"
        async with session.ws_connect(url, origin=f"http://127.0.0.1:{server.port}") as websocket:
            await read_until(websocket, [load_course(default_lessons_dir()).lessons[0].title])


# --- malformed requests and /static/ -------------------------------------------------------------


def raw_request(port: int, request: bytes) -> bytes:
    """Send `request` as is; return the response's status line and headers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_malformed_requests_get_400_and_one_line_not_a_traceback(server):
    token = server.token
    requests = [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Without Colon\r\n\r\n",
        b"GET /?token=" + token.encode() + b" HTTP/1.1\r\nHost: [\r\n\r\n",
        b"GET /ws?token=" + token.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://[\r\n"
        b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    ]
    for request in requests:
        answer = raw_request(server.port, request)
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == b"400", (request, answer)
    out = server.output()
    assert "answered 400 to a malformed request from 127.0.0.1" in out
    assert "Traceback" not in out, out
    assert server.process.poll() is None  # still serving


def test_static_is_not_listed(server):
    for path in ("/static/", "/static", "/static/js/", f"/static/?token={server.token}"):
        status, body = server.get(f"http://127.0.0.1:{server.port}{path}")
        assert status in (403, 404), (path, status)
        assert "Index of" not in body and "textual.js" not in body, body
    # the page's own script is still served (without the token: it is no secret)
    assert server.get(f"http://127.0.0.1:{server.port}/static/js/textual.js")[0] == 200


# --- a browser tab ------------------------------------------------------------------------------


async def test_a_browser_tab_gets_a_running_tutor_that_takes_keys(server):
    import aiohttp

    course = load_course(default_lessons_dir())
    needles = [course.title[:20], course.lessons[0].title]
    url = server.url("/ws", scheme="ws", width=120, height=40)
    origin = f"http://127.0.0.1:{server.port}"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url, origin=origin) as websocket:
            # malformed messages are ignored: the session goes on, and nothing is printed
            for junk in ["not json", "[]", "{}", '["resize", "big"]', '["resize", {"width": "x"}]',
                         '["stdin", 3]', '["stdin", "\\ud800"]', '["nonsense", 1]']:
                await websocket.send_str(junk)
            await websocket.send_bytes(b"\x00binary")
            await websocket.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
            await read_until(websocket, needles)
            # Ctrl+C in the tab quits the app, and the server then ends the session.
            await websocket.send_str(json.dumps(["stdin", "\x03"]))

            async def until_closed() -> None:
                async for _ in websocket:  # ends when the server closes the websocket
                    pass

            try:
                await asyncio.wait_for(until_closed(), timeout=START_TIMEOUT)
            except asyncio.TimeoutError:
                pytest.fail("the session did not end after Ctrl+C in the tab")
            assert websocket.closed
    assert "Traceback" not in server.output()


async def test_a_page_from_another_site_cannot_open_a_tutor(server):
    import aiohttp

    url = server.url("/ws", scheme="ws")
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with session.ws_connect(url, origin="http://evil.example"):
                pass
    assert refused.value.status == 403


@needs_extra
async def test_a_tab_whose_tutor_cannot_start_is_ended_and_the_reason_printed(tmp_path):
    import aiohttp

    course = tmp_path / "course"
    shutil.copytree(REPO / "tests" / "fixtures" / "course_ok", course)
    port = free_port()
    served = Served(tmp_path, "--lessons", str(course), "--port", str(port))
    try:
        await asyncio.to_thread(served.wait_for_page, port)
        shutil.rmtree(course)  # the server checked the course; the tab's tutor will not find it
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(served.url("/ws", scheme="ws")) as websocket:

                async def until_closed() -> None:
                    async for _ in websocket:
                        pass

                try:
                    await asyncio.wait_for(until_closed(), timeout=START_TIMEOUT)
                except asyncio.TimeoutError:
                    pytest.fail(f"the tab was left open by a tutor that failed:\n{served.output()}")
        out = await asyncio.to_thread(served.wait_for_output, str(course))
        assert "Traceback" not in out
    finally:
        served.kill()


# --- starting and stopping ----------------------------------------------------------------------


@needs_extra
async def test_ctrl_c_stops_the_server_and_its_tutors(tmp_path):
    import aiohttp

    port = free_port()
    served = Served(tmp_path, "open", "perceptron-rule", "--port", str(port), "--token", "chosen/token 1")
    try:
        page = await asyncio.to_thread(served.wait_for_page, port)
        assert served.token == "chosen/token 1"  # --token, printed quoted in the link
        assert f"http://127.0.0.1:{port}/?token=chosen%2Ftoken%201\n" in served.output()
        assert "<title>dl-tutor: perceptron-rule</title>" in page
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(served.url("/ws", scheme="ws", width=100, height=30)) as websocket:
                lesson = load_course(default_lessons_dir()).find("perceptron-rule")[0]
                await read_until(websocket, [lesson.title])

                async def drain() -> None:  # answer the server's close as a browser would
                    async for _ in websocket:
                        pass

                reader = asyncio.create_task(drain())
                status = await asyncio.to_thread(served.interrupt)
                await asyncio.wait_for(reader, timeout=10)
        out = served.output()
        assert status == 0, out
        assert "web server stopped" in out
        assert "Traceback" not in out, out
    finally:
        served.kill()


@needs_extra
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
async def test_the_tab_after_max_sessions_is_told_why_and_starts_no_tutor(tmp_path):
    import aiohttp

    port = free_port()
    served = Served(tmp_path, "--max-sessions", "1", "--port", str(port))
    full = (
        "dl-tutor: 1 tab is already running a tutor here, the most --max-sessions 1 allows."
        " Close one of them and reload this page, or restart dl-tutor --web with"
        " --max-sessions 2 or more."
    )
    try:
        await asyncio.to_thread(served.wait_for_page, port)
        assert "(1 tab; --max-sessions)" in served.output()
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(served.url("/ws", scheme="ws", width=100, height=30)) as first:
                await read_until(first, [load_course(default_lessons_dir()).lessons[0].title])
                # the next tab's page says why, and its websocket starts nothing
                status, body = await asyncio.to_thread(served.get, served.url())
                assert (status, body) == (503, full)
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    async with session.ws_connect(served.url("/ws", scheme="ws")):
                        pass
                assert refused.value.status == 503
                assert len(tab_processes(served.process.pid)) == 1
        out = await asyncio.to_thread(
            served.wait_for_output, "refused a tab: 1 already running, the most --max-sessions allows."
        )
        assert "Traceback" not in out
        # once the first tab has gone, a new one gets the page (after its tutor exits)
        status, _ = await asyncio.to_thread(served.get, served.url())
        assert status == 200
    finally:
        served.kill()


@needs_extra
def test_a_host_beyond_this_machine_is_warned_about_before_binding(tmp_path):
    port = free_port()
    served = Served(tmp_path, "--host", "0.0.0.0", "--port", str(port))
    try:
        out = served.wait_for_output("Ctrl+C")
        warning = (
            f"anyone who can reach port {port} of this machine and has the link below gets a tutor"
            " running as you"
        )
        assert warning in out
        assert "every tab shares your progress (one progress file, not one per learner)" in out
        assert out.index(warning) < out.index("dl-tutor is serving")
        assert re.search(rf"dl-tutor is serving the course map at http://\S+:{port}/\?token=\S{{32}}", out)
        assert "Traceback" not in out
    finally:
        served.kill()


@needs_extra
def test_a_port_in_use_exits_2_with_one_line(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "--web", "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
            env={**os.environ, "DL_TUTOR_HOME": str(tmp_path)},
        )
    assert done.returncode == 2, done
    assert done.stderr.strip().splitlines() == [
        f"dl-tutor: port {port} is already in use (another dl-tutor --web?). Try --port {port + 1}."
    ]
    assert "dl-tutor is serving" not in done.stdout


@pytest.mark.parametrize("port", [0, -1, 70000])
def test_a_bad_port_number_exits_2_with_one_line(port, capsys):
    args = argparse.Namespace(host="127.0.0.1", port=port, backend="numpy", lessons=None, colors=None)
    assert web.serve(args, None) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"dl-tutor: --port {port} is not a port number (1 to 65535); try --port 8000."]


def test_an_empty_token_exits_2_with_one_line(monkeypatch, capsys):
    from tutor.cli import main

    monkeypatch.delenv(web.TOKEN_ENV, raising=False)
    assert main(["--web", "--token", " ", "--port", "1"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "dl-tutor: --token is empty; give a secret of your own (16 characters or more),"
        " or leave it out for a random one."
    ]
    monkeypatch.setenv(web.TOKEN_ENV, "")
    assert main(["--web", "--port", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"dl-tutor: {web.TOKEN_ENV} is empty;")


@pytest.mark.parametrize("argv", [["--web", "--max-sessions", "0"], ["open", "perceptron-rule", "--web", "--max-sessions", "-1"]])
def test_max_sessions_below_1_exits_2_with_one_line(argv, capsys):
    from tutor.cli import main

    assert main([*argv, "--port", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dl-tutor: --max-sessions ")
    assert err[0].endswith("allows no tab; give 1 or more, e.g. --max-sessions 4.")


def test_token_matches_only_the_token():
    token = web.new_token()
    assert web.token_matches(token, token)
    assert not web.token_matches(None, token)
    assert not web.token_matches("", token)
    assert not web.token_matches(token[:-1], token)
    assert not web.token_matches(token + "x", token)
    assert not web.token_matches("\ud800é", token)  # any text from a query string: no error
    assert web.new_token() != token


def test_page_url_carries_the_token_quoted():
    assert web.page_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert web.page_url("127.0.0.1", 8000, "a/b c") == "http://127.0.0.1:8000/?token=a%2Fb%20c"
    assert web.page_url("::1", 8000, "t") == "http://[::1]:8000/?token=t"


def test_without_the_web_extra_the_way_to_install_it_is_given(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    args = argparse.Namespace(host="127.0.0.1", port=8000, backend="numpy", lessons=None, colors=None)
    assert web.serve(args, None) == 2
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "dl-tutor: --web needs the web extra: pip install 'dl-tutor[web]'"
    ]
    assert captured.out == ""


# --- pieces -------------------------------------------------------------------------------------


@needs_extra
def test_textual_serve_still_has_what_the_tutor_server_replaces():
    """`tutor.web` replaces textual-serve's websocket handler whole and adds its checks where the
    routes are made, because textual-serve (checked: 1.1.3) has no public hook for either. This
    fails, naming what moved, when an upgrade changes what that relies on: then re-read
    textual-serve's `Server.handle_websocket` and `AppService` and update `TutorServer`."""
    import inspect
    from importlib.metadata import version

    from textual_serve.app_service import AppService
    from textual_serve.download_manager import DownloadManager
    from textual_serve.server import Server, to_int

    installed = f"textual-serve {version('textual-serve')} (tutor.web was checked against 1.1.3)"
    for name in ("_make_app", "handle_index", "handle_websocket", "handle_download", "_process_messages"):
        assert inspect.iscoroutinefunction(getattr(Server, name, None)), f"{installed}: Server.{name} moved"
    upstream = inspect.getsource(Server.handle_websocket)
    assert "AppService(" in upstream and "_process_messages(" in upstream, (
        f"{installed}: Server.handle_websocket changed; it may now offer a hook to use instead"
    )

    async def nothing(*args):
        return None

    service = AppService(
        "true", write_bytes=nothing, write_str=nothing, close=nothing,
        download_manager=DownloadManager(), debug=False,
    )
    assert service._process is None, f"{installed}: AppService._process moved"
    for name in ("start", "stop", "run", "send_bytes", "set_terminal_size", "blur", "focus", "remote_close"):
        assert callable(getattr(service, name, None)), f"{installed}: AppService.{name} moved"
    server = Server("true")
    for name in ("command", "debug", "download_manager", "statics_path", "templates_path", "title"):
        assert hasattr(server, name), f"{installed}: Server.{name} moved"
    assert (Path(server.templates_path) / "app_index.html").is_file(), f"{installed}: the page moved"
    assert to_int("x", 7) == 7
    assert web._server_class() is not None


def test_served_by_web_recognises_textual_serves_children(monkeypatch):
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    assert not web.served_by_web()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    assert web.served_by_web()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.linux_driver:LinuxDriver")
    assert not web.served_by_web()


def test_app_command_runs_this_python_with_the_apps_options(tmp_path, monkeypatch):
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    lessons = tmp_path / "my course"
    args = argparse.Namespace(backend="numpy", lessons=lessons, colors="16")
    assert shlex.split(web.app_command(args, "perceptron-rule")) == [
        sys.executable, "-m", "tutor", "--backend", "numpy", "--lessons", str(lessons.resolve()),
        "--colors", "16", "open", "perceptron-rule",
    ]
    args = argparse.Namespace(backend="auto", lessons=None, colors=None)
    assert shlex.split(web.app_command(args, None)) == [
        sys.executable, "-m", "tutor", "--backend", "auto", "run",
    ]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("gpu-box", False)],
)
def test_is_loopback(host, loopback):
    assert web.is_loopback(host) is loopback


def test_ssh_forward_command_names_the_port_on_both_ends():
    assert web.ssh_forward_command("127.0.0.1", 8123).startswith("ssh -L 8123:127.0.0.1:8123 ")
    assert web.ssh_forward_command("0.0.0.0", 8123).startswith("ssh -L 8123:127.0.0.1:8123 ")
    assert web.ssh_forward_command("localhost", 8123).startswith("ssh -L 8123:localhost:8123 ")
    assert web.ssh_forward_command("::1", 8123).startswith("ssh -L 8123:[::1]:8123 ")


def test_app_command_keeps_a_chosen_frame_rate(monkeypatch):
    # textual-serve sets TEXTUAL_FPS=60 for every app; --low-bandwidth's cap must survive that.
    monkeypatch.setenv("TEXTUAL_FPS", "8")
    args = argparse.Namespace(backend="numpy", lessons=None, colors=None)
    assert shlex.split(web.app_command(args, None))[:2] == ["TEXTUAL_FPS=8", sys.executable]


def tab_process_environments(server_pid: int) -> list[dict[str, str]]:
    """The environments of the `python -m tutor ... run` processes in the server's process group."""
    return [environment for _, environment in tab_processes(server_pid)]


def tab_processes(server_pid: int) -> list[tuple[int, dict[str, str]]]:
    """(pid, environment) of each `python -m tutor ... run` process in the server's process group."""
    found = []
    if not Path("/proc/self/environ").exists():
        return found
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            pgid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            environ = (proc / "environ").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if pgid == server_pid and b"tutor" in argv and b"run" in argv and b"--web" not in argv:
            found.append((int(proc.name), dict(item.decode().split("=", 1) for item in environ if b"=" in item)))
    return found


@needs_extra
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
async def test_low_bandwidth_reaches_the_tab_s_tutor(tmp_path):
    """The app of a tab runs at the low-bandwidth frame rate, not textual-serve's 60."""
    import aiohttp

    port = free_port()
    served = Served(tmp_path, "--low-bandwidth", "--port", str(port), env={web.TOKEN_ENV: "from-the-env"})
    try:
        await asyncio.to_thread(served.wait_for_page, port)
        assert served.token == "from-the-env"
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(served.url("/ws", scheme="ws", width=100, height=30)) as websocket:
                await read_until(websocket, [load_course(default_lessons_dir()).lessons[0].title])
                environments = tab_process_environments(served.process.pid)
        assert len(environments) == 1, environments
        assert environments[0]["TEXTUAL_FPS"] == "8"
        assert environments[0]["DL_TUTOR_LOW_BANDWIDTH"] == "1"
        assert environments[0]["TEXTUAL_DRIVER"] == web.WEB_DRIVER
        assert web.TOKEN_ENV not in environments[0]  # the tab's tutor is not told the token
    finally:
        served.kill()


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
def test_web_with_cupy_and_no_gpu_fails_before_serving(capsys) -> None:
    from tutor.cli import main

    assert main(["--web", "--backend", "cupy", "--port", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "CuPy" in err[0] and "--backend numpy" in err[0]
