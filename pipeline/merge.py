"""Three-way merge of a Markdown draft the person edited with the draft voiceblog would write now.

base is what voiceblog wrote last time, mine what the file holds now, theirs what voiceblog
would write now. A draft is merged block by block (front matter by key; then the title line,
headings, paragraphs and comments, as blank lines separate them). What the person touched
stays as they left it; what they did not touch takes the new text; where both changed a block,
the person's version stays and the new one follows it in a marked HTML comment, counted.
Pure functions over text: no files, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import yaml

from voiceblog.export import html_comment

CONFLICT_OPEN = "<!-- voiceblog: new text for the paragraph above"
CONFLICT_NOTE = (
    f"{CONFLICT_OPEN} (yours is kept; take what you want of this, then delete this note):"
)
MIN_SIMILARITY = 0.3  # below this, two blocks in a changed stretch are a deletion and an insertion
MAX_PAIRINGS = 2500  # a changed stretch bigger than this is paired in order, not by similarity
BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
FRONT_KEY = re.compile(r"""^(?!-(?:\s|$)|#)('[^']*'|"[^"]*"|[^\s:#][^:]*?):(?:\s|$)""")


@dataclass(frozen=True)
class Merged:
    text: str
    conflicts: int  # blocks both changed: the person's kept, the new one marked after it


@dataclass(frozen=True)
class Piece:
    text: str
    persons: bool  # the person's own text (never dropped), or voiceblog's new text


def merge_drafts(base: str, mine: str, theirs: str) -> Merged:
    """The draft that keeps every edit in mine and takes theirs where mine left base as it was."""
    (base_front, base_body), (mine_front, mine_body), (their_front, their_body) = (
        split_front_matter(text) for text in (base, mine, theirs)
    )
    front = merge_front_matter(base_front, mine_front, their_front)
    body = merge_blocks(blocks(base_body), blocks(mine_body), blocks(their_body))
    text = join_draft(front, body)
    return Merged(text, count_conflicts(text))


def count_conflicts(markdown: str) -> int:
    """The marked new texts still in a draft (the person deletes one once they have chosen)."""
    return sum(line.startswith(CONFLICT_OPEN) for line in markdown.splitlines())


def merged_words(conflicts: int) -> str:
    """How a merge went, in the words the summary line and `status` use."""
    counted = "no conflicts" if not conflicts else f"{conflicts} conflict" + "s" * (conflicts > 1)
    return f"merged, {counted}"


# --- front matter: merged by top-level key, each key's lines kept as they were written ---------


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(the YAML between the opening and closing "---" lines, or None; the rest)."""
    if not text.startswith("---\n"):
        return None, text
    closing = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if closing is None:
        return None, text  # no closing line: not front matter, a rule at the top
    return text[4 : 4 + closing.start()].rstrip("\n"), text[4 + closing.end() :]


def front_matter(text: str) -> dict:
    """The values of a Markdown draft's front matter ({} when it has none, or none that reads)."""
    return _front_values(split_front_matter(text)[0])


def join_draft(front: str | None, body: list[str]) -> str:
    head = f"---\n{front}\n---\n\n" if front is not None else ""
    return head + "\n\n".join(body) + "\n"


def front_entries(front: str) -> list[tuple[str | None, str]]:
    """(key, its lines) for each top-level key; the lines under a key (a list, a comment) are
    its own. Lines before the first key have no key."""
    entries: list[tuple[str | None, list[str]]] = []
    for line in front.split("\n") if front else []:
        key = FRONT_KEY.match(line)
        if key or not entries:
            entries.append((key.group(1).strip("'\"") if key else None, [line]))
        else:
            entries[-1][1].append(line)
    return [(key, "\n".join(lines)) for key, lines in entries]


def merge_front_matter(base: str | None, mine: str | None, theirs: str | None) -> str | None:
    """Keys the person added or changed keep the person's lines; keys the person left as they
    were take voiceblog's new value (or go, where voiceblog no longer writes them); keys
    voiceblog adds are added; keys the person deleted stay deleted."""
    if mine is None:  # the person removed it, or there was none and voiceblog writes one now
        return theirs if base is None else None
    base_keys, their_keys = dict(front_entries(base or "")), dict(front_entries(theirs or ""))
    mine_entries = front_entries(mine)
    merged = []
    for key, lines in mine_entries:
        if key is None or key not in base_keys or _value(lines) != _value(base_keys[key]):
            merged.append(lines)
        elif key in their_keys:
            merged.append(their_keys[key])
    mine_keys = {key for key, _ in mine_entries}
    for key, lines in front_entries(theirs or ""):
        if key is not None and key not in base_keys and key not in mine_keys:
            merged.append(lines)
    return "\n".join(merged)


def _value(lines: str):
    """What a key's lines say, so that re-quoting a value is no change."""
    try:
        return yaml.safe_load(lines)
    except yaml.YAMLError:
        return normalized(lines)


# --- the body: blocks aligned base↔mine and base↔theirs, then merged in the person's order ----


def blocks(body: str) -> list[str]:
    """The blocks of a Markdown body, as blank lines separate them."""
    return [block.strip("\n") for block in BLANK_LINES.split(body) if block.strip()]


def normalized(block: str) -> str:
    """A block's text for comparing: re-wrapping or re-spacing it changes nothing."""
    return " ".join(block.split())


def kind(block: str) -> str:
    """heading levels and comments apart from prose: a heading is only paired with a heading."""
    if heading := re.match(r"#{1,6}(?=\s)", block):
        return heading.group(0)
    return "comment" if block.startswith("<!--") else "text"


def merge_blocks(base: list[str], mine: list[str], theirs: list[str]) -> list[str]:
    mine_from = _inverted(align(base, mine))  # mine index → the base block it is
    base_to_theirs = align(base, theirs)
    additions = _additions_by_anchor(base_to_theirs, set(mine_from.values()), len(theirs))
    pieces = [Piece(theirs[k], False) for k in additions.get(None, [])]
    for j, block in enumerate(mine):
        i = mine_from.get(j)
        if i is None:  # the person added it (or moved and edited it)
            pieces.append(Piece(block, True))
            continue
        their_block = theirs[base_to_theirs[i]] if i in base_to_theirs else None
        pieces += merged_block(base[i], block, their_block)
        pieces += [Piece(theirs[k], False) for k in additions.get(i, [])]
    return [piece.text for piece in _without_repeats(pieces)]


def merged_block(base: str, mine: str, theirs: str | None) -> list[Piece]:
    """One base block as the person left it (mine) and as voiceblog would write it now
    (theirs; None: voiceblog no longer writes it)."""
    person_changed = normalized(mine) != normalized(base)
    if theirs is not None and normalized(theirs) == normalized(mine):
        return [Piece(mine, True)]  # the same text either way: the file's, as it is
    if not person_changed:
        return [Piece(theirs, False)] if theirs is not None else []
    if theirs is None or normalized(theirs) == normalized(base):
        return [Piece(mine, True)]
    return [Piece(mine, True), Piece(conflict_note(theirs), False)]


def conflict_note(new_block: str) -> str:
    """The new text for the block above, in a comment a Markdown renderer does not show."""
    return f"{CONFLICT_NOTE}\n{html_comment(new_block)}\n-->"


def align(base: list[str], other: list[str]) -> dict[int, int]:
    """base index → other index, for each base block other still has (as it was, moved, or
    changed in place); a base block with no entry was deleted, an other block with none added.

    Blocks of equal text are the same block wherever they are, so a moved block is kept, not
    taken as one deleted and another added."""
    a, b = [normalized(x) for x in base], [normalized(x) for x in other]
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    pairs = {}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            pairs.update(zip(range(i1, i2), range(j1, j2), strict=True))
    _pair_moved(a, b, pairs)
    taken = set(pairs.values())
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "replace":
            left = [i for i in range(i1, i2) if i not in pairs]
            right = [j for j in range(j1, j2) if j not in taken]
            pairs.update(_pair_changed(base, other, left, right))
    return pairs


def _pair_moved(a: list[str], b: list[str], pairs: dict[int, int]) -> None:
    waiting: dict[str, list[int]] = {}
    taken = set(pairs.values())
    for j, text in enumerate(b):
        if j not in taken:
            waiting.setdefault(text, []).append(j)
    for i, text in enumerate(a):
        if i not in pairs and waiting.get(text):
            pairs[i] = waiting[text].pop(0)


def _pair_changed(base, other, left: list[int], right: list[int]) -> dict[int, int]:
    """The blocks of a changed stretch that are one block changed: in order, one for one when
    both sides have as many, else the order-keeping pairing of the most similar."""
    if len(left) == len(right) or len(left) * len(right) > MAX_PAIRINGS:
        pairs = zip(left, right, strict=False)
        return {i: j for i, j in pairs if kind(base[i]) == kind(other[j])}
    similar = [[_similarity(base[i], other[j]) for j in right] for i in left]
    return _best_order_keeping(left, right, similar)


def _similarity(x: str, y: str) -> float:
    if kind(x) != kind(y):
        return 0.0
    return SequenceMatcher(None, x.split(), y.split(), autojunk=False).ratio()


def _best_order_keeping(left, right, similar) -> dict[int, int]:
    """Pairs (left[x], right[y]) in order, of similarity at least MIN_SIMILARITY, with the
    greatest total similarity (a small dynamic programme: stretches are short)."""
    n, m = len(left), len(right)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        for y in range(m - 1, -1, -1):
            pair = best[x + 1][y + 1] + similar[x][y] if similar[x][y] >= MIN_SIMILARITY else -1
            best[x][y] = max(best[x + 1][y], best[x][y + 1], pair)
    pairs, x, y = {}, 0, 0
    while x < n and y < m:
        if similar[x][y] >= MIN_SIMILARITY and best[x][y] == best[x + 1][y + 1] + similar[x][y]:
            pairs[left[x]] = right[y]
            x, y = x + 1, y + 1
        elif best[x][y] == best[x + 1][y]:
            x += 1
        else:
            y += 1
    return pairs


def _inverted(pairs: dict[int, int]) -> dict[int, int]:
    return {j: i for i, j in pairs.items()}


def _additions_by_anchor(base_to_theirs, in_mine: set[int], count: int) -> dict:
    """voiceblog's new blocks, each under the base block before it in theirs that the person
    kept (None: before everything), so each lands where it would have been."""
    theirs_from = _inverted(base_to_theirs)
    additions: dict[int | None, list[int]] = {}
    anchor = None
    for k in range(count):
        i = theirs_from.get(k)
        if i is None:
            additions.setdefault(anchor, []).append(k)
        elif i in in_mine:
            anchor = i
    return additions


def _without_repeats(pieces: list[Piece]) -> list[Piece]:
    """voiceblog's new text only once, and never where the person already has it."""
    seen = {normalized(piece.text) for piece in pieces if piece.persons}
    kept = []
    for piece in pieces:
        text = normalized(piece.text)
        if not piece.persons and text in seen:
            continue
        seen.add(text)
        kept.append(piece)
    return kept


# --- a merged draft back into a Draft, for its Word file ---------------------------------------

MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # what markdown_text escaped
FLAGGED = "<!-- voiceblog flagged this paragraph: "


def draft_of(markdown: str):
    """The Draft a merged Markdown draft holds: its title, sections and paragraphs (comments
    left out, but a marked new text or a flag goes to its paragraph as a flag, which the Word
    file shows as a comment), so the .docx says what the .md says."""
    from voiceblog.clean import Paragraph
    from voiceblog.section import Draft, Section

    front, body = split_front_matter(markdown)
    meta = _front_values(front)
    title, sections = "", [Section(None, [])]  # the visible "# " title line first
    for block in _prose_blocks(blocks(body)):
        heading = re.match(r"(#{1,6})\s+(.*)", block, re.DOTALL)
        if heading and len(heading.group(1)) == 1 and not title:
            title = _plain(heading.group(2))
        elif heading and len(heading.group(1)) > 1:
            level = min(len(heading.group(1)) - 1, 2)
            sections.append(Section(_plain(heading.group(2)), [], level=level))
        elif block.startswith("<!--"):
            _flag_last(sections, _note_of(block))
        elif not heading:
            sections[-1].paragraphs.append(Paragraph(_plain(block), 0.0, 0.0))
    summary = meta.get("summary") or meta.get("description") or meta.get("excerpt") or ""
    tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
    kept = [s for s in sections if s.heading or s.paragraphs]
    title = title or str(meta.get("title") or (meta.get("aliases") or [""])[0]) or "Draft"
    return Draft(title, kept, str(summary), [str(t) for t in tags])


def _front_values(front: str | None) -> dict:
    try:
        values = yaml.safe_load(front) if front else {}
    except yaml.YAMLError:
        return {}
    return values if isinstance(values, dict) else {}


def _prose_blocks(body: list[str]):
    """The blocks but the folded-away transcript (the Word file gets its own from the memo)."""
    folded = False
    for block in body:
        folded = folded or block.startswith("<details>")
        if not folded:
            yield block
        folded = folded and not block.rstrip().endswith("</details>")


def _note_of(comment: str) -> str | None:
    if comment.startswith(CONFLICT_OPEN):
        new_text = comment.split("\n", 1)[-1].removesuffix("-->").strip()
        return f"a re-draft has new text for this paragraph: {new_text}"
    if comment.startswith(FLAGGED):
        return comment.removeprefix(FLAGGED).removesuffix("-->").strip()
    return None  # a timestamp, or the person's own comment


def _flag_last(sections, note: str | None) -> None:
    paragraphs = sections[-1].paragraphs
    if note and paragraphs:
        last = paragraphs[-1]
        flag = f"{last.flag}; {note}" if last.flag else note
        paragraphs[-1] = type(last)(last.text, last.start, last.end, flag)


def _plain(block: str) -> str:
    return MARKDOWN_ESCAPE.sub(r"\1", " ".join(block.split()))
