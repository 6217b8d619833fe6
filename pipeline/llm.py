"""The one door to language models: litellm, so any provider or local server works the same.

An LLMClient retries what is worth retrying (429, 5xx, timeouts, dropped connections) with
backoff, caches every accepted answer by its exact request so an unchanged re-run costs
nothing, and tallies tokens and cost. It is shared by the threads that clean chunks
concurrently. An LLMHealth, shared by every memo of a run, gives up on a server that has
stopped answering, so a dead one costs about two timeouts per run instead of a wait per chunk.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema

from voiceblog.errors import LLMError, LLMOutputError
from voiceblog.redact import redact, without_credentials
from voiceblog.settings import JOBS
from voiceblog.workspace import atomic_write, sha256_bytes

log = logging.getLogger("voiceblog")

BACKOFF_FIRST = 0.5  # seconds before the first retry; doubles each time
BACKOFF_MAX = 20.0  # never wait longer than this between tries (a Retry-After is honoured up to it)
# When to stop sending to a server for the rest of the run. A timeout costs a whole --timeout,
# so two in a row (or two answers that are no chat reply at all: an HTML page, broken JSON)
# are enough; other failures are retried first, and two requests failed past their retries
# in a row are enough.
SILENT_REQUESTS = 2
FAILED_REQUESTS = 2
# litellm's words for a 200 that holds no chat reply (it calls it a server error).
NO_CHAT_REPLY = (
    "no 'choices'",
    "Received response - <APIResponse [200",
    "Empty or invalid response from LLM endpoint",
)
SENTENCE_CHARS = 160  # a provider's own message is cut to its first sentence, at most this long


@dataclass(frozen=True)
class LLMSettings:
    model: str  # any litellm model string: "gpt-4o-mini", "ollama/llama3.1", "openai/<name>"
    api_base: str | None = None  # an OpenAI-compatible server (Ollama, vLLM, LM Studio)
    timeout: float = 60.0  # seconds for one request before it counts as failed
    retries: int = 3  # further tries after a 429, a 5xx, a timeout or a dropped connection
    temperature: float = 0.2  # low: cleanup is editing, not writing
    style: str = "light"  # cleanup style: prompts/style-<name>.md
    jobs: int = JOBS  # chunks in flight at once
    chunk_tokens: int | None = None  # transcript tokens per chunk; None: from the model's context
    no_cache: bool = False  # True: ask again, not answering an identical request from the cache
    require_llm: bool = False  # fail when the LLM cannot clean a memo, not using the rules
    send_key: bool = True  # False: api_base came from a workspace not trusted with the key

    def describe(self) -> str:
        """The model and where it is served, without any credentials in the URL."""
        if _in_process(self.model):
            return f"{self.model} (in this process)"
        if not self.api_base:
            return self.model
        return f"{self.model} at {without_credentials(self.api_base)}"


class LLMDown(LLMError):
    """The LLM stopped answering earlier in this run; nothing more is sent to it."""


class LLMHealth:
    """Whether the LLM is still answering, for one run: shared by every memo of a batch, so a
    server that died is given up on once, not waited for again by each chunk and each memo."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._silent = 0  # requests in a row that timed out or got no chat reply
        self._failed = 0  # requests in a row that failed past their retries
        self.down: LLMError | None = None  # what went wrong when it was given up on

    def check(self) -> None:
        """LLMDown once the LLM has been given up on."""
        if self.down is not None:
            raise LLMDown(str(self.down))

    def answered(self) -> None:
        with self._lock:
            self._silent = self._failed = 0

    def silent(self, error: LLMError) -> None:
        """A request timed out, or the server answered with no chat reply at all."""
        with self._lock:
            self._silent += 1
            if self._silent >= SILENT_REQUESTS and self.down is None:
                self.down = error

    def given_up(self, settings: LLMSettings) -> str:
        """What went wrong, in one clause: "openai/x at … is not answering (it did not …)"."""
        reason = str(self.down).replace(f"the LLM {settings.describe()}", "it")
        return f"{settings.describe()} is not answering ({reason})"

    def failed(self, error: LLMError, give_up: bool = False) -> None:
        """A request failed for good: past its retries, or not worth retrying. give_up: at
        once (the LLM is required, so nothing more is worth asking of it)."""
        with self._lock:
            self._failed += 1
            if (give_up or self._failed >= FAILED_REQUESTS) and self.down is None:
                self.down = error


