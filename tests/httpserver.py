"""A local HTTP server for exercising real downloaders (yt-dlp) in tests.

:class:`MediaServer` binds to 127.0.0.1 on an ephemeral port and serves
routes registered at runtime from a daemon thread. Besides plain files and
HTML it can misbehave on purpose: cut a download short, stall, answer with
an error status, or stream with chunked encoding and no Content-Length.

    with MediaServer() as srv:
        srv.add_file("/clip.mp4", clip_path)
        url = srv.url("/clip.mp4")
        ...
        assert srv.hits["/clip.mp4"] == 1

File and directory routes read from disk at request time; bodies are held
in memory, which is fine for test-sized media. Plain helper module:
``tests/conftest.py`` wraps it in fixtures.
"""

from __future__ import annotations

import collections
import mimetypes
import re
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["MediaServer", "guess_type"]

Handler = Callable[[BaseHTTPRequestHandler, bool], None]
"""A route: called with the request handler and ``head`` (True for HEAD)."""

_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".html": "text/html; charset=utf-8",
}
_CHUNK = 64 * 1024
_UNSATISFIABLE = object()


def guess_type(path: str | Path) -> str:
    """Content-Type for a file name, with correct types for streaming media."""
    suffix = Path(path).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or "application/octet-stream"


def _parse_range(header: str | None, size: int):
    """``(start, end)`` for a single byte range, None to ignore, or _UNSATISFIABLE."""
    if not header:
        return None
    m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not m or not (m[1] or m[2]):
        return None  # malformed or multi-range: serve the whole body (RFC 9110 allows this)
    if m[1]:
        start, end = int(m[1]), int(m[2]) if m[2] else size - 1
        if m[2] and end < start:
            return None  # syntactically invalid: ignore
        return (start, min(end, size - 1)) if start < size else _UNSATISFIABLE
    suffix = int(m[2])
    if suffix == 0 or size == 0:
        return _UNSATISFIABLE
    return max(size - suffix, 0), size - 1


def _write(req: BaseHTTPRequestHandler, body: bytes | memoryview) -> None:
    for i in range(0, len(body), _CHUNK):
        req.wfile.write(body[i : i + _CHUNK])
    req.wfile.flush()


def _cut(req: BaseHTTPRequestHandler) -> None:
    """Abruptly end the connection after whatever has been sent."""
    req.close_connection = True
    try:
        req.wfile.flush()
        req.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _send_head(req: BaseHTTPRequestHandler, code: int, headers: dict[str, str]) -> None:
    req.send_response(code)
    for name, value in headers.items():
        req.send_header(name, value)
    req.end_headers()


