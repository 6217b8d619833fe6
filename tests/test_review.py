"""The review page in a real headless browser (Debian's Chromium through selenium): playing
from a paragraph, j/k, flags; and the page's own promises: self-contained, spans on every
paragraph, a notice where the recording cannot be found."""

import re
import shutil
import sys
import time
from pathlib import Path

import pytest
from helpers import run
from llm_server import ScriptedLLM, is_cleanup, transcript_of

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import browser  # noqa: E402

needs_browser = pytest.mark.skipif(
    bool(browser.available()), reason=f"no headless browser: {browser.available()}"
)
SECTIONS = '{"title": "Walking", "summary": "On walking.", "tags": ["walking"], "sections": []}'


def reviewed(workspace: Path, *extra, name: str = "example-memo.m4a") -> Path:
    """The review page of the example memo's draft (copied as name), drafted with --review."""
    (workspace / "recordings").mkdir(exist_ok=True)
    memo = shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace / "recordings" / name)
    result = run("draft", memo, "--review", "--format", "md", *extra)
    assert result.exit_code == 0, result.output
    (page,) = [Path(p) for p in result.stdout.split() if p.endswith(".review.html")]
    return page.resolve()


def wait_for(driver, script: str, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := driver.execute_script(script):
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


@needs_browser
def test_a_click_plays_from_the_paragraph_and_j_moves_on(workspace):
    from selenium.webdriver.common.action_chains import ActionChains

    page = reviewed(workspace)
    with browser.chromium() as driver:
        driver.get(page.as_uri())
        paragraphs = driver.find_elements("css selector", "article.para")
        third = paragraphs[2]
        start = float(third.get_attribute("data-start"))
        third.click()
        wait_for(driver, "const a = document.getElementById('audio'); return !a.paused;")
        played_from = driver.execute_script("return document.getElementById('audio').currentTime")
        assert abs(played_from - start) <= 0.5, (played_from, start)
        wait_for(driver, "return document.querySelector('article.para.playing') !== null")
        assert "current" in third.get_attribute("class")
        ActionChains(driver).send_keys("j").perform()
        assert "current" in paragraphs[3].get_attribute("class")
        assert "current" not in third.get_attribute("class")
        ActionChains(driver).send_keys("k").perform()
        assert "current" in third.get_attribute("class")


@needs_browser
def test_a_flagged_paragraph_shows_its_reason(workspace):
    def answer(messages):
        if not is_cleanup(messages):
            return SECTIONS
        chunk = transcript_of(messages)
        return "Sure! Here is a tidier version." if "forty" in chunk or "40" in chunk else chunk

    with ScriptedLLM(answer) as server:
        page = reviewed(workspace, "--llm", "openai/scripted", "--api-base", server.url)
    with browser.chromium() as driver:
        driver.get(page.as_uri())
        flags = driver.find_elements("css selector", "article.flagged .flag")
        assert [f.text for f in flags] == [
            "Flagged: it answers or comments on the memo instead of cleaning it"
        ]
        totals = driver.find_element("css selector", ".totals").text
        assert "kept" in totals and "chunks cleaned by the rules\n1 of 4" in totals


@needs_browser
def test_a_recording_named_like_a_url_plays(workspace):
    page = reviewed(workspace, name="a#b?c%20d&e.m4a")
    assert 'src="../recordings/a%23b%3Fc%2520d%26e.m4a"' in page.read_text()
    with browser.chromium() as driver:
        driver.get(page.as_uri())
        driver.find_elements("css selector", "article.para")[1].click()
        wait_for(driver, "const a = document.getElementById('audio'); return !a.paused;")
        assert driver.execute_script("return document.getElementById('audio').duration") > 50
        assert driver.execute_script("return document.getElementById('no-audio').hidden")


@needs_browser
def test_without_the_recording_the_page_says_so(workspace):
    page = reviewed(workspace)
    (workspace / "recordings" / "example-memo.m4a").unlink()
    with browser.chromium() as driver:
        driver.get(page.as_uri())
        wait_for(driver, "return !document.getElementById('no-audio').hidden")
        assert len(driver.find_elements("css selector", "article.para")) == 5


def test_the_page_is_one_self_contained_file(workspace):
    page = reviewed(workspace)
    html = page.read_text()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)
    assert '<audio id="audio" controls preload="auto" src="../recordings/example-memo.m4a">' in html
    spans = re.findall(
        r'<article class="para[^"]*" tabindex="0" data-start="([\d.]+)" '
        r'data-end="([\d.]+)"',
        html,
    )
    assert len(spans) == 5 and all(float(a) < float(b) for a, b in spans)
    assert "<del>Um,</del>" in html  # what the cleanup removed, struck through
    assert re.search(r'<h3|<h2 id="s\d+" class="heading" tabindex="0" data-start', html)


def test_review_command_for_a_draft_and_for_a_recording(workspace):
    page = reviewed(workspace)
    page.unlink()
    draft = next((workspace / "drafts").glob("*.md"))
    by_draft = run("review", draft)
    assert by_draft.exit_code == 0, by_draft.output
    assert by_draft.stdout.strip() == str(page.relative_to(workspace.resolve()))
    page.unlink()
    by_recording = run("review", "recordings/example-memo.m4a")
    assert by_recording.stdout.strip() == str(page.relative_to(workspace.resolve()))
    assert page.exists()
    lost = run("review", workspace / "nothing.md")
    assert lost.exit_code == 1 and "no such draft" in lost.stderr
