"""How a spoken cue is made: a language file's parts and forms, compiled into head patterns.

A part is a list of words or phrases ([cues.parts]: structure words such as "section" or
"chapter", positions such as "next" or "final", links such as "is called", requests such as
"let's"); a form is a sequence of parts ([[cues.form]], "article? position structure link?").
Every combination of a form's parts is a head, so a word added to a part works in every form
that uses the part. cues.py matches the heads against what Whisper wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

# Forms name parts; these three tokens are built from parts rather than listed.
# "structure…" in a form: one head per kind. A "heading" is a section's or a subsection's,
# as the memo goes (cues.py decides: a subsection once a section cue was said).
STRUCTURE_KINDS = ("section", "subsection", "heading")
LINKS = ("link", "named_link")
# A note to the editor takes the rest of its sentence, whatever it holds: no name to find.
NO_NAME_KINDS = ("paragraph", "scratch", "retype_section", "retype_subsection", "note", "turn")
NAME = "name"  # the name said before the structure word: "On to the pricing section."
NAME_WORDS = 4  # ... at most this many words
ASIDES = 2  # asides in a row before a name: "New section, um, let me think, the road ahead."


@dataclass(frozen=True)
class Head:
    """A phrase that announces a cue, compiled from one form of a language file."""

    kind: str  # "title", "section", "subsection", "name", "open_name", "paragraph", "scratch",
    # "note", "turn"
    pattern: str  # regex, case-insensitive, matched where a cue may start
    strong: bool = False  # may follow a comma mid-sentence; weak heads start a sentence or
    # follow a pause
    needs_separator: bool = False  # only a cue when punctuation or a pause follows the head
    # ... or when the whole cue is said between pauses. Not for heads that are everyday words
    # ("Heading home." / "Title fights are rare."), only for unusual ones ("Section 4 …").
    alone_ok: bool = False
    name_first: bool = False  # the pattern holds the name (group "name") before the head's end
    linked: bool = False  # a link ("is called", "which is about") leads to the name
    alone: bool = False  # only a cue when the head ends its sentence or a pause follows it:
    # "The reading list section." (not "The pricing section, which I wrote, …")


def phrase(entry: str) -> str:
    """A part's entry as regex: a space is any run of whitespace."""
    return entry.strip().replace(" ", r"\s+")


def alternatives(entries) -> str:
    """One regex for a part: its entries, the longest first ("is going to be" before "is");
    an empty part matches nothing."""
    ordered = sorted((phrase(e) for e in entries), key=len, reverse=True)
    return "(?:" + "|".join(ordered) + ")" if ordered else "(?!)"


# Between two parts: whitespace, or none after an elided article ("l'autre section").
GAP = r"(?:(?<=['’])\s*|\s+)"


