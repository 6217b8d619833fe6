"""The LLM referee for near-miss cues, over real HTTP to a scripted server: one request a memo
for the sentences that open with a structure word but that the grammar did not take, and only
verdicts in the speaker's own words applied."""

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from helpers import run
from llm_server import ScriptedLLM, cleanups, is_cleanup, is_referee, referee_requests

from voiceblog.cues import Dictation, apply_spoken_cues
from voiceblog.flow import make_draft
from voiceblog.languages import language
from voiceblog.llm import LLMSettings
from voiceblog.referee import near_misses, structure_word
from voiceblog.section import Draft
from voiceblog.transcription.transcript import Segment, Transcript
from voiceblog.workspace import Workspace

DATA = Path(__file__).parent / "data"
SECTIONS = json.dumps({"title": "Riding", "summary": "On riding.", "tags": [], "sections": []})
BEGINNER = "For the last section I want to cover what the repairs cost."
RIVER = "The first section of the canal towpath was muddy, so I pushed the bike."
SHED = "As a title for the post I would pick a winter of commuting."
BRAKES = "Under a small heading, the brakes."
# Sentences the grammar takes as they are, or that hold no structure word up front.
MEMO = [
    "I have been riding to work for a year now.",
    BEGINNER,
    RIVER,
    "Buy a good lock and a bright light.",
    "New section: the costs.",
    "It cost less than the bus, and the bus is slow.",
    SHED,
    BRAKES,
    "They squeal in the rain, and I have stopped caring.",
]


def dictated(*sentences: str) -> Dictation:
    """The dictation the grammar makes of the sentences, each said as a segment of its own."""
    segments = tuple(Segment(3.0 * i, 3.0 * i + 3, s) for i, s in enumerate(sentences))
    transcript = Transcript(segments, 3.0 * len(sentences), "en", "faster-whisper", "tiny.en")
    return apply_spoken_cues(transcript)


def numbered(messages: list[dict]) -> dict[int, str]:
    """The sentences a referee request asks about, by number."""
    user = messages[-1]["content"].split("<sentences>", 1)[1].split("</sentences>", 1)[0]
    return {int(n): text for n, text in re.findall(r"^\[(\d+)\] (.+)$", user, re.MULTILINE)}


def judged(verdict_of) -> callable:
    """A server whose referee answers verdict_of(sentence) -> (kind, name) for each sentence,
    and whose cleanup hands the chunk back as it is."""

    def answer(messages):
        if is_cleanup(messages):
            return messages[-1]["content"].split("<transcript>", 1)[1].split("</transcript>")[0]
        if is_referee(messages):
            verdicts = [
                {"n": n, "kind": kind, "name": name}
                for n, text in numbered(messages).items()
                for kind, name in [verdict_of(text)]
            ]
            return json.dumps({"verdicts": verdicts})
        return SECTIONS

    return answer


def true_verdicts(sentence: str) -> tuple[str, str]:
    """What a good referee says of the memo's near misses."""
    return {
        BEGINNER: ("section", "what the repairs cost"),
        SHED: ("title", "a winter of commuting"),
        BRAKES: ("subsection", "the brakes"),
    }.get(sentence, ("prose", ""))


def draft_of(server: ScriptedLLM, workspace: Path, dictation=None, **settings) -> Draft:
    settings = {"no_cache": True, "timeout": 5, **settings}
    llm = LLMSettings("openai/scripted", api_base=server.url, **settings)
    draft, _ = make_draft(dictation or dictated(*MEMO), llm, Workspace(workspace), "memo")
    return draft


def structure(draft: Draft) -> list[tuple[str | None, int]]:
    return [(s.heading, s.level) for s in draft.sections]


def text_of(draft: Draft) -> str:
    return " ".join(p.text for p in draft.paragraphs)


def test_near_misses_are_sentences_that_open_with_a_structure_word():
    dictation = dictated(*MEMO)
    assert [m.sentence.text for m in near_misses(dictation)] == [BEGINNER, RIVER, SHED, BRAKES]
    english = language("en")
    assert structure_word("Okay, so, um, final section for today, the end.", english) == (
        4,
        "section",
    )
    assert structure_word("I walked the whole middle section twice.", english) is None
    assert structure_word("Part of me wanted to quit.", english) == (0, "section")
    assert structure_word("The working title is long.", english) == (1, "title")
    assert structure_word("A sub section, then.", english) == (1, "subsection")


