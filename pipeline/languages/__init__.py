"""What voiceblog knows of each language, as data: one TOML file per language in this folder.

A file holds the spoken cues (cues), where sentences end (sentences), the vocal fillers the
rules remove (cleanup), how an offline title is found (title) and the words the faithfulness
check ignores (fidelity). A language without a file gets none of them: no cue is recognised,
no filler removed, no word ignored, rather than English rules run on its text.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

DEFAULT = "en"


class Language:
    """One language's rules, read from <code>.toml; every getter has an empty default."""

    def __init__(self, code: str, data: dict):
        self.code = code
        self.data = data
        self._built: dict[tuple, tuple | frozenset] = {}  # lists built once: read per word

    @property
    def known(self) -> bool:
        return bool(self.data)

    @property
    def name(self) -> str:
        return self.data.get("name", self.code)

    def text(self, section: str, key: str, default: str = "") -> str:
        return self.data.get(section, {}).get(key, default)

    def words(self, section: str, key: str) -> frozenset[str]:
        return self._build(frozenset, section, key)

    def items(self, section: str, key: str) -> tuple:
        return self._build(tuple, section, key)

    def table(self, section: str, key: str) -> dict:
        """A key's inline table ({word = value, …}); read-only by convention."""
        return self.data.get(section, {}).get(key, {})

    def _build(self, kind, section: str, key: str):
        if (kind, section, key) not in self._built:
            self._built[kind, section, key] = kind(self.data.get(section, {}).get(key, ()))
        return self._built[kind, section, key]

    def __repr__(self) -> str:
        return f"Language({self.code!r})"


@cache
def language(code: str | None) -> Language:
    """The rules for a Whisper language code ("en", "de", …); empty ones for a language with
    no file here. None is the default, English."""
    code = (code or DEFAULT).lower()
    try:
        text = resources.files(__package__).joinpath(f"{code}.toml").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return Language(code, {})
    return Language(code, tomllib.loads(text))


def available() -> list[str]:
    """The codes of the languages that have a file."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in resources.files(__package__).iterdir()
        if entry.name.endswith(".toml")
    )


ENGLISH = language(DEFAULT)
