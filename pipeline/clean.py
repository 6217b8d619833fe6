"""Cleanup: fillers, stutters and repeats out, paragraphs in; by rules offline, or by an LLM.

The rules remove nothing but vocal fillers and immediate repeats, so every other word the
speaker said survives. The LLM path sends one chunk of a block at a time and keeps the
block's transcript span with what comes back.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from itertools import accumulate

from voiceblog.cues import Block, Sentence
from voiceblog.errors import LLMError, LLMOutputError
from voiceblog.fidelity import Comparison, Limits, compare
from voiceblog.languages import ENGLISH, Language
from voiceblog.llm import LLMClient, context_tokens
from voiceblog.templates import Prompt

PAUSE_FOR_PARAGRAPH = 1.5  # seconds of silence between sentences that start a new paragraph
PARAGRAPH_WORDS = 120  # past this, the next sentence starts a new paragraph
MIN_PARAGRAPH_WORDS = 40  # ... but never leave a paragraph shorter than this


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: float  # seconds: the transcript span this paragraph came from
    end: float
    flag: str | None = None  # why the faithfulness check replaced the LLM's version, if it did
    notes: tuple[str, ...] = ()  # notes to the editor said after it (pipeline/notes.py)


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word).lower()


@cache
def _fillers(lang: Language) -> tuple[re.Pattern, re.Pattern] | None:
    """The language's vocal fillers (its file's cleanup.filler), alone and set off by commas:
    Whisper writes "it was, uh, fine" with commas it would not write otherwise."""
    if not (filler := lang.text("cleanup", "filler")):
        return None
    word = rf"(?<![\w'-])(?:{filler})(?![\w'-])"
    return re.compile(rf",\s*{word}\s*,", re.I), re.compile(rf"{word},?", re.I)


def remove_fillers(text: str, lang: Language = ENGLISH) -> str:
    if (fillers := _fillers(lang)) is None:
        return text  # a language voiceblog has no filler list for: nothing is removed
    in_commas, alone = fillers
    return alone.sub("", in_commas.sub(" ", text))


def remove_repeats(text: str, lang: Language = ENGLISH) -> str:
    """Drop the first copy of an immediately repeated word or phrase (up to three words)."""
    words = text.split()
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            first, second = words[i : i + n], words[i + n : i + 2 * n]
            if len(second) == n and [_bare(w) for w in first] == [_bare(w) for w in second]:
                if n == 1 and _bare(first[0]) in lang.words("cleanup", "intended_repeats"):
                    continue
                del words[i : i + n]
                i = max(0, i - 3)  # "I I I think": look again at what is now adjacent
                break
        else:
            if words[i].endswith("-") and i + 1 < len(words):  # "th- the", "I- I"
                if _bare(words[i + 1]).startswith(_bare(words[i])):
                    del words[i]
                    continue
            i += 1
    return " ".join(words)


def tidy_punctuation(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*([,.;:!?])", r"\1", text)
    text = re.sub(r"^[\s,.;:]+", "", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:]


def clean_sentence(text: str, lang: Language = ENGLISH) -> str:
    """The sentence without fillers and repeats; "" when nothing but fillers was said."""
    without_fillers = tidy_punctuation(remove_fillers(text, lang))
    cleaned = tidy_punctuation(remove_repeats(without_fillers, lang))
    return cleaned if re.search(r"\w", cleaned) else ""


def clean_heading(heading: str | None, lang: Language = ENGLISH) -> str | None:
    """A spoken title or heading without fillers ("Um, what it costs" → "What it costs")."""
    if heading is None:
        return None
    return clean_sentence(heading, lang).rstrip(".,;:") or heading


def paragraphs_by_rules(sentences: list[Sentence], lang: Language = ENGLISH) -> list[Paragraph]:
    """Clean each sentence and group them into paragraphs at long pauses and by length."""
    groups: list[list[Sentence]] = []
    words = 0
    for sentence in sentences:
        text = clean_sentence(sentence.text, lang)
        if not text:
            continue
        cleaned = Sentence(text, sentence.start, sentence.end)
        if groups and not _starts_paragraph(groups[-1], cleaned, words):
            groups[-1].append(cleaned)
            words += len(text.split())
        else:
            groups.append([cleaned])
            words = len(text.split())
    return [_join(group) for group in groups]


def _starts_paragraph(current: list[Sentence], sentence: Sentence, words: int) -> bool:
    paused = sentence.start - current[-1].end >= PAUSE_FOR_PARAGRAPH
    too_long = words + len(sentence.text.split()) > PARAGRAPH_WORDS
    return words >= MIN_PARAGRAPH_WORDS and (paused or too_long)


def _join(sentences: list[Sentence]) -> Paragraph:
    return Paragraph(" ".join(s.text for s in sentences), sentences[0].start, sentences[-1].end)


def clean_block_by_rules(block: Block, lang: Language = ENGLISH) -> list[Paragraph]:
    """A block's paragraphs: the speaker's own breaks, refined by pauses and length."""
    return [p for spoken in block.paragraphs for p in paragraphs_by_rules(spoken, lang)]


# LLM cleanup -----------------------------------------------------------------------------

CHARS_PER_TOKEN = 4  # English text, for sizing chunks without a tokenizer
CONTEXT_WORDS = 30  # read-only context from each neighbouring chunk
REPLY_TOKENS_SLACK = 64  # room for a short chunk's paragraph breaks and punctuation


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences from one block, sent to the LLM as one request."""

    number: int  # 1-based across the memo, for messages
    block: int  # index of the dictated block it belongs to
    sentences: tuple[Sentence, ...]
    text: str  # the sentences, the speaker's paragraph breaks kept as blank lines
    lang: Language = ENGLISH  # the memo's language: its fillers, its stop words

    @property
    def span(self) -> tuple[float, float]:
        return self.sentences[0].start, self.sentences[-1].end


