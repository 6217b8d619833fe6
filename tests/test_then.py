"""--then COMMAND: run once after each memo is drafted, with the draft in its environment, never
through a shell, its failures one warning; from voiceblog.toml only in a trusted workspace.

The commands are real programs (a Python script that records what it was given). The two memos
are transcribed for real once a test run; each test starts from their transcripts."""

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import encode, run

DATA = Path(__file__).parent / "data"

RECORDER = """\
import json, os, sys, time
log, args = sys.argv[1], sys.argv[2:]
name = os.path.basename(os.environ.get("VOICEBLOG_RECORDING", "?"))
print("start", name, flush=True)
time.sleep(0.2)  # long enough for a second command to interleave, were one running
env = {k: v for k, v in os.environ.items() if k.startswith("VOICEBLOG_")}
with open(log, "a") as f:
    f.write(json.dumps({"args": args, "env": env}) + "\\n")
print("end", name, file=sys.stderr, flush=True)
"""


@pytest.fixture(scope="module")
def recordings(tmp_path_factory, transcribed) -> Path:
    """Two memos (the same speech as FLAC and as WAV: two audio hashes), transcribed once."""
    folder = tmp_path_factory.mktemp("recordings")
    memos = [Path(shutil.copy(DATA / "jfk.flac", folder / "jfk.flac"))]
    memos.append(encode(DATA / "jfk.flac", folder / "jfk.wav"))
    for memo in memos:  # with the options `voiceblog draft` uses by default
        assert transcribed(memo).exit_code == 0
    return folder


@pytest.fixture
def memos(recordings, workspace) -> Path:
    """recordings/ with jfk.flac and jfk.wav, their transcripts already in the cache."""
    shutil.copytree(recordings, workspace / "recordings")
    return workspace / "recordings"


@pytest.fixture
def recorder(tmp_path) -> tuple[str, Path]:
    """(a --then command that records its arguments and VOICEBLOG_* variables, its log)."""
    script = tmp_path / "record.py"
    script.write_text(RECORDER)
    log = tmp_path / "then.log"
    return shlex.join([sys.executable, str(script), str(log)]), log


