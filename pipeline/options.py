"""The settings in effect for a run, resolved one way for the command line and the library:
what the caller gave (flags, or keywords to voiceblog.draft), over VOICEBLOG_* variables, over
voiceblog.toml, over the table's defaults (pipeline/settings.py); then the workspace's
vocabulary.txt, the defaults of a model served on this machine, and the checks made before any
slow work starts (the device, the drafts folder, the --then command, where the key may go).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceblog import settings as table
from voiceblog.workspace import Workspace

log = logging.getLogger("voiceblog")

GIVEN = ("flag", "given")  # sources of a value the caller chose: a flag, a library keyword


@dataclass(frozen=True)
class Resolved:
    values: dict  # python name → value, for every setting of the table resolved
    # python name → "flag", "given" (a library keyword), "voiceblog.toml",
    # "environment VOICEBLOG_…" or "default"
    sources: dict

    def at_default(self, name: str) -> bool:
        return self.sources.get(name, "default") == "default"


def resolve(
    workspace: Workspace,
    given: Mapping[str, object],
    settings: tuple[table.Setting, ...] = table.DRAFTING,
    given_as: str = "given",
    loaded: table.Loaded | None = None,
) -> Resolved:
    """Every setting's value and source: given (by python name) over VOICEBLOG_* over
    voiceblog.toml over the default. given_as names the caller's layer ("flag" for the CLI)."""
    if loaded is None:
        loaded = table.load(workspace.config_file, os.environ)
    values, sources = {}, {}
    for setting in settings:
        name = setting.python_name
        if name in given:
            values[name], sources[name] = given[name], given_as
        elif name in loaded.values:
            values[name], sources[name] = loaded.values[name], loaded.sources[name]
        else:
            values[name], sources[name] = setting.default, "default"
        if setting.kind == "path" and values[name] is not None:
            values[name] = Path(values[name])
    return Resolved(values, sources)


def keywords(given: Mapping[str, object], settings: tuple[table.Setting, ...]) -> dict:
    """A library caller's keywords (voiceblog.toml's names) by python name, each checked as a
    value in voiceblog.toml is; TypeError for a name that is no setting here."""
    by_name = {s.name: s for s in settings}
    if unknown := sorted(set(given) - set(by_name)):
        known = ", ".join(s.name for s in settings)
        raise TypeError(f"unknown setting {unknown[0]!r} (known: {known})")
    checked = {}
    for name, value in given.items():
        setting = by_name[name]
        raw = str(value) if setting.kind == "path" and isinstance(value, Path) else value
        checked[setting.python_name] = table.checked(setting, raw, f"{name}={value!r}")
    return checked


def transcribe_options(workspace: Workspace, resolved: Resolved, words: bool = False):
    """TranscribeOptions of these settings; vocabulary.txt where no vocab was set."""
    from voiceblog.transcription.options import TranscribeOptions

    s = resolved.values
    vocab = s["vocab"] if s["vocab"] is not None else workspace.vocabulary()
    return TranscribeOptions(
        engine=s["engine"],
        model=s["model"],
        vocab=vocab or None,
        threads=s["threads"],
        words=words,
        language=None if s["language"] == "auto" else s["language"],
        device=s["device"],
        api_base=s["transcription_api_base"] or None,
    )


