"""OpenAI-compatible transcription servers on 127.0.0.1 for the tests: POST
/v1/audio/transcriptions with a multipart upload, as OpenAI and Groq take it.

WhisperServer answers with faster-whisper on the tiny.en weights voiceblog carries (a real
transcription, verbose_json with segment times); ScriptedTranscriber answers what a test says
(a status and a body), for the faults a provider has.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import time
from collections.abc import Callable

from local_http import LocalServer, QuietHandler

# Given the request's form fields (the file's bytes under "file"), returns (status, body).
Answer = Callable[[dict], tuple[int, str]]


def form_fields(content_type: str, body: bytes) -> dict:
    """The fields of a multipart/form-data body; the file's bytes under its field's name."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        value = payload if part.get_filename() else payload.decode()
        if name.endswith("[]"):  # a list, one part a value: timestamp_granularities[]
            fields.setdefault(name, []).append(value)
        else:
            fields[name] = value
    return fields


class TranscriptionServer(LocalServer):
    def __init__(self, answer: Answer, latency: float = 0.0):
        self.answer = answer
        self.latency = latency
        self.requests: list[dict] = []  # each request's form fields
        super().__init__()

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fields = form_fields(self.headers["Content-Type"], body)
                server.requests.append(fields)
                time.sleep(server.latency)
                status, payload = server.answer(fields)
                self.reply(status, payload.encode())

        return Handler


def whisper_answer(fields: dict) -> tuple[int, str]:
    """A real transcription of the uploaded audio by faster-whisper tiny.en, as verbose_json."""
    from faster_whisper import decode_audio

    from voiceblog.transcription.local_engines import _faster_whisper_model

    model = _faster_whisper_model("tiny.en", 2)
    audio = decode_audio(io.BytesIO(fields["file"]))
    granularities = fields.get("timestamp_granularities[]") or ["segment"]
    raw, info = model.transcribe(
        audio,
        language="en",
        initial_prompt=fields.get("prompt") or None,
        beam_size=1,
        word_timestamps="word" in granularities,
    )
    raw = list(raw)
    segments = [
        {"id": i, "start": s.start, "end": s.end, "text": s.text} for i, s in enumerate(raw)
    ]
    answer = {
        "task": "transcribe",
        "language": "english",
        "duration": info.duration,
        "text": "".join(s["text"] for s in segments),
        "segments": segments,
    }
    if "word" in granularities:  # as OpenAI gives them: every word of the memo, apart
        words = [w for s in raw for w in s.words]
        answer["words"] = [{"word": w.word.strip(), "start": w.start, "end": w.end} for w in words]
    return 200, json.dumps(answer)


def WhisperServer() -> TranscriptionServer:  # noqa: N802 (it reads as a class)
    return TranscriptionServer(whisper_answer)


def ScriptedTranscriber(status: int, body: str, latency: float = 0.0) -> TranscriptionServer:  # noqa: N802
    return TranscriptionServer(lambda fields: (status, body), latency)
