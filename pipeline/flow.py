"""One recording from audio to exported draft: the stages in order, each result kept on disk."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from functools import partial
from pathlib import Path

from voiceblog.audio import check_readable, recorded_at
from voiceblog.clean import (
    ChunkProgress,
    ChunkResult,
    chunk_blocks,
    clean_chunks_with_llm,
    clean_heading,
    default_chunk_tokens,
)
from voiceblog.corrections import corrected, corrected_words
from voiceblog.cues import Block, Dictation, apply_spoken_cues, merge_dictations
from voiceblog.errors import LLMError, LLMOutputError, NoSpeechError, VoiceblogError
from voiceblog.export import DraftInfo, clock, draft_stem, export
from voiceblog.fidelity import build_report, limits_for, summary_line
from voiceblog.hooks import Drafted, Then
from voiceblog.languages import Language, language
from voiceblog.llm import LLMClient, LLMHealth, LLMSettings, missing_key
from voiceblog.notes import place_notes
from voiceblog.referee import referee
from voiceblog.review import ReviewSource, write_review
from voiceblog.section import CleanBlock, Draft, ask_sectioning, draft_by_llm, draft_by_rules
from voiceblog.templates import load_prompt, load_style
from voiceblog.topics import block_sections
from voiceblog.transcribe import ProgressCallback, transcribe
from voiceblog.transcript import TranscribeOptions, Transcript
from voiceblog.workspace import Workspace, sha256_bytes, sha256_file

log = logging.getLogger("voiceblog")

MIN_MEMO_SECONDS = 1.0  # shorter is a mis-tap on the record button, not a memo


@dataclass(frozen=True)
class DraftOptions:
    drafts: Path  # the folder drafts are written to
    fmt: str = "all"  # "md", "docx" or "all"
    transcription: TranscribeOptions = TranscribeOptions()
    llm: LLMSettings | None = None  # None: clean and section offline by the rules
    on_progress: ProgressCallback | None = None  # told how far transcription has come
    on_llm_progress: ChunkProgress | None = None  # told how many chunks the LLM has cleaned
    force: bool = False  # replace our earlier drafts of a memo even where the user edited them
    front_matter: str = "voiceblog"  # Markdown front matter for: voiceblog, hugo, jekyll, …
    timestamps: bool = False  # each Markdown paragraph followed by its audio span
    author: str = ""  # the user's name, for Word's author and the front matter
    transcript: bool = False  # append the timed transcript to each draft
    review: bool = False  # also write <draft>.review.html: each paragraph against the audio
    # Whether the LLM is still answering, shared by every memo of the run (None: each memo
    # finds out for itself).
    llm_health: LLMHealth | None = None
    then: Then | None = None  # the user's command to run after each memo is drafted

    # The output options the user left at their defaults (no flag, voiceblog.toml or
    # environment variable set them): for these a drafted memo is judged by the value it was
    # drafted with, so `status` after `batch --format md` does not call it "options changed".
    defaulted: frozenset[str] = frozenset()

    def fingerprint(self) -> str:
        """What a finished draft depends on: change any of it and the memo is drafted again.

        Every option counts except those that cannot change the output, so an option added
        later is in the fingerprint without anyone remembering to put it there.
        """
        return _hashed(self.output_options())

    def output_options(self) -> dict:
        """The options the fingerprint is made of, as JSON stores them."""
        options = {
            f.name: asdict(value) if is_dataclass(value := getattr(self, f.name)) else value
            for f in fields(self)
            if f.name not in NOT_IN_OUTPUT
        }
        for name in TRANSCRIPTION_NOT_IN_OUTPUT:
            options["transcription"].pop(name, None)
        for name in LLM_NOT_IN_OUTPUT:
            if options["llm"]:
                options["llm"].pop(name, None)
        return json.loads(json.dumps(options, default=str))

    def fingerprint_against(self, drafted_with: dict | None) -> str:
        """The fingerprint to compare a memo's record with: these options, but the value the
        memo was drafted with wherever the user left an option at its default. Transcription
        always counts as given: vocabulary.txt is the person's choice too."""
        options = self.output_options()
        for name in self.defaulted if isinstance(drafted_with, dict) else ():
            if name in drafted_with and name in DEFAULTABLE:
                options[name] = drafted_with[name]
        return _hashed(options)


