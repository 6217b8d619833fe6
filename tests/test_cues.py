"""Spoken structure: cues fire however Whisper punctuates them, and never inside ordinary speech."""

from pathlib import Path

import pytest

from voiceblog.cues import apply_spoken_cues, match_cue, needs_pauses
from voiceblog.languages import language
from voiceblog.transcription.transcript import Segment, Transcript, Word

DATA = Path(__file__).parent / "data"


def dictate(*segments: str) -> Transcript:
    """A transcript of the given Whisper segments, two seconds each."""
    return Transcript(
        segments=tuple(Segment(2.0 * i, 2.0 * i + 2, t) for i, t in enumerate(segments)),
        duration=2.0 * len(segments),
        language="en",
        engine="faster-whisper",
        model="tiny.en",
    )


def structure(*segments: str) -> tuple[str | None, list[tuple[str | None, str]]]:
    """(title, [(heading, text of the block)]) of the dictation."""
    dictation = apply_spoken_cues(dictate(*segments))
    blocks = [(b.heading, " ".join(s.text for s in b.sentences)) for b in dictation.blocks]
    return dictation.title, blocks


def corpus(name: str = "cues.tsv") -> list[tuple[str, str, str]]:
    """tests/data/cues.tsv: how people say their structure, as Whisper writes it."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    assert rows[0] == ["sentence", "kind", "name"]
    return [tuple(row) for row in rows[1:]]


def test_the_corpus_is_large_and_says_what_is_not_a_cue():
    rows = corpus()
    assert len(rows) >= 80
    assert sum(kind == "none" for _, kind, _ in rows) >= 20


@pytest.mark.parametrize("sentence, kind, name", corpus())
def test_corpus(sentence, kind, name):
    cue = match_cue(sentence)
    if kind == "none":
        assert cue is None, f"{sentence!r} is prose, not a {cue and cue.kind} cue"
    else:
        assert cue is not None, f"{sentence!r} should be a {kind} cue"
        assert (cue.kind, cue.name) == (kind, name)


def test_a_bare_cue_takes_the_next_sentence_as_its_name():
    title, blocks = structure(
        "title. Why I walk.", "I started in March. New section.", "What changed?", "Sleep."
    )
    assert title == "Why I walk"
    assert blocks == [(None, "I started in March."), ("What changed?", "Sleep.")]


def test_cues_after_a_comma_are_found_and_the_speech_around_them_kept():
    title, blocks = structure(
        "I started in March, and it was cold, new section, what changed.",
        "I slept better, the next section should be called what it costs.",
        "It takes forty minutes, next section: the road ahead. Winter is next.",
    )
    assert blocks == [
        (None, "I started in March, and it was cold."),
        ("What changed", "I slept better."),
        ("What it costs", "It takes forty minutes."),
        ("The road ahead", "Winter is next."),
    ]


@pytest.mark.parametrize(
    "moving_on", ["Alright, moving on.", "Moving on.", "Okay, so, next.", "Um, anyway."]
)
def test_a_sentence_that_only_moves_on_belongs_to_the_cue_after_it(moving_on):
    _, blocks = structure(
        f"She gets lettuce a month before I do. {moving_on}",
        "The second part is about the soil mix. I want sixty percent topsoil.",
    )
    assert blocks == [
        (None, "She gets lettuce a month before I do."),
        ("The soil mix", "I want sixty percent topsoil."),
    ]


@pytest.mark.parametrize("said", ["No.", "Okay.", "Moving on was hard.", "Anyway, it rained."])
def test_a_sentence_that_says_more_than_moving_on_stays_before_the_cue(said):
    _, blocks = structure(f"Did it work? {said}", "New section: what I learned. It did.")
    assert blocks[0] == (None, f"Did it work? {said}")


def test_a_topic_announced_as_the_next_thing_to_talk_about_is_a_section():
    _, blocks = structure(
        "I need four beds, and the last thing I want to cover. Call it costs and timing.",
        "Cedar runs forty dollars a bed. The next thing I'd like to talk about is the peas.",
        "They go in by April. The last thing I want to do is rush it.",
    )
    assert blocks == [
        (None, "I need four beds."),
        ("Costs and timing", "Cedar runs forty dollars a bed."),
        ("The peas", "They go in by April. The last thing I want to do is rush it."),
    ]


# A turn of topic, as people say one: this test's own list, not the language file's.
TURNS = [
    "Switching gears",
    "Switching gears completely",
    "Shifting gears for a second",
    "Changing the subject",
    "On a different note",
    "On another note",
    "On an unrelated note",
    "Totally unrelated",
    "Separately",
    "Different topic",
    "In other news",
    "Changing topics",
    "In conclusion",  # a wrap-up turns to the post's close
    "To sum up",
    "Wrapping up",
    "Some final thoughts",
]
BEFORE = (
    "We spend the first twenty minutes of the meeting going around the table with status "
    "updates that everyone could have read in the tracker, and by the time we get to anything "
    "that needs a decision, half the room has checked out. The other half is watching the "
    "clock, and nobody remembers what was decided the week before."
)
AFTER = (
    "I also need to figure out the budget for next year's conference travel, because last "
    "year we sent five people to three conferences and the total came to eighteen thousand "
    "dollars, which finance wants down by a quarter. That means fewer people or fewer "
    "events, and I would rather keep the big one in Berlin."
)


def turned_memo(*segments: str):
    dictation = apply_spoken_cues(dictate(*segments))
    return [(b.turned, " ".join(s.text for s in b.sentences)) for b in dictation.blocks]


@pytest.mark.parametrize("turn", TURNS)
@pytest.mark.parametrize(
    "said", ["{lead}{turn}, {after}", "{lead}{turn}: {after}", "{lead}{turn}. {after}"]
)
def test_a_turn_of_topic_starts_a_section_of_its_own(turn, said):
    lead = ["", "Okay, ", "So, ", "And "][len(turn) % 4]
    text = said.format(lead=lead, turn=turn, after=AFTER)
    assert turned_memo(BEFORE, text) == [(True, BEFORE), (True, AFTER)]


def test_a_turn_of_topic_in_the_middle_of_a_sentence_cuts_it_there():
    blocks = turned_memo(
        f"{BEFORE[:-1]}, switching gears completely, {AFTER[:1].lower()}{AFTER[1:]}"
    )
    assert blocks == [(True, BEFORE), (True, AFTER)]


def test_a_turn_of_topic_with_little_said_around_it_is_a_paragraph():
    dictation = apply_spoken_cues(dictate("Buy milk. Switching gears, call mom."))
    assert [[s.text for s in p] for b in dictation.blocks for p in b.paragraphs] == [
        ["Buy milk."],
        ["Call mom."],
    ]
    assert not dictation.blocks[0].turned


def test_a_turn_of_topic_under_a_named_section_is_a_paragraph():
    dictation = apply_spoken_cues(
        dictate("New section: meetings.", BEFORE, f"Switching gears, {AFTER}")
    )
    assert [(b.heading, len(b.paragraphs), b.turned) for b in dictation.blocks] == [
        ("Meetings", 2, False)
    ]


TURNS_IN_OTHER_LANGUAGES = {
    "de": (
        (
            "Wir verbringen die ersten zwanzig Minuten jeder Besprechung mit Berichten, die jeder"
            " im Tracker hätte lesen können, und wenn wir endlich zu einer Entscheidung kommen, "
            "hat die Hälfte des Raums längst abgeschaltet und die andere Hälfte schaut nur noch "
            "auf die Uhr, weil das nächste Treffen schon wartet und niemand mehr zuhört."
        ),
        "Ganz anderes Thema, ",
        (
            "Ich muss das Budget für die Konferenzreisen im nächsten Jahr planen, denn letztes "
            "Jahr sind fünf Leute zu drei Konferenzen gefahren und das hat achtzehntausend Euro "
            "gekostet, und die Finanzabteilung will die Summe um ein Viertel senken, also weniger"
            " Leute oder weniger Veranstaltungen, und ich würde lieber die große in Berlin "
            "behalten."
        ),
    ),
    "fr": (
        (
            "Nous passons les vingt premières minutes de chaque réunion à faire des comptes "
            "rendus que tout le monde aurait pu lire dans le suivi, et quand nous arrivons enfin "
            "à une décision, la moitié de la salle a décroché et l'autre moitié regarde l'heure, "
            "parce que la réunion suivante attend déjà et que plus personne n'écoute vraiment."
        ),
        "Changement de sujet, ",
        (
            "je dois préparer le budget des conférences de l'année prochaine, car l'an dernier "
            "cinq personnes sont allées à trois conférences pour dix-huit mille euros, et la "
            "direction financière veut réduire ce montant d'un quart, donc moins de personnes ou "
            "moins d'événements, et je préférerais garder la grande conférence de Berlin."
        ),
    ),
    "es": (
        (
            "Pasamos los primeros veinte minutos de cada reunión con informes que todos podrían "
            "haber leído en el gestor de tareas, y cuando por fin llegamos a una decisión, la "
            "mitad de la sala ya no escucha y la otra mitad mira el reloj, porque la siguiente "
            "reunión ya espera y nadie presta atención de verdad a nada."
        ),
        "Cambiando de tema, ",
        (
            "tengo que preparar el presupuesto de viajes a conferencias del año que viene, porque"
            " el año pasado cinco personas fueron a tres conferencias y costó dieciocho mil "
            "euros, y finanzas quiere bajar esa cifra una cuarta parte, así que menos personas o "
            "menos eventos, y preferiría mantener la grande de Berlín."
        ),
    ),
}


@pytest.mark.parametrize("code", sorted(TURNS_IN_OTHER_LANGUAGES))
def test_a_turn_of_topic_in_other_languages(code):
    before, turn, after = TURNS_IN_OTHER_LANGUAGES[code]
    segments = (Segment(0, 20, before), Segment(21, 40, turn + after))
    dictation = apply_spoken_cues(Transcript(segments, 41, code, "faster-whisper", "base"))
    texts = [(b.turned, " ".join(s.text for s in b.sentences)) for b in dictation.blocks]
    assert texts == [(True, before), (True, after[:1].upper() + after[1:])]


ANNOUNCED_IN_OTHER_LANGUAGES = {
    "de": [
        "Lass uns jetzt über das Budget reden.",
        "Als Nächstes möchte ich über Reisen sprechen.",
    ],
    "fr": ["Parlons maintenant du budget.", "Ensuite, j'aimerais parler d'argent."],
    "es": ["Ahora hablemos del presupuesto.", "Luego quiero hablar de los viajes."],
}


@pytest.mark.parametrize(
    ("code", "announcement"),
    [(code, a) for code, said in sorted(ANNOUNCED_IN_OTHER_LANGUAGES.items()) for a in said],
)
def test_an_announced_topic_turns_in_other_languages(code, announcement):
    before, _, after = TURNS_IN_OTHER_LANGUAGES[code]
    said = f"{announcement} {after[:1].upper()}{after[1:]}"
    segments = (Segment(0, 20, before), Segment(21, 40, said))
    dictation = apply_spoken_cues(Transcript(segments, 41, code, "faster-whisper", "base"))
    texts = [(b.turned, " ".join(s.text for s in b.sentences)) for b in dictation.blocks]
    assert texts == [(True, before), (True, said)]


@pytest.mark.parametrize(
    "prose",
    [
        "We drove separately.",
        "That is unrelated.",
        "Unrelated to that, the price rose.",
        "Switching gears on a bike takes practice.",
        "Changing the subject was rude of him.",
        "On a different note than the choir, she sang.",
        "Wrapping up the leftovers took an hour.",
        "Final thoughts are the hardest to write.",
        "The report in summary form was shorter.",
    ],
)
def test_turn_words_running_on_as_prose_turn_nothing(prose):
    assert turned_memo(BEFORE, prose, AFTER) == [(False, f"{BEFORE} {prose} {AFTER}")]


# A topic announced as the next thing talked about, built from its parts (this test's own
# lists, not the language file's): a lead or none, who speaks, a talking verb, a topic.
ANNOUNCERS = [
    "Let's talk about",
    "Now let's talk a bit about",
    "Next, I want to talk about",
    "I also wanted to talk about",
    "We need to talk about",
    "I'd like to say a few words about",
    "Finally, I'm going to touch on",
    "So I want to discuss",
    "Let us turn to",
    "Okay, let's move on to",
    "I'll quickly go over",
    "And we should talk about",
    "Let's also talk about",
    "I want to briefly touch on",
]
TOPICS = ["the budget for next year", "money", "why we keep losing people", "conference travel"]


@pytest.mark.parametrize("announcer", ANNOUNCERS)
def test_a_sentence_announcing_its_topic_turns_to_it_and_is_kept_as_said(announcer):
    topic = TOPICS[len(announcer) % len(TOPICS)]
    said = f"{announcer} {topic}, because it matters. {AFTER}"
    assert turned_memo(BEFORE, said) == [(True, BEFORE), (True, said)]


@pytest.mark.parametrize(
    "prose",
    [
        "I want to talk about it with her first.",  # no topic: a pronoun
        "I'll talk about that later.",
        "I want to look at the house on Saturday.",  # doing, not talking
        "We should dig into the soil before it rains.",
        "I talked about money with him.",  # said before, not announced
        "Talk about money is cheap.",
        "He said we need to talk about the budget.",  # not where the sentence starts
    ],
)
def test_talk_words_that_announce_no_topic_turn_nothing(prose):
    assert turned_memo(BEFORE, prose, AFTER) == [(False, f"{BEFORE} {prose} {AFTER}")]


def test_an_announced_topic_under_a_named_section_is_a_new_paragraph():
    dictation = apply_spoken_cues(
        dictate("New section: meetings.", BEFORE, f"Now let's talk about money. {AFTER}")
    )
    assert [(b.heading, len(b.paragraphs), b.turned) for b in dictation.blocks] == [
        ("Meetings", 2, False)
    ]


def test_ordinary_clauses_with_cue_words_stay_in_their_sentence():
    _, blocks = structure("We hiked for hours, the next section of the trail was steep.")
    assert blocks == [(None, "We hiked for hours, the next section of the trail was steep.")]


def test_a_name_that_runs_on_into_speech_is_cut_at_the_comma():
    title, blocks = structure(
        "Title, why I walk to work, um, so this is a memo about, uh, about walking to work."
    )
    assert title == "Why I walk to work"
    assert blocks == [(None, "Um, so this is a memo about, uh, about walking to work.")]


@pytest.mark.parametrize(
    "segments, paragraphs",
    [
        (["One. New paragraph. Two."], [["One."], ["Two."]]),
        (["One, new paragraph, two."], [["One."], ["Two."]]),
        (["One. New paragraph, two."], [["One."], ["Two."]]),
        (["One.", "new paragraph.", "Two."], [["One."], ["Two."]]),
        (["I started a new paragraph. Two."], [["I started a new paragraph.", "Two."]]),
    ],
)
def test_new_paragraph(segments, paragraphs):
    (block,) = apply_spoken_cues(dictate(*segments)).blocks
    assert [[s.text for s in p] for p in block.paragraphs] == paragraphs


@pytest.mark.parametrize(
    "segments, kept",
    [
        (["One. Two. Scratch that. Three."], ["One.", "Three."]),
        (["One. Two, scratch that."], ["One."]),
        (["One. Two. Scratch that, three."], ["One.", "Three."]),
        (["One. Two.", "scratch that!", "Three."], ["One.", "Three."]),
        (["I had to scratch that itch. Two."], ["I had to scratch that itch.", "Two."]),
        (["Don't scratch that. Two."], ["Don't scratch that.", "Two."]),
    ],
)
def test_scratch_that(segments, kept):
    (block,) = apply_spoken_cues(dictate(*segments)).blocks
    assert [s.text for s in block.sentences] == kept


def test_sentences_keep_the_time_span_they_were_spoken_in():
    dictation = apply_spoken_cues(dictate("One two three.", "New section: later.", "Four."))
    opening, later = dictation.blocks
    assert (opening.sentences[0].start, opening.sentences[0].end) == (0.0, 2.0)
    assert later.sentences[0].start == 4.0


def test_pieces_merge_with_their_times_running_on():
    from voiceblog.cues import merge_dictations

    first = apply_spoken_cues(dictate("Opening words.", "New section: costs.", "It is cheap."))
    second = apply_spoken_cues(dictate("Still on costs.", "Next section: plans.", "Bake more."))
    merged = merge_dictations([first, second], [0.0, 6.0])
    assert [(b.heading, [s.text for s in b.sentences]) for b in merged.blocks] == [
        (None, ["Opening words."]),
        ("Costs", ["It is cheap.", "Still on costs."]),
        ("Plans", ["Bake more."]),
    ]
    assert merged.blocks[1].sentences[1].start == 6.0
    assert merged.blocks[2].sentences[0].start == 10.0


def spoken(*phrases: tuple[str, float]) -> Transcript:
    """One segment with word timings: each phrase's words 0.25 s apart, then its pause."""
    words, t = [], 0.0
    for phrase, pause in phrases:
        for word in phrase.split():
            words.append(Word(t, t + 0.25, " " + word, 0.9))
            t += 0.25
        t += pause
    text = " ".join(p for p, _ in phrases)
    return Transcript((Segment(0.0, t, text, tuple(words)),), t, "en", "faster-whisper", "tiny.en")


