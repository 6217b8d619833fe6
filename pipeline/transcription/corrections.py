"""The transcript as the person corrected it: an editable text, kept by the audio's content hash.

`voiceblog transcribe MEMO --edit` writes Whisper's transcript as one segment a line, each
prefixed by its start time (`[00:12.3] …`), to .voiceblog/corrections/<audio hash>.txt, and
opens it in the person's editor. From then on every draft of that audio uses the corrected
text. It is keyed by the audio alone (not the Whisper model or options): what the person says
they said stays true whichever model heard it, a renamed memo keeps it, and another recording,
having other audio, never gets it.

Beside it voiceblog keeps the text as Whisper gave it (`<hash>.whisper.txt`), so it can tell
an edited file from an untouched one, and which words the person changed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceblog.errors import VoiceblogError
from voiceblog.transcription.transcript import Segment, Transcript
from voiceblog.workspace import Workspace, as_shown, atomic_write, sha256_bytes

HEADER = """\
# Your transcript of {name}: correct what Whisper misheard, then run
#   voiceblog redraft {name}
# One segment a line, after its start time. Delete a line to leave it out; delete a line's
# [time] to join it to the line above. Lines starting with # are ignored.
"""

# "[01:02.3] text" or, past an hour, "[1:02:03.4] text".
TIMED_LINE = re.compile(r"^\[(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d)?)\]\s?(.*)$")
WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
# Characters no editor types into text: a NUL means the file is not text at all; the others
# (an escape sequence pasted in) are dropped, since no draft format can hold them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

log = logging.getLogger("voiceblog")
_warned: set[str] = set()  # each problem in a file said once a run (a post reads it twice)


class CorrectionsError(VoiceblogError):
    """A corrected transcript that cannot be read: a draft from Whisper's text instead would
    silently drop what the person fixed."""


@dataclass(frozen=True)
class Line:
    start: float | None  # None: the person removed its time; it joins the line above
    text: str
    number: int = field(default=0, compare=False)  # its line in the file, for messages


def corrections_file(audio_hash: str, workspace: Workspace) -> Path:
    return workspace.cache_dir("corrections") / f"{audio_hash}.txt"


def _whisper_file(audio_hash: str, workspace: Workspace) -> Path:
    return workspace.cache_dir("corrections") / f"{audio_hash}.whisper.txt"


def editable_text(transcript: Transcript, name: str) -> str:
    lines = [f"[{clock(s.start)}] {s.text}" for s in transcript.segments]
    return HEADER.format(name=name) + "\n".join(lines) + "\n"


def clock(seconds: float) -> str:
    """01:02.3, or 1:02:03.4 past an hour: tenths, as the file shows them."""
    tenths = round(seconds * 10)
    hours, rest = divmod(tenths, 36_000)
    minutes, rest = divmod(rest, 600)
    stamp = f"{minutes:02d}:{rest // 10:02d}.{rest % 10}"
    return f"{hours}:{stamp}" if hours else stamp


def editable_file(transcript: Transcript, audio_hash: str, name: str, workspace: Workspace):
    """The file the person corrects, written from Whisper's transcript the first time only:
    a second --edit opens the corrections made before."""
    path = corrections_file(audio_hash, workspace)
    if not path.exists():
        text = editable_text(transcript, name)
        atomic_write(_whisper_file(audio_hash, workspace), text.encode())
        atomic_write(path, text.encode())
    return path


def read_lines(text: str) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = CONTROL.sub("", raw)
        if not raw.strip() or raw.startswith("#"):
            continue
        if timed := TIMED_LINE.match(raw.strip()):
            hours, minutes, seconds, words = timed.groups()
            start = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
            lines.append(Line(start, words.strip(), number))
        else:
            lines.append(Line(None, raw.strip(), number))
    return lines


def in_time_order(lines: list[Line], path: Path) -> list[Line]:
    """The lines with any whose time goes back before the line above it untimed, so it joins
    that line as a line without a time does: its words stay where the person put them, and
    the transcript's times never run backwards (paragraphs, notes and the review page go by
    them). Said in one warning."""
    ordered, latest, backwards = [], None, []
    for line in lines:
        if line.start is not None and latest is not None and line.start < latest:
            backwards.append(f"line {line.number} [{clock(line.start)}]")
            line = replace(line, start=None)
        latest = line.start if line.start is not None else latest
        ordered.append(line)
    verb = "is" if len(backwards) == 1 else "are"
    said = f"{as_shown(path)}: {', '.join(backwards)} {verb} earlier"
    if backwards and said not in _warned:
        _warned.add(said)
        log.warning("%s than a line before; each joined to the line above (times go forward)", said)
    return ordered


def corrected_segments(segments: tuple[Segment, ...], lines: list[Line]) -> tuple[Segment, ...]:
    """The person's lines as segments, with Whisper's times where a line kept its time.

    A line whose time matches a segment's start takes that segment's end (and its word
    timings, if its text is unchanged); a line without a time joins the segment above, which
    then runs to the end of the last Whisper segment before the next timed line, since the
    joined text was said up to there. A time that matches no segment starts a segment of
    its own, ending where the next line starts.
    """
    starts = [s.start for s in segments]
    result: list[Segment] = []
    matched: list[int | None] = []  # the Whisper segment each line kept the time of
    joined: list[bool] = []  # whether lines without a time were joined to it
    for line in lines:
        if line.start is None and not result:  # nothing above to join: it opens the memo
            line = Line(segments[0].start if segments else 0.0, line.text)
        if line.start is None:
            result[-1] = replace(result[-1], text=f"{result[-1].text} {line.text}", words=())
            joined[-1] = True
            continue
        after = max((m for m in matched if m is not None), default=-1)
        index = _segment_starting_at(starts, line.start, after)
        if index is None:
            result.append(Segment(line.start, line.start, line.text))
        else:
            original = segments[index]
            words = original.words if line.text == original.text else ()
            result.append(replace(original, text=line.text, words=words))
        matched.append(index)
        joined.append(False)
    ends = [_end(i, result, matched, joined, segments) for i in range(len(result))]
    return tuple(replace(s, end=end) for s, end in zip(result, ends, strict=True) if s.text)


def _segment_starting_at(starts: list[float], start: float, after: int) -> int | None:
    """The first segment after index `after` that starts at this time, as the file shows it."""
    for index in range(after + 1, len(starts)):
        if clock(starts[index]) == clock(start):
            return index
    return None


def _end(position: int, result, matched, joined, segments) -> float:
    segment = result[position]
    later = result[position + 1].start if position + 1 < len(result) else None
    if matched[position] is None:  # a time of the person's: it runs to the next line
        last = segments[-1].end if segments else segment.start
        return max(segment.start, later if later is not None else last)
    if joined[position]:  # up to the last Whisper segment before the next line
        before_next = [s.end for s in segments if later is None or s.start < later]
        return max([segment.end, *before_next[-1:]])
    return segment.end


def corrected(transcript: Transcript, audio_hash: str, workspace: Workspace) -> Transcript:
    """The transcript with the person's corrections, or as Whisper wrote it when there are none."""
    text = corrections_text(audio_hash, workspace)
    if text is None:
        return transcript
    lines = in_time_order(read_lines(text), corrections_file(audio_hash, workspace))
    segments = corrected_segments(transcript.segments, lines)
    return replace(transcript, segments=segments)