@pytest.mark.parametrize(
    "code, sentence, at",
    [
        ("de", "Also, der nächste Abschnitt des Weges war steil.", (3, "section")),
        ("de", "Die Überschrift des Beitrags ist lang.", (1, "title")),
        ("fr", "Bon, la deuxième partie du chemin était raide.", (3, "section")),
        ("es", "Bueno, el subtítulo era largo.", (2, "subsection")),
    ],
)
def test_near_misses_come_from_each_languages_own_structure_words(code, sentence, at):
    assert structure_word(sentence, language(code)) == at
    assert structure_word(sentence, language("en")) is None  # not English words


def test_all_near_misses_of_a_memo_go_in_one_request(workspace):
    with ScriptedLLM(judged(true_verdicts)) as server:
        draft_of(server, workspace)
    (request,) = referee_requests(server)
    assert numbered(request["messages"]) == {1: BEGINNER, 2: RIVER, 3: SHED, 4: BRAKES}
    assert request["response_format"] == {"type": "json_object"}
    assert server.requests[0] is request  # asked before cleanup: the verdicts move blocks


def test_a_verdict_in_the_speakers_words_becomes_a_heading(workspace):
    with ScriptedLLM(judged(true_verdicts)) as server:
        draft = draft_of(server, workspace)
    assert draft.title == "A winter of commuting"
    assert structure(draft) == [
        ("Introduction", 1),
        ("What the repairs cost", 1),
        ("The costs", 1),
        ("The brakes", 2),
    ]
    spoken = [s.heading for s in draft.sections if s.spoken]
    assert spoken == ["What the repairs cost", "The costs", "The brakes"]
    text = text_of(draft)
    assert RIVER in text  # judged prose: speech as before
    assert "repairs cost." not in text and "winter of commuting" not in text  # the cues are gone
    # What was said after the new heading's cue is in its section.
    assert "Buy a good lock" in " ".join(p.text for p in draft.sections[1].paragraphs)


def test_verdicts_with_a_comma_before_a_closing_bracket_are_read(workspace):
    """Qwen2.5 0.5B ends its list of verdicts with '},\n]}': a slip JSON5 forgives, so do we;
    a comma inside a name stays."""

    def script(messages):
        if not is_referee(messages):
            return judged(true_verdicts)(messages)
        reply = judged(true_verdicts)(messages)
        verdicts = json.loads(reply)["verdicts"]
        listed = "".join(f"\n  {json.dumps(v)}," for v in verdicts)
        return '{"verdicts": [' + listed + "\n],}"

    with ScriptedLLM(script) as server:
        draft = draft_of(server, workspace)
    assert draft.title == "A winter of commuting"
    assert ("What the repairs cost", 1) in structure(draft)


@pytest.mark.parametrize(
    "said, name",
    [
        ("The title of this post is Scaling is not a whole story.", "Scaling is not a whole story"),
        ("The headline of this piece is trains are slow.", "Trains are slow"),
        ("The title for this one is the bus was late again.", "The bus was late again"),
    ],
)
def test_a_title_after_the_grammars_own_head_is_taken_when_the_model_says_so(workspace, said, name):
    """A name that reads like a sentence ("… is Scaling is not …") keeps the grammar from
    taking the cue; the words before it are still one of its title heads, so the model's
    verdict decides, though the link ("of this post is") starts with a word no name may."""

    def verdict(sentence):
        return ("title", name) if sentence == said else ("prose", "")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace, dictated("I rode a lot.", said, "It was cheap."))
    assert draft.title == name
    assert said not in text_of(draft)


def test_a_spoken_title_is_not_replaced_by_a_verdict(workspace):
    with ScriptedLLM(judged(true_verdicts)) as server:
        draft = draft_of(server, workspace, dictated("Title: riding in the rain.", *MEMO))
    assert draft.title == "Riding in the rain"
    assert SHED in text_of(draft)


@pytest.mark.parametrize(
    "name",
    [
        "The price of repairs",  # the model's own words
        "what the repairs took",  # nearly the speaker's
        "last section I want to cover",  # the cue's own structure word
        "cost the repairs what",  # the speaker's words, not as said
    ],
)
def test_a_verdict_naming_words_the_sentence_does_not_say_is_rejected(workspace, name):
    def verdict(sentence):
        return ("section", name) if sentence == BEGINNER else ("prose", "")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace)
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert BEGINNER in text_of(draft)


@pytest.mark.parametrize(
    "name",
    [
        "so I pushed the bike",  # a lead
        "of the canal towpath was muddy",  # the rest of a sentence
        "the canal towpath was muddy",  # ... after "section of"
        "the bike",  # far from "section": what was said between would be lost
    ],
)
def test_a_name_that_runs_on_as_the_sentence_does_is_rejected(workspace, name):
    """What Qwen2.5 0.5B answered for a prose sentence: a tail of it, called a section."""

    def verdict(sentence):
        return ("section", name) if sentence == RIVER else ("prose", "")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace)
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert RIVER in text_of(draft)