def test_a_name_with_no_punctuation_ends_at_the_speakers_pause():
    memo = spoken(
        ("I walked to the station every day", 0.6),
        ("New section Part 3", 0.5),
        ("I walked to the station and then took the train to the city", 0.6),
        ("next section why the trains were late", 0.4),
        ("the signals failed twice that week", 0.0),
    )
    dictation = apply_spoken_cues(memo)
    assert [(b.heading, " ".join(s.text for s in b.sentences)) for b in dictation.blocks] == [
        (None, "I walked to the station every day."),
        ("Part 3", "I walked to the station and then took the train to the city."),
        ("Why the trains were late", "The signals failed twice that week."),
    ]


def test_a_long_clause_without_a_pause_is_prose():
    memo = spoken(("part two of the plan failed badly because the budget ran out in March", 0.6))
    (block,) = apply_spoken_cues(memo).blocks
    assert block.heading is None


def test_without_timings_a_long_run_on_name_is_cut_where_a_clause_starts():
    _, blocks = structure("New section Part 3 I walked to the station in the rain.")
    assert blocks == [("Part 3", "I walked to the station in the rain.")]


def test_subsections_sit_under_the_section_before_them():
    dictation = apply_spoken_cues(
        dictate(
            "Heading: an opening thought.",
            "It begins here.",
            "New section: costs.",
            "Flour is cheap.",
            "Subsection: the oven.",
            "It uses power.",
            "Next section: plans.",
            "Bake more.",
        )
    )
    assert [(b.heading, b.level) for b in dictation.blocks] == [
        ("An opening thought", 1),  # no section above it: a subheading heads a section
        ("Costs", 1),
        ("The oven", 2),
        ("Plans", 1),
    ]


