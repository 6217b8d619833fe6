"""One recording from audio to exported draft: the stages in order, each result kept on disk."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from functools import partial
from pathlib import Path

from voiceblog import settings as table
from voiceblog.audio import check_readable, recorded_at
from voiceblog.clean import (
    ChunkProgress,
    ChunkResult,
    chunk_blocks,
    clean_chunks_with_llm,
    clean_heading,
    default_chunk_tokens,
)
from voiceblog.cues import WORD_TIMINGS, Block, Dictation, apply_spoken_cues, merge_dictations
from voiceblog.errors import LLMError, LLMOutputError, NoSpeechError, VoiceblogError
from voiceblog.export import DraftInfo, ExportOptions, clock, draft_stem, export
from voiceblog.fidelity import build_report, limits_for, summary_line
from voiceblog.hooks import Drafted, Then
from voiceblog.languages import Language, language
from voiceblog.llm import LLMClient, LLMHealth, LLMSettings, missing_key
from voiceblog.merge import front_matter
from voiceblog.notes import place_notes
from voiceblog.referee import referee
from voiceblog.review import ReviewSource, write_review
from voiceblog.section import CleanBlock, Draft, ask_sectioning, draft_by_llm, draft_by_rules
from voiceblog.state import State
from voiceblog.templates import load_prompt, load_style
from voiceblog.topics import block_sections
from voiceblog.transcription.corrections import corrected, memo_fingerprint, offer_vocabulary
from voiceblog.transcription.options import TranscribeOptions
from voiceblog.transcription.run import ProgressCallback, cached_transcript, transcribe
from voiceblog.transcription.transcript import Transcript
from voiceblog.workspace import Workspace, sha256_bytes, sha256_file

log = logging.getLogger("voiceblog")

MIN_MEMO_SECONDS = 1.0  # shorter is a mis-tap on the record button, not a memo


@dataclass(frozen=True)
class Result:
    """A memo's draft, as voiceblog.draft returns it."""

    draft: Draft
    paths: tuple[Path, ...]  # every file written: drafts, report, review page
    report: dict | None  # the faithfulness report of an LLM draft; None for one by the rules
    language: str  # the memo's language, as transcription heard it


@dataclass(frozen=True)
class DraftOptions:
    drafts: Path  # the folder drafts are written to
    format: str = "all"  # "md", "docx" or "all"
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
        options = _in_output(self, table.OUTPUT)
        options["transcription"] = _in_output(self.transcription, table.TRANSCRIPTION)
        options["llm"] = self.llm and _in_output(self.llm, table.LLM)
        return json.loads(json.dumps(options, default=str))

    def export_options(self) -> ExportOptions:
        return ExportOptions(
            self.drafts,
            self.format,
            self.front_matter,
            self.timestamps,
            self.transcript,
            self.force,
        )

    def fingerprint_against(self, drafted_with: dict | None) -> str:
        """The fingerprint to compare a memo's record with: these options, but the value the
        memo was drafted with wherever the user left an option at its default. Transcription
        always counts as given: vocabulary.txt is the person's choice too."""
        options = self.output_options()
        for name in self.defaulted if isinstance(drafted_with, dict) else ():
            stored = table.STORED_AS.get(name, name)
            if stored in drafted_with and name in DEFAULTABLE:
                options[stored] = drafted_with[stored]
        return _hashed(options)


def _hashed(options: dict) -> str:
    return sha256_bytes(json.dumps(options, sort_keys=True, default=str).encode())


def _in_output(options, group: tuple[table.Setting, ...]) -> dict:
    """A dataclass of options as a dict, by the names .voiceblog/state.json keeps them under,
    without the fields that cannot change a draft: the run's own, and the settings of its
    part of the table (pipeline/settings.py) marked changes_output=False."""
    left_out = RUN_ONLY + tuple(s.python_name for s in group if not s.changes_output)
    return {
        table.STORED_AS.get(f.name, f.name): getattr(options, f.name)
        for f in fields(options)
        if f.name not in left_out
    }


# Options a memo is judged by as it was drafted when the user did not set them: the model,
# and the output settings that change a draft.
DEFAULTABLE = ("llm",) + tuple(s.python_name for s in table.OUTPUT if s.changes_output)
# Fields that are no setting but how this run goes, never in a draft's fingerprint (the
# settings that cannot change a draft say so in pipeline/settings.py).
RUN_ONLY = ("on_progress", "on_llm_progress", "llm_health", "defaulted", "retries", "send_key")


