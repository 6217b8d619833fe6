"""A real HTTP server on 127.0.0.1 speaking the OpenAI chat API, scripted per test.

litellm talks to it exactly as it would to OpenAI, vLLM or Ollama's OpenAI endpoint.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from local_http import LocalServer, QuietHandler

# A script gets the request's messages and returns the reply text, or (HTTP status, body),
# or (HTTP status, body, content type) for a server that does not answer in JSON.
Script = Callable[[list[dict]], "str | tuple[int, str] | tuple[int, str, str]"]


class ScriptedLLM(LocalServer):
    def __init__(self, script: Script, latency: float = 0.0):
        self.script = script
        self.latency = latency  # seconds each answer takes, like a real model
        self.requests: list[dict] = []
        self.authorizations: list[str] = []  # each request's Authorization header
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests the server was answering at one time
        self._lock = threading.Lock()
        super().__init__()

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.requests.append(body)
                    server.authorizations.append(self.headers.get("Authorization", ""))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    time.sleep(server.latency)
                    answer = server.script(body["messages"])
                finally:
                    with server._lock:
                        server.in_flight -= 1
                kind = "application/json"
                if isinstance(answer, tuple):
                    status, payload, kind = answer if len(answer) == 3 else (*answer, kind)
                else:
                    status, payload = 200, _chat(answer, body.get("max_tokens"))
                self.reply(status, payload.encode(), kind)

        return Handler


CHARS_PER_TOKEN = 4


def _chat(content: str, max_tokens: int | None = None) -> str:
    """An OpenAI chat.completion response carrying content, cut where max_tokens ends it as a
    real server does."""
    finish = "stop"
    if max_tokens and len(content) > max_tokens * CHARS_PER_TOKEN:
        content, finish = content[: max_tokens * CHARS_PER_TOKEN], "length"
    written = -(-len(content) // CHARS_PER_TOKEN)  # tokens as this server counts them
    return json.dumps(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": written,
                "total_tokens": 10 + written,
            },
        }
    )


def hanging(release: threading.Event) -> Script:
    """A server that takes requests and never answers them (until the test releases it)."""

    def answer(messages):
        release.wait(120)
        return 503, '{"error": {"message": "released"}}'

    return answer


def transcript_of(messages: list[dict]) -> str:
    """The transcript chunk a cleanup request carries, between its <transcript> tags."""
    user = messages[-1]["content"]
    return user.split("<transcript>", 1)[1].split("</transcript>", 1)[0].strip()


def is_cleanup(messages: list[dict]) -> bool:
    return "<transcript>" in messages[-1]["content"]


def is_referee(messages: list[dict]) -> bool:
    """A request for verdicts on a memo's near-miss cues (pipeline/referee.py)."""
    return "<sentences>" in messages[-1]["content"]


def referee_requests(server: ScriptedLLM) -> list[dict]:
    return [r for r in server.requests if is_referee(r["messages"])]


def cleanups(server: ScriptedLLM) -> list[dict]:
    return [r for r in server.requests if is_cleanup(r["messages"])]