@pytest.mark.parametrize(
    "text, sentences",
    [
        ("Dr. Smith came. Then he left.", ["Dr. Smith came.", "Then he left."]),
        ("It was cats vs. dogs. Dogs won.", ["It was cats vs. dogs.", "Dogs won."]),
        ("Use e.g. flour. Or i.e. rye.", ["Use e.g. flour.", "Or i.e. rye."]),
        (
            "It grew 3.5 percent in the U.S. last year.",
            ["It grew 3.5 percent in the U.S. last year."],
        ),
        ("Room No. 5 is free. No. It is not.", ["Room No. 5 is free.", "No.", "It is not."]),
        ("It costs approx. ten dollars.", ["It costs approx. ten dollars."]),
    ],
)
def test_abbreviations_and_numbers_do_not_end_sentences(text, sentences):
    (block,) = apply_spoken_cues(dictate(text)).blocks
    assert [s.text for s in block.sentences] == sentences


@pytest.mark.parametrize(
    "text, needed",
    [
        ("I walked. New section: costs. Flour is cheap.", False),
        ("I walked every day. The next section of the trail was steep.", False),
        ("No cues here at all, just speech.", False),
        ("I walked New section Part 3 I walked to the station", True),
        ("it changed my days new section part three", True),
        ("Next section why prices rise the bakery raised its prices twice this year", True),
        ("It can't do as much. Section 4 Crazy Notes Not only in training is there waste", True),
        ("That may be info leakage here Subsection where it breaks", True),
        # Whisper's hearing of "New section, part 9." and a pause: a comma after the head, no
        # mark after the name (tests/data/dense-cues-memo.ogg on an AVX-512 CPU)
        ("New section, part I may be the remaining data command layer and slash deal.", True),
        ("Okay, new section. Part 7. It goes on from here.", False),
    ],
)
def test_word_timings_are_asked_for_only_where_punctuation_leaves_a_cue_open(text, needed):
    assert needs_pauses(text) is needed