def joined_info(
    paths: list[Path], transcripts: list[Transcript], offsets: list[float], options: DraftOptions
) -> DraftInfo:
    """What a draft of one memo or several says of its recordings: all of them, their time
    summed, each one's segments shifted by its offset into the post."""
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


@dataclass(frozen=True)
class Heard:
    """A memo's transcript, as `voiceblog transcribe` shows it."""

    audio_hash: str
    transcript: Transcript  # what Whisper heard (cached)
    corrected: Transcript  # as the person corrected it (transcribe --edit); else the same


def transcribed(
    path: Path,
    options: TranscribeOptions,
    workspace: Workspace,
    on_progress: ProgressCallback | None = None,
) -> Heard:
    """The memo's transcript (cached), checked first: the device there, the file audio."""
    from voiceblog.transcription.devices import check_available

    check_available(options.engine, options.device)
    check_readable(path)
    audio_hash = sha256_file(path)
    transcript, _ = transcribe(path, audio_hash, options, workspace, on_progress, WORD_TIMINGS)
    fixed = corrected(transcript, audio_hash, workspace)
    if fixed is not transcript:
        log.info("%s: your corrected transcript (voiceblog transcribe --edit)", path.name)
    return Heard(audio_hash, transcript, fixed)


def draft_memo(
    path: Path, options: DraftOptions, workspace: Workspace, from_cache: bool = False
) -> Result:
    """One memo from audio (or, from_cache, from its cached transcript: `redraft`) to its
    exported draft, under the memo's lock (a run drafting the same memo is waited for), recorded
    where `status` and `batch` look for it; then the --then command."""
    check_readable(path)
    audio_hash = sha256_file(path)
    with workspace.memo_lock(audio_hash, path.name):
        if from_cache:
            transcript = cached_recording(path, audio_hash, options, workspace)
        else:
            transcript = transcribe_recording(path, audio_hash, options, workspace)
        result = draft_and_record(path, audio_hash, transcript, options, workspace)
    # Recorded and unlocked first: a slow command holds up no other run, and a run killed
    # while it runs finds the memo drafted.
    run_then(options, path, result)
    return result


def draft_and_record(
    path: Path,
    audio_hash: str,
    transcript: Transcript,
    options: DraftOptions,
    workspace: Workspace,
    state: State | None = None,
) -> Result:
    """Draft a transcribed memo whose lock the caller holds, and record it as drafted."""
    result = draft_transcript(path, audio_hash, transcript, options, workspace)
    record_drafted(state or State(workspace), path, audio_hash, transcript, result, options)
    return result


def record_drafted(
    state: State,
    path: Path,
    audio_hash: str,
    transcript: Transcript,
    result: Result,
    options: DraftOptions,
) -> None:
    """The memo drafted with these options into result's files, in .voiceblog/state.json."""
    fingerprint = memo_fingerprint(options.fingerprint(), audio_hash, state.workspace)
    state.drafted(
        audio_hash,
        path,
        fingerprint,
        list(result.paths),
        transcript.ends_early,
        options.output_options(),
    )


def cached_recording(
    path: Path, audio_hash: str, options: DraftOptions, workspace: Workspace
) -> Transcript:
    """The memo's cached transcript, as the person corrected it; an error when there is none."""
    transcript = cached_transcript(audio_hash, options.transcription, workspace)
    if transcript is None:
        raise VoiceblogError(f"{path}: not transcribed yet (run voiceblog draft first)")
    return with_corrections(path, audio_hash, transcript, workspace)


def append_memo(path: Path, target: Path, options: DraftOptions, workspace: Workspace) -> Result:
    """The memo at path added to the end of the post drafted at target (`draft --append`),
    under the memo's lock, recorded, then the --then command."""
    from voiceblog import follow_up

    check_readable(path)
    audio_hash = sha256_file(path)
    with workspace.memo_lock(audio_hash, path.name):
        result = follow_up.append_memo(path, audio_hash, target, options, workspace)
    run_then(options, path, result)
    return result


def draft_merged(
    paths: list[Path], title: str, options: DraftOptions, workspace: Workspace
) -> Result:
    """Memos dictated in pieces drafted as one post titled title, in the order given
    (`draft --into`), each memo under its lock and recorded as drafted into the post."""
    hashes = []
    for path in paths:
        check_readable(path)
        hashes.append(sha256_file(path))
    with _memo_locks(paths, hashes, workspace):
        transcripts = [
            transcribe_recording(p, h, options, workspace)
            for p, h in zip(paths, hashes, strict=True)
        ]
        result = _merged(paths, hashes, transcripts, title, options, workspace)
        state = State(workspace)
        for path, audio_hash, transcript in zip(paths, hashes, transcripts, strict=True):
            record_drafted(state, path, audio_hash, transcript, result, options)
    # One post, one command: the first piece stands for its recordings.
    run_then(options, paths[0], result, name=" + ".join(p.name for p in paths))
    return result