def is_local(model: str, api_base: str | None) -> bool:
    """A model served on this machine: Ollama's default, or a server on a loopback address."""
    from urllib.parse import urlparse

    if _in_process(model):
        return True
    if api_base is None:
        return model.startswith(("ollama/", "ollama_chat/"))
    host = urlparse(api_base).hostname or ""
    return host in ("localhost", "::1", "0.0.0.0") or host.startswith("127.")


def local_defaults(model: str, api_base: str | None, jobs=None, timeout=None) -> dict:
    """jobs and timeout as given, else what suits where the model runs. A local server on a
    CPU answers one request at a time and needs a minute or more per chunk: eight requests at
    once would time out in its queue."""
    local = is_local(model, api_base)
    # In process, the memo's chunks are decoded together in one batch: send them all at once.
    serial = local and not _in_process(model)
    return {
        "jobs": jobs or (1 if serial else JOBS),
        "timeout": timeout or (600.0 if local else 60.0),
    }


@dataclass
class Usage:
    """What one memo's LLM work cost."""

    calls: int = 0  # requests answered by the model
    cached: int = 0  # requests answered from the cache
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0  # US dollars by litellm's price table; None when it has no price
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, prompt: int, completion: int, cost: float | None) -> None:
        with self._lock:
            self.calls += 1
            self.prompt_tokens += prompt
            self.completion_tokens += completion
            self.cost = None if cost is None or self.cost is None else self.cost + cost

    def summary(self) -> str:
        cost = "cost unknown" if self.cost is None else f"${self.cost:.4f}"
        tokens = self.prompt_tokens + self.completion_tokens
        return f"{self.calls} LLM calls ({self.cached} cached), {tokens:,} tokens, {cost}"

    def as_dict(self) -> dict:
        names = ("calls", "cached", "retries", "prompt_tokens", "completion_tokens")
        data = {name: getattr(self, name) for name in names}
        data["cost"] = "unknown" if self.cost is None else round(self.cost, 6)
        return data


def _litellm():
    # Without network, litellm would first try to download its price table; use the bundled one.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.drop_params = True  # a provider without JSON mode gets the request without it
    return litellm


def _in_process(model: str) -> bool:
    """--llm local: the model runs inside voiceblog (pipeline/local_llm.py)."""
    return model == "local" or model.startswith("local/")


def _litellm_model(model: str) -> str:
    """The model string litellm gets: the in-process provider's for --llm local."""
    if not _in_process(model):
        return model
    from voiceblog import local_llm

    local_llm.register(_litellm())
    return local_llm.litellm_model(model)


def count_tokens(text: str, model: str = "gpt-4o-mini") -> int:
    """Tokens in text by the model's tokenizer (litellm ships the common ones offline)."""
    return _litellm().token_counter(model=model, text=text)


def context_tokens(model: str) -> int | None:
    """How many input tokens the model takes, when litellm knows it."""
    try:
        return _litellm().get_model_info(model).get("max_input_tokens")
    except Exception:  # litellm raises for models it has not mapped: local ones, new ones
        return None


@dataclass(frozen=True)
class Answer:
    """One reply of the model, cached only when kept."""

    text: str
    cache_path: Path | None  # where it is kept; None without a cache
    cached: bool = False  # it came from the cache

    def keep(self) -> None:
        """Cache it: the same request is answered with it from now on."""
        if self.cache_path and not self.cached:
            atomic_write(self.cache_path, json.dumps({"reply": self.text}).encode())

    def forget(self) -> None:
        """It failed its checks: never answer from it (a copy cached before goes too)."""
        if self.cache_path:
            self.cache_path.unlink(missing_ok=True)


