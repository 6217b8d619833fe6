"""Long dictated memos with spoken structure, each phrased its own way and read by its own voice.

A script is a list of lines, each a cue the speaker says or about how many words to say next
from a blog text (benchmarks/texts/, read as speech, in whole sentences). Between lines the
speaker pauses: shortly between sentences, longer around a cue, as people do when they
dictate. make_memos.py reads them aloud; tests/test_structure.py checks that every cue became
its heading, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Cue:
    said: str  # what the speaker says
    kind: str  # "title", "section" or "subsection"
    name: str  # the heading a reader expects
    pause_after: float = 0.6  # seconds; short pauses are where Whisper drops punctuation


@dataclass(frozen=True)
class Dictation:
    name: str  # file name under tests/data, without the suffix
    engine: str  # "flite" or "espeak-ng"
    voice: str
    text: str  # the blog text the speech comes from (benchmarks/texts/); "" for none
    script: list  # Cue; int: about that many words of the text, in whole sentences; or str:
    # a line said as written
    skip: int = 0  # sentences of the text to leave out before the first
    language: str = "en"  # Whisper's code for the language it is spoken in


# Phrasings in the spirit of each speaker, none of them the example memo's.
SCALING = Dictation(
    "scaling-memo",
    "flite",
    "awb",
    "scaling-musings.txt",
    [
        Cue(
            "The title of this post is scaling is not the whole story.",
            "title",
            "Scaling is not the whole story",
        ),
        120,
        Cue(
            "The first section should be why bigger is not enough.",
            "section",
            "Why bigger is not enough",
        ),
        170,
        Cue(
            "The next section is what a brain does with twenty watts.",
            "section",
            "What a brain does with twenty watts",
        ),
        170,
        Cue(
            "The next section is learning versus lookup tables.",
            "section",
            "Learning versus lookup tables",
        ),
        170,
        Cue("The last section is what comes next.", "section", "What comes next"),
        170,
    ],
)

OPINIONS = Dictation(
    "opinions-memo",
    "espeak-ng",
    "en-gb",
    "opinion-notes.md",
    [
        Cue("Working title: notes on having opinions.", "title", "Notes on having opinions"),
        100,
        Cue("Next section, strong opinions.", "section", "Strong opinions"),
        150,
        Cue("Heading: the ones I would bet on.", "subsection", "The ones I would bet on"),
        150,
        Cue(
            "Moving on to the next section, which is about weak opinions.",
            "section",
            "Weak opinions",
        ),
        150,
        Cue("Section four, crazy notes.", "section", "Crazy notes"),
        150,
    ],
)

ROBOTS = Dictation(
    "robots-memo",
    "flite",
    "rms",
    "opinion-notes.md",
    [
        Cue("Let's call it robots that learn.", "title", "Robots that learn"),
        100,
        Cue("Part one: the classic approach.", "section", "The classic approach"),
        150,
        Cue("Subsection, where it breaks.", "subsection", "Where it breaks"),
        150,
        Cue("Okay, new section called new research.", "section", "New research"),
        150,
        Cue("On to the next section, the big labs.", "section", "The big labs"),
        150,
    ],
    skip=120,
)


def _dense_script() -> list:
    """A cue about every twenty seconds, said six ways, some with only a short pause to end
    the name (where Whisper writes no punctuation)."""
    forms = [
        ("New section: part {n}.", 0.7),
        ("Next section part {n}", 0.4),
        ("New section, part {n}.", 0.7),
        ("New section part {n}", 0.4),
        ("The next section is part {n}.", 0.7),
        ("Next section, part {n}", 0.4),
    ]
    script: list = []
    for i in range(30):
        said, pause = forms[i % len(forms)]
        number = str(i + 1)
        script += [Cue(said.format(n=number), "section", f"Part {number}", pause), 35]
    return script


DENSE = Dictation(
    "dense-cues-memo", "espeak-ng", "en-us", "opinion-notes.md", _dense_script(), skip=200
)

# Memos in other languages, each in its own words (not translations of one another), with
# fillers and cues phrased as a speaker of the language would.
GERMAN = Dictation(
    "german-memo",
    "espeak-ng",
    "de",
    "",
    [
        Cue("Titel: Warum ich morgens laufe.", "title", "Warum ich morgens laufe"),
        "Also, äh, seit zwei Jahren laufe ich jeden Morgen vor der Arbeit.",
        "Am Anfang war das sehr schwer, weil ich nie früh aufstehen wollte.",
        "Heute kann ich mir einen Tag ohne Laufen kaum noch vorstellen.",
        Cue("Neuer Abschnitt: der Anfang.", "section", "Der Anfang"),
        "In der ersten Woche bin ich nur zehn Minuten gelaufen.",
        "Danach war ich müde, aber auch ziemlich stolz auf mich.",
        "Ich habe mir einen einfachen Plan gemacht und ihn an den Kühlschrank gehängt.",
        Cue(
            "Der nächste Abschnitt heißt: was sich verändert hat.",
            "section",
            "Was sich verändert hat",
        ),
        "Ich schlafe besser, und ich habe am Nachmittag mehr Energie.",
        "Beim Laufen denke ich über meine Arbeit nach, ähm, ganz ohne Bildschirm.",
        Cue("Letzter Abschnitt: Pläne für den Winter.", "section", "Pläne für den Winter"),
        "Im Winter ist es morgens dunkel und kalt.",
        "Ich möchte trotzdem weiterlaufen, vielleicht mit einer Stirnlampe.",
    ],
    language="de",
)

FRENCH = Dictation(
    "french-memo",
    "espeak-ng",
    "fr-fr",
    "",
    [
        Cue("Titre : pourquoi j'écris à la main.", "title", "Pourquoi j'écris à la main"),
        "Euh, depuis un an, j'écris tous mes brouillons dans un carnet.",
        "Je pensais que ce serait plus lent, mais c'est le contraire.",
        "Les idées viennent plus facilement quand il n'y a pas d'écran.",
        Cue("Nouvelle section : le carnet.", "section", "Le carnet"),
        "J'utilise un petit carnet noir avec des pages blanches.",
        "Je le garde toujours dans ma poche, même le week-end.",
        Cue(
            "La section suivante s'appelle ce que j'ai appris.",
            "section",
            "Ce que j'ai appris",
        ),
        "J'ai appris à écrire plus court et à couper les phrases inutiles.",
        "Euh, j'ai aussi appris à relire le lendemain, avec un regard neuf.",
        Cue("Dernière partie : la suite.", "section", "La suite"),
        "L'année prochaine, je voudrais publier un texte par semaine.",
        "Je taperai le texte sur l'ordinateur seulement à la fin.",
    ],
    language="fr",
)

SPANISH = Dictation(
    "spanish-memo",
    "espeak-ng",
    "es",
    "",
    [
        Cue(
            "El título es lo que aprendí cocinando en casa.",
            "title",
            "Lo que aprendí cocinando en casa",
        ),
        "Eh, este año decidí cocinar en casa todos los días.",
        "Antes comía fuera casi siempre, porque no tenía tiempo.",
        "Ahora cocino por la noche y preparo la comida del día siguiente.",
        Cue("Nueva sección: el mercado.", "section", "El mercado"),
        "Los sábados voy al mercado del barrio con una lista corta.",
        "Compro verduras de temporada y, eh, un poco de pescado.",
        Cue("La siguiente sección se llama los errores.", "section", "Los errores"),
        "Al principio quemé el arroz tres veces en una semana.",
        "También compré demasiada comida y tuve que tirar una parte.",
        Cue("Última sección: lo que viene.", "section", "Lo que viene"),
        "El próximo mes quiero aprender a hacer pan.",
        "Mi abuela me va a enseñar su receta.",
    ],
    language="es",
)

DICTATIONS = [SCALING, OPINIONS, ROBOTS, DENSE, GERMAN, FRENCH, SPANISH]


def expected_structure(dictation: Dictation) -> dict:
    """The title and headings a reader expects from the dictation."""
    cues = [line for line in dictation.script if isinstance(line, Cue)]
    titles = [c.name for c in cues if c.kind == "title"]
    spoken = [
        line for line in dictation.script if not (isinstance(line, Cue) and line.kind == "title")
    ]
    return {
        "opening": not isinstance(spoken[0], Cue),  # speech before the first section cue
        "voice": f"{dictation.engine} {dictation.voice}",
        "language": dictation.language,
        "title": titles[0] if titles else None,
        "headings": [
            [2 if c.kind == "subsection" else 1, c.name] for c in cues if c.kind != "title"
        ],
    }


PAUSE_BETWEEN_SENTENCES = 0.35  # seconds
PAUSE_BEFORE_CUE = 0.8


def spoken_lines(dictation: Dictation) -> list[tuple[str, float]]:
    """The dictation as (what is said, pause after it), the text's sentences in order (and
    from the top again if the script asks for more than the text has)."""
    import re
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from speech_text import speech_text

    sentences = []
    if dictation.text:
        text = speech_text((ROOT / "benchmarks" / "texts" / dictation.text).read_text("utf-8"))
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if re.search(r"[A-Za-z]{2}", s)]
    position = dictation.skip
    lines: list[tuple[str, float]] = []
    for line in dictation.script:
        if isinstance(line, str):
            lines.append((line, PAUSE_BETWEEN_SENTENCES))
            continue
        if isinstance(line, Cue):
            if lines:
                lines[-1] = (lines[-1][0], PAUSE_BEFORE_CUE)
            lines.append((line.said, line.pause_after))
            continue
        words = 0
        while words < line:
            sentence = sentences[position % len(sentences)]
            lines.append((sentence, PAUSE_BETWEEN_SENTENCES))
            words += len(sentence.split())
            position += 1
    return lines
