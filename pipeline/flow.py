"""One recording from audio to exported draft: the stages in order, each result kept on disk."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.audio import check_readable
from pipeline.clean import clean_block_by_rules, clean_block_with_llm, clean_heading
from pipeline.commands import Block, Dictation, apply_spoken_commands
from pipeline.errors import LLMError, LLMOutputError, NoSpeechError
from pipeline.export import DraftInfo, export
from pipeline.llm import LLMSettings
from pipeline.section import CleanBlock, Draft, draft_by_llm, draft_by_rules
from pipeline.templates import Prompt, load_prompt
from pipeline.transcribe import ProgressCallback, TranscribeOptions, transcribe
from pipeline.workspace import Workspace, sha256_file

log = logging.getLogger("voiceblog")


@dataclass(frozen=True)
class DraftOptions:
    drafts: Path  # the folder drafts are written to
    fmt: str = "all"  # "md", "docx" or "all"
    transcription: TranscribeOptions = TranscribeOptions()
    llm: LLMSettings | None = None  # None: clean and section offline by the rules
    on_progress: ProgressCallback | None = None  # told how far transcription has come


def draft_recording(path: Path, options: DraftOptions, workspace: Workspace) -> list[Path]:
    """Transcribe, clean, section and export one memo; returns the files written."""
    check_readable(path)
    audio_hash = sha256_file(path)
    transcript, cached = transcribe(
        path, audio_hash, options.transcription, workspace, options.on_progress
    )
    if cached:
        log.info("%s: using the cached transcript", path.name)
    if not transcript.segments:
        raise NoSpeechError(
            f"{path}: no speech found in {transcript.duration:.1f} s of audio; no draft written"
        )
    try:
        draft = make_draft(apply_spoken_commands(transcript), options.llm, workspace, path.name)
    except LLMError as e:  # say which memo: the same LLM may fail for one and not another
        raise LLMError(f"{path}: {e}") from e
    if not draft.paragraphs:
        raise NoSpeechError(f"{path}: nothing left to draft after cleanup; no draft written")
    info = DraftInfo(
        source=path.name,
        recorded=datetime.fromtimestamp(path.stat().st_mtime).astimezone(),
        duration=transcript.duration,
        engine=transcript.engine,
        model=transcript.model,
        llm=options.llm.model if options.llm else None,
    )
    return export(draft, info, options.drafts, options.fmt, workspace.manifest, audio_hash)


def make_draft(
    dictation: Dictation, llm: LLMSettings | None, workspace: Workspace, name: str
) -> Draft:
    """Cleanup then sectioning, by the LLM when one is set, by the rules otherwise."""
    title = clean_heading(dictation.title)
    if llm is None:
        return draft_by_rules([_clean_by_rules(b) for b in dictation.blocks], title)
    cleanup = load_prompt("cleanup", workspace.prompts)
    sectioning = load_prompt("section", workspace.prompts)
    blocks = [_clean_by_llm(b, llm, cleanup, name) for b in dictation.blocks]
    try:
        return draft_by_llm(blocks, title, llm, sectioning)
    except LLMOutputError as e:
        log.warning("%s: %s; using the spoken sections only", name, e)
        return draft_by_rules(blocks, title)


def _clean_by_rules(block: Block) -> CleanBlock:
    return CleanBlock(clean_heading(block.heading), block.spoken, clean_block_by_rules(block))


def _clean_by_llm(block: Block, llm: LLMSettings, prompt: Prompt, name: str) -> CleanBlock:
    """The block cleaned by the LLM; by the rules if the LLM's answer is unusable."""
    try:
        paragraphs = clean_block_with_llm(block, llm, prompt)
    except LLMOutputError as e:
        log.warning("%s: %s; this part is cleaned by the rules instead", name, e)
        return _clean_by_rules(block)
    return CleanBlock(clean_heading(block.heading), block.spoken, paragraphs)