@pytest.mark.parametrize("kind", ["title", "subsection"])
def test_a_cue_takes_the_kind_its_structure_word_names_whatever_the_model_calls_it(workspace, kind):
    """A sentence that says "section" starts a section, never the title: the model says
    whether it is a cue, the speaker's word says which. Qwen 0.5B in process called "The
    title of this post is …" a section."""

    def verdict(sentence):
        return (kind, "what the repairs cost") if sentence == BEGINNER else ("prose", "")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace)
    assert ("What the repairs cost", 1) in structure(draft)
    assert draft.title != "What the repairs cost"
    assert BEGINNER not in text_of(draft)


def test_a_verdict_of_a_kind_the_prompt_does_not_name_is_dropped(workspace):
    def verdict(sentence):
        return ("chapter", "what the repairs cost") if sentence == BEGINNER else ("prose", "")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace)
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert BEGINNER in text_of(draft)


def test_a_verdict_that_ends_before_the_sentence_does_keeps_the_rest_as_speech(workspace):
    said = "The final section I have in mind: the costs, which surprised me."
    assert [m.sentence.text for m in near_misses(dictated(said, "It was cheap."))] == [said]

    def verdict(sentence):
        return ("section", "the costs")

    with ScriptedLLM(judged(verdict)) as server:
        draft = draft_of(server, workspace, dictated("I rode a lot.", said, "It was cheap."))
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert draft.sections[1].paragraphs[0].text.startswith("Which surprised me")


@pytest.mark.parametrize(
    "answer",
    [
        "Sure! Sentence 1 is a section.",
        '{"verdicts": "all prose"}',
        '{"verdicts": [{"n": 1, "kind": "section", "name": "what the repairs co',
    ],
)
def test_an_unusable_answer_leaves_the_grammars_decision(workspace, answer):
    def script(messages):
        return answer if is_referee(messages) else judged(true_verdicts)(messages)

    with ScriptedLLM(script) as server:
        draft = draft_of(server, workspace)
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert all(s in text_of(draft) for s in (BEGINNER, SHED, BRAKES))
    assert len(cleanups(server)) >= 1  # the draft went on with the LLM


def test_a_referee_request_that_times_out_leaves_the_grammars_decision(workspace):
    def script(messages):
        if is_referee(messages):
            time.sleep(3)
        return judged(true_verdicts)(messages)

    with ScriptedLLM(script) as server:
        draft = draft_of(server, workspace, timeout=1, retries=0)
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert BEGINNER in text_of(draft)
    assert len(referee_requests(server)) == 1 and len(cleanups(server)) >= 1


def test_verdicts_are_cached_and_a_rejected_answer_is_not(workspace):
    answers = iter(["no JSON here", None, None])

    def script(messages):
        if is_referee(messages) and (bad := next(answers)):
            return bad
        return judged(true_verdicts)(messages)

    with ScriptedLLM(script) as server:
        first = draft_of(server, workspace, no_cache=False)
        second = draft_of(server, workspace, no_cache=False)
        third = draft_of(server, workspace, no_cache=False)
    assert len(referee_requests(server)) == 2  # the unusable answer was asked for again
    assert structure(first) == [("Introduction", 1), ("The costs", 1)]
    assert structure(second) == structure(third)
    assert ("What the repairs cost", 1) in structure(third)


def test_offline_the_grammar_decides_alone(workspace):
    with ScriptedLLM(judged(true_verdicts)) as server:
        draft, _ = make_draft(dictated(*MEMO), None, Workspace(workspace), "memo")
    assert server.requests == []
    assert structure(draft) == [("Introduction", 1), ("The costs", 1)]
    assert BEGINNER in text_of(draft)


def test_a_memo_is_drafted_with_one_referee_request_and_none_when_run_again(workspace):
    memo = Path(shutil.copy(DATA / "holdout-running-memo.ogg", workspace / "running.ogg"))
    with ScriptedLLM(judged(lambda sentence: ("prose", ""))) as server:
        args = ["draft", memo, "--format", "md", "--llm", "openai/scripted"]
        first = run(*args, "--api-base", server.url)
        second = run(*args, "--api-base", server.url, "--force")
        offline = run("draft", memo, "--format", "md", "--force")
    assert first.exit_code == second.exit_code == offline.exit_code == 0, first.output
    (request,) = referee_requests(server)  # the second run's answer came from the cache
    assert "The first section of the river path is steep" in request["messages"][1]["content"]