def _hashed(options: dict) -> str:
    return sha256_bytes(json.dumps(options, sort_keys=True, default=str).encode())


# Options a memo is judged by as it was drafted when the user did not set them.
DEFAULTABLE = (
    "drafts",
    "fmt",
    "llm",
    "front_matter",
    "timestamps",
    "author",
    "transcript",
    "review",
)
# Options that change how a draft is made, not what it says.
NOT_IN_OUTPUT = ("on_progress", "on_llm_progress", "force", "llm_health", "then", "defaulted")
TRANSCRIPTION_NOT_IN_OUTPUT = ("threads", "device")
LLM_NOT_IN_OUTPUT = ("api_base", "timeout", "retries", "jobs", "use_cache", "require", "send_key")


def joined_info(
    paths: list[Path], transcripts: list[Transcript], offsets: list[float], options: DraftOptions
) -> DraftInfo:
    """What a draft of several memos says of its recordings: all of them, their time summed,
    each one's segments shifted by its offset into the post."""
    return DraftInfo(
        source=", ".join(p.name for p in paths),
        recorded=recorded_at(paths[0]),
        duration=sum(t.duration for t in transcripts),
        engine=transcripts[0].engine,
        model=transcripts[0].model,
        llm=options.llm.model if options.llm else None,
        author=options.author,
        language=transcripts[0].language,
        segments=tuple(
            replace(s, start=s.start + offset, end=s.end + offset)
            for t, offset in zip(transcripts, offsets, strict=True)
            for s in t.segments
        ),
    )


def draft_merged(
    paths: list[Path], title: str, options: DraftOptions, workspace: Workspace
) -> list[Path]:
    """Memos dictated in pieces drafted as one post titled title, in the order given."""
    hashes, transcripts = [], []
    for path in paths:
        check_readable(path)
        hashes.append(sha256_file(path))
        transcripts.append(transcribe_recording(path, hashes[-1], options, workspace))
    offsets = [sum(t.duration for t in transcripts[:i]) for i in range(len(transcripts))]
    dictation = merge_dictations([apply_spoken_cues(t) for t in transcripts], offsets)
    dictation.title = title
    name = " + ".join(p.name for p in paths)
    draft, report = make_draft(
        dictation, options.llm, workspace, name, options.on_llm_progress, options.llm_health
    )
    info = joined_info(paths, transcripts, offsets, options)
    source_hash = sha256_bytes("+".join(hashes).encode())
    written = _export(draft, info, report, source_hash, options, workspace)
    # One post, one command: the first piece stands for its recordings.
    run_then(options, Drafted(name, paths[0], tuple(written), draft.title, info.language))
    return written


def transcribe_recording(
    path: Path, audio_hash: str, options: DraftOptions, workspace: Workspace
) -> Transcript:
    """The memo's transcript (cached), or NoSpeechError when there is nothing to draft."""
    transcript, cached = transcribe(
        path, audio_hash, options.transcription, workspace, options.on_progress
    )
    if cached:
        log.info("%s: using the cached transcript", path.name)
    transcript = with_corrections(path, audio_hash, transcript, workspace)
    if transcript.ends_early:
        log.warning(
            "%s: %s; drafting the %.1f s that could be read",
            path,
            transcript.ends_early,
            transcript.duration,
        )
    if transcript.duration < MIN_MEMO_SECONDS:
        raise NoSpeechError(
            f"{path}: only {transcript.duration:.1f} s of audio, too short to draft; "
            "no draft written"
        )
    if not transcript.segments:
        raise NoSpeechError(
            f"{path}: no speech found in {transcript.duration:.1f} s of audio; no draft written"
        )
    return transcript