@dataclass
class ChunkResult:
    chunk: Chunk
    paragraphs: list[Paragraph]
    by: str  # "llm", or "rules" when the LLM's answer could not stand
    problem: str | None = None  # why the rules stand in
    comparison: Comparison | None = None
    error: LLMError | None = None  # the LLM could not be asked at all


def default_chunk_tokens(model: str) -> int:
    """An eighth of the model's context, within 300–2,000 tokens: small chunks run in parallel
    and models drop less of a short text; 1,000 when litellm does not know the model."""
    context = context_tokens(model)
    return 1000 if context is None else max(300, min(2000, context // 8))


def chunk_blocks(blocks: list[Block], chunk_tokens: int, lang: Language = ENGLISH) -> list[Chunk]:
    """Every block split on sentence boundaries into chunks of about chunk_tokens."""
    chunks = []
    for index, block in enumerate(blocks):
        for sentences in _split_sentences(block, chunk_tokens * CHARS_PER_TOKEN):
            text = _chunk_text(block, sentences, lang)
            chunks.append(Chunk(len(chunks) + 1, index, sentences, text, lang))
    return chunks


def _split_sentences(block: Block, chunk_chars: int) -> list[tuple[Sentence, ...]]:
    """Groups of consecutive sentences, cut by langchain's splitter at sentence ends only."""
    from langchain_text_splitters import CharacterTextSplitter

    sentences = block.sentences
    if not sentences:
        return []
    # One sentence per line: the splitter may cut between lines and never inside one.
    splitter = CharacterTextSplitter(
        separator="\n", chunk_size=chunk_chars, chunk_overlap=0, add_start_index=True
    )
    text = "\n".join(s.text.replace("\n", " ") for s in sentences)
    starts, offset = [], 0
    for sentence in sentences:
        starts.append(offset)
        offset += len(sentence.text) + 1
    groups = []
    for document in splitter.create_documents([text]):
        first = bisect.bisect_left(starts, document.metadata["start_index"])
        count = document.page_content.count("\n") + 1
        groups.append(tuple(sentences[first : first + count]))
    return groups


def _chunk_text(block: Block, sentences: tuple[Sentence, ...], lang: Language) -> str:
    """The sentences as the LLM gets them: the rules' filler cleanup done first (fewer tokens,
    and small models leave "um" in), the speaker's paragraph breaks as blank lines."""
    wanted = set(map(id, sentences))
    paragraphs = [
        [clean_sentence(s.text, lang) for s in p if id(s) in wanted] for p in block.paragraphs
    ]
    return "\n\n".join(" ".join(t for t in p if t) for p in paragraphs if any(p))


# Called with (chunks done, chunks in all) as the LLM works through a memo.
ChunkProgress = Callable[[int, int], None]


def clean_chunks_with_llm(
    chunks: list[Chunk],
    client: LLMClient,
    prompt: Prompt,
    style: str,
    limits: Limits,
    on_progress: ChunkProgress | None = None,
    workers: int | None = None,
) -> list[ChunkResult]:
    """Every chunk cleaned by the LLM, several at once (workers, --jobs unless told); the
    rules stand in where it fails."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    def clean(i: int) -> ChunkResult:
        before = _edge_words(chunks[i - 1].text, last=True) if i > 0 else ""
        after = _edge_words(chunks[i + 1].text, last=False) if i + 1 < len(chunks) else ""
        return clean_chunk(chunks[i], client, prompt, style, limits, before, after)

    with ThreadPoolExecutor(max_workers=max(1, workers or client.settings.jobs)) as pool:
        futures = [pool.submit(clean, i) for i in range(len(chunks))]
        for done, _ in enumerate(as_completed(futures), start=1):
            if on_progress:
                on_progress(done, len(chunks))
        return [future.result() for future in futures]


def clean_chunk(
    chunk: Chunk,
    client: LLMClient,
    prompt: Prompt,
    style: str,
    limits: Limits,
    before: str = "",
    after: str = "",
) -> ChunkResult:
    """One chunk by the LLM, checked for faithfulness; the rules' cleanup when it fails."""
    messages = prompt.render(
        transcript=_as_material(chunk.text),
        before=_as_material(before),
        after=_as_material(after),
        style=style,
    )
    try:
        answer = client.answer(messages, max_tokens=max_reply_tokens(chunk.text))
    except LLMOutputError as e:  # it answered, but ran on or said nothing: this chunk only
        return _by_rules(chunk, str(e))
    except LLMError as e:
        return _by_rules(chunk, str(e), error=e)
    reply = as_prose(answer.text)
    instructions = "\n".join(m["content"] for m in messages if m["role"] == "system")
    context = f"{before}\n{after}"
    comparison = compare(chunk.text, reply, context, instructions, chunk.lang)
    if problem := comparison.problem(limits):
        answer.forget()  # not an answer to keep: the next run asks again
        return _by_rules(chunk, problem, comparison)
    answer.keep()
    texts = reply_paragraphs(reply)
    spans = align_spans(texts, list(chunk.sentences))
    paragraphs = [Paragraph(t, start, end) for t, (start, end) in zip(texts, spans, strict=True)]
    return ChunkResult(chunk, paragraphs, "llm", comparison=comparison)


def max_reply_tokens(text: str) -> int:
    """A cleaned chunk is no longer than what was said: twice its tokens bounds a model that
    loops to about twice a good one's time."""
    return 2 * len(text) // CHARS_PER_TOKEN + REPLY_TOKENS_SLACK


# The prompt's scaffolding (<transcript>, <before>, …) and any HTML a model adds (<br>): never
# the speaker's. Dictation reaches the model with its own < and > replaced (see _as_material).
MARKUP_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")


def without_markup(reply: str) -> str:
    """The reply without tags; what stood inside them stays, for the check to judge."""
    return MARKUP_TAG.sub(" ", reply).replace(" \n", "\n")


# A cleanup answer is prose: the Markdown a model adds (Qwen cuts a chunk up with "## " lines,
# "- " bullets and "1. " items) would become headings and lists in the draft, structure the
# speaker never dictated. Line-start marks go, their words stay in the paragraph around them.
HEADING_MARK = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
LINE_MARK = re.compile(r"^\s*(?:>\s*)*(?:[-*+•‣◦]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)?")
RULE_OR_FENCE = re.compile(r"^\s*(?:[-*_=]\s*){3,}$|^\s*(?:```|~~~)")
INLINE_MARKS = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # **strong**, __strong__
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *emphasis*
    (re.compile(r"(?<!\w)_(?=\S)([^_]+?)(?<=\S)_(?!\w)"), r"\1"),  # _emphasis_
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # `code`
    (re.compile(r"\s*\|\s*"), " "),  # table cells
]


def as_prose(reply: str) -> str:
    """The reply as paragraphs of plain prose: no tags, no Markdown structure or emphasis.
    A heading line joins the paragraph after it as a sentence; list items join the paragraph
    they stand in."""
    paragraphs, pending = [], []
    for block in re.split(r"\n\s*\n", without_markup(reply)):
        lines, headings_only = [], True
        for line in block.splitlines():
            if RULE_OR_FENCE.match(line) or not line.strip():
                continue
            heading = HEADING_MARK.match(line)
            headings_only &= bool(heading)
            lines.append(_as_sentence(heading.group(1)) if heading else LINE_MARK.sub("", line))
        text = " ".join(_without_inline_marks(" ".join(lines)).split())
        if text and headings_only:
            pending.append(text)  # a heading alone: it opens the next paragraph
        elif text:
            paragraphs.append(" ".join([*pending, text]))
            pending = []
    if pending:  # headings after the last paragraph: they end it
        last = paragraphs.pop() if paragraphs else ""
        paragraphs.append(" ".join([last, *pending]).strip())
    return "\n\n".join(paragraphs)


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:;,…" else f"{text}."


def _without_inline_marks(text: str) -> str:
    for pattern, replacement in INLINE_MARKS:
        text = pattern.sub(replacement, text)
    return text


def _by_rules(chunk: Chunk, problem: str, comparison=None, error=None) -> ChunkResult:
    by_rules = paragraphs_by_rules(list(chunk.sentences), chunk.lang)
    paragraphs = [replace(p, flag=problem) for p in by_rules]
    return ChunkResult(chunk, paragraphs, "rules", problem, comparison, error)


def _as_material(text: str) -> str:
    """Dictation is data: nothing in it may close the tags that mark it as such."""
    return text.replace("<", "‹").replace(">", "›")


def _edge_words(text: str, last: bool) -> str:
    words = text.split()
    return " ".join(words[-CONTEXT_WORDS:] if last else words[:CONTEXT_WORDS])


def reply_paragraphs(reply: str) -> list[str]:
    """The paragraphs of an LLM's reply, whitespace folded inside each."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", reply.strip()) if p.strip()]


def align_spans(texts: list[str], sentences: list[Sentence]) -> list[tuple[float, float]]:
    """The transcript span each paragraph came from: its share of the words, in order."""
    cumulative = list(accumulate(max(1, len(s.text.split())) for s in sentences))
    written = [max(1, len(t.split())) for t in texts]
    scale = cumulative[-1] / sum(written)
    spans, done = [], 0
    for size in written:
        first = _sentence_at(cumulative, done * scale)
        done += size
        last = max(first, _sentence_at(cumulative, done * scale - 0.5))
        spans.append((sentences[first].start, sentences[last].end))
    return spans


def _sentence_at(cumulative: list[int], word: float) -> int:
    return min(len(cumulative) - 1, bisect.bisect_right(cumulative, word))
