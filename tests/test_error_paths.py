"""What a user meets when something is wrong around a draft, tried as they would meet it: the
real `python -m voiceblog` in a workspace of its own, on memos Whisper really transcribed.

Each case must end in one line that says what is wrong (no traceback), lose nothing that was
there before, and exit with a code that tells the truth."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
JFK_WORDS = "ask not what your country can do for you"


@pytest.fixture(scope="module")
def transcribed(tmp_path_factory) -> Path:
    """A workspace with jfk.flac and cues-memo.m4a in recordings/, transcribed once (the
    transcripts are in its cache) and nothing drafted."""
    root = tmp_path_factory.mktemp("transcribed")
    (root / "recordings").mkdir()
    for name in ("jfk.flac", "cues-memo.m4a"):
        shutil.copy(DATA / name, root / "recordings" / name)
        result = voiceblog("transcribe", f"recordings/{name}", cwd=root)
        assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def memos(transcribed, workspace) -> Path:
    """This test's workspace: the transcribed memos, nothing drafted yet."""
    shutil.copytree(transcribed, workspace, dirs_exist_ok=True)
    return workspace / "recordings"


def voiceblog(*args, cwd: Path | None = None, **popen) -> subprocess.CompletedProcess:
    """The voiceblog command line, run as a user runs it."""
    command = [sys.executable, "-m", "voiceblog", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, **popen)


def errors(result: subprocess.CompletedProcess) -> list[str]:
    """The lines of stderr that report a problem; a traceback would show as one too."""
    said = result.stderr.splitlines()
    assert not any("Traceback" in line for line in said), result.stderr
    return [line for line in said if line.startswith(("Error:", "Warning:", "Interrupted:"))]


def drafted(result: subprocess.CompletedProcess) -> Path:
    """The Markdown draft a successful `draft` printed."""
    assert result.returncode == 0, result.stderr
    return Path(next(line for line in result.stdout.splitlines() if line.endswith(".md")))


# --- (a) a damaged or unreadable corrections file ---------------------------------------------


def corrections_of(memo: Path) -> Path:
    """The file `transcribe --edit` gives the person to correct (no editor set: it prints it)."""
    result = voiceblog("transcribe", memo, "--edit", env=os.environ | {"EDITOR": "", "VISUAL": ""})
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def test_a_binary_corrections_file_is_one_line_and_the_draft_stays(memos):
    draft = drafted(voiceblog("draft", memos / "jfk.flac", "--format", "md"))
    before = draft.read_bytes()
    corrections = corrections_of(memos / "jfk.flac")
    corrections.write_bytes(bytes(range(256)) * 4)  # what a crashed sync leaves
    result = voiceblog("draft", memos / "jfk.flac", "--format", "md")
    assert result.returncode == 1
    assert errors(result) == [
        f"Error: {corrections}: your corrected transcript is not UTF-8 text (damaged, or saved"
        " in another encoding); fix it, or delete it to draft from what Whisper heard"
    ]
    assert draft.read_bytes() == before
    assert corrections.read_bytes() == bytes(range(256)) * 4  # the person's file, untouched


def test_a_corrections_file_with_nul_bytes_is_not_text(memos):
    corrections = corrections_of(memos / "jfk.flac")
    corrections.write_bytes(corrections.read_bytes().replace(b"Americans", b"Amer\0icans"))
    result = voiceblog("draft", memos / "jfk.flac", "--format", "md")
    assert result.returncode == 1
    assert len(errors(result)) == 1 and "is not UTF-8 text" in errors(result)[0]
    assert not list((memos.parent / "drafts").glob("*.md"))  # no draft without the corrections


def test_control_characters_pasted_into_a_correction_are_dropped(memos):
    corrections = corrections_of(memos / "jfk.flac")
    text = corrections.read_text(encoding="utf-8").replace("Americans", "Amer\x1b[31micans")
    corrections.write_text(text, encoding="utf-8")
    result = voiceblog("draft", memos / "jfk.flac")  # Word too: it refuses control characters
    draft = drafted(result)
    assert "Amer[31micans" in draft.read_text(encoding="utf-8")
    assert "\x1b" not in draft.read_text(encoding="utf-8")
    assert errors(result) == []


def test_a_corrections_file_saved_with_a_bom_is_read(memos):
    corrections = corrections_of(memos / "jfk.flac")
    text = corrections.read_text(encoding="utf-8").replace("Americans", "Amurricans")
    corrections.write_bytes(text.encode("utf-8-sig"))
    draft = drafted(voiceblog("draft", memos / "jfk.flac", "--format", "md"))
    assert "Amurricans" in draft.read_text(encoding="utf-8")


def test_times_out_of_order_keep_every_word_in_the_order_written_with_one_warning(memos):
    corrections = corrections_of(memos / "jfk.flac")
    corrections.write_text(
        "[00:05.0] Ask what you can do for your country.\n"
        "[00:00.0] And so my fellow Americans, ask not.\n"
        "[00:01.0] Said in 1961.\n",
        encoding="utf-8",
    )
    result = voiceblog("draft", memos / "jfk.flac", "--format", "md")
    text = drafted(result).read_text(encoding="utf-8")
    first = text.index("Ask what you can do")
    assert first < text.index("my fellow Americans, ask not") < text.index("Said in 1961")
    assert errors(result) == [
        f"Warning: {corrections}: line 2 [00:00.0], line 3 [00:01.0] are earlier than a line"
        " before; each joined to the line above (times go forward)"
    ]


