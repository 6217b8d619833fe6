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
    engine: str  # "flite", "espeak-ng" or "piper"
    voice: str
    text: str  # the blog text the speech comes from (benchmarks/texts/); "" for none
    script: list  # Cue; int: about that many words of the text, in whole sentences; or str:
    # a line said as written
    skip: int = 0  # sentences of the text to leave out before the first
    language: str = "en"  # Whisper's code for the language it is spoken in
    # Of the cue heads, how many tiny.en may write past recognition (tests/test_structure.py):
    # the accented espeak-ng voices of the unseen memos lose one in two ("Segment to the
    # readings", "as I'm heading", "Networking titles").
    whisper_slips: float = 0.1


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

# Held out: phrasings written without reading the cue grammar, the way people dictate to
# someone typing for them, each memo in its own style and a voice no other memo uses. The
# lines marked "not a cue" use a structure word in ordinary prose and must stay body text.
RUNNING = Dictation(  # a bare cue, then the name or a naming sentence
    "holdout-running-memo",
    "espeak-ng",
    "en-us+f3",
    "",
    [
        Cue(
            "Okay, so the title is going to be what a year of slow running taught me.",
            "title",
            "What a year of slow running taught me",
        ),
        "So, um, this is the running one. I promised a few people I'd write it up.",
        "A year ago I could not run to the end of my street without stopping.",
        "Now I run four mornings a week, and, uh, most of those runs are slow on purpose.",
        Cue("First section. Let's call this one the first month.", "section", "The first month"),
        "The first month was mostly walking, if I'm honest.",
        "I'd run for one minute, walk for two, and repeat that until the half hour was up.",
        # not a cue:
        "The first section of the river path is steep, so I walked it every time.",
        "My legs were sore for days, and I, um, I nearly gave up twice.",
        "What kept me going was a friend who texted me every morning at six.",
        Cue("New section. This one's about shoes.", "section", "Shoes"),
        "I started in an old pair of trainers from the back of the cupboard.",
        "By week three my knees hurt, so I finally went to a proper running shop.",
        "They watched me run on a treadmill for a minute and handed me something much softer.",
        "The knee pain was gone in a fortnight. I wish I'd done that on day one.",
        Cue(
            "Next section. Why nobody warns you about the second week of a new habit.",
            "section",
            "Why nobody warns you about the second week of a new habit",
        ),
        "The first week is easy, because everything is new and you feel great about yourself.",
        "The second week is where it falls apart. The novelty is gone, and the results are not "
        "there yet.",
        # not a cue:
        "Part of me wanted to quit right then, and, uh, I did skip three runs in a row.",
        "What helped was making the runs smaller, not bigger. Ten minutes still counts.",
        Cue(
            "Okay, another section. I'm calling it the long run, and why I stopped dreading it.",
            "section",
            "The long run, and why I stopped dreading it",
        ),
        "Every Sunday I do one run that is longer than the others.",
        "For months I dreaded it, because I went out too fast and suffered for the last half.",
        "Then someone told me to run slowly enough that I could still hold a conversation.",
        "It felt ridiculous at first. Now it's the best hour of my week.",
        Cue(
            "Last section for today. Call it what I'd tell a beginner.",
            "section",
            "What I'd tell a beginner",
        ),
        "Go slower than you think you should, and go more often than you think you can.",
        "Buy decent shoes early. And, um, tell someone, so there's a person who notices when "
        "you skip.",
        "That's it, really. That's the whole secret, and it took me a year to learn it.",
    ],
)

