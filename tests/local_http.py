"""What the tests' HTTP servers on 127.0.0.1 share: a threaded server on a free port, serving
while inside `with`, and a handler that answers quietly (tests/llm_server.py,
tests/transcription_server.py)."""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalServer:
    """A server on 127.0.0.1 answering through the handler class its subclass makes."""

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True  # a request left hanging ends with the test
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[QuietHandler]:
        raise NotImplementedError


class QuietHandler(BaseHTTPRequestHandler):
    def reply(self, status: int, data: bytes, kind: str = "application/json") -> None:
        with contextlib.suppress(ConnectionError):  # the client gave up waiting, or was killed
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass  # keep pytest's output for the tests
