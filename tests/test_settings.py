"""pipeline/settings.py is the one place a setting is named: its flag, voiceblog.toml key and
VOICEBLOG_* variable come from it, and it says which settings the draft fingerprint leaves out."""

from pathlib import Path

import pytest
from helpers import run

from voiceblog import settings
from voiceblog.cli import draft
from voiceblog.options import draft_options, resolve
from voiceblog.workspace import Workspace


def defaults() -> dict:
    values = {s.python_name: s.default for s in settings.DRAFTING}
    values["drafts"] = Path(values["drafts"])
    values["llm"] = "openai/base"  # so that the LLM's own settings apply
    return values


def another_value(setting: settings.Setting):
    if setting.name == "language":
        return "en"  # given, where tiny.en's default would be assumed
    if setting.kind == "choice":
        return next(c for c in setting.choices if c != setting.default)
    return {
        "text": "something else",
        "path": Path("elsewhere"),
        "int": int(setting.minimum or 0) + 7,
        "float": 123.0,
        "flag": True,
    }[setting.kind]


@pytest.mark.parametrize("setting", settings.DRAFTING, ids=lambda s: s.name)
def test_the_fingerprint_leaves_out_exactly_what_cannot_change_a_draft(setting, workspace):
    def fingerprint(**changed) -> str:
        place = Workspace(workspace)
        given = resolve(place, {**defaults(), **changed})
        return draft_options(place, given, check_drafts=False).fingerprint()

    changed = fingerprint(**{setting.python_name: another_value(setting)}) != fingerprint()
    assert changed == setting.changes_output


def test_every_setting_is_an_option_of_the_drafting_commands():
    options = {p.name: p.opts[0] for p in draft.params}
    for setting in settings.DRAFTING:
        assert options[setting.python_name] == setting.flag


@pytest.mark.parametrize(
    "toml, error",
    [
        ("drafts = 5", 'drafts = 5: must be a folder path, in quotes (e.g. "drafts")'),
        ('format = "pdf"', "format = 'pdf': must be one of md, docx, all"),
        ("threads = -1", "threads = -1: must be a whole number of at least 0"),
        ('timestamps = "yes"', "timestamps = 'yes': must be true or false"),
        ("jobs = 2.5", "jobs = 2.5: must be a whole number of at least 1"),
    ],
)
def test_a_bad_value_in_voiceblog_toml_is_one_line_naming_it(workspace, toml, error):
    """5. `drafts = 5` in voiceblog.toml was a traceback."""
    (workspace / "voiceblog.toml").write_text(toml + "\n")
    result = run("batch")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {workspace / 'voiceblog.toml'}: {error}\n",
    )


def test_a_bad_environment_variable_is_blamed_on_itself_not_a_flag(workspace, monkeypatch):
    """5. A bad VOICEBLOG_THREADS was blamed on --threads, a flag the user never passed."""
    monkeypatch.setenv("VOICEBLOG_THREADS", "many")
    result = run("status")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: VOICEBLOG_THREADS=many: must be a whole number of at least 0\n",
    )


def test_every_saved_setting_can_come_from_the_environment(workspace, monkeypatch):
    for setting in settings.DRAFTING:
        if setting.saved:
            value = another_value(setting)
            monkeypatch.setenv(setting.variable, str(value).lower())
    shown = run("config").stdout.splitlines()
    sources = {line.split()[0]: line.rsplit("(", 1)[1].rstrip(")") for line in shown}
    for setting in settings.DRAFTING:
        expected = f"environment {setting.variable}" if setting.saved else "default"
        assert sources[setting.flag.lstrip("-")] == expected
