"""Prompt templates: the user's prompts/ folder first, the defaults shipped in the wheel second.

A template is Markdown with an HTML comment at the top documenting its variables, then a
"[system]" part and a "[user]" part. Variables are written ${name}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from voiceblog.errors import PromptError

DOC_COMMENT = re.compile(r"^\s*<!--.*?-->\s*", re.DOTALL)
# Variables a prompt must use: without them the model never sees what it is meant to edit.
REQUIRED = {"cleanup": {"transcript"}, "section": {"paragraphs"}, "referee": {"sentences"}}
PART = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Prompt:
    name: str
    source: str  # where it was read from, for error messages
    system: Template
    user: Template

    def render(self, **values: str) -> list[dict]:
        """Chat messages with the values filled in; every variable must be known and given."""
        used = set(self.system.get_identifiers()) | set(self.user.get_identifiers())
        if unknown := sorted(used - values.keys()):
            raise PromptError(
                f"prompt {self.source} uses unknown variable ${{{unknown[0]}}}; "
                f"known: {', '.join('${' + k + '}' for k in sorted(values))}"
            )
        return [
            {"role": "system", "content": self.system.substitute(values).strip()},
            {"role": "user", "content": self.user.substitute(values).strip()},
        ]


def load_prompt(name: str, workspace_prompts: Path) -> Prompt:
    """The prompt called name (cleanup, section), from the workspace if it has its own."""
    own = workspace_prompts / f"{name}.md"
    if own.is_file():
        return parse_prompt(name, own.read_text(encoding="utf-8"), str(own))
    shipped = resources.files("voiceblog.prompts").joinpath(f"{name}.md")
    if not shipped.is_file():
        raise PromptError(f"no prompt named {name!r}")
    return parse_prompt(name, shipped.read_text(encoding="utf-8"), f"{name}.md (built in)")


def parse_prompt(name: str, text: str, source: str) -> Prompt:
    body = DOC_COMMENT.sub("", text, count=1)
    parts = PART.split(body)
    # split gives ["", "system", text, "user", text] when both parts are there
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise PromptError(f"prompt {source} needs a [system] part and a [user] part")
    system, user = Template(sections["system"]), Template(sections["user"])
    for template in (system, user):
        if not template.is_valid():
            raise PromptError(f"prompt {source} has a malformed $ placeholder (write $$ for $)")
    used = set(system.get_identifiers()) | set(user.get_identifiers())
    if missing := sorted(REQUIRED.get(name, set()) - used):
        raise PromptError(f"prompt {source} must use ${{{missing[0]}}}")
    return Prompt(name, source, system, user)


def load_style(name: str, workspace_prompts: Path) -> str:
    """The instructions of a cleanup style, from prompts/style-<name>.md."""
    own = workspace_prompts / f"style-{name}.md"
    if own.is_file():
        return own.read_text(encoding="utf-8").strip()
    shipped = resources.files("voiceblog.prompts").joinpath(f"style-{name}.md")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8").strip()
    return _unknown_style(name, workspace_prompts)


def _unknown_style(name: str, workspace_prompts: Path):
    names = {p.name for p in resources.files("voiceblog.prompts").iterdir()}
    names |= {p.name for p in workspace_prompts.glob("style-*.md")}
    styles = sorted(n[len("style-") : -len(".md")] for n in names if n.startswith("style-"))
    raise PromptError(f"no style {name!r} (available: {', '.join(styles)})")
