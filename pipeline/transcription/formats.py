"""A Transcript as plain text, JSON, SubRip (.srt) or WebVTT (.vtt), for `voiceblog transcribe`."""

from __future__ import annotations

import json
from dataclasses import asdict

from voiceblog.transcription.transcript import Transcript

FORMATS = ("txt", "json", "srt", "vtt")


def render(transcript: Transcript, format_name: str, words: bool = False) -> str:
    """The transcript in one of FORMATS; JSON lists word timings only when words were asked."""
    if format_name == "json":
        return as_json(transcript, words)
    return {"txt": as_text, "srt": as_srt, "vtt": as_vtt}[format_name](transcript)


def as_text(transcript: Transcript) -> str:
    return "".join(f"{s.text}\n" for s in transcript.segments)


def as_json(transcript: Transcript, words: bool = False) -> str:
    data = asdict(transcript)
    for segment in data["segments"]:
        if not words:
            del segment["words"]  # some segments carry timings for spoken cues only
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def timestamp(seconds: float, decimal: str) -> str:
    """HH:MM:SS,mmm (SubRip) or HH:MM:SS.mmm (WebVTT)."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def as_srt(transcript: Transcript) -> str:
    cues = [
        f"{n}\n{timestamp(s.start, ',')} --> {timestamp(s.end, ',')}\n{s.text}\n"
        for n, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues)


def as_vtt(transcript: Transcript) -> str:
    cues = [
        f"{timestamp(s.start, '.')} --> {timestamp(s.end, '.')}\n{s.text}\n"
        for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)