class LLMClient:
    def __init__(
        self, settings: LLMSettings, cache_dir: Path | None, health: LLMHealth | None = None
    ):
        self.settings = settings
        self.cache_dir = cache_dir if not settings.no_cache else None
        self.usage = Usage()
        self.dropped: Exception | None = None  # a request the server hung up on, if any
        self.health = health or LLMHealth()

    def complete(
        self, messages: list[dict], json_mode: bool = False, max_tokens: int | None = None
    ) -> str:
        """The model's reply to the messages, cached as it is: for callers that accept any."""
        answer = self.answer(messages, json_mode, max_tokens)
        answer.keep()
        return answer.text

    def answer(
        self, messages: list[dict], json_mode: bool = False, max_tokens: int | None = None
    ) -> Answer:
        """The model's reply to the messages, from the cache when this exact request was
        answered before. It is cached only once the caller keeps it: a reply that fails its
        checks is asked for again on the next run.

        max_tokens bounds what the model may write: a reply cut there is an LLMOutputError.
        """
        key = self._cache_key(messages, json_mode, max_tokens)
        if self.cache_dir and (cached := self._cached(key)) is not None:
            with self.usage._lock:
                self.usage.cached += 1
            return Answer(cached, self._cache_path(key), cached=True)
        reply = self._complete_with_retries(messages, json_mode, max_tokens)
        return Answer(reply, self._cache_path(key))

    def _cache_path(self, key: str) -> Path | None:
        return self.cache_dir / f"{key}.json" if self.cache_dir else None

    def _cache_key(self, messages: list[dict], json_mode: bool, max_tokens: int | None) -> str:
        s = self.settings
        request = [s.model, s.temperature, json_mode, messages]
        if max_tokens:
            request.append(max_tokens)
        return sha256_bytes(json.dumps(request, sort_keys=True).encode())

    def _cached(self, key: str) -> str | None:
        try:
            return json.loads((self.cache_dir / f"{key}.json").read_text())["reply"]
        except (OSError, ValueError, KeyError):
            return None

    def _complete_with_retries(self, messages: list[dict], json_mode: bool, max_tokens) -> str:
        for attempt in range(self.settings.retries + 1):
            self.health.check()  # another chunk, or an earlier memo, found the server dead
            try:
                return self._complete_once(messages, json_mode, max_tokens)
            except LLMOutputError:
                raise  # it answered, just not usefully: this request only
            except Exception as e:  # litellm maps every provider's errors onto its own classes
                # A request the server hung up on says why later ones find nobody there.
                self.dropped = self.dropped or (e if _connection_dropped(e) else None)
                cause = self.dropped if self.dropped and _connection_failed(e) else e
                error = explain(cause, self.settings)
                if _unanswered(e):
                    self.health.silent(error)
                if attempt == self.settings.retries or not _worth_retrying(e):
                    self.health.failed(error, give_up=self.settings.require_llm)
                    raise error from e
                wait = _backoff(attempt, e)
                log.debug("LLM call failed (%s); retrying in %.1f s", type(e).__name__, wait)
                with self.usage._lock:
                    self.usage.retries += 1
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _complete_once(self, messages: list[dict], json_mode: bool, max_tokens) -> str:
        litellm = _litellm()
        s = self.settings
        if _in_process(s.model):  # load (and the first time, convert) before the clock starts
            from voiceblog import local_llm

            local_llm.loaded(local_llm.weights_name(s.model))
        response = litellm.completion(
            max_tokens=max_tokens,
            model=_litellm_model(s.model),
            messages=messages,
            api_base=s.api_base,
            api_key=_api_key(s),
            timeout=s.timeout,
            num_retries=0,  # retries are ours, with backoff, counted
            max_retries=0,  # ... and not the OpenAI client's own on top
            temperature=s.temperature,
            response_format={"type": "json_object"} if json_mode else None,
        )
        self.health.answered()
        usage = getattr(response, "usage", None)
        self.usage.add(
            getattr(usage, "prompt_tokens", 0) or 0,
            getattr(usage, "completion_tokens", 0) or 0,
            _cost(litellm, response, s),
        )
        choice = response.choices[0]
        content = choice.message.content
        if not content or not content.strip():
            raise LLMOutputError(f"the LLM {s.describe()} returned an empty answer")
        if max_tokens and getattr(choice, "finish_reason", None) == "length":
            written = getattr(usage, "completion_tokens", 0) or max_tokens
            how = (
                f"ran on past {max_tokens} tokens"
                if written >= max_tokens
                else f"went round in a loop and was cut after {written} tokens"
            )
            raise LLMOutputError(f"the LLM {s.describe()} {how}")
        return content