def draft_options(
    workspace: Workspace,
    resolved: Resolved,
    check_drafts: bool = True,
    runs_then: bool = True,
    on_progress=None,
    on_llm_progress=None,
):
    """DraftOptions of these settings, checked before any slow work starts. check_drafts:
    the command writes drafts (not status); runs_then: it drafts memos (not review)."""
    from voiceblog.export import ensure_drafts_dir
    from voiceblog.flow import DraftOptions
    from voiceblog.llm import LLMHealth
    from voiceblog.transcription.devices import check_available as check_device

    s = resolved.values
    llm = _llm_settings(workspace, resolved)
    transcription = transcribe_options(workspace, resolved)
    then = _then_command(workspace, resolved) if check_drafts and runs_then else None
    if check_drafts:  # commands that write drafts; not status
        check_device(transcription.engine, transcription.device)
        ensure_drafts_dir(s["drafts"])
        if llm:
            _say_where_requests_go(llm)
    return DraftOptions(
        drafts=s["drafts"],
        format=s["format"],
        transcription=transcription,
        llm=llm,
        on_progress=on_progress,
        on_llm_progress=on_llm_progress,
        force=s["force"],
        front_matter=s["front_matter"],
        timestamps=s["timestamps"],
        author=s["author"],
        transcript=s["transcript"],
        review=s["review"],
        llm_health=LLMHealth() if llm else None,  # one for the run: a dead server is found once
        then=then,
        defaulted=left_at_default(resolved),
    )


def _llm_settings(workspace: Workspace, resolved: Resolved):
    """LLMSettings, or None to draft by the rules; jobs and timeout by where the model runs."""
    from voiceblog.llm import LLMSettings, local_defaults

    s = resolved.values
    if not s["llm"]:
        return None
    return LLMSettings(
        model=s["llm"],
        api_base=s["api_base"] or None,
        send_key=_may_send_key(workspace, resolved),
        style=s["style"],
        **local_defaults(s["llm"], s["api_base"], jobs=s["jobs"], timeout=s["timeout"]),
        chunk_tokens=s["chunk_tokens"],
        no_cache=s["no_cache"],
        require_llm=s["require_llm"],
    )


def left_at_default(resolved: Resolved) -> frozenset[str]:
    """The DraftOptions output fields no flag, keyword, voiceblog.toml or environment variable
    set: a drafted memo is judged by the value it was drafted with for these."""
    from voiceblog.flow import DEFAULTABLE

    chosen = {name for name in DEFAULTABLE if name != "llm" and resolved.at_default(name)}
    if all(resolved.at_default(name) for name in ("llm", "style", "chunk_tokens")):
        chosen.add("llm")
    return frozenset(chosen)


def _may_send_key(workspace: Workspace, resolved: Resolved) -> bool:
    """Whether the user's API key may go to this api_base: one they gave on the command line
    or in the environment, yes; one from voiceblog.toml only once they trust the workspace."""
    from voiceblog.trust import is_trusted

    api_base = resolved.values["api_base"]
    from_the_workspace = resolved.sources["api_base"] == "voiceblog.toml"
    if not api_base or not from_the_workspace or is_trusted(workspace.root):
        return True
    log.info(
        "voiceblog.toml sets api_base = %s: no API key is sent there until you trust this "
        "workspace (voiceblog config --trust)",
        api_base,
    )
    return False


def _then_command(workspace: Workspace, resolved: Resolved):
    """The --then command to run after each memo, checked. One from voiceblog.toml would run
    whatever a cloned repository or a shared folder says, so it runs only once the user trusts
    the workspace, as an api_base there gets no key until then (pipeline/trust.py)."""
    from voiceblog.hooks import Then
    from voiceblog.trust import is_trusted

    command, source = resolved.values["then"], resolved.sources["then"]
    where = {"voiceblog.toml": "voiceblog.toml: then =", "flag": "--then", "given": "then ="}
    then = Then.parse(command, where.get(source, "VOICEBLOG_THEN="))
    if then and source == "voiceblog.toml" and not is_trusted(workspace.root):
        log.warning(
            "voiceblog.toml sets then = %s: it does not run until you trust this workspace "
            "(voiceblog config --trust)",
            command,
        )
        return None
    return then


def _say_where_requests_go(llm) -> None:
    """One line on stderr: the LLM, where its requests go, and with which key."""
    from voiceblog.llm import destination, key_sent

    variable = key_sent(llm)
    key = f"with your {variable}" if variable else "with no API key"
    log.info("LLM %s: requests go to %s, %s", llm.model, destination(llm), key)