def with_corrections(
    path: Path, audio_hash: str, transcript: Transcript, workspace: Workspace
) -> Transcript:
    """The transcript as the person corrected it (voiceblog transcribe --edit), if they did;
    the words they corrected are offered for vocabulary.txt, so the next memo is heard right."""
    fixed = corrected(transcript, audio_hash, workspace)
    if fixed is transcript:
        return transcript
    log.info("%s: using your corrected transcript", path.name)
    offer_vocabulary(path.name, audio_hash, workspace)
    return fixed


def offer_vocabulary(name: str, audio_hash: str, workspace: Workspace) -> None:
    """One line on stderr: the words the person corrected that vocabulary.txt lacks."""
    if words := corrected_words(audio_hash, workspace):
        log.info(
            "%s: words you corrected, for vocabulary.txt (one a line, so Whisper hears them "
            "right next time): %s",
            name,
            ", ".join(words),
        )


def draft_transcript(
    path: Path, audio_hash: str, transcript: Transcript, options: DraftOptions, workspace: Workspace
) -> Drafted:
    """Cleanup, sectioning and export of a transcribed memo: the files written, and what the
    --then command is told of them.

    A memo that is part of a post (a follow-up appended to a draft) re-drafts the whole post.
    """
    from voiceblog.follow_up import Posts, draft_post

    if memos := Posts(workspace).memos_of(audio_hash):
        written = draft_post(memos, None, options, workspace)
        return Drafted(path.name, path, tuple(written), _title_in(written), transcript.language)
    try:
        dictation = apply_spoken_cues(transcript)
        draft, report = make_draft(
            dictation,
            options.llm,
            workspace,
            path.name,
            options.on_llm_progress,
            options.llm_health,
        )
    except LLMError as e:  # say which memo: the same LLM may fail for one and not another
        raise LLMError(f"{path}: {e}") from e
    if not draft.paragraphs and not draft.notes:  # a memo that is only a note is drafted
        raise NoSpeechError(f"{path}: nothing left to draft after cleanup; no draft written")
    if report is not None and transcript.cost is not None:  # --engine api, priced by litellm
        report["transcription"] = {"model": transcript.model, "cost": transcript.cost}
    info = DraftInfo(
        source=path.name,
        recorded=recorded_at(path),
        duration=transcript.duration,
        engine=transcript.engine,
        model=transcript.model,
        llm=options.llm.model if options.llm else None,
        author=options.author,
        segments=transcript.segments,
        language=transcript.language,
    )
    written = _export(draft, info, report, audio_hash, options, workspace)
    if options.review:
        source = ReviewSource(spoken_sentences(dictation), path, report)
        written.append(write_review(written[0], draft, source))
    return Drafted(path.name, path, tuple(written), draft.title, transcript.language)


def run_then(options: DraftOptions, drafted: Drafted) -> None:
    """The user's --then command for a memo just drafted (and recorded), if there is one."""
    if options.then is not None:
        options.then.after(drafted)


def review_recording(
    path: Path, draft_path: Path | None, options: DraftOptions, workspace: Workspace
) -> Path:
    """<draft>.review.html for a memo, beside its draft: the draft made again from the cached
    transcript and LLM answers (nothing is exported), laid against what was said."""
    check_readable(path)
    audio_hash = sha256_file(path)
    transcript = transcribe_recording(path, audio_hash, options, workspace)
    dictation = apply_spoken_cues(transcript)
    draft, report = make_draft(
        dictation, options.llm, workspace, path.name, health=options.llm_health
    )
    if draft_path is None:
        draft_path = workspace.manifest.draft_of(audio_hash)
    if draft_path is None:
        draft_path = options.drafts / f"{draft_stem(draft, recorded_at(path))}.md"
        options.drafts.mkdir(parents=True, exist_ok=True)
    source = ReviewSource(spoken_sentences(dictation), path, report)
    return write_review(draft_path, draft, source)


