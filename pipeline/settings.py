"""Every setting of voiceblog, written once: its flag, voiceblog.toml key, VOICEBLOG_* variable,
type, default and help all come from the table below.

Layers, highest first: the flag, the VOICEBLOG_<NAME> variable, voiceblog.toml, the default.
Values from the environment and voiceblog.toml are checked here, so a bad one is reported in
one line naming the variable or the file, never blamed on a flag the user did not pass.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from voiceblog.errors import ConfigError

JOBS = 8  # LLM requests in flight at once, unless the model is served on this machine


@dataclass(frozen=True)
class Setting:
    name: str  # voiceblog.toml key; the flag is --name with "-" for "_"; VOICEBLOG_NAME
    kind: str  # "text", "path", "int", "float", "choice" or "flag"
    help: str
    default: object = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    param: str = ""  # the Python name click passes it as, when not name
    saved: bool = True  # may be fixed in voiceblog.toml and VOICEBLOG_*; False: one run only
    # Whether a draft depends on it: the draft fingerprint (flow.DraftOptions) leaves out
    # exactly the settings marked False, which tests/test_settings.py checks.
    changes_output: bool = True

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def variable(self) -> str:
        return "VOICEBLOG_" + self.name.upper()

    @property
    def python_name(self) -> str:
        return self.param or self.name


TRANSCRIPTION = (
    Setting(
        "engine",
        "choice",
        "Whisper implementation; api: a provider through litellm (--model whisper-1, "
        "groq/whisper-large-v3, or openai/<model> with --transcription-api-base), its key "
        "from the environment.",
        "faster-whisper",
        choices=("faster-whisper", "openai-whisper", "api"),
    ),
    Setting(
        "model",
        "text",
        "Whisper model name (tiny.en: English; base: any language, with "
        "voiceblog[multilingual]), or a folder of CTranslate2 weights.",
        "tiny.en",
    ),
    Setting(
        "language",
        "text",
        "The memos' language (en, de, fr, es, …), or auto to detect it per memo "
        "(multilingual models).",
        "auto",
    ),
    Setting(
        "vocab",
        "text",
        'Names and jargon to listen for, e.g. "QLoRA, Dettmers, Kimi". '
        "Default: the workspace's vocabulary.txt.",
    ),
    Setting(
        "threads",
        "int",
        "CPU cores for transcription, one Whisper worker each (0: all cores).",
        0,
        minimum=0,
        changes_output=False,
    ),
    Setting(
        "device",
        "choice",
        "Where Whisper runs: auto uses a CUDA GPU when there is one (float16), else the CPU "
        "(int8); cuda fails at once without a GPU.",
        "auto",
        choices=("auto", "cpu", "cuda"),
        changes_output=False,  # how a transcript is made, not what it says: nor in its cache key
    ),
    Setting(
        "transcription_api_base",
        "text",
        "With --engine api: base URL of an OpenAI-compatible transcription server of your own "
        "(openai/<model>), e.g. http://127.0.0.1:8000/v1. Given each run: your key may go there.",
        saved=False,
    ),
)

LLM = (
    Setting(
        "llm",
        "text",
        "litellm model for cleanup and sectioning, e.g. gpt-4o-mini, ollama/llama3.1. "
        "Without it, drafts are made offline by rules.",
    ),
    Setting(
        "api_base",
        "text",
        "Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio).",
        changes_output=False,
    ),
    Setting(
        "style",
        "text",
        "Cleanup style with --llm: light keeps the spoken voice, polished tightens sentences "
        "(prompts/style-<name>.md).",
        "light",
    ),
    Setting(
        "jobs",
        "int",
        f"LLM requests in flight at once (default: {JOBS}; 1 for a model served on this "
        "machine, which answers one at a time).",
        minimum=1,
        changes_output=False,
    ),
    Setting(
        "timeout",
        "float",
        "Seconds one LLM request may take (default: 60; 600 for a model served on this "
        "machine, which takes minutes on a CPU).",
        minimum=1,
        changes_output=False,
    ),
    Setting(
        "chunk_tokens",
        "int",
        "Transcript tokens per LLM request (default: from the model's context size).",
        minimum=50,
    ),
    Setting(
        "require_llm",
        "flag",
        "Fail a memo the LLM cannot clean (not answering, refusing) instead of drafting it "
        "by the rules.",
        False,
        changes_output=False,
    ),
    Setting(
        "no_cache",
        "flag",
        "Ask the LLM again even for unchanged input.",
        False,
        saved=False,
        changes_output=False,
    ),
)

OUTPUT = (
    Setting("format", "choice", "Which files to write.", "all", ("md", "docx", "all")),
    Setting("drafts", "path", "Folder to write drafts to.", "drafts"),
    Setting(
        "front_matter",
        "choice",
        "Markdown front matter for your site or notes app.",
        "voiceblog",
        ("voiceblog", "hugo", "jekyll", "obsidian", "none"),
    ),
    Setting(
        "timestamps",
        "flag",
        "Follow each Markdown paragraph with its audio span (an invisible HTML comment).",
        False,
    ),
    Setting(
        "transcript",
        "flag",
        "Append the timed transcript (Markdown: a folded block; Word: an appendix).",
        False,
    ),
    Setting(
        "review",
        "flag",
        "Also write <draft>.review.html: each paragraph beside what was said, playable.",
        False,
    ),
    Setting(
        "author", "text", "Your name, for the Word document's author and the front matter.", ""
    ),
    Setting(
        "then",
        "text",
        "A command to run after each memo is drafted, with VOICEBLOG_MD, VOICEBLOG_DOCX, "
        "VOICEBLOG_TITLE, … in its environment. Run directly, not by a shell: "
        "--then 'sh -c 'cp \"$VOICEBLOG_MD\" site/'' for one.",
        changes_output=False,
    ),
    Setting(
        "force",
        "flag",
        "Replace earlier drafts of these memos even where you edited them.",
        False,
        saved=False,
        changes_output=False,
    ),
)

DRAFTING = LLM + TRANSCRIPTION + OUTPUT
# The names a setting's value is stored under where it had another name before: records in
# .voiceblog/state.json and transcript cache keys made then keep matching.
STORED_AS = {"format": "fmt", "vocab": "vocabulary"}
BY_NAME = {s.name: s for s in DRAFTING}
SAVED = sorted(s.name for s in DRAFTING if s.saved)


@dataclass(frozen=True)
class Loaded:
    values: dict  # python name → value, from voiceblog.toml and the environment
    sources: dict  # python name → "voiceblog.toml" or "environment VOICEBLOG_…"


def load(config_file: Path, environ: Mapping[str, str]) -> Loaded:
    """The settings voiceblog.toml and VOICEBLOG_* variables give, checked; the environment
    over the file."""
    values, sources = {}, {}
    for name, raw in _read_toml(config_file).items():
        setting = BY_NAME[name]
        values[setting.python_name] = checked(setting, raw, f"{config_file}: {name} = {raw!r}")
        sources[setting.python_name] = "voiceblog.toml"
    for setting in DRAFTING:
        if setting.saved and (raw := environ.get(setting.variable)) not in (None, ""):
            where = f"{setting.variable}={raw}"
            values[setting.python_name] = checked(setting, _from_text(setting, raw, where), where)
            sources[setting.python_name] = f"environment {setting.variable}"
    return Loaded(values, sources)


def _read_toml(config_file: Path) -> dict:
    try:
        settings = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{config_file}: {e}") from e
    if unknown := sorted(set(settings) - set(SAVED)):
        raise ConfigError(
            f"{config_file}: unknown setting {unknown[0]!r} (known: {', '.join(SAVED)})"
        )
    return settings


def _from_text(setting: Setting, raw: str, where: str):
    """An environment variable's text as the setting's type."""
    if setting.kind == "flag":
        words = {"1": True, "true": True, "yes": True, "on": True}
        words |= {"0": False, "false": False, "no": False, "off": False}
        if raw.strip().lower() not in words:
            raise ConfigError(f"{where}: must be true or false (1/0, yes/no)")
        return words[raw.strip().lower()]
    if setting.kind in ("int", "float"):
        try:
            return int(raw) if setting.kind == "int" else float(raw)
        except ValueError:
            raise ConfigError(f"{where}: {_expected(setting)}") from None
    return raw


def checked(setting: Setting, value, where: str):
    """value if it is right for setting, else ConfigError naming where it came from."""
    ok = {
        "text": isinstance(value, str),
        "path": isinstance(value, str) and value != "",
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "choice": value in setting.choices,
        "flag": isinstance(value, bool),
    }[setting.kind]
    if ok and setting.minimum is not None:
        ok = value >= setting.minimum
    if not ok:
        raise ConfigError(f"{where}: {_expected(setting)}")
    return float(value) if setting.kind == "float" else value


def _expected(setting: Setting) -> str:
    at_least = f" of at least {setting.minimum:g}" if setting.minimum is not None else ""
    return {
        "text": "must be text (in quotes in voiceblog.toml)",
        "path": 'must be a folder path, in quotes (e.g. "drafts")',
        "int": f"must be a whole number{at_least}",
        "float": f"must be a number{at_least}",
        "choice": f"must be one of {', '.join(setting.choices)}",
        "flag": "must be true or false",
    }[setting.kind]