ALLOTMENT = Dictation(  # asking the typist for a section
    "holdout-allotment-memo",
    "flite",
    "kal16",
    "",
    [
        Cue(
            "Um, okay. Call the post, the year we grew our own.",
            "title",
            "The year we grew our own",
        ),
        "This is for the garden blog, the one I keep meaning to update.",
        "We got the allotment last March, after three years on the waiting list.",
        "I want to write down how the first year went, before I forget the bad bits.",
        Cue("Let's do a section on the waiting list.", "section", "The waiting list"),
        "Our council has about forty plots and a list of nearly two hundred names.",
        "Every spring I rang them, and every spring they said maybe next year.",
        "Then one Tuesday a letter came, and the plot was ours, if we could clear it in a month.",
        Cue("Can we start a new section here, call it digging in.", "section", "Digging in"),
        "The plot was waist high in brambles and couch grass.",
        "It took us five weekends just to see the soil.",
        # not a cue:
        "I put the beans in the top section of the plot, where the sun lasts longest.",
        # not a cue:
        "We called it a day when the rain came in sideways, and ate biscuits in the car.",
        Cue("I want a section about what came up.", "section", "What came up"),
        "Potatoes, more than we could eat. Courgettes, far more than anyone could eat.",
        "The beans did well in the sun, and the onions were small but very sweet.",
        "The carrots, um, never came up at all, and I still don't know why.",
        Cue(
            "Could you put a sub-section in here, call it the great slug hunt.",
            "subsection",
            "The great slug hunt",
        ),
        "Nobody tells you about the slugs.",
        "One warm wet night they ate every lettuce seedling we had planted.",
        "We tried beer traps, copper tape and going out with a torch at midnight.",
        "My daughter counted a hundred and twelve of them on the first night.",
        "The torch worked best, but, uh, it is not a hobby I'd recommend.",
        Cue(
            "And can I have one last section, on sharing the harvest.",
            "section",
            "Sharing the harvest",
        ),
        "By August we were leaving bags of courgettes on the neighbours' doorsteps.",
        "The old man on the next plot swapped us his rhubarb for our potatoes.",
        "He told us the trick with courgettes is to plant one, not six, and he was right.",
        "Next year I want to try leeks, and, uh, a proper fence against the rabbits.",
        "That swap with him, honestly, was the best thing about the whole year.",
    ],
)

CURVES = Dictation(  # numbered parts, each with its own separator
    "holdout-curves-memo",
    "piper",
    "en_US-joe-medium",
    "scaling-musings.txt",
    [
        Cue(
            "Headline: bigger is not the same as smarter.",
            "title",
            "Bigger is not the same as smarter",
        ),
        90,
        Cue("Part one — the argument from the charts.", "section", "The argument from the charts"),
        110,
        Cue("Under that, a smaller heading: the long tail.", "subsection", "The long tail"),
        90,
        Cue(
            "Okay, part two: learning instead of looking things up.",
            "section",
            "Learning instead of looking things up",
        ),
        110,
        Cue("Part three is about kung fu and the Matrix.", "section", "Kung fu and the Matrix"),
        90,
        Cue("And the final part, where I think this goes.", "section", "Where I think this goes"),
        110,
    ],
    skip=4,
)

READING = Dictation(  # a lead before each cue, and chapter, topic and segment for section
    "holdout-reading-memo",
    "espeak-ng",
    "en-gb-x-rp",
    "opinion-notes.md",
    [
        Cue(
            "Alright, title for this one: notes from the cheap seats.",
            "title",
            "Notes from the cheap seats",
        ),
        60,
        Cue(
            "Next up, chapter one: the opinions I hold loosely.",
            "section",
            "The opinions I hold loosely",
        ),
        90,
        Cue(
            "Moving on. Chapter two, things I changed my mind about.",
            "section",
            "Things I changed my mind about",
        ),
        90,
        Cue(  # the name said before the structure word, then given properly
            "Okay, the reading list section. Call it what I read this winter.",
            "section",
            "What I read this winter",
        ),
        80,
        Cue(
            "Now, new topic: the arguments I keep losing.", "section", "The arguments I keep losing"
        ),
        80,
        Cue(
            "Next segment, a short one, on why I still write these.",
            "section",
            "Why I still write these",
        ),
        70,
    ],
    skip=60,
)

