"""What voiceblog may show and store: no secret, and no character that drives a terminal.

A server's error may echo the API key it was sent, and an --api-base may carry a password
(http://user:secret@host/v1): `redact` takes both out of every message, record and report. A
file name may hold escape sequences (clear the screen, retitle the window) or a newline (a
forged row in the batch table): `printable` shows them escaped, as `ls -b` does.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping

# Variables whose values are credentials: OPENAI_API_KEY, ANTHROPIC_API_KEY, HF_TOKEN,
# AWS_SECRET_ACCESS_KEY, AZURE_AD_TOKEN, ...
SECRET_NAME = re.compile(r"(?:_KEY|_TOKEN|_SECRET|_PASSWORD)$", re.IGNORECASE)
MIN_SECRET_CHARS = 8  # shorter values ("1", "none") would redact ordinary words
URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)

# Characters a terminal would act on rather than show, named as C does.
ESCAPES = {"\a": r"\a", "\b": r"\b", "\t": r"\t", "\n": r"\n", "\v": r"\v", "\f": r"\f"}
ESCAPES |= {"\r": r"\r", "\\": "\\\\"}
# Bidirectional controls reorder what follows them on screen ("memo‮4pm.exe").
BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def secret_values(environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(name, value) of every credential in the environment, longest value first."""
    environ = os.environ if environ is None else environ
    found = [
        (name, value.strip())
        for name, value in environ.items()
        if SECRET_NAME.search(name) and len(value.strip()) >= MIN_SECRET_CHARS
    ]
    return sorted(found, key=lambda item: -len(item[1]))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """text with every credential's value replaced by its variable's name, and the user and
    password of any URL by ***."""
    for name, value in secret_values(environ):
        text = text.replace(value, f"[{name}]")
    return URL_CREDENTIALS.sub(r"\g<scheme>***@", text)


def without_credentials(url: str | None) -> str | None:
    """The URL as it may be shown: http://user:secret@host/v1 → http://***@host/v1."""
    return None if url is None else URL_CREDENTIALS.sub(r"\g<scheme>***@", url)


def printable(text: str) -> str:
    """text as a terminal should show it: control characters, lone surrogates (bytes of a
    name that is not UTF-8) and bidirectional controls escaped, as `ls -b` does."""
    return "".join(_escaped(c) if _acts_on_terminal(c) else c for c in text)


def shown(text: str) -> str:
    """text fit for the screen: redacted, then printable."""
    return printable(redact(text))


def _acts_on_terminal(char: str) -> bool:
    return char == "\\" or char in BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def _escaped(char: str) -> str:
    if char in ESCAPES:
        return ESCAPES[char]
    return "".join(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape"))
