"""Settings from voiceblog.toml, the lowest layer under flags and VOICEBLOG_* variables."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipeline.errors import ConfigError

# The settings a workspace may fix once, by their voiceblog.toml names.
KNOWN_SETTINGS = {
    "llm",
    "api_base",
    "style",
    "jobs",
    "timeout",
    "chunk_tokens",
    "engine",
    "model",
    "vocab",
    "threads",
    "format",
    "drafts",
    "front_matter",
    "timestamps",
    "author",
    "transcript",
}


def load_settings(config_file: Path) -> dict:
    """The settings in voiceblog.toml, or none when the workspace has no such file."""
    try:
        settings = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{config_file}: {e}") from e
    if unknown := sorted(set(settings) - KNOWN_SETTINGS):
        known = ", ".join(sorted(KNOWN_SETTINGS))
        raise ConfigError(f"{config_file}: unknown setting {unknown[0]!r} (known: {known})")
    # voiceblog.toml says api_base; click's parameter names match, format is "fmt" there.
    return {("fmt" if k == "format" else k): v for k, v in settings.items()}
