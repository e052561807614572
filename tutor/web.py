"""Serve the tutor to a web browser: `dl-tutor --web [--host H] [--port N] [--token T] ...`.

textual-serve (the optional `web` extra) runs a small web server. Each browser tab that opens its
page gets a websocket and its own `python -m tutor` process, which Textual's web driver draws into
the page instead of a terminal. The server listens on this machine only (127.0.0.1) unless
`--host` says otherwise, in which case it warns first. From a laptop, forward the port over SSH:

    ssh -L 8000:127.0.0.1:8000 you@gpu-box      # then open http://localhost:8000

On top of textual-serve's own server, the page here is titled "dl-tutor", loads its terminal
font (Roboto Mono, which textual-serve ships) from this server instead of from Google, so it
works offline, and builds its websocket and static-file addresses from the address the browser
used, so a forwarded port with a different number works too. A server on a loopback address
answers only requests made to a loopback name, and the websocket refuses pages from other sites,
so that a web page open in the same browser cannot start or drive a tutor.

Loopback is not private on a shared machine: every local account can connect to 127.0.0.1. So,
as Jupyter does, the server asks for a secret token: a random one made at each start (or
`--token`, or $DL_TUTOR_WEB_TOKEN) that it prints in the page's address, `/?token=...`. A page
loaded with the right token sets a cookie (HttpOnly, SameSite=Strict) that carries it to the
websocket and keeps reloads working; a request with neither gets 403, and no tutor is started.
At most `--max-sessions` tabs run a tutor at once (each is a process of about 57 MB); the next
tab is told so. Malformed requests get a plain 400 with one line on the console, and /static/ is
not listed.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import shlex
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: The driver textual-serve names in TEXTUAL_DRIVER for every app process it starts.
WEB_DRIVER = "textual.drivers.web_driver:WebDriver"

#: What the browser tab is called.
PAGE_TITLE = "dl-tutor"

MISSING_EXTRA = "dl-tutor: --web needs the web extra: pip install 'dl-tutor[web]'"

#: Seconds a tab's app may take to quit once told to, before it is killed.
APP_EXIT_TIMEOUT = 5.0

_WILDCARD_HOSTS = ("0.0.0.0", "::")

#: The environment variable that sets the token instead of `--token` (which `ps` shows to all).
TOKEN_ENV = "DL_TUTOR_WEB_TOKEN"

#: How many browser tabs may run a tutor at once, unless `--max-sessions` says otherwise.
DEFAULT_MAX_SESSIONS = 4

log = logging.getLogger("dl-tutor.web")


def served_by_web() -> bool:
    """Whether this process is a tutor that a web server started for a browser tab.

    textual-serve starts each app with TEXTUAL_DRIVER set to Textual's web driver (and TEXTUAL_FPS,
    TEXTUAL_COLOR_SYSTEM, TERM_PROGRAM=textual, COLUMNS and ROWS). Standard input is then a pipe
    carrying the browser's keys, not a terminal, and the app must start anyway.
    """
    return os.environ.get("TEXTUAL_DRIVER", "").strip() == WEB_DRIVER


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only: localhost, 127.0.0.0/8 or ::1."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace, lesson_id: str | None) -> str:
    """The shell command each browser connection runs: this Python running `python -m tutor`.

    The options that shape the app travel on the command line; DL_TUTOR_HOME, DL_TUTOR_DATA_DIR
    and DL_TUTOR_LOW_BANDWIDTH travel in the environment, which the app process inherits.
    textual-serve sets TEXTUAL_FPS=60 for every app, so a frame rate chosen here (by the user,
    or capped by `--low-bandwidth`) is put back in front of the command.
    """
    prefix = []
    fps = os.environ.get("TEXTUAL_FPS", "").strip()
    if fps:
        prefix = [f"TEXTUAL_FPS={shlex.quote(fps)}"]
    parts = [sys.executable, "-m", "tutor", "--backend", getattr(args, "backend", None) or "auto"]
    lessons = getattr(args, "lessons", None)
    if lessons is not None:
        parts += ["--lessons", str(Path(lessons).resolve())]
    colors = getattr(args, "colors", None)
    if colors:
        parts += ["--colors", colors]
    parts += ["open", lesson_id] if lesson_id else ["run"]
    return " ".join([*prefix, shlex.join(parts)])


def _url_host(host: str) -> str:
    """`host` as written in a URL (IPv6 addresses in brackets)."""
    host = host.strip("[]")
    return f"[{host}]" if ":" in host else host


def page_url(host: str, port: int, token: str | None = None) -> str:
    """The address to open in a browser for a server listening on host:port (with its token)."""
    if host in _WILDCARD_HOSTS:
        host = socket.gethostname()
    url = f"http://{_url_host(host)}:{port}"
    return f"{url}/?token={quote(token, safe='')}" if token else url


def new_token() -> str:
    """A fresh random token (192 bits, URL-safe)."""
    return secrets.token_urlsafe(24)


def token_matches(given: str | None, token: str) -> bool:
    """Whether `given` is `token`, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def cookie_value(token: str) -> str:
    """What the cookie holds: a digest of the token, so that the cookie never shows the token."""
    return hmac.new(token.encode("utf-8"), b"dl-tutor web cookie", hashlib.sha256).hexdigest()