def recording_of(target: Path, workspace: Workspace) -> tuple[Path | None, Path]:
    """(the draft, its recording) for a review of target, a recording or a Markdown draft."""
    if target.suffix.lower() != ".md":
        return None, target
    if not target.is_file():
        raise VoiceblogError(f"{target}: no such draft")
    source = _front_matter_source(target)
    for folder in (workspace.recordings, target.parent.parent / "recordings"):
        if source and (folder / source).is_file():
            return target, folder / source
    entry = workspace.manifest.entry(target)
    for candidate in sorted(workspace.recordings.glob("*")) if entry else ():
        if candidate.is_file() and sha256_file(candidate) == entry["source"]:
            return target, candidate
    raise VoiceblogError(
        f"{target}: cannot find the recording it was drafted from; pass the recording instead"
    )


def _title_in(files: list[Path]) -> str:
    """The title in the front matter of the Markdown draft among files ("" if none)."""
    import yaml

    for path in (f for f in files if f.suffix == ".md"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---\n"):
            try:
                front = yaml.safe_load(text.split("---\n", 2)[1])
            except yaml.YAMLError:
                return ""
            return str(front.get("title", "")) if isinstance(front, dict) else ""
    return ""


def _front_matter_source(draft: Path) -> str | None:
    import yaml

    text = draft.read_text(encoding="utf-8", errors="replace")
    if not text.startswith("---\n"):
        return None
    try:
        front = yaml.safe_load(text.split("---\n", 2)[1])
    except yaml.YAMLError:
        return None
    source = front.get("source") if isinstance(front, dict) else None
    return Path(source).name if isinstance(source, str) else None


def spoken_sentences(dictation: Dictation) -> list:
    """Every sentence of speech the draft was made from, in order."""
    return [s for block in dictation.blocks for s in block.sentences]


def _export(draft, info, report, source_hash: str, options: DraftOptions, workspace) -> list[Path]:
    return export(
        draft,
        info,
        options.drafts,
        options.fmt,
        workspace.manifest,
        source_hash,
        report,
        force=options.force,
        flavour=options.front_matter,
        timestamps=options.timestamps,
        transcript=options.transcript,
    )


def make_draft(
    dictation: Dictation,
    llm: LLMSettings | None,
    workspace: Workspace,
    name: str,
    on_progress: ChunkProgress | None = None,
    health: LLMHealth | None = None,
) -> tuple[Draft, dict | None]:
    """Cleanup then sectioning, by the LLM when one is set, by the rules otherwise; by the
    rules too where the LLM fails, unless the settings require the LLM.

    Returns the draft and, for an LLM draft, the faithfulness report.
    """
    lang = language(dictation.language)
    if llm is None:  # the grammar alone decides what is a cue
        blocks = [c for b in dictation.blocks for c in _clean_by_rules(b, lang, dictation.pauses)]
        draft = draft_by_rules(blocks, clean_heading(dictation.title, lang), lang)
        return place_notes(draft, dictation.notes), None
    if variable := missing_key(llm):
        raise LLMError(f"the LLM {llm.model} needs an API key: set {variable} in the environment")
    client = LLMClient(llm, workspace.cache_dir("llm"), health)
    dictation = referee(dictation, client, load_prompt("referee", workspace.prompts), name)
    title = clean_heading(dictation.title, lang)
    # Sectioning needs only the paragraphs' openings, which the rules' cleanup gives at once:
    # asked now, it runs while the chunks are cleaned (decoded with them by a local model). A
    # server that takes one request at a time is asked after the chunks, as it would serve it.
    ask = partial(_ask_sectioning, dictation, client, workspace, lang)
    pool = ThreadPoolExecutor(max_workers=1)
    early = pool.submit(ask) if client.settings.jobs > 1 else None
    try:
        workers = llm.jobs - 1 if early else llm.jobs  # --jobs requests at once in all
        results = _clean_by_llm(dictation, client, workspace, name, on_progress, workers)
        if llm.require and (error := next((r.error for r in results if r.error), None)):
            raise LLMError(f"{error} (no draft: --require-llm is set)")
        blocks = _cleaned_blocks(dictation, results, lang)
        draft = _section(blocks, title, early.result if early else ask, client, name, lang)
    finally:
        pool.shutdown(wait=False)  # a failed draft does not wait for its sectioning answer
    # Notes to the editor were never in a chunk: they join the draft once the LLM is done.
    draft = place_notes(draft, dictation.notes)
    report = build_report(results, draft, client.usage, limits_for(llm.style))
    log.info("%s: %s", name, summary_line(report, client.usage))
    return draft, report


def _cleaned_blocks(dictation: Dictation, results: list[ChunkResult], lang) -> list[CleanBlock]:
    """The dictation's blocks with the paragraphs the cleanup made of their chunks."""
    return [
        CleanBlock(
            clean_heading(block.heading, lang),
            block.spoken,
            [p for r in results if r.chunk.block == index for p in r.paragraphs],
            block.level,
        )
        for index, block in enumerate(dictation.blocks)
    ]


def _ask_sectioning(dictation: Dictation, client: LLMClient, workspace: Workspace, lang):
    """The sectioning request over the rules' cleanup of each block (not yet cut by topic:
    the model is shown the offline breaks as candidates)."""
    shown = [
        CleanBlock(
            clean_heading(block.heading, lang),
            block.spoken,
            [p for part in block_sections(block, lang, dictation.pauses) for p in part],
            block.level,
        )
        for block in dictation.blocks
    ]
    return ask_sectioning(shown, client, load_prompt("section", workspace.prompts), lang)


def _section(blocks, title, sectioning: Callable, client: LLMClient, name: str, lang) -> Draft:
    """The LLM's sectioning; the spoken sections alone where it fails or has stopped answering
    (already said in the memo's warning)."""
    if client.health.down is not None:
        return draft_by_rules(blocks, title, lang)
    try:
        return draft_by_llm(blocks, title, sectioning(), lang)
    except LLMError as e:
        if client.settings.require and not isinstance(e, LLMOutputError):
            raise LLMError(f"{e} (no draft: --require-llm is set)") from e
        log.warning("%s: %s; using the spoken sections only", name, e)
        return draft_by_rules(blocks, title, lang)


def _clean_by_rules(block: Block, lang: Language, pauses=None) -> list[CleanBlock]:
    """The block cleaned by the rules; one with no spoken cue may become several sections,
    their headings proposed (pipeline/topics.py)."""
    heading = clean_heading(block.heading, lang)
    parts = block_sections(block, lang, pauses)
    if len(parts) == 1 or block.spoken:
        paragraphs = [p for part in parts for p in part]
        return [CleanBlock(heading, block.spoken, paragraphs, block.level)]
    return [CleanBlock(None, False, part, proposed=True) for part in parts]


def _clean_by_llm(
    dictation: Dictation,
    client: LLMClient,
    workspace: Workspace,
    name: str,
    on_progress: ChunkProgress | None = None,
    workers: int | None = None,
) -> list[ChunkResult]:
    """Every chunk of the memo cleaned by the LLM; each that fails is named in a warning."""
    settings = client.settings
    prompt = load_prompt("cleanup", workspace.prompts)
    style = load_style(settings.style, workspace.prompts)
    chunk_tokens = settings.chunk_tokens or default_chunk_tokens(settings.model)
    chunks = chunk_blocks(dictation.blocks, chunk_tokens, language(dictation.language))
    limits = limits_for(settings.style)
    results = clean_chunks_with_llm(chunks, client, prompt, style, limits, on_progress, workers)
    given_up = [r for r in results if r.error] if client.health.down else []
    if given_up:  # one line for them all, not one a chunk
        log.warning(
            "%s: %s: drafting the rest by the rules (%d of %d chunks here)",
            name,
            client.health.given_up(settings),
            len(given_up),
            len(chunks),
        )
    for result in results:
        if result.by == "rules" and not any(result is r for r in given_up):
            start, end = result.chunk.span
            log.warning(
                "%s: chunk %d of %d (%s–%s) cleaned by the rules instead: %s",
                name,
                result.chunk.number,
                len(chunks),
                clock(start),
                clock(end),
                result.problem,
            )
    return results