def test_lines_without_a_time_and_garbled_times_are_text(memos):
    corrections = corrections_of(memos / "jfk.flac")
    corrections.write_text(
        "And so, my fellow Americans,\n[00:0 ask not\n[zz] what your country can do for you.\n",
        encoding="utf-8",
    )
    result = voiceblog("draft", memos / "jfk.flac", "--format", "md")
    text = drafted(result).read_text(encoding="utf-8")
    assert "my fellow Americans, [00:0 ask not [zz] what your country" in text
    assert errors(result) == []


def without_root_privileges() -> dict:
    """Popen arguments that run the command as root without its power to read any file (the
    tests run as root here), so a file's permissions count as for any user."""
    if os.geteuid() != 0:
        return {}
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv (util-linux) to drop root's file access")
    return {"prefix": ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]}


def voiceblog_unprivileged(*args) -> subprocess.CompletedProcess:
    prefix = without_root_privileges().get("prefix", [])
    command = [*prefix, sys.executable, "-m", "voiceblog", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True)


def test_an_unreadable_corrections_file_is_one_line_and_status_still_lists_every_memo(memos):
    corrections = corrections_of(memos / "jfk.flac")
    corrections.write_text(
        corrections.read_text(encoding="utf-8").replace("Americans", "Amurricans")
    )
    corrections.chmod(0)
    result = voiceblog_unprivileged("draft", memos / "jfk.flac", "--format", "md")
    assert result.returncode == 1
    assert errors(result) == [
        f"Error: {corrections}: cannot read your corrected transcript (Permission denied);"
        " fix it, or delete it to draft from what Whisper heard"
    ]
    status = voiceblog_unprivileged("status")
    assert status.returncode == 0, status.stderr
    assert [line.split(":")[0] for line in status.stdout.splitlines()] == [
        "cues-memo.m4a",
        "jfk.flac",
    ]
    batch = voiceblog_unprivileged("batch", "--format", "md")
    assert batch.returncode == 1
    assert "failed    jfk.flac" in batch.stdout and "Permission denied" in batch.stdout
    assert "drafted   cues-memo.m4a" in batch.stdout  # the other memo is drafted all the same


# --- (b) --append to a draft that was deleted, moved, or is not voiceblog's ------------------


@pytest.fixture
def post(memos) -> Path:
    """jfk.flac drafted (Markdown only), the draft a follow-up is appended to."""
    return drafted(voiceblog("draft", memos / "jfk.flac", "--format", "md"))


def append(draft: Path) -> subprocess.CompletedProcess:
    return voiceblog("draft", "recordings/cues-memo.m4a", "--append", draft, "--format", "md")


def test_appending_to_a_deleted_draft_says_it_is_gone(post):
    post.unlink()
    result = append(post)
    assert result.returncode == 1
    assert errors(result) == [
        f"Error: {post}: no such draft; voiceblog wrote it, but it is gone (moved or deleted?);"
        " nothing appended"
    ]
    assert not post.exists() and result.stdout == ""


def test_appending_to_a_file_that_never_was_says_no_such_draft(memos):
    result = append(Path("drafts/typo.md"))
    assert result.returncode == 1
    assert errors(result) == ["Error: drafts/typo.md: no such draft; nothing appended"]


def test_a_draft_moved_as_voiceblog_wrote_it_is_found_by_its_content(post, workspace):
    moved = workspace / "site" / "first-post.md"
    moved.parent.mkdir()
    post.rename(moved)
    result = append(Path("site/first-post.md"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["site/first-post.md"]
    assert f"site/first-post.md: the draft voiceblog wrote as {post}, moved here" in result.stderr
    text = moved.read_text(encoding="utf-8")
    assert JFK_WORDS in text.lower() and "## What we learned" in text
    assert not post.exists()  # nothing written where the draft used to be


def test_a_draft_moved_after_editing_is_found_by_its_recording_and_merged(post, workspace):
    edited = post.read_text(encoding="utf-8").replace("ask not", "ASK NOT")
    moved = workspace / "site.md"
    moved.write_text(edited, encoding="utf-8")
    post.unlink()
    result = append(Path("site.md"))
    assert result.returncode == 0, result.stderr
    assert "site.md: merged, no conflicts" in result.stderr
    text = moved.read_text(encoding="utf-8")
    assert "ASK NOT" in text and "## What we learned" in text  # the edit kept, the memo added


def test_appending_to_a_markdown_file_voiceblog_did_not_write_leaves_it_alone(post, workspace):
    mine = workspace / "drafts" / "notes.md"
    mine.write_text("---\ntitle: Mine\n---\n\nMy own notes.\n", encoding="utf-8")
    result = append(mine)
    assert result.returncode == 1
    assert errors(result) == [
        f"Error: {mine}: not a draft voiceblog wrote (nor one it wrote elsewhere, moved here);"
        " nothing appended"
    ]
    assert mine.read_text(encoding="utf-8") == "---\ntitle: Mine\n---\n\nMy own notes.\n"


def test_appending_to_a_word_file_asks_for_the_markdown_draft(memos):
    docx = drafted(voiceblog("draft", memos / "jfk.flac")).with_suffix(".docx")
    before = docx.read_bytes()
    result = append(docx)
    assert result.returncode == 1
    assert errors(result) == [f"Error: {docx}: not a Markdown draft; give the .md voiceblog wrote"]
    assert docx.read_bytes() == before


# --- (c) a full disk while writing drafts and the kept copies ---------------------------------


@pytest.fixture
def small_disk(tmp_path, transcribed) -> Path:
    """A workspace on a 4 MB tmpfs of its own (so the disk can be filled), its memos'
    transcripts in the cache; the recordings stay outside it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)])
    if mounted.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        shutil.copytree(transcribed / ".voiceblog", disk / ".voiceblog")
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)])


def fill(disk: Path, leave_kib: int) -> Path:
    """Fill the disk but for leave_kib KiB; the filler file, to delete afterwards."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:  # no space left
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave_kib * 1024))
    return filler