def missing_key(settings: LLMSettings) -> str | None:
    """The environment variable a hosted model needs and lacks; None when it is set, or when
    the model runs on a server of the user's own (api_base)."""
    if settings.api_base or _in_process(settings.model):
        return None
    try:
        missing = _litellm().validate_environment(model=settings.model).get("missing_keys")
    except Exception:  # a model litellm cannot place: let the call itself say what is wrong
        return None
    # Only secrets: a missing OLLAMA_API_BASE just means the default local address.
    secrets = [name for name in missing or () if "KEY" in name or "TOKEN" in name]
    return secrets[0] if secrets else None


def key_variable(settings: LLMSettings) -> str:
    """The variable a provider reads its key from: OPENAI_API_KEY, ANTHROPIC_API_KEY, …"""
    try:
        provider = _litellm().get_llm_provider(settings.model)[1]
    except Exception:
        return "the provider's API key variable"
    return f"{provider.upper()}_API_KEY"


def _cost(litellm, response, settings: LLMSettings) -> float | None:
    if settings.api_base or _in_process(settings.model):  # no price table knows a server of
        return None  # the user's own, nor this machine
    try:
        return float(litellm.completion_cost(completion_response=response))
    except Exception:  # no price for this model (local servers, new models)
        return None


NO_KEY = "no-key-sent"  # OpenAI-compatible servers that need no key still get one; this is it


def _api_key(settings: LLMSettings) -> str | None:
    """The key to send: none of the user's to an api_base they did not choose (given
    explicitly, so litellm reads none from the environment); OpenAI's key to an OpenAI-style
    server they did choose, where the OpenAI client insists on some key."""
    if settings.api_base and not settings.send_key:
        return NO_KEY
    if settings.api_base and settings.model.startswith("openai/"):
        return os.environ.get("OPENAI_API_KEY") or NO_KEY
    return None  # litellm reads the provider's usual variable from the environment


def key_sent(settings: LLMSettings) -> str | None:
    """The environment variable whose key the requests carry; None when they carry none."""
    if settings.api_base and not settings.send_key or _in_process(settings.model):
        return None
    variable = "OPENAI_API_KEY" if settings.model.startswith("openai/") else key_variable(settings)
    return variable if os.environ.get(variable) else None


def destination(settings: LLMSettings) -> str:
    """Where the requests go: the api_base, the provider's address, or the provider's name."""
    if settings.api_base:
        return without_credentials(settings.api_base)
    if _in_process(settings.model):
        return "nowhere: the model runs inside voiceblog"
    litellm = _litellm()
    try:
        _, provider, _, base = litellm.get_llm_provider(settings.model)
        base = base or os.environ.get(f"{provider.upper()}_API_BASE")
        base = base or litellm.get_api_base(settings.model, {})
    except Exception:  # a model litellm cannot place: its call will say what is wrong
        return "the provider litellm picks for it"
    return without_credentials(base) if base else f"{provider}'s own API"


def _worth_retrying(error: Exception) -> bool:
    """429, 5xx, timeouts and dropped connections pass; a bad key or bad request does not,
    nor a server that answers with no chat reply (it would answer the same again)."""
    litellm = _litellm()
    if _no_chat_reply(error):
        return False
    if isinstance(error, litellm.Timeout | litellm.APIConnectionError) or _connection_failed(error):
        return True
    status = getattr(error, "status_code", None)
    return isinstance(status, int) and (status in (408, 429) or status >= 500)


