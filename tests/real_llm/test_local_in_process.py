"""The in-process model (--llm local): Qwen2.5 0.5B run by CTranslate2 inside voiceblog, through
litellm's provider for it, on real memos. Skipped only where voiceblog[local] is not installed."""

import importlib.util
import json
import logging
import shutil
import threading
from pathlib import Path

import pytest
from helpers import SPOKEN, assert_clean, headings, run

from voiceblog import local_llm
from voiceblog.errors import LLMError, LLMOutputError
from voiceblog.llm import LLMClient, LLMSettings, json_reply

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ("ctranslate2", "tokenizers")  # and gguf, to convert the model the first time
if missing := [m for m in RUNTIME if importlib.util.find_spec(m) is None]:
    pytest.skip(f"voiceblog[local] is not installed ({missing[0]})", allow_module_level=True)


def draft(memo: Path):
    result = run("draft", memo, "--llm", "local", "--format", "md")
    assert result.exit_code == 0, result.output
    paths = [Path(p) for p in result.stdout.splitlines()]
    markdown = next(p for p in paths if p.suffix == ".md").read_text()
    report = json.loads(next(p for p in paths if p.name.endswith(".report.json")).read_text())
    return markdown.split("---\n", 2)[2], report, result.stderr


def test_local_cleans_the_example_memo_in_process(workspace):
    memo = Path(shutil.copy(ROOT / "recordings" / "example-memo.m4a", workspace))
    body, report, stderr = draft(memo)
    assert "the model runs inside voiceblog" in stderr
    assert_clean(body)
    assert body.lstrip().startswith("# Why I started walking to work\n")
    assert [h for h in headings(body) if h in SPOKEN] == SPOKEN
    assert report["kept"] >= 0.9
    assert report["chunks_by_rules"] <= 1
    assert report["usage"]["calls"] >= len(report["chunks"])  # every chunk went to the model


@pytest.mark.slow
def test_local_cleans_a_five_minute_memo_rather_than_summarising_it(workspace):
    memo = Path(shutil.copy(ROOT / "tests" / "data" / "scaling-memo.ogg", workspace))
    body, report, _ = draft(memo)
    assert_clean(body)
    expected = json.loads((ROOT / "tests" / "data" / "scaling-memo.json").read_text())
    assert len(headings(body)) >= len(expected["headings"])
    assert report["kept"] >= 0.9
    assert report["chunks_by_rules"] <= 1, [c["problem"] for c in report["chunks"]]


def test_litellm_reaches_the_model_in_process_and_an_answer_is_cached(workspace):
    (cache := workspace / "cache").mkdir()
    client = LLMClient(LLMSettings("local", temperature=0.0), cache)
    messages = [{"role": "user", "content": "Reply with the word yes."}]
    first = client.complete(messages, max_tokens=8)
    assert first.strip() and client.usage.calls == 1 and client.usage.prompt_tokens > 5
    assert client.usage.cost is None  # no price table knows this machine
    assert client.complete(messages, max_tokens=8) == first
    assert (client.usage.calls, client.usage.cached) == (1, 1)


def test_a_reply_that_runs_past_its_budget_is_an_output_error(workspace):
    client = LLMClient(LLMSettings("local", temperature=0.0), None)
    messages = [{"role": "user", "content": "Count from one to fifty in words."}]
    with pytest.raises(LLMOutputError, match="ran on past 4 tokens"):
        client.complete(messages, max_tokens=4)
    assert client.usage.calls == 1 and client.usage.completion_tokens == 4


def test_a_reply_that_goes_round_in_a_loop_is_cut_and_is_an_output_error(workspace):
    """Qwen 0.5B's tags for the 5-minute memo were one phrase said 60 times, to the answer's
    920-token limit: now decoding stops after a few rounds."""
    client = LLMClient(LLMSettings("local", temperature=0.0), None)
    ask = 'Write "human learning best" forty times, separated by commas, and nothing else.'
    with pytest.raises(LLMOutputError, match="went round in a loop"):
        client.complete([{"role": "user", "content": ask}], max_tokens=400)
    assert client.usage.completion_tokens < 100


def test_requests_made_at_once_are_decoded_in_one_batch(caplog):
    model = local_llm.loaded(local_llm.DEFAULT)
    words = ["apple", "river", "stone"]
    replies = {}

    def ask(word: str) -> None:
        messages = [{"role": "user", "content": f"Repeat this word once: {word}"}]
        replies[word] = model.generate(messages, 6, 0.0).text

    with caplog.at_level(logging.INFO, logger="voiceblog"):
        threads = [threading.Thread(target=ask, args=(w,)) for w in words]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert any("local model: 3 requests" in r.message for r in caplog.records), caplog.text
    assert all(word in replies[word].lower() for word in words), replies


def test_the_tokenizer_built_from_the_gguf_is_llama_cpps(workspace):
    llama_cpp = pytest.importorskip("llama_cpp")
    gguf = local_llm.packaged_gguf()
    reference = llama_cpp.Llama(str(gguf), vocab_only=True, verbose=False)
    ours = local_llm.loaded(local_llm.DEFAULT).tokenizer
    text = (
        "Um, so I walked 3.5 km to work — on 2024-08-22, at 7:45 — and Suzanne's café said "
        "\"¡hola!\"\n\n  Next paragraph:\tdon't, won't, I'll.  Zürich 🚶 ok?"
    )
    wanted = reference.tokenize(text.encode(), add_bos=False, special=False)
    assert ours.encode(text, add_special_tokens=False).ids == wanted
    assert ours.decode(wanted) == text


def test_a_gguf_of_another_architecture_is_refused_saying_what_to_do(workspace):
    pytest.importorskip("gguf")
    smollm = local_llm.llm_cache() / "SmolLM2-135M-Instruct.Q4_1.gguf"  # a llama-architecture GGUF
    if not smollm.exists():
        pytest.skip("SmolLM2 is assembled by tools/local_llm.py (the llama.cpp server tests)")
    with pytest.raises(LLMError, match="reads Qwen2 GGUF files, and this one is 'llama'"):
        local_llm.model_folder(str(smollm))


def test_a_missing_model_file_is_named(workspace):
    with pytest.raises(LLMError, match="local/nowhere.gguf: no such file"):
        local_llm.model_folder("nowhere.gguf")


def test_a_json_mode_reply_in_process_is_one_object_and_ends_with_it(workspace):
    client = LLMClient(LLMSettings("local", temperature=0.0), None)
    messages = [
        {"role": "system", "content": "Reply in JSON only."},
        {"role": "user", "content": 'Give {"colour": <a colour>} for the sky, then explain.'},
    ]
    reply = client.complete(messages, json_mode=True, max_tokens=200)
    # The model opens a code fence first (json_reply reads past it) and would go on to explain.
    assert reply.rstrip().endswith("}"), reply
    assert json_reply(reply, {"type": "object", "required": ["colour"]}, "colour answer")
    assert client.usage.completion_tokens < 50
