"""Keys go only where the person sent them, no secret is shown or stored, and a file name
cannot drive the terminal or forge the batch table."""

import json
import shutil
from pathlib import Path

import yaml
from helpers import run, script
from llm_server import ScriptedLLM

DATA = Path(__file__).parent / "data"
KEY = "sk-live-0123456789abcdefSECRET"


def test_a_workspace_api_base_gets_no_key_until_the_workspace_is_trusted(
    cues_memo, workspace, monkeypatch, tmp_path
):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with ScriptedLLM(script()) as server:
        (workspace / "voiceblog.toml").write_text(
            f'llm = "openai/scripted"\napi_base = "{server.url}"\nformat = "md"\n'
        )
        untrusted = run("draft", cues_memo, "--no-cache")
        assert untrusted.exit_code == 0, untrusted.output
        assert server.authorizations and all(KEY not in a for a in server.authorizations)
        assert (
            f"voiceblog.toml sets api_base = {server.url}: no API key is sent there until you "
            "trust this workspace (voiceblog config --trust)"
        ) in untrusted.stderr
        assert f"LLM openai/scripted: requests go to {server.url}, with no API key" in (
            untrusted.stderr
        )
        assert "$" not in untrusted.stderr  # no OpenAI price for a server of someone else's

        server.authorizations.clear()
        flag = run("draft", cues_memo, "--no-cache", "--api-base", server.url)
        assert all(a == f"Bearer {KEY}" for a in server.authorizations)  # given by the person
        assert "with your OPENAI_API_KEY" in flag.stderr

        trusted = run("config", "--trust")
        assert trusted.exit_code == 0
        record = tmp_path / "config" / "voiceblog" / "trusted-workspaces.json"
        assert json.loads(record.read_text()) == {"workspaces": [str(workspace.resolve())]}
        server.authorizations.clear()
        after = run("draft", cues_memo, "--no-cache")
        assert server.authorizations and all(a == f"Bearer {KEY}" for a in server.authorizations)
        assert "config --trust" not in after.stderr

        run("config", "--untrust")
        server.authorizations.clear()
        run("draft", cues_memo, "--no-cache")
        assert all(KEY not in a for a in server.authorizations)


def everything_written(workspace: Path) -> str:
    return "\n".join(
        f.read_bytes().decode("utf-8", "replace") for f in workspace.rglob("*") if f.is_file()
    )


def test_a_key_the_server_echoes_is_on_no_screen_and_in_no_file(workspace, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("HF_TOKEN", "hf_0123456789abcdefghij")
    folder = workspace / "recordings"
    folder.mkdir()
    shutil.copy(DATA / "cues-memo.m4a", folder)
    echo = f"Incorrect API key provided: {KEY}, or hf_0123456789abcdefghij. See the docs."
    with ScriptedLLM(lambda m: (400, json.dumps({"error": {"message": echo}}))) as server:
        result = run("-v", "batch", "--llm", "openai/scripted", "--api-base", server.url)
    assert result.exit_code == 0, result.output
    assert server.authorizations[0] == f"Bearer {KEY}"  # it did get the key: it was sent there
    assert "Incorrect API key provided: [OPENAI_API_KEY], or [HF_TOKEN]." in result.stderr
    for text in (result.stdout, result.stderr, everything_written(workspace)):
        assert KEY not in text and "hf_0123456789abcdefghij" not in text


def test_url_credentials_are_never_echoed(cues_memo, workspace):
    with ScriptedLLM(lambda m: (500, '{"error": {"message": "down"}}')) as server:
        url = server.url.replace("http://", "http://ada:hunter2secret@")
        result = run("draft", cues_memo, "--llm", "openai/scripted", "--api-base", url)
    assert result.exit_code == 0, result.output
    assert "hunter2secret" not in result.output and "ada:" not in result.output
    assert server.url.replace("http://", "http://***@") in result.stderr
    assert "hunter2secret" not in everything_written(workspace)


def test_control_characters_in_a_file_name_are_shown_escaped(workspace):
    folder = workspace / "recordings"
    folder.mkdir()
    name = "memo\x1b[2J\x1b]0;owned\x07\nfailed    forged.m4a  row.m4a"
    shutil.copy(DATA / "jfk.flac", folder / name)
    (folder / "bad\x1b[31m.m4a").write_text("not audio")
    result = run("batch")
    for text in (result.stdout, result.stderr):
        assert "\x1b" not in text and "\x07" not in text
    rows = result.stdout.splitlines()
    assert len(rows) == 3  # two memos and the counts: the newline forged no row
    assert rows[1].startswith(r"drafted   memo\033[2J\033]0;owned\a\nfailed    forged.m4a")
    assert r"bad\033[31m.m4a" in rows[0] and r"bad\033[31m.m4a" in result.stderr
    # The draft's front matter keeps the real name.
    markdown = next((workspace / "drafts").glob("*.md")).read_text()
    assert yaml.safe_load(markdown.split("---\n")[1])["source"] == name