def _merged(paths, hashes, transcripts, title, options, workspace) -> Result:
    """The post of several transcribed memos, exported."""
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
    return Result(draft, tuple(written), report, info.language)


@contextlib.contextmanager
def _memo_locks(paths: list[Path], hashes: list[str], workspace: Workspace) -> Iterator[None]:
    """Every memo's lock, taken in the order of their hashes (two runs over the same memos
    never wait for each other crosswise), each once (the same audio twice is one memo)."""
    names = dict(zip(hashes, (p.name for p in paths), strict=True))
    with contextlib.ExitStack() as held:
        for audio_hash in sorted(names):
            held.enter_context(workspace.memo_lock(audio_hash, names[audio_hash]))
        yield


def transcribe_recording(
    path: Path, audio_hash: str, options: DraftOptions, workspace: Workspace
) -> Transcript:
    """The memo's transcript (cached), or NoSpeechError when there is nothing to draft."""
    transcript, cached = transcribe(
        path, audio_hash, options.transcription, workspace, options.on_progress, WORD_TIMINGS
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


def draft_transcript(
    path: Path, audio_hash: str, transcript: Transcript, options: DraftOptions, workspace: Workspace
) -> Result:
    """Cleanup, sectioning and export of a transcribed memo.

    A memo that is part of a post (a follow-up appended to a draft) re-drafts the whole post.
    """
    from voiceblog.follow_up import Posts, draft_post

    if memos := Posts(workspace).memos_of(audio_hash):
        return replace(draft_post(memos, None, options, workspace), language=transcript.language)
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
    info = joined_info([path], [transcript], [0.0], options)
    written = _export(draft, info, report, audio_hash, options, workspace)
    if options.review:
        source = ReviewSource(spoken_sentences(dictation), path, report)
        written.append(write_review(written[0], draft, source))
    return Result(draft, tuple(written), report, transcript.language)


def run_then(options: DraftOptions, path: Path, result: Result, name: str = "") -> None:
    """The user's --then command for a memo just drafted (and recorded), if there is one."""
    if options.then is not None:
        drafted = Drafted(
            name or path.name, path, result.paths, result.draft.title, result.language
        )
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


def _front_matter_source(draft: Path) -> str | None:
    source = front_matter(draft.read_text(encoding="utf-8", errors="replace")).get("source")
    return Path(source).name if isinstance(source, str) else None


def spoken_sentences(dictation: Dictation) -> list:
    """Every sentence of speech the draft was made from, in order."""
    return [s for block in dictation.blocks for s in block.sentences]


def _export(draft, info, report, source_hash: str, options: DraftOptions, workspace) -> list[Path]:
    return export(draft, info, options.export_options(), workspace.manifest, source_hash, report)


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
        if llm.require_llm and (error := next((r.error for r in results if r.error), None)):
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
            proposed=block.turned,
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
    prompt = load_prompt("section", workspace.prompts)
    return ask_sectioning(shown, client, prompt, lang, dictation.pauses)


def _section(blocks, title, sectioning: Callable, client: LLMClient, name: str, lang) -> Draft:
    """The LLM's sectioning; the spoken sections alone where it fails or has stopped answering
    (already said in the memo's warning)."""
    if client.health.down is not None:
        return draft_by_rules(blocks, title, lang)
    try:
        return draft_by_llm(blocks, title, sectioning(), lang)
    except LLMError as e:
        if client.settings.require_llm and not isinstance(e, LLMOutputError):
            raise LLMError(f"{e} (no draft: --require-llm is set)") from e
        log.warning("%s: %s; using the spoken sections only", name, e)
        return draft_by_rules(blocks, title, lang)


def _clean_by_rules(block: Block, lang: Language, pauses=None) -> list[CleanBlock]:
    """The block cleaned by the rules; one with no spoken cue may become several sections,
    their headings proposed (pipeline/topics.py)."""
    heading = clean_heading(block.heading, lang)
    parts = block_sections(block, lang, pauses)
    if block.spoken or (len(parts) == 1 and not block.turned):
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
