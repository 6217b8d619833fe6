"""The three-way merge of an edited draft (pipeline/merge.py), on text: examples, then a property
test of random edits against random new drafts."""

import random

import pytest

from voiceblog.merge import (
    CONFLICT_OPEN,
    blocks,
    count_conflicts,
    merge_drafts,
    split_front_matter,
)

BASE = """---
title: Bread at Home
tags:
- bread
llm: null
---

# Bread at Home

## Water

The dough needs more water than the recipe says.

Flour is cheap.

## The oven

The oven is the expensive part.
"""


def edited(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_untouched_paragraphs_take_the_new_text_and_edited_ones_stay():
    mine = edited(BASE, ("Flour is cheap.", "Flour is cheap, and I buy it by the sack."))
    theirs = edited(BASE, ("The oven is the expensive part.", "The oven costs the most."))
    merged = merge_drafts(BASE, mine, theirs)
    assert "Flour is cheap, and I buy it by the sack." in merged.text
    assert "The oven costs the most." in merged.text
    assert "The oven is the expensive part." not in merged.text
    assert merged.conflicts == 0


def test_a_paragraph_both_changed_keeps_the_persons_with_the_new_one_marked_after_it():
    mine = edited(BASE, ("Flour is cheap.", "Flour is cheap here."))
    theirs = edited(BASE, ("Flour is cheap.", "Flour costs little."))
    merged = merge_drafts(BASE, mine, theirs)
    assert merged.conflicts == 1 == count_conflicts(merged.text)
    assert "Flour is cheap here.\n\n<!-- voiceblog: new text for the paragraph above" in merged.text
    note = blocks(merged.text)[blocks(merged.text).index("Flour is cheap here.") + 1]
    assert note.startswith(CONFLICT_OPEN) and note.endswith("\nFlour costs little.\n-->")


def test_new_text_cannot_end_the_comment_it_is_marked_in():
    mine = edited(BASE, ("Flour is cheap.", "Flour is cheap here."))
    theirs = edited(BASE, ("Flour is cheap.", "Flour ---> cheap --> <!-- here -->"))
    note = blocks(merge_drafts(BASE, mine, theirs).text)[-3]
    carried = note.removeprefix(CONFLICT_OPEN).split("\n", 1)[1].removesuffix("\n-->")
    assert note.startswith(CONFLICT_OPEN) and note.endswith("\n-->")
    assert "--" not in carried and carried.startswith("Flour - - -> cheap")


def test_the_same_change_on_both_sides_is_no_conflict():
    both = edited(BASE, ("Flour is cheap.", "Flour costs little."))
    merged = merge_drafts(BASE, both, both)
    assert merged.text == both and merged.conflicts == 0


def test_deleted_added_and_moved_paragraphs_stay_as_the_person_left_them():
    mine = edited(
        BASE,
        ("Flour is cheap.\n\n", ""),  # deleted
        ("## The oven\n\n", "## The oven\n\nMy own paragraph.\n\n"),  # added
    )
    mine = (
        edited(  # moved to the end
            mine, ("The dough needs more water than the recipe says.\n\n", "")
        )
        + "\nThe dough needs more water than the recipe says.\n"
    )
    theirs = edited(
        BASE,
        ("Flour is cheap.", "Flour costs little."),
        ("The oven is the expensive part.", "The oven costs the most."),
    )
    merged = merge_drafts(BASE, mine, theirs).text
    body = blocks(split_front_matter(merged)[1])
    assert body == [
        "# Bread at Home",
        "## Water",
        "## The oven",
        "My own paragraph.",
        "The oven costs the most.",
        "The dough needs more water than the recipe says.",
    ]


def test_headings_and_title_merge_like_paragraphs():
    mine = edited(BASE, ("## Water", "## Hydration"))
    theirs = edited(BASE, ("# Bread at Home", "# Baking Bread"), ("## Water", "## Wetter dough"))
    merged = merge_drafts(BASE, mine, theirs)
    assert "# Baking Bread\n" in merged.text
    assert "## Hydration\n\n<!-- voiceblog: new text" in merged.text
    assert "\n## Wetter dough\n-->" in merged.text and merged.conflicts == 1


def test_front_matter_keeps_the_persons_keys_and_values_and_takes_voiceblogs_new_ones():
    mine = edited(
        BASE, ("title: Bread at Home", "title: My Bread"), ("llm: null", "llm: null\nslug: bread")
    )
    theirs = edited(
        BASE, ("title: Bread at Home", "title: Baking"), ("llm: null", "llm: openai/x\nsummary: S")
    )
    front, _ = split_front_matter(merge_drafts(BASE, mine, theirs).text)
    assert front == "title: My Bread\ntags:\n- bread\nllm: openai/x\nslug: bread\nsummary: S"


def test_a_key_voiceblog_no_longer_writes_goes_unless_the_person_changed_it():
    mine = edited(BASE, ("- bread", "- bread\n- home"))
    theirs = edited(BASE, ("tags:\n- bread\n", ""), ("llm: null\n", ""))
    front, _ = split_front_matter(merge_drafts(BASE, mine, theirs).text)
    assert front == "title: Bread at Home\ntags:\n- bread\n- home"


def test_an_unresolved_note_is_not_written_twice():
    mine = edited(BASE, ("Flour is cheap.", "Flour is cheap here."))
    theirs = edited(BASE, ("Flour is cheap.", "Flour costs little."))
    once = merge_drafts(BASE, mine, theirs).text
    twice = merge_drafts(theirs, once, theirs)  # base is now what voiceblog wrote last time
    assert twice.text == once and twice.conflicts == 1


# --- the property test --------------------------------------------------------------------

WORDS = "dough water flour oven bread crust salt yeast loaf rise bake knead proof crumb".split()


class Drafts:
    """Random drafts, and random edits of them, of unique paragraphs (a counter in each)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.serial = 0

    def words(self, prefix: str) -> str:
        self.serial += 1
        said = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 12)))
        return f"{prefix}{self.serial} {said}."

    def base(self) -> str:
        front = {"title": "Bread", "date": "2026-03-14", "tags": ["- bread"], "llm": "null"}
        body = ["# Bread"]
        for _ in range(self.rng.randint(1, 4)):
            body.append(f"## {self.words('heading')}")
            body += [self.words("para") for _ in range(self.rng.randint(0, 5))]
        return render(front, body)

    def revised(self, text: str, prefix: str, person: bool) -> str:
        """text with random changes, insertions, deletions and moves of its blocks and keys."""
        front_text, body = split_front_matter(text)
        body = blocks(body)
        if not person and self.rng.random() < 0.4:  # another --style: every paragraph anew
            body = [b if b.startswith("#") else f"{b[:-1]} {self.words(prefix)}" for b in body]
        for _ in range(self.rng.randint(0, 6)):
            self.change(body, prefix, person)
        return render(self.revised_front(parse_front(front_text), prefix), body)

    def change(self, body: list[str], prefix: str, person: bool) -> None:
        how = self.rng.choice(["change", "insert", "delete", "move", "heading"])
        at = self.rng.randrange(len(body))
        if how == "change" and not body[at].startswith("#"):
            body[at] = f"{body[at][:-1]} {self.words(prefix)}"
        elif how == "heading" and body[at].startswith("## "):
            body[at] = f"## {self.words(prefix)}"
        elif how == "heading" and body[at].startswith("# "):
            body[at] = f"# {self.words(prefix)}"
        elif how == "insert":
            body.insert(at + 1, self.words(prefix))
        elif how == "delete" and at > 0:
            del body[at]
        elif how == "move" and person and at > 0:
            body.insert(self.rng.randrange(1, len(body)), body.pop(at))

    def revised_front(self, front: dict, prefix: str) -> dict:
        choice = self.rng.random()
        if choice < 0.3:
            front[self.rng.choice(list(front))] = self.words(prefix)
        elif choice < 0.6:
            front[f"{prefix}key{self.rng.randint(0, 3)}"] = self.words(prefix)
        elif choice < 0.7 and "tags" in front:
            front["tags"] = [*front["tags"], f"- {prefix}tag"]
        elif choice < 0.8 and len(front) > 1:
            del front[self.rng.choice(list(front))]
        return front


def render(front: dict, body: list[str]) -> str:
    lines = [
        f"{key}:\n" + "\n".join(v) if isinstance(v, list) else f"{key}: {v}"
        for key, v in front.items()
    ]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + "\n\n".join(body) + "\n"


def parse_front(front: str) -> dict:
    from voiceblog.merge import front_entries

    parsed = {}
    for key, lines in front_entries(front):
        first, *rest = lines.split("\n")
        parsed[key] = rest if rest or first.endswith(":") else first.split(": ", 1)[1]
    return parsed


def persons_lines(base: str, mine: str) -> set[str]:
    return {line for line in mine.splitlines() if line.strip()} - set(base.splitlines())


def plain_and_noted(merged: str) -> list[str]:
    """Every block of the merged body, a marked new text counted as the block it carries."""
    found = []
    for block in blocks(split_front_matter(merged)[1]):
        if block.startswith(CONFLICT_OPEN):
            block = block.split("\n", 1)[1].removesuffix("\n-->")
        found.append(" ".join(block.split()))
    return found


@pytest.mark.parametrize("seed", range(300))
def test_random_edits_and_new_drafts_keep_every_line_and_repeat_nothing(seed):
    drafts = Drafts(seed)
    base = drafts.base()
    mine = drafts.revised(base, "mine", person=True)
    theirs = drafts.revised(base, "new", person=False)
    merged = merge_drafts(base, mine, theirs)

    merged_lines = set(merged.text.splitlines())
    assert persons_lines(base, mine) <= merged_lines  # every line the person wrote
    found = plain_and_noted(merged.text)
    assert len(found) == len(set(found))  # nothing voiceblog wrote, or anyone, twice
    assert merged.conflicts == count_conflicts(merged.text)
    assert merge_drafts(base, base, theirs).text == theirs  # no edits: the new draft exactly
    assert merge_drafts(base, mine, base).text == mine  # nothing new: the file as it is