def runs(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Warning:")]


def test_the_command_is_told_the_draft_in_its_environment(memos, recorder, workspace):
    command, log = recorder
    result = run("draft", memos / "jfk.flac", "--then", command)
    assert result.exit_code == 0, result.output
    assert "transcribing" not in result.stderr  # the module's transcript
    md, docx = (Path(line) for line in result.stdout.splitlines())  # stdout: the files only
    (first,) = runs(log)
    env = first["env"]
    title = yaml.safe_load(md.read_text().split("---\n")[1])["title"]
    assert env == {
        "VOICEBLOG_MD": str(workspace / md),
        "VOICEBLOG_DOCX": str(workspace / docx),
        "VOICEBLOG_REPORT": "",  # no LLM, no report
        "VOICEBLOG_REVIEW": "",
        "VOICEBLOG_TITLE": title,
        "VOICEBLOG_SLUG": md.stem.split("-", 3)[3],  # the file name is the date and the slug
        "VOICEBLOG_LANGUAGE": "en",
        "VOICEBLOG_RECORDING": str(memos / "jfk.flac"),
    }
    assert title.startswith("My Fellow Americans")
    # Its output reaches the user on stderr, after what voiceblog said.
    assert result.stderr.endswith("start jfk.flac\nend jfk.flac\n")

    only_md = run("draft", memos / "jfk.flac", "--then", command, "--format", "md", "--review")
    assert only_md.exit_code == 0, only_md.output
    env = runs(log)[1]["env"]
    assert env["VOICEBLOG_DOCX"] == ""  # not written this time
    assert env["VOICEBLOG_MD"] == str(workspace / md)
    assert env["VOICEBLOG_REVIEW"] == str(workspace / md.with_suffix(".review.html"))

    again = run("redraft", memos / "jfk.flac", "--then", command)
    assert again.exit_code == 0 and len(runs(log)) == 3  # redraft drafts: it runs too


def test_it_runs_after_a_memo_is_appended_to_a_post(memos, recorder, workspace):
    """It did not: draft --append went round the flow every other draft takes."""
    command, log = recorder
    first = run("draft", memos / "jfk.flac", "--format", "md")
    (md,) = (Path(line) for line in first.stdout.splitlines())
    appended = run("draft", memos / "jfk.wav", "--append", md, "--then", command, "--format", "md")
    assert appended.exit_code == 0, appended.output
    assert appended.stdout.splitlines() == [str(md)]
    (after,) = runs(log)
    assert after["env"]["VOICEBLOG_MD"] == str(workspace / md)
    assert after["env"]["VOICEBLOG_RECORDING"] == str(memos / "jfk.wav")
    assert (
        after["env"]["VOICEBLOG_TITLE"] == yaml.safe_load(md.read_text().split("---\n")[1])["title"]
    )


def test_a_batch_runs_it_once_per_memo_drafted_one_at_a_time_and_not_for_skipped_ones(
    memos, recorder
):
    command, log = recorder
    result = run("batch", "--then", command)
    assert result.exit_code == 0, result.output
    assert sorted(Path(r["env"]["VOICEBLOG_RECORDING"]).name for r in runs(log)) == [
        "jfk.flac",
        "jfk.wav",
    ]
    said = [line for line in result.stderr.splitlines() if line.startswith(("start", "end"))]
    assert [line.split()[0] for line in said] == ["start", "end", "start", "end"]  # unmixed
    assert said[0].split()[1] == said[1].split()[1]

    unchanged = run("batch", "--then", command)
    assert unchanged.stdout.splitlines()[-1].startswith("0 drafted, 2 skipped")
    assert len(runs(log)) == 2  # nothing drafted, nothing run


def test_a_failing_command_is_one_warning_and_the_drafts_stand(memos, workspace):
    fails = shlex.join([sys.executable, "-c", "import sys; sys.exit(3)"])
    result = run("draft", memos / "jfk.flac", "--then", fails)
    assert result.exit_code == 0, result.output
    assert warnings(result) == ["Warning: --then for jfk.flac: exited 3"]
    assert all(Path(p).is_file() for p in result.stdout.splitlines())

    batch = run("batch", "--then", fails)
    assert batch.exit_code == 0, batch.output
    # jfk.flac was drafted just now (and is skipped: no command); jfk.wav is drafted.
    assert batch.stdout.splitlines()[-1].startswith("1 drafted, 1 skipped, 0 failed")
    assert warnings(batch) == ["Warning: --then for jfk.wav: exited 3"]

    missing = run("draft", memos / "jfk.flac", "--then", "no-such-program-here --flag")
    assert missing.exit_code == 0
    assert warnings(missing) == [
        "Warning: --then for jfk.flac: no-such-program-here: command not found"
    ]


def test_no_shell_runs_it_unless_the_command_is_one(memos, recorder, workspace, monkeypatch):
    command, log = recorder
    result = run("draft", memos / "jfk.flac", "--then", f'{command} "$HOME" ; echo hi | cat')
    assert result.exit_code == 0, result.output
    assert runs(log)[0]["args"] == ["$HOME", ";", "echo", "hi", "|", "cat"]  # words, not code
    assert "hi" not in result.stderr.splitlines()

    # The README's recipe for a Hugo site, word for word: a shell, asked for by name.
    monkeypatch.setenv("HOME", str(workspace / "home"))
    (workspace / "home" / "site" / "content" / "posts").mkdir(parents=True)
    hugo = 'sh -c "cp \\"$VOICEBLOG_MD\\" ~/site/content/posts/"'
    result = run("draft", memos / "jfk.flac", "--front-matter", "hugo", "--then", hugo)
    assert result.exit_code == 0, result.output
    md = Path(result.stdout.splitlines()[0])
    posted = workspace / "home" / "site" / "content" / "posts" / md.name
    assert posted.read_text() == md.read_text()


def test_one_from_voiceblog_toml_runs_only_in_a_trusted_workspace(memos, recorder, workspace):
    command, log = recorder
    (workspace / "voiceblog.toml").write_text(f"then = {json.dumps(command)}\n")
    untrusted = run("draft", memos / "jfk.flac")
    assert untrusted.exit_code == 0, untrusted.output
    assert runs(log) == []
    assert warnings(untrusted) == [
        f"Warning: voiceblog.toml sets then = {command}: it does not run until you trust this "
        "workspace (voiceblog config --trust)"
    ]

    assert run("config", "--trust").exit_code == 0
    trusted = run("draft", memos / "jfk.flac")
    assert warnings(trusted) == [] and len(runs(log)) == 1

    run("config", "--untrust")
    assert run("draft", memos / "jfk.flac").exit_code == 0 and len(runs(log)) == 1


def test_one_from_the_environment_runs_and_is_not_passed_on(memos, recorder, monkeypatch):
    command, log = recorder
    monkeypatch.setenv("VOICEBLOG_THEN", command)  # the user's own environment: trusted
    result = run("draft", memos / "jfk.flac")
    assert result.exit_code == 0, result.output
    (first,) = runs(log)
    assert "VOICEBLOG_THEN" not in first["env"]  # a voiceblog inside it must not run it again


def test_a_command_that_cannot_be_split_stops_the_run_before_any_work(memos, workspace):
    result = run("draft", memos / "jfk.flac", "--then", 'echo "unclosed')
    assert (result.exit_code, result.stderr) == (
        1,
        'Error: --then echo "unclosed: cannot split it into words (No closing quotation)\n',
    )
    assert not (workspace / "drafts").exists()


def test_from_a_terminal_its_output_goes_to_stderr_directly(memos, recorder, workspace):
    """Outside the test runner, voiceblog's stderr is a file: the command writes to it itself."""
    command, log = recorder
    result = subprocess.run(
        [sys.executable, "-m", "voiceblog", "draft", "recordings/jfk.flac", "--format", "md"]
        + ["--then", command],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        str(Path(runs(log)[0]["env"]["VOICEBLOG_MD"]).relative_to(workspace))
    ]
    assert result.stderr.endswith("start jfk.flac\nend jfk.flac\n")