def test_a_bare_cue_then_a_numbered_one_is_one_section_named_by_the_number():
    _, blocks = structure(
        "We measured progress. New section. Part 7.",
        "My billion neural network is a lossy compression model.",
        "Section eight.",
        "It goes on for a long while after the number, as speech does.",
    )
    assert blocks == [
        (None, "We measured progress."),
        ("Part 7", "My billion neural network is a lossy compression model."),
        ("Section eight", "It goes on for a long while after the number, as speech does."),
    ]


def language_corpus(code: str) -> list[tuple[str, str, str, str]]:
    """tests/data/cues-<code>.tsv: how speakers of that language dictate structure."""
    return [(code, *row) for row in corpus(f"cues-{code}.tsv")]


@pytest.mark.parametrize(
    "code, sentence, kind, name",
    [row for code in ("de", "fr", "es") for row in language_corpus(code)],
)
def test_corpus_in_other_languages(code, sentence, kind, name):
    """Each language's cues from its own file; English ones mean nothing in German."""
    cue = match_cue(sentence, language(code))
    if kind == "none":
        assert cue is None, f"{sentence!r} is prose, not a {cue and cue.kind} cue"
    else:
        assert cue is not None, f"{sentence!r} should be a {kind} cue"
        assert (cue.kind, cue.name) == (kind, name)


def test_a_language_without_a_file_gets_no_english_rules():
    unknown = language("nl")
    assert not unknown.known
    assert match_cue("New section: the costs.", unknown) is None
    assert match_cue("New section: the costs.") is not None  # English, by default