def cookie_name(port: int) -> str:
    """The cookie's name: one per port, since browsers share a host's cookies among its ports."""
    return f"dl-tutor-{port}"


def _choose_token(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(token, None) from --token, $DL_TUTOR_WEB_TOKEN or a new random one; or (None, problem)."""
    given = getattr(args, "token", None)
    source = "--token"
    if given is None:
        given, source = os.environ.get(TOKEN_ENV), TOKEN_ENV
    if given is None:
        return new_token(), None
    given = given.strip()
    if not given:
        return None, (
            f"dl-tutor: {source} is empty; give a secret of your own (16 characters or more),"
            " or leave it out for a random one."
        )
    return given, None


def ssh_forward_command(host: str, port: int) -> str:
    """The `ssh -L` command a laptop runs to reach a server listening on host:port here."""
    if host in ("::", "::1"):
        target = "[::1]"
    elif host == "localhost":
        target = "localhost"
    elif host == "0.0.0.0" or is_loopback(host):
        target = "127.0.0.1" if host == "0.0.0.0" else _url_host(host)
    else:
        target = _url_host(host)
    machine = socket.gethostname() or "THIS-HOST"
    return f"ssh -L {port}:{target}:{port} {_user()}@{machine}"


def _user() -> str:
    """This user's login name, or USER when the system cannot tell."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "USER"


def _over_ssh() -> bool:
    """Whether this shell came in over SSH (so the browser is probably elsewhere)."""
    return any(os.environ.get(name) for name in ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"))


def _bind_error(error: OSError, host: str, port: int) -> str:
    """One line saying why host:port cannot be listened on, and what to try instead."""
    other = port + 1 if port < 65535 else 8000
    if isinstance(error, socket.gaierror):
        return (f"dl-tutor: cannot listen on --host {host}: no such address on this machine."
                " Try --host 127.0.0.1.")
    known = {
        errno.EADDRINUSE: f"port {port} is already in use (another dl-tutor --web?). Try --port {other}.",
        errno.EACCES: f"no permission to listen on port {port} (ports below 1024 need root). Try --port 8000.",
        errno.EADDRNOTAVAIL: f"--host {host} is not an address of this machine. Try --host 127.0.0.1.",
    }
    if error.errno in known:
        return f"dl-tutor: {known[error.errno]}"
    reason = (error.strerror or str(error)).rstrip(".")
    return f"dl-tutor: cannot listen on {host}:{port} ({reason}). Try another --port, or --host 127.0.0.1."


#: The terminal font textual-serve ships but does not load: its page asks Google for it instead.
_LOCAL_FONTS = """    <style>
      @font-face {
        font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }
      @font-face {
        font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
      }
    </style>
"""


def _page_template(stock: str) -> str:
    """textual-serve's page, titled "dl-tutor", with its font from this server instead of Google."""
    page, google = re.subn(r"<link[^>]*fonts\.googleapis\.com[^>]*>\s*", "", stock, flags=re.S)
    head = "<head>\n    <title>{{ application.name }}</title>\n"
    if google:
        head += _LOCAL_FONTS
    return page.replace("<head>", head.rstrip("\n"), 1)


class _MalformedRequestsInOneLine(logging.Filter):
    """aiohttp logs a traceback for every malformed request it answers with 400: one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            lines = str(error.message or "").strip().splitlines() or [type(error).__name__]
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg = "answered %s to a malformed request from %s (%s)"
            record.args = (error.code, remote, lines[0].rstrip(":"))
            record.exc_info = record.exc_text = None
        return True


def _server_class() -> type:
    """textual-serve's Server, adapted for the tutor (see the module docstring).

    Imported here so that the rest of the module works without the web extra.
    """
    import jinja2
    from aiohttp import WSMsgType, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class TutorAppService(AppService):
        """textual-serve's AppService, which also waits for its app process to exit."""

        async def run(self) -> None:
            """Relay the app's output; when the app ends, end the tab's session too.

            textual-serve closes the websocket only when the app says goodbye, so an app that
            failed to start (its error goes to the server's output) left the tab blank forever;
            now the tab shows "Session ended" with a Restart button.
            """
            await super().run()
            await self.remote_close()

        async def stop(self) -> None:
            """Tell the app to quit, then wait for it to exit (kill it after APP_EXIT_TIMEOUT s)."""
            await super().stop()
            process = self._process  # private in textual-serve 1.1.3, and the only handle on it
            if process is None or process.returncode is not None:
                return
            try:
                await asyncio.wait_for(process.wait(), timeout=APP_EXIT_TIMEOUT)
            except asyncio.TimeoutError:
                process.kill()
                await process.wait()

    class TutorServer(Server):
        """A textual-serve Server with the tutor's page, checks and messages.

        Checked against textual-serve 1.1.3, which has no public hook for any of this: the checks
        (`_guard`) are a middleware added where the routes are made (`_make_app`, private, which
        `serve` calls since `Server.serve` cannot announce the bound port), and
        `handle_websocket` (public) is replaced whole, since upstream's builds its AppService and
        relays messages (its private `_process_messages`) with no way to substitute either.
        `tests/test_web.py::test_textual_serve_still_has_what_the_tutor_server_replaces` fails
        when any of these moves.
        """

        def __init__(
            self, command: str, host: str, port: int, title: str,
            token: str = "", max_sessions: int = DEFAULT_MAX_SESSIONS,
        ) -> None:
            super().__init__(command, host=host, port=port, title=title)
            stock = (Path(self.templates_path) / "app_index.html").read_text(encoding="utf-8")
            environment = jinja2.Environment(autoescape=True)
            self.page = environment.from_string(_page_template(stock))
            self.loopback_only = is_loopback(host)
            self.token = token or new_token()
            self.cookie_name = cookie_name(port)
            self.cookie_value = cookie_value(self.token)
            self.max_sessions = max_sessions
            self.sessions: set[asyncio.Task[Any]] = set()
            """The tasks serving a browser tab each (one app process per tab)."""
            self.closing: set[asyncio.Task[Any]] = set()
            """The sessions whose tab has gone and whose app is exiting."""

        def initialize_logging(self) -> None:
            """Report only warnings and errors (an app that failed to start), one line each."""
            logging.basicConfig(level=logging.WARNING, format="dl-tutor web: %(message)s")
            logging.getLogger("aiohttp.server").addFilter(_MalformedRequestsInOneLine())

        async def _make_app(self) -> web.Application:
            """textual-serve's routes behind the checks of `_guard`, with /static/ not listed."""
            app = web.Application(middlewares=[self._guard])
            app.add_routes([
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ])
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        @web.middleware
        async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
            """Refuse what `_refusal` refuses; the page's script, style and fonts are public."""
            if request.path != "/static" and not request.path.startswith("/static/"):
                try:
                    refusal = self._refusal(request, websocket=request.path == "/ws")
                except ValueError:  # a Host or Origin header that is not an address
                    raise web.HTTPBadRequest(
                        text="dl-tutor: malformed request (its Host or Origin header is not an address)."
                    ) from None
                if refusal:
                    raise web.HTTPForbidden(text=refusal)
            return await handler(request)

        async def on_startup(self, app: web.Application) -> None:
            """Print nothing yet: `serve` prints the address once the port is bound."""

        async def on_shutdown(self, app: web.Application) -> None:
            """Stop every tab's app now (each is told to quit), rather than wait for tabs to close."""
            sessions = list(self.sessions)
            for task in sessions:
                task.cancel()
            if sessions:
                await asyncio.wait(sessions, timeout=APP_EXIT_TIMEOUT + 5)

        def _refusal(self, request: web.Request, websocket: bool) -> str | None:
            """Why this request must be refused, or None to answer it."""
            if self.loopback_only:
                name = urlsplit(f"//{request.host}").hostname or ""
                if not is_loopback(name):
                    return (
                        f"dl-tutor answers only http://localhost:{self.port} here;"
                        " use that address (or an ssh -L port-forward to it)."
                    )
            origin = request.headers.get("Origin")
            if websocket and origin and urlsplit(origin).netloc.lower() != request.host.lower():
                return "dl-tutor refuses connections from pages of other sites."
            if token_matches(request.query.get("token"), self.token):
                return None
            cookie = request.cookies.get(self.cookie_name)
            if token_matches(cookie, self.cookie_value):  # set by a page loaded with the token
                return None
            if "token" in request.query:
                return (
                    "dl-tutor: wrong token. Open the link `dl-tutor --web` printed when it last"
                    " started (a new token is made at each start, unless --token sets one)."
                )
            return (
                "dl-tutor: this tutor needs its token. Open the whole link `dl-tutor --web`"
                f" printed when it started: http://{request.host}/?token=..."
            )

        def _full(self) -> str:
            """What the tab after the last one allowed is told."""
            n = self.max_sessions
            tabs = "1 tab is" if n == 1 else f"{n} tabs are"
            return (
                f"dl-tutor: {tabs} already running a tutor here, the most --max-sessions {n} allows."
                " Close one of them and reload this page, or restart dl-tutor --web with"
                f" --max-sessions {n + 1} or more."
            )

        async def _slot_free(self) -> bool:
            """Whether a tab may start a tutor now; waits for apps that are exiting (a reload)."""
            loop = asyncio.get_running_loop()
            deadline = loop.time() + APP_EXIT_TIMEOUT + 1
            while len(self.sessions) >= self.max_sessions:
                if not self.closing or loop.time() >= deadline:
                    return False
                await asyncio.sleep(0.1)
            return True

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            """The page, with addresses built from the one the browser used (checked by `_guard`).

            It sets the cookie that lets its websocket, and a reload without the token, in.
            """
            if not await self._slot_free():
                raise web.HTTPServiceUnavailable(text=self._full())
            base = f"{request.scheme}://{request.host}"
            websocket_scheme = "wss" if request.scheme == "https" else "ws"
            html = self.page.render(
                font_size=to_int(request.query.get("fontsize", "16"), 16),
                app_websocket_url=f"{websocket_scheme}://{request.host}/ws",
                config={"static": {"url": f"{base}/static/"}},
                application={"name": self.title},
                ping_url="",
            )
            response = web.Response(text=html, content_type="text/html")
            response.headers["Cache-Control"] = "no-store"
            response.headers["Referrer-Policy"] = "no-referrer"  # the address holds the token
            response.set_cookie(
                self.cookie_name, self.cookie_value, path="/", httponly=True, samesite="Strict"
            )
            return response

        async def _relay_messages(self, websocket: web.WebSocketResponse, app_service: Any) -> None:
            """textual-serve's relay of a tab's messages to its app, ignoring malformed ones."""
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = json.loads(message.data)
                except ValueError:
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if kind == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8", errors="replace"))
                elif kind == "resize" and isinstance(data, dict):
                    width, height = data.get("width"), data.get("height")
                    if isinstance(width, int) and isinstance(height, int):
                        size = (min(max(width, 1), 1000), min(max(height, 1), 1000))
                        await app_service.set_terminal_size(*size)
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app_service.blur()
                elif kind == "focus":
                    await app_service.focus()

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            """Run an app for this browser tab until either side closes, then wait for it to exit.

            The same as textual-serve's handler, behind `_guard`'s checks and the cap on
            sessions, with TutorAppService in place of AppService (so that no app outlives its
            tab or the server) and `_relay_messages` in place of `_process_messages`.
            """
            if not await self._slot_free():
                log.warning(
                    "refused a tab: %d already running, the most --max-sessions allows.",
                    self.max_sessions,
                )
                raise web.HTTPServiceUnavailable(text=self._full())
            task = asyncio.current_task()
            if task is not None:
                self.sessions.add(task)
            websocket = web.WebSocketResponse(heartbeat=15)
            width = min(max(to_int(request.query.get("width", "80"), 80), 1), 1000)
            height = min(max(to_int(request.query.get("height", "24"), 24), 1), 1000)
            app_service: TutorAppService | None = None
            try:
                await websocket.prepare(request)
                app_service = TutorAppService(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                )
                await app_service.start(width, height)
                try:
                    await self._relay_messages(websocket, app_service)
                finally:
                    if task is not None:
                        self.closing.add(task)
                    await app_service.stop()
            except asyncio.CancelledError:  # the server is stopping
                await websocket.close()
            except Exception as error:  # a broken connection: one line, and end this session only
                log.warning("a tab's session ended: %s", str(error) or type(error).__name__)
            finally:
                if app_service is not None:
                    await app_service.stop()
                self.sessions.discard(task)
                self.closing.discard(task)
            return websocket

    return TutorServer


def serve(args: argparse.Namespace, lesson_id: str | None) -> int:
    """Serve the tutor (the course map, or `lesson_id`) to web browsers until Ctrl+C.

    Returns the exit status: 0 once stopped, 2 for a missing extra, a port that cannot be used,
    an empty token or a --max-sessions below 1.
    """
    host = str(getattr(args, "host", "127.0.0.1")).strip()
    port = getattr(args, "port", 8000)
    if not host:
        print("dl-tutor: --host needs an address, e.g. --host 127.0.0.1.", file=sys.stderr)
        return EXIT_USAGE
    if not isinstance(port, int) or not 1 <= port <= 65535:
        print(f"dl-tutor: --port {port} is not a port number (1 to 65535); try --port 8000.", file=sys.stderr)
        return EXIT_USAGE
    max_sessions = getattr(args, "max_sessions", None)
    if max_sessions is None:
        max_sessions = DEFAULT_MAX_SESSIONS
    if not isinstance(max_sessions, int) or max_sessions < 1:
        print(
            f"dl-tutor: --max-sessions {max_sessions} allows no tab; give 1 or more,"
            f" e.g. --max-sessions {DEFAULT_MAX_SESSIONS}.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    token, problem = _choose_token(args)
    if token is None:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    try:
        server_class = _server_class()
        from aiohttp import web
    except ImportError:
        print(MISSING_EXTRA, file=sys.stderr)
        return EXIT_USAGE

    if not is_loopback(host):
        where = f"port {port} of this machine" if host in _WILDCARD_HOSTS else f"{_url_host(host)}:{port}"
        print(
            f"dl-tutor: warning: --host {host} is not this machine only: anyone who can reach {where}"
            f" and has the link below gets a tutor running as you ({_user()}), and every tab shares"
            " your progress (one progress file, not one per learner). The link's token crosses the"
            " network unencrypted. Prefer the default --host 127.0.0.1 and an ssh -L port-forward.",
            file=sys.stderr, flush=True,
        )

    os.environ.pop(TOKEN_ENV, None)  # each tab's tutor inherits this environment: not the token
    title = f"{PAGE_TITLE}: {lesson_id}" if lesson_id else PAGE_TITLE
    server = server_class(app_command(args, lesson_id), host, port, title, token, max_sessions)
    server.initialize_logging()
    bound = False

    def announce(*_: Any) -> None:
        """Called by aiohttp once the port is bound: say where to point the browser."""
        nonlocal bound
        bound = True
        what = f"lesson {lesson_id}" if lesson_id else "the course map"
        print(f"dl-tutor is serving {what} at {page_url(host, port, token)}", flush=True)
        if is_loopback(host):
            # Over SSH the browser is surely elsewhere; on a desktop, say it in case it is not.
            lead = "From your laptop" if _over_ssh() else "If this machine is remote, from your laptop"
            print(
                f"{lead}: {ssh_forward_command(host, port)},"
                f" then open {page_url('localhost', port, token)}",
                flush=True,
            )
        tabs = "1 tab" if max_sessions == 1 else f"up to {max_sessions} tabs"
        print(
            f"Each browser tab runs its own tutor ({tabs}; --max-sessions). Press Ctrl+C to stop.",
            flush=True,
        )

    try:
        web.run_app(
            server._make_app(),  # textual-serve's routes (private, but stable through 1.x)
            host=host,
            port=port,
            print=announce,
            access_log=None,
            handle_signals=True,  # Ctrl+C and SIGTERM stop the server and close every app
            shutdown_timeout=3.0,
        )
    except OSError as error:
        if not bound:
            print(_bind_error(error, host, port), file=sys.stderr)
            return EXIT_USAGE
        print(f"dl-tutor: the web server stopped: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    print("dl-tutor: web server stopped.", flush=True)
    return EXIT_OK