def test_a_full_disk_leaves_the_earlier_draft_as_it_was_with_one_line(small_disk, transcribed):
    memo = transcribed / "recordings" / "jfk.flac"
    first = voiceblog("draft", memo, cwd=small_disk)
    assert first.returncode == 0, first.stderr
    drafts = sorted((small_disk / "drafts").iterdir())
    named, written = set(), 0
    for leave in range(0, 68, 4):  # from no room at all to room for everything
        before = {path: path.read_bytes() for path in drafts}
        filler = fill(small_disk, leave)
        result = voiceblog("draft", memo, "--timestamps" if leave % 8 else "--transcript",
                           cwd=small_disk)  # fmt: skip
        filler.unlink()
        if result.returncode == 0:  # room enough: the new draft, whole
            written += 1
            assert all(path.read_bytes() != before[path] for path in drafts if path.suffix == ".md")
            continue
        assert result.returncode == 1
        (line,) = errors(result)
        assert line.endswith(
            ": cannot write it: No space left on device; this memo's drafts were left as they were"
        ), line
        named.add(Path(line.removeprefix("Error: ").split(":")[0]).parent.name or "drafts")
        assert {path: path.read_bytes() for path in drafts} == before  # nothing half-written
        assert sorted((small_disk / "drafts").iterdir()) == drafts  # no temporary file left
    assert written and {"drafts", "written"} <= named, named  # each write was tried full


# --- (d) Ctrl-C while a --then command runs ---------------------------------------------------

SLOW_COMMAND = """\
import os, signal, subprocess, sys, time
if sys.argv[2] == "ignores-sigterm":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
with open(sys.argv[1], "w") as f:
    f.write(f"{os.getpid()} {grandchild.pid}")
time.sleep(60)
"""


def alive(pid: int) -> bool:
    """Whether pid runs (a zombie, ended but not yet reaped by its parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def interrupted_while_the_command_runs(tmp_path: Path, *args) -> tuple:
    """Start `voiceblog draft … --then SLOW`, send voiceblog alone SIGINT once the command and
    its own child run; (voiceblog's result, the command's and its child's pids)."""
    script, pids = tmp_path / "slow.py", tmp_path / "pids"
    script.write_text(SLOW_COMMAND)
    then = f"{sys.executable} {script} {pids} {' '.join(args) or 'plain'}"
    command = [sys.executable, "-m", "voiceblog", "draft", "recordings/jfk.flac", "--format", "md"]
    process = subprocess.Popen(
        [*command, "--then", then], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    took = time.monotonic() - started
    child, grandchild = map(int, pids.read_text().split())
    return (
        subprocess.CompletedProcess(command, process.returncode, stdout, stderr),
        child,
        grandchild,
        took,
    )


@pytest.mark.parametrize("child_kind", ["plain", "ignores-sigterm"])
def test_ctrl_c_during_the_command_stops_it_and_keeps_the_draft(memos, tmp_path, child_kind):
    result, child, grandchild, took = interrupted_while_the_command_runs(tmp_path, child_kind)
    assert result.returncode == 130
    (line,) = errors(result)
    draft = next((memos.parent / "drafts").glob("*.md"))
    assert line == (
        "Interrupted: --then for jfk.flac stopped; jfk.flac is drafted and recorded:"
        f" drafts/{draft.name}."
    )
    time.sleep(0.5)  # the command's child, orphaned, is reaped by init
    assert not alive(child) and not alive(grandchild)
    assert took < 10  # SIGKILL after a few seconds for one that ignores SIGTERM
    assert JFK_WORDS in draft.read_text(encoding="utf-8").lower()
    status = voiceblog("status")
    assert "jfk.flac: drafted" in status.stdout  # recorded: a batch does not draft it again