class FormCompiler:
    """Compiles one language's forms; parts are turned into regex once."""

    def __init__(self, parts: dict):
        self.parts = parts
        self._regex: dict[str, str] = {}

    def part(self, name: str) -> str:
        if name not in self._regex:
            self._regex[name] = self._build(name)
        return self._regex[name]

    def _build(self, name: str) -> str:
        if name in LINKS:
            which, copula, naming = self.part("which"), self.part("copula"), self.part("naming")
            which_is = rf",?\s*{which}(?:\s+{naming})?"  # ", which is (about)"
            if name == "named_link":  # a link that names: "is about", not a bare "is"
                return rf"(?:{which_is}|(?:\s+{copula})?\s+{naming})"
            return rf"(?:{which_is}|\s+{copula}(?:\s+{naming})?|\s+{naming})"
        if name == NAME:
            starts = "|".join(
                self.part(p) for p in ("article", "fresh", "position") if p in self.parts
            )
            word = r"[\w'’-]+"
            return rf"(?P<name>(?!(?:{starts})(?![\w'-])){word}(?:\s+{word}){{0,{NAME_WORDS - 1}}})"
        if name.startswith("misheard."):
            return alternatives(self.parts.get("misheard", {}).get(name.split(".", 1)[1], ()))
        if name in self.parts:
            return alternatives(self.parts[name])
        return name  # a literal regex in the form: "(?:of|for)"

    def heads(self, form: dict) -> list[Head]:
        """The heads one form makes: per structure kind, and with and without its link."""
        tokens = form["parts"].split()
        kinds = (
            [form["kind"]] if "kind" in form else [k for k in STRUCTURE_KINDS if k in self.parts]
        )
        heads = []
        for kind in kinds:
            for with_link in self._link_variants(tokens):
                heads.append(self._head(form, kind, tokens, with_link))
            if self.parts.get("aside") and kind not in NO_NAME_KINDS:
                heads.append(self._head(form, kind, tokens, False, aside_link=True))
        return heads

    @staticmethod
    def _link_variants(tokens: list[str]) -> list[bool]:
        optional_link = any(_token(t) == (t[:-1], True, False) and t[:-1] in LINKS for t in tokens)
        return [True, False] if optional_link else [True]

    @staticmethod
    def _part_name(token: str, kind: str) -> str:
        """The part a token names: "structure" is the kind's own words ("section" or
        "subsection"), "structure_alone" its words that stand alone before a mark."""
        return token.replace("structure", kind) if token.startswith("structure") else token

    def _head(
        self, form: dict, kind: str, tokens: list[str], with_link: bool, aside_link=False
    ) -> Head:
        """One head of the form; aside_link: it ends in an aside and a link ("Next segment, a
        short one, on …"), which leads to the name as a link does."""
        pattern, started = "", False  # started: a word that must be said is in the pattern
        for token in tokens:
            name, optional, comma = _token(token)
            if name in LINKS and optional and not with_link:
                continue
            regex = self.part(self._part_name(name, kind)) + (",?" if comma else "")
            if name in LINKS:  # a link brings its own spacing: ", which is" / " called"
                pattern += regex
            elif not started:  # leading words that may be left out carry the space after them
                pattern += rf"(?:{regex}{GAP})?" if optional else regex
                started = not optional
            else:
                pattern += rf"(?:{GAP}{regex})?" if optional else rf"{GAP}{regex}"
            pattern += self._qualifier(name)
        pattern += self._aside(aside_link)  # between the head and its name
        # A form may end in a word that names, as a link does: "Call this section …".
        linked = (
            aside_link
            or bool(form.get("linked"))
            or (with_link and any(_token(t)[0] in LINKS for t in tokens))
        )
        return Head(
            kind=kind,
            pattern=pattern,
            strong=bool(form.get("strong", False)),
            needs_separator=bool(form.get("needs_separator", False)) and not linked,
            alone_ok=bool(form.get("alone_ok", False)) and not linked,
            name_first=NAME in (_token(t)[0] for t in tokens),
            linked=linked,
            alone=bool(form.get("alone", False)),
        )

    def _qualifier(self, token: str) -> str:
        """A qualifier after a structure word: "Last section for today", "a section here"."""
        if not token.startswith("structure") or not self.parts.get("qualifier"):
            return ""
        return rf"(?:{GAP}{self.part('qualifier')})?"

    def _aside(self, with_link: bool = False) -> str:
        """An aside in commas before the name: "Next section is, let me think, the parts …";
        with_link, an aside and then a link: "Next segment, a short one, on …"."""
        if not self.parts.get("aside"):
            return ""
        aside = self.part("aside")
        asides = rf",\s*{aside}(?:,\s*{aside}){{0,{ASIDES - 1}}}"  # "um, let me think"
        if with_link:
            return rf"{asides},{self.part('link')}"
        return rf"(?:{asides}[,:])?"


def _token(token: str) -> tuple[str, bool, bool]:
    """A form's token: (the part or regex it names, may it be left out, may a comma follow).
    The marks come at its end ("move,", "article?"); a literal regex ends in ")"."""
    comma = token.endswith(",") or token.endswith(",?")
    optional = token.endswith("?") or token.endswith("?,")
    name = token[: len(token) - comma - optional] if not token.endswith(")") else token
    return name, optional and not token.endswith(")"), comma and not token.endswith(")")


def compile_heads(cues: dict) -> list[Head]:
    """Every head of a language's [cues]: its forms compiled over its parts."""
    compiler = FormCompiler(cues.get("parts", {}))
    return [head for form in cues.get("form", ()) for head in compiler.heads(form)]


def lead_pattern(cues: dict) -> str:
    """What may come before a cue and is not part of it: quotes, and leads with a mark."""
    return rf"[\"'“”‘’„‚«»¿¡(\[]*{lead_words(cues.get('parts', {}))}"


def lead_words(parts: dict) -> str:
    """Any number of the language's leads, each with its mark: "Okay, so, "."""
    leads = parts.get("lead", ())
    return rf"(?:{alternatives(leads)}[,.]?\s+)*" if leads else ""