def _backoff(attempt: int, error: Exception) -> float:
    """Exponential with jitter, or what the server asked for in Retry-After."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        asked = float(headers.get("retry-after", ""))
    except ValueError:
        asked = 0.0
    wait = max(asked, BACKOFF_FIRST * 2**attempt * random.uniform(0.8, 1.2))
    return min(wait, BACKOFF_MAX)


def _unanswered(error: Exception) -> bool:
    """The request got no answer worth waiting for: a timeout, or no chat reply at all."""
    return isinstance(error, _litellm().Timeout) or _no_chat_reply(error)


def _no_chat_reply(error: BaseException) -> bool:
    """A 200 that is not an OpenAI-style chat reply: an HTML page, broken or other JSON.
    litellm reports it as a server error; the JSON error in the cause chain, or its own words
    for a reply without choices, tell."""
    text = str(error)
    if any(words in text for words in NO_CHAT_REPLY):
        return True
    while error is not None:
        if isinstance(error, json.JSONDecodeError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _connection_failed(error: BaseException) -> bool:
    """litellm reports a refused connection as a server error; the cause chain tells."""
    import httpx

    while error is not None:
        if isinstance(error, httpx.ConnectError | ConnectionError):
            return True
        if type(error).__name__ == "APIConnectionError":  # the openai client's own class
            return True
        error = error.__cause__ or error.__context__
    return False


def _connection_dropped(error: BaseException) -> bool:
    """The server took the request and hung up without an answer: what a server that crashes
    on a request looks like from here (a refused connection is one that is not running)."""
    import httpx

    while error is not None:
        if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError):
            return True
        error = error.__cause__ or error.__context__
    return False


def explain(error: Exception, settings: LLMSettings) -> LLMError:
    """One line that says what to do, for the errors people actually meet."""
    litellm = _litellm()
    where = settings.describe()
    log.debug("LLM error from %s: %r", where, error)
    if isinstance(error, LLMError):
        return error
    if isinstance(error, litellm.Timeout):
        return LLMError(f"the LLM {where} did not answer within {settings.timeout:g} s")
    if _connection_dropped(error):
        return LLMError(
            f"the LLM server {where} closed the connection without answering: "
            "it may have crashed (its own log says why)"
        )
    if _no_chat_reply(error):
        return LLMError(
            f"the LLM {where} answered with something that is not a chat reply (a web page or "
            "broken JSON; is the address the server's API, often ending in /v1?)"
        )
    if isinstance(error, litellm.APIConnectionError) or _connection_failed(error):
        return LLMError(f"cannot reach the LLM {where}: is the server running?")
    denied = getattr(error, "status_code", None) in (401, 403)
    if denied or isinstance(error, litellm.AuthenticationError | litellm.PermissionDeniedError):
        return LLMError(f"the LLM {where} rejected the API key: check {key_variable(settings)}")
    if isinstance(error, litellm.NotFoundError):
        return LLMError(f"the LLM {where} does not know this model")
    if isinstance(error, litellm.RateLimitError):
        return LLMError(f"the LLM {where} is rate limiting requests; try again later")
    return LLMError(f"the LLM {where} failed: {provider_sentence(error)}")


def provider_sentence(error: Exception) -> str:
    """The provider's own message, without litellm's class names, cut to its first sentence
    and redacted: what a person needs, never a page of raw response."""
    text = " ".join(str(error).split()) or type(error).__name__
    text = re.sub(r"^(?:(?:litellm\.)?\w+(?:Error|Exception)\s*[:-]\s*)+", "", text)
    sentence = re.match(r"(.+?[.!?])(?:\s|$)", text)
    text = sentence.group(1) if sentence else text
    if len(text) > SENTENCE_CHARS:
        text = text[: SENTENCE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return redact(text) or type(error).__name__


_TRAILING_COMMA = re.compile(r",\s*[\]}]")


def _loads(text: str):
    """JSON, or JSON as small models write it: a comma left before a closing bracket
    ('{"n": 1, …},\n]}', Qwen 0.5B's habit) is the only slip forgiven, as JSON5 does."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(_without_trailing_commas(text))


def _without_trailing_commas(text: str) -> str:
    """The text with each comma that only a closing bracket follows taken out; a string's
    own commas stay, so no name or heading changes."""
    kept, in_string, escaped = [], False, False
    for at, char in enumerate(text):
        if in_string:
            in_string = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            in_string = True
        elif char == "," and _TRAILING_COMMA.match(text, at):
            continue
        kept.append(char)
    return "".join(kept)


def json_reply(reply: str, schema: dict, what: str) -> dict:
    """The JSON object in a model's reply, checked against the schema; an LLMOutputError
    naming what was asked for ("sectioning answer") when there is no such object."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)  # tolerate a code fence or a preamble
    try:
        answer = _loads(match.group(0) if match else reply)
        jsonschema.validate(answer, schema)
    except (ValueError, jsonschema.ValidationError) as e:
        reason = e.message if isinstance(e, jsonschema.ValidationError) else "not valid JSON"
        raise LLMOutputError(f"the LLM's {what} was unusable: {reason}") from e
    return answer
