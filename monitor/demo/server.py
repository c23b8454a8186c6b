"""A small threaded HTTP server on 127.0.0.1 serving a :class:`~monitor.demo.render.DemoSite`."""

from __future__ import annotations

import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from .render import DemoSite, make_site


class DemoServer:
    """Serve the demo site on an ephemeral loopback port; use as a context manager."""

    def __init__(self, now: datetime | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        site_ref: dict[str, DemoSite] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                doc = site_ref["site"].document(self.path)
                if doc is None:
                    self.send_error(404)
                    return
                ctype, body = doc
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep the demo quiet
                return

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.site = make_site(self.base_url, now)
        site_ref["site"] = self.site
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="capwatch-demo-server", daemon=True)

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