BICYCLE = Dictation(  # a title said late, a correction, thinking aloud
    "holdout-bicycle-memo",
    "espeak-ng",
    "en-us-nyc",
    "",
    [
        "Um, so, I finally fixed the old bike that's been sitting in the shed since we moved in.",
        "It was my dad's, a green steel frame from the eighties, with a bell that still works.",
        "I want to write this down for anyone else with a bike like that rusting somewhere.",
        Cue("Oh, and put a title on this: the bike in the shed.", "title", "The bike in the shed"),
        Cue("Start a section called taking it apart.", "section", "Taking it apart"),
        "First I took photos of everything, because I knew I'd forget where the bits went.",
        "The wheels came off easily. The pedals, um, did not, and I needed a longer spanner.",
        # not a cue:
        "That part of the frame near the bottom bracket was bent, but only a little.",
        "I straightened it with a block of wood and a lot of patience.",
        Cue(
            "New section. No, no, make that a sub-section. The rusted chain.",
            "subsection",
            "The rusted chain",
        ),
        "The chain was one solid orange lump.",
        "I soaked it in oil for two days, and, uh, it still wouldn't bend, so I bought a new one.",
        "A new chain cost less than a pizza, which felt like cheating after all that soaking.",
        Cue(
            "Next section is, let me think, the parts nobody sells anymore.",
            "section",
            "The parts nobody sells anymore",
        ),
        "The brake levers are an old size, and no shop in town had anything that fit.",
        "In the end I found a pair online, from a man who keeps a garage full of them.",
        "He sent them wrapped in an old newspaper, with a note about how to fit them.",
        "They went on in ten minutes. I could have hugged him.",
        Cue("Okay, section about the first ride.", "section", "The first ride"),
        "I took it out on a Sunday morning, when the roads were empty.",
        # not a cue:
        "The next section of the road was all downhill, and the brakes squealed the whole way.",
        "But they held, and I laughed out loud at the bottom of the hill.",
        "The gears still slip a little on the big climb home, so that's the next job.",
        Cue("Closing section, what the whole thing cost.", "section", "What the whole thing cost"),
        "About sixty pounds in parts, and maybe twenty hours in the shed.",
        "A new bike would have been quicker, and, um, probably cheaper too.",
        "But it would not have been my dad's, and it would not have that bell.",
    ],
)

HOLDOUT = [RUNNING, ALLOTMENT, CURVES, READING, BICYCLE]

# Written by a tester who had not read the grammar (the unseen-memo check of issue 20), each
# in a voice no other memo uses. Decoys: prose with structure words that is not a cue.
UNSEEN_BOOK_TOUR = Dictation(  # a podcast host's segments, a sub-heading asked for, decoys
    "unseen-book-tour-memo",
    "espeak-ng",
    "en-gb-scotland+m3",
    "",
    [
        "Hey, it's Maya. This is a memo for the blog, same as the show notes I do for the podcast.",
        Cue(
            "Title for this one: Notes from a Rainy Book Tour.",
            "title",
            "Notes from a Rainy Book Tour",
        ),
        (
            "So, um, I just got back from nine days on the road with the new book, and I want to "
            "get it down before I forget."
        ),
        # not a cue:
        "The first part of the tour was brutal, honestly.",
        "Three cities in three days, and it rained in every single one of them.",
        Cue("Okay. Segment one, the travel.", "section", "The travel"),
        "I took the train everywhere, because the publisher would not pay for a car.",
        (
            "The trains were fine, uh, except the one to Inverness, which stopped in a field for "
            "two hours."
        ),
        "I read half a novel in that field.",
        # not a cue:
        (
            "By the time we got in, the bookshop had already put the chairs away, so I called it a "
            "day and went to the hotel."
        ),
        # not a cue:
        (
            "The title fight was on TV in the hotel bar, and the whole room was shouting at the "
            "screen."
        ),
        Cue("Segment two: the readings.", "section", "The readings"),
        "The readings were small, twenty or thirty people, but they were good crowds.",
        "People asked real questions, not just where do you get your ideas.",
        Cue(
            "And a sub-heading under that one, call it the question I could not answer.",
            "subsection",
            "The question I could not answer",
        ),
        # not a cue:
        "In Dundee a kid of about twelve asked me why the dog in chapter three never gets a name.",
        "And I did not have an answer. I still do not have an answer.",
        "I think I just forgot to name him, and now it is too late.",
        Cue("Right, segment three, which is, um, money.", "section", "Money"),
        # not a cue:
        "Nobody talks about this part, so I will.",
        (
            "I sold about forty books over the whole tour, and the train tickets alone cost more "
            "than I made."
        ),
        "That is fine. It was never about the money, but it is worth saying out loud.",
        Cue("Last segment, what I would change.", "section", "What I would change"),
        "Fewer cities, longer stays, and a proper raincoat.",
        (
            "Also, I want to record an episode of the show from the road next time, maybe "
            "from that field."
        ),
        "That is it for this one. Thanks for listening, or, well, reading.",
    ],
    whisper_slips=0.5,
)

