"""A small threaded HTTP server on 127.0.0.1 for the crawler benchmarks and acceptance scripts.

Serves a fixed mapping of path -> (body, headers) from a separate process (so that the measuring process's CPU
and peak RSS are the crawler's own), answers ``If-None-Match`` with 304 when the ETag matches, and 404 otherwise.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Routes = Mapping[str, tuple[bytes, Mapping[str, str]]]


def _serve(routes: Routes, sock: socket.socket) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            route = routes.get(self.path)
            if route is None:
                self._send(404, b"not found", {"Content-Type": "text/plain"})
                return
            body, headers = route
            etag = headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            self._send(200, body, headers)

        def _send(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = sock  # the socket bound (and listening) in the parent
    server.server_address = sock.getsockname()
    server.serve_forever()


class LoopbackServer:
    """``with LoopbackServer(routes) as base_url: ...`` serves ``routes`` at ``http://127.0.0.1:PORT``."""

    def __init__(self, routes: Routes) -> None:
        self.routes = dict(routes)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        ctx = multiprocessing.get_context("fork")
        self.process = ctx.Process(target=_serve, args=(self.routes, self.sock), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> str:
        self.process.start()
        self.sock.close()  # the child owns the listening socket now
        return self.url

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(5)
