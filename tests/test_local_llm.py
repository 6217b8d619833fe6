"""--llm local without running the model: how it is named, routed and sized, and the shared
start of a batch's prompts (the model itself is exercised in tests/real_llm/)."""

from voiceblog import local_llm
from voiceblog.llm import LLMSettings, destination, is_local, key_sent, local_defaults, missing_key


def test_local_names_the_default_model_or_a_path():
    assert local_llm.is_local_model("local") and local_llm.is_local_model("local/~/m.gguf")
    assert not local_llm.is_local_model("ollama/llama3.1")
    assert local_llm.litellm_model("local") == "voiceblog-local/qwen-0.5b"
    assert local_llm.litellm_model("local//models/big.gguf") == "voiceblog-local//models/big.gguf"


def test_an_in_process_model_needs_no_key_sends_none_and_gets_every_chunk_at_once():
    settings = LLMSettings("local")
    assert is_local("local", None)
    assert missing_key(settings) is None and key_sent(settings) is None
    assert destination(settings) == "nowhere: the model runs inside voiceblog"
    # The chunks are decoded together, so all of them are sent at once (a server: one by one).
    assert local_defaults("local", None) == {"jobs": 8, "timeout": 600.0}
    assert local_defaults("openai/qwen", "http://127.0.0.1:8080/v1")["jobs"] == 1
    assert settings.describe() == "local (in this process)"


def test_chats_are_written_in_chatml_ending_where_the_reply_starts():
    messages = [{"role": "system", "content": "Edit."}, {"role": "user", "content": "um hi"}]
    assert local_llm.chatml(messages) == (
        "<|im_start|>system\nEdit.<|im_end|>\n<|im_start|>user\num hi<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_the_shared_prefix_of_a_batch_ends_with_a_whole_turn():
    system = ["<|im_start|>", "system", "Ċ", "Edit", ".", "<|im_end|>", "Ċ"]
    one = [*system, "<|im_start|>", "user", "Ċ", "a", "<|im_end|>", "Ċ", "<|im_start|>"]
    two = [*system, "<|im_start|>", "user", "Ċ", "b", "<|im_end|>", "Ċ", "<|im_start|>"]
    assert local_llm._shared_prefix([one, two]) == system
    assert local_llm._shared_prefix([one]) == one[:-1]  # a request alone: all but its last turn
    assert local_llm._shared_prefix([["a", "b"], ["a", "c"]]) == []  # no whole turn in common


def _request(length: int) -> local_llm._Request:
    return local_llm._Request(["t"] * length, max_tokens=8, temperature=0.0)


def test_a_batch_holds_prompts_of_about_one_length_and_the_rest_wait():
    # CTranslate2 reads a batch's prompts in one pass only up to the shortest: a chunk batched
    # with the long sectioning prompt would have that prompt's tail fed one token a step.
    chunks = [_request(n) for n in (458, 472, 449, 465)]
    sectioning = _request(1200)
    batch, rest = local_llm._next_batch([sectioning, *chunks])
    assert batch == [sectioning] and rest == chunks  # the oldest first, alone
    batch, rest = local_llm._next_batch(rest)
    assert sorted(len(r.tokens) for r in batch) == [449, 458, 465, 472] and rest == []


def test_a_batch_takes_at_most_max_batch_requests_the_oldest_first():
    requests = [_request(300) for _ in range(local_llm.MAX_BATCH + 2)]
    batch, rest = local_llm._next_batch(requests)
    assert batch == requests[: local_llm.MAX_BATCH] and rest == requests[local_llm.MAX_BATCH :]


def test_prompts_further_apart_than_the_spread_are_not_batched():
    near, far = _request(300), _request(300 + local_llm.PROMPT_SPREAD + 1)
    first = _request(300)
    assert local_llm._next_batch([first, far, near]) == ([first, near], [far])


def _closes(reply_tokens: list[str]) -> int | None:
    """How many tokens a JSON reply keeps: up to the one that closes its object."""
    tracker = local_llm._ObjectEnd()
    return next((i + 1 for i, t in enumerate(reply_tokens) if tracker.closed_by(t)), None)


def test_a_json_reply_ends_where_its_object_closes():
    assert _closes(['{"', "title", '":', 'Ġ"', "A", '"}', "ĊĊ", "Note"]) == 6
    assert _closes(["Sure", ":", 'Ġ{"', 'a":', "Ġ{", "}}", "Ġ{"]) == 6  # nested, after a preamble
    # Braces and escaped quotes inside a string are text.
    assert _closes(['{"', 'a":"', "}", '\\"', "{", '"', "}"]) == 7
    assert _closes(['{"', "a", '":', "Ġ1"]) is None  # still open: runs to its budget


def test_a_reply_loops_once_a_unit_of_three_tokens_or_more_comes_six_times_in_a_row():
    said = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
    for unit in (3, 7, local_llm.LOOP_UNIT_MAX):
        phrase = list(range(100, 100 + unit))
        assert local_llm.loops(said + phrase * local_llm.LOOP_TIMES)
        assert not local_llm.loops(said + phrase * (local_llm.LOOP_TIMES - 1))
        assert not local_llm.loops(phrase * local_llm.LOOP_TIMES + said)  # a loop left behind
    # "no, no, no" and "very very very" are no loop; said on for 24 and 18 tokens they are.
    assert not local_llm.loops(said + [1, 2] * 11) and not local_llm.loops(said + [3] * 17)
    assert local_llm.loops(said + [1, 2] * 12) and local_llm.loops(said + [3] * 18)
    # A unit longer than LOOP_UNIT_MAX is a passage: the duplicated-passage check's business.
    assert not local_llm.loops(list(range(100, 100 + local_llm.LOOP_UNIT_MAX + 1)) * 6)
    assert not local_llm.loops(list(range(500)))