UNSEEN_VAN_TRIP = Dictation(  # thinking aloud: restarts, a hedged title, a name taken back
    "unseen-van-trip-memo",
    "espeak-ng",
    "en-gb-x-gbclan+f4",
    "",
    [
        "Okay, um, recording. Is this, yeah, it is recording.",
        Cue(
            (
                "So I want to write up the road trip. I think I will call the post, uh, Two Weeks "
                "in a Borrowed Van."
            ),
            "title",
            "Two Weeks in a Borrowed Van",
        ),
        "My sister lent us her van, which was very generous, and also slightly terrifying.",
        # not a cue:
        "Part of me wanted to turn back on the first day, when the clutch started smelling.",
        "But we did not.",
        Cue("Let me start a new section, um, call it the van.", "section", "The van"),
        "It is a nineteen ninety eight camper with a bed that folds out of the seats.",
        (
            "The bed works. The fridge does not. Or it works when the engine is running, which is "
            "not when you need it."
        ),
        Cue(
            "Next section. Budget. No wait, scratch that, call it Money on the Road.",
            "section",
            "Money on the Road",
        ),
        "We spent about nine hundred euros in two weeks, and most of that was diesel.",
        "Campsites were cheaper than I thought, fifteen or twenty a night.",
        # not a cue:
        (
            "The topic came up at dinner most nights, who paid for what, and we kept a list on the "
            "back of a map."
        ),
        "Anyway.",
        Cue("Okay, new topic. Cooking.", "section", "Cooking"),
        "Two gas rings and one pan. We made pasta eleven nights out of fourteen.",
        Cue(
            (
                "I want a little sub-section here about the coffee, because that was the best "
                "thing we did."
            ),
            "subsection",
            "The coffee",
        ),
        "A tiny stove-top pot, and coffee every morning looking at something nice.",
        # not a cue:
        "The next bit was uphill, nearly all of it, through the mountains, and the van hated it.",
        Cue(
            "Right, and the last part, I think, let's call it what I would tell my sister.",
            "section",
            "What I would tell my sister",
        ),
        "That the clutch needs looking at. That we are sorry about the smell in the curtains.",
        "And that we would do it again tomorrow, if she lets us.",
        "Okay, that's, um, that's it. Stop recording.",
    ],
    whisper_slips=0.5,
)

# chapters and ordinals, a working title, a subsection under a chapter
UNSEEN_FREELANCING = Dictation(
    "unseen-freelancing-memo",
    "espeak-ng",
    "en-gb-x-gbcwmd+m7",
    "",
    [
        (
            "Ten years ago this month I quit my job to work for myself, and I want to mark it with "
            "a post."
        ),
        "I was a junior designer at an agency, and I was bored.",
        Cue("The working title is Ten Years of Freelancing.", "title", "Ten Years of Freelancing"),
        Cue("Chapter one. Starting out.", "section", "Starting out"),
        # not a cue:
        "My first chapter of freelancing was mostly waiting for the phone to ring.",
        "I had two clients, and one of them was my uncle.",
        # not a cue:
        (
            "Section 8 of my first contract said I would be paid within ninety days, and they took "
            "every one of them."
        ),
        "I learned to ask for half up front.",
        Cue("Chapter two, the move to Leeds.", "section", "The move to Leeds"),
        "In the third year we moved north, because rent in London was eating everything.",
        "It turned out that nobody cares where a designer lives, as long as the files arrive.",
        Cue("Under chapter two, a subsection: finding a desk.", "subsection", "Finding a desk"),
        (
            "I tried working from the kitchen table for a year. Then I rented a desk in a shared "
            "studio above a bike shop."
        ),
        "That was the best money I ever spent, because it gave me people to have lunch with.",
        # not a cue:
        (
            "With a bit of luck, and a lot of cheap sandwiches, the studio became where most of my "
            "work came from."
        ),
        Cue("Chapter three. The bad year.", "section", "The bad year"),
        (
            "Year six was bad. I lost my biggest client in March, and I did not replace them until "
            "the autumn."
        ),
        "I nearly went back to an agency. I had the interview booked.",
        Cue(
            "Fourth and final chapter: what ten years taught me.",
            "section",
            "What ten years taught me",
        ),
        (
            "Charge more than feels comfortable. Keep three months of money in the bank. Say no to "
            "work you would be embarrassed to show."
        ),
        "And take a real holiday, at least once a year, with the laptop at home.",
        "That's the post. I'll tidy it up tomorrow.",
    ],
    whisper_slips=0.5,
)

UNSEEN = [UNSEEN_BOOK_TOUR, UNSEEN_VAN_TRIP, UNSEEN_FREELANCING]

DICTATIONS = [SCALING, OPINIONS, ROBOTS, DENSE, GERMAN, FRENCH, SPANISH, *HOLDOUT, *UNSEEN]


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
