"""Blog Markdown to the plain sentences a person would say: what synthetic memos are read from."""

from __future__ import annotations

import re

_RULES = [
    (r"\A---\n.*?\n---\n", ""),  # YAML front matter
    (r"```.*?```", ""),  # fenced code
    (r"^\[\^[^\]]+\]:.*$", ""),  # footnote definitions
    (r"\[\^[^\]]+\]", ""),  # footnote references
    (r"!\[[^\]]*\]\([^)]*\)", ""),  # images
    (r"\[([^\]]+)\]\([^)]*\)", r"\1"),  # links keep their text
    (r"https?://\S+", ""),
    (r"<[^>]+>", ""),  # HTML tags
    (r"^\s*(?:#+|>+|[-*+]|\d+\.)\s*", ""),  # headings, quotes, list markers
    (r"[*_`~]+", ""),  # emphasis and inline code marks
    (r"\s*->\s*", " to "),
    (r"\s*&\s*", " and "),
    (r"(?<=[a-z])(\d+)(?=\s|$)", ""),  # footnote digits glued to words ("post1")
    # Brackets are not heard, but what is inside them is: keep it as ordinary words (Whisper's
    # normalizer would otherwise drop bracketed text from the reference).
    (r"[()\[\]{}<>]", " "),
    (r"\s=\s", " equals "),
]


def speech_text(markdown: str) -> str:
    """One sentence-ish line per paragraph, only what can be read aloud."""
    text = markdown
    for pattern, replacement in _RULES:
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE | re.DOTALL)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    spoken = [line for line in lines if re.search(r"[A-Za-z]{2}", line)]
    spoken = [line.rstrip(":;,") for line in spoken]
    return "\n".join(line if line[-1] in ".!?" else line + "." for line in spoken)