def _send_status(req: BaseHTTPRequestHandler, head: bool, code: int, headers: dict | None = None) -> None:
    """Status ``code`` with a small HTML body (plus extra ``headers``)."""
    phrase = req.responses.get(code, ("Status",))[0]
    body = f"<html><body><h1>{code} {phrase}</h1></body></html>".encode()
    _send_head(
        req,
        code,
        {**(headers or {}), "Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))},
    )
    if not head:
        _write(req, body)


def _send_data(
    req: BaseHTTPRequestHandler, head: bool, data: bytes, content_type: str, fraction: float | None = None
) -> None:
    """Send ``data`` honouring Range; with ``fraction`` send only part of it and cut."""
    size = len(data)
    rng = _parse_range(req.headers.get("Range"), size)
    if rng is _UNSATISFIABLE:
        return _send_status(req, head, 416, {"Content-Range": f"bytes */{size}"})
    start, end = rng or (0, size - 1)
    length = end - start + 1
    headers = {"Content-Type": content_type, "Content-Length": str(length), "Accept-Ranges": "bytes"}
    if rng:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    _send_head(req, 206 if rng else 200, headers)
    if head:
        return
    body = memoryview(data)[start : end + 1]
    if fraction is None:
        return _write(req, body)
    _write(req, body[: min(int(length * fraction), max(length - 1, 0))])
    _cut(req)


def _send_file(req: BaseHTTPRequestHandler, head: bool, path: Path, content_type: str) -> None:
    """Serve a file read now (404 if it has gone)."""
    if not path.is_file():
        return _send_status(req, head, 404)
    _send_data(req, head, path.read_bytes(), content_type)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked encoding
    server: _Server

    def do_GET(self) -> None:
        self.server.owner._dispatch(self, head=False)

    def do_HEAD(self) -> None:
        self.server.owner._dispatch(self, head=True)

    def log_message(self, format: str, *args: object) -> None:  # silence stderr logging
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: MediaServer

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class MediaServer:
    """Threaded HTTP server on 127.0.0.1 with runtime-registered routes.

    ``hits`` counts requests per URL path (query stripped, unknown paths
    included); ``requests`` records ``(method, path, headers)`` in order.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self._port = host, port
        self.hits: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._routes: dict[str, Handler] = {}
        self._dirs: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MediaServer:
        """Bind and start serving in a daemon thread; returns self."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self.host, self._port), _RequestHandler)
            self._server.owner = self
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"MediaServer:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release stalled requests and close the socket."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> MediaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (only valid once started)."""
        if self._server is None:
            raise RuntimeError("MediaServer is not started")
        return self._server.server_address[1]

    def url(self, path: str = "/") -> str:
        """Absolute URL for ``path`` on this server."""
        return f"http://{self.host}:{self.port}/" + path.lstrip("/")

    def add_route(self, path: str, handler: Handler) -> None:
        """Register a custom ``handler(request_handler, head)`` for an exact path."""
        self._routes["/" + path.lstrip("/")] = handler

    def add_bytes(self, path: str, data: bytes, content_type: str) -> None:
        """Serve in-memory bytes with Range and HEAD support."""
        self.add_route(path, lambda req, head: _send_data(req, head, data, content_type))

    def add_file(self, path: str, file_path: str | Path, content_type: str | None = None) -> None:
        """Serve a file (read per request); Content-Type guessed from its extension."""
        file_path = Path(file_path)
        ctype = content_type or guess_type(file_path)
        self.add_route(path, lambda req, head: _send_file(req, head, file_path, ctype))

    def add_html(self, path: str, html: str) -> None:
        """Serve an HTML page as ``text/html; charset=utf-8``."""
        self.add_bytes(path, html.encode("utf-8"), "text/html; charset=utf-8")

    def add_dir(self, prefix: str, dir_path: str | Path) -> None:
        """Serve every file below ``dir_path`` at ``prefix/<relative path>``."""
        self._dirs["/" + prefix.strip("/") + "/"] = Path(dir_path).resolve()

    def add_status(self, path: str, code: int) -> None:
        """Answer every request for ``path`` with status ``code`` and a small HTML body."""
        self.add_route(path, lambda req, head: _send_status(req, head, code))

    def add_redirect(self, path: str, location: str, code: int = 302) -> None:
        """Redirect ``path`` to ``location`` (absolute URL or server path)."""
        self.add_route(path, lambda req, head: _send_status(req, head, code, {"Location": location}))

    def add_truncating(
        self, path: str, data: bytes, content_type: str = "video/mp4", fraction: float = 0.5
    ) -> None:
        """Advertise the full length but send only ``fraction`` of it, then cut the connection.

        Range requests are cut the same way (always short of the range's
        end), so a resuming client can never complete the download.
        """
        self.add_route(path, lambda req, head: _send_data(req, head, data, content_type, fraction))

    def add_stall(
        self, path: str, seconds: float, data: bytes = b"", content_type: str = "video/mp4"
    ) -> None:
        """Wait ``seconds`` before answering at all (then serve ``data``); stop() ends the wait."""

        def handler(req: BaseHTTPRequestHandler, head: bool) -> None:
            if self._stopping.wait(seconds):
                return _cut(req)
            _send_data(req, head, data, content_type)

        self.add_route(path, handler)

    def add_chunked(
        self, path: str, data: bytes, content_type: str = "video/mp4", chunk_size: int = _CHUNK
    ) -> None:
        """Send with ``Transfer-Encoding: chunked`` and no Content-Length (Range ignored)."""

        def handler(req: BaseHTTPRequestHandler, head: bool) -> None:
            _send_head(req, 200, {"Content-Type": content_type, "Transfer-Encoding": "chunked"})
            if head:
                return
            for i in range(0, len(data), chunk_size):
                piece = data[i : i + chunk_size]
                req.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            req.wfile.write(b"0\r\n\r\n")
            req.wfile.flush()

        self.add_route(path, handler)

    def _dispatch(self, req: BaseHTTPRequestHandler, head: bool) -> None:
        path = urlsplit(req.path).path
        with self._lock:
            self.hits[path] += 1
            self.requests.append((req.command, path, dict(req.headers.items())))
        handler = self._routes.get(path) or self._dir_handler(path)
        if handler is None:
            return _send_status(req, head, 404)
        handler(req, head)

    def _dir_handler(self, path: str) -> Handler | None:
        for prefix in sorted(self._dirs, key=len, reverse=True):
            if path.startswith(prefix):
                root = self._dirs[prefix]
                target = (root / unquote(path[len(prefix) :])).resolve()
                if target.is_file() and target.is_relative_to(root):
                    return lambda req, head: _send_file(req, head, target, guess_type(target))
        return None
