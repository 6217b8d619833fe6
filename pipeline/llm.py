"""The one door to language models: litellm, so any provider or local server works the same."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from pipeline.errors import LLMError, LLMOutputError

log = logging.getLogger("voiceblog")


@dataclass(frozen=True)
class LLMSettings:
    model: str  # any litellm model string: "gpt-4o-mini", "ollama/llama3.1", "openai/<name>"
    api_base: str | None = None  # an OpenAI-compatible server (Ollama, vLLM, LM Studio)
    timeout: float = 120.0  # seconds for one request before it counts as failed
    retries: int = 2  # litellm's own retries on connection errors, 429 and 5xx
    temperature: float = 0.2  # low: cleanup is editing, not writing

    def describe(self) -> str:
        return f"{self.model} at {self.api_base}" if self.api_base else self.model


def _litellm():
    # Without network, litellm would first try to download its price table; use the bundled one.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    litellm.drop_params = True  # a provider without JSON mode gets the request without it
    return litellm


def _api_key(settings: LLMSettings) -> str | None:
    """OpenAI-compatible local servers need no key, but the OpenAI client insists on one."""
    if settings.api_base and settings.model.startswith("openai/"):
        return os.environ.get("OPENAI_API_KEY") or "no-key-needed"
    return None  # litellm reads the provider's usual variable from the environment


def complete(settings: LLMSettings, messages: list[dict], json_mode: bool = False) -> str:
    """The model's reply text to the messages; LLMError with a plain reason when there is none."""
    litellm = _litellm()
    try:
        response = litellm.completion(
            model=settings.model,
            messages=messages,
            api_base=settings.api_base,
            api_key=_api_key(settings),
            timeout=settings.timeout,
            num_retries=settings.retries,
            temperature=settings.temperature,
            response_format={"type": "json_object"} if json_mode else None,
        )
    except Exception as e:  # litellm maps every provider's errors onto its own classes
        raise _explain(e, settings) from e
    content = response.choices[0].message.content
    if not content or not content.strip():
        raise LLMOutputError(f"the LLM {settings.describe()} returned an empty answer")
    return content


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


def _explain(error: Exception, settings: LLMSettings) -> LLMError:
    """One line that says what to do, for the errors people actually meet."""
    import litellm

    where = settings.describe()
    log.debug("LLM error from %s: %r", where, error)
    if isinstance(error, litellm.Timeout):
        return LLMError(f"the LLM {where} did not answer within {settings.timeout:g} s")
    if isinstance(error, litellm.APIConnectionError) or _connection_failed(error):
        return LLMError(f"cannot reach the LLM {where} (is the server running?)")
    if isinstance(error, litellm.AuthenticationError):
        return LLMError(f"the LLM {where} rejected the API key (set it in the environment)")
    if isinstance(error, litellm.NotFoundError):
        return LLMError(f"the LLM {where} does not know this model")
    if isinstance(error, litellm.RateLimitError):
        return LLMError(f"the LLM {where} is rate limiting requests; try again later")
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return LLMError(f"the LLM {where} failed: {first_line[:200]}")