def corrections_text(audio_hash: str, workspace: Workspace) -> str | None:
    """The corrected transcript's text, None when the person has not changed Whisper's;
    CorrectionsError when it cannot be read."""
    text = _read_corrections(corrections_file(audio_hash, workspace))
    if text is None or read_lines(text) == read_lines(_whisper_text(audio_hash, workspace)):
        return None  # none, or opened and saved as it was: nothing to re-draft for
    return text


def _read_corrections(path: Path) -> str | None:
    """The text of the person's corrections file, None when there is none."""
    fix = "fix it, or delete it to draft from what Whisper heard"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise CorrectionsError(
            f"{as_shown(path)}: cannot read your corrected transcript ({e.strerror or e}); {fix}"
        ) from e
    try:
        text = data.decode("utf-8-sig")  # an editor on Windows may start it with a BOM
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise CorrectionsError(
            f"{as_shown(path)}: your corrected transcript is not UTF-8 text (damaged, or saved in"
            f" another encoding); {fix}"
        )
    return text


def _whisper_text(audio_hash: str, workspace: Workspace) -> str:
    try:
        return _whisper_file(audio_hash, workspace).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):  # voiceblog's own copy: without it, all is a change
        return ""


def memo_fingerprint(options_fingerprint: str, audio_hash: str, workspace: Workspace) -> str:
    """What a memo's draft depends on: the options, and the corrected transcript if any, so a
    correction makes status say the memo changed and batch draft it again."""
    corrections = corrections_fingerprint(audio_hash, workspace)
    if not corrections:
        return options_fingerprint  # the same as before corrections existed
    return sha256_bytes(f"{options_fingerprint}\n{corrections}".encode())


def corrections_fingerprint(audio_hash: str, workspace: Workspace) -> str:
    """A hash of the person's corrections as drafts read them ("" when there are none):
    a comment or blank line changes no draft, so it changes no hash. An unreadable file
    hashes as its error, so status and batch count the memo as changed (and the draft says
    why it cannot be made) rather than failing for every memo."""
    try:
        text = corrections_text(audio_hash, workspace)
    except CorrectionsError as e:
        return sha256_bytes(str(e).encode())
    if text is None:
        return ""
    lines = "\n".join(f"{line.start}\t{line.text}" for line in read_lines(text))
    return sha256_bytes(lines.encode())


def corrected_words(audio_hash: str, workspace: Workspace) -> list[str]:
    """Words in the corrected transcript that Whisper's text did not have, and that
    vocabulary.txt does not hold yet: the names and terms Whisper misheard, in order."""
    text = corrections_text(audio_hash, workspace)
    if text is None:
        return []
    heard = set(_words(_whisper_text(audio_hash, workspace)))
    known = {term.strip() for term in workspace.vocabulary().split(",")}
    new = [w for w in _words(text) if w not in heard and w not in known]
    return list(dict.fromkeys(new))


def offer_vocabulary(name: str, audio_hash: str, workspace: Workspace) -> None:
    """One line on stderr: the words the person corrected that vocabulary.txt lacks."""
    if words := corrected_words(audio_hash, workspace):
        log.info(
            "%s: words you corrected, for vocabulary.txt (one a line, so Whisper hears them "
            "right next time): %s",
            name,
            ", ".join(words),
        )


def _words(text: str) -> list[str]:
    said = " ".join(line.text for line in read_lines(text))
    return WORD.findall(said)
