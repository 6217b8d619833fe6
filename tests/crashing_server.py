"""A model server that starts, lists its model, and dies on its first completion by SIGSEGV,
as llama.cpp built with AMX kernels does on a VM that faults on them."""

import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.dumps({"object": "list", "data": [{"id": "crashy", "object": "model"}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_POST(self) -> None:  # noqa: N802
        print("ggml_backend_amx_mul_mat: about to run a tile instruction", flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)


if __name__ == "__main__":
    print("server listening", flush=True)
    HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
