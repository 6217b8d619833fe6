"""No stage imports a later one: the package reads in the order a memo goes through it.

Every module's imports are read with ast (those inside functions too, which are the ones that
slip by), so the test needs nothing installed and fails naming the module, the line and what
it imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

# The stages in the order a memo goes through them; a module may import its own stage and
# earlier ones. fidelity.py (which words a text kept) is not a stage of its own: clean, section
# and topics all measure with it, so it sits with the shared modules. notes.py places the notes
# to the editor once the draft is sectioned; merge.py keeps the person's edits when a draft is
# written again, review.py writes the review page from the exported draft. The last stages run
# the others: flow.py one memo, batch.py a folder, then the front door (__init__, with
# options.py resolving the settings it and the command line take) and the command line.
STAGES: list[tuple[str, set[str]]] = [
    ("audio", {"audio"}),
    ("transcription", {"transcription"}),  # the subpackage, every module in it
    ("cues", {"cue_forms", "cues"}),
    ("clean", {"clean"}),
    ("section", {"topics", "title", "section", "notes"}),
    ("referee", {"referee"}),
    ("export", {"export", "merge", "review"}),
    ("running the stages", {"flow", "batch", "follow_up", "state", "hooks"}),
    ("front door", {"__init__", "options"}),
    ("command line", {"cli", "__main__"}),
]
# Importable by every stage, importing none: infrastructure, not a step of the memo's way.
SHARED = {
    "errors",
    "languages",
    "settings",
    "llm",
    "local_llm",
    "workspace",
    "memory",
    "model_cache",
    "templates",
    "trust",
    "redact",
    "fidelity",
    "names",
    "numbers",
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, as voiceblog.x.y
    line: int
    target: str  # the imported voiceblog module, as voiceblog.x.y


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(("voiceblog", *parts))


def is_module(name: str) -> bool:
    """voiceblog.x.y names a module or subpackage in pipeline/ (not a function in one)."""
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE / relative).with_suffix(".py").is_file() or (
        PACKAGE / relative / "__init__.py"
    ).is_file()


def imports_of(path: Path) -> list[Import]:
    """Every voiceblog module the file imports, wherever in the file the import is."""
    importer = module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        for target in _targets(node, importer, path.name == "__init__.py"):
            found.append(Import(importer, node.lineno, target))
    return found


def _targets(node: ast.AST, importer: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "voiceblog"]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = _absolute(node, importer, is_package)
    if base.split(".")[0] != "voiceblog":
        return []
    # `from voiceblog.transcription import vad` imports the module vad; `from voiceblog import
    # __version__` imports the package itself.
    return [f"{base}.{a.name}" if is_module(f"{base}.{a.name}") else base for a in node.names]


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    package = parts if is_package else parts[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def place_of(module: str) -> int | None:
    """The stage's index, -1 for the shared modules, None for a module placed nowhere."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in SHARED:
        return -1
    return next((i for i, (_, members) in enumerate(STAGES) if top in members), None)


def stage_name(place: int) -> str:
    return "shared" if place == -1 else STAGES[place][0]


def all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_place_in_the_order():
    unplaced = [module_name(p) for p in all_modules() if place_of(module_name(p)) is None]
    assert not unplaced, f"place these in STAGES or SHARED of {Path(__file__).name}: {unplaced}"


def test_no_stage_imports_a_later_one_and_shared_modules_import_no_stage():
    wrong = []
    for path in all_modules():
        for imp in imports_of(path):
            here, there = place_of(imp.module), place_of(imp.target)
            if here is None or there is None:
                continue  # the test above names it
            later = there > here if here != -1 else there != -1
            if later:
                wrong.append(
                    f"{path.relative_to(PACKAGE.parent)}:{imp.line}: {imp.module} "
                    f"({stage_name(here)}) imports {imp.target} ({stage_name(there)})"
                )
    assert not wrong, "an import against the order of the stages:\n" + "\n".join(wrong)


def test_the_walk_finds_imports_inside_functions_and_relative_ones(tmp_path):
    """The checker itself: an import inside a function and a relative one are both seen, and a
    name imported from a module is not taken for a module."""
    source = (
        "from voiceblog.audio import SAMPLE_RATE\n"
        "def late():\n"
        "    from voiceblog import flow\n"
        "    from ..cues import needs_pauses\n"
        "    from . import vad\n"
    )
    fake = PACKAGE / "transcription" / "vad.py"
    targets = [
        t for node in ast.walk(ast.parse(source)) for t in _targets(node, module_name(fake), False)
    ]
    assert targets == [
        "voiceblog.audio",
        "voiceblog.flow",
        "voiceblog.cues",
        "voiceblog.transcription.vad",
    ]
    assert place_of("voiceblog.flow") > place_of("voiceblog.transcription.vad")
