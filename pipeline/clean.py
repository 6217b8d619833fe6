"""Cleanup: fillers, stutters and repeats out, paragraphs in; by rules offline, or by an LLM.

The rules remove nothing but vocal fillers and immediate repeats, so every other word the
speaker said survives. The LLM path sends one chunk of a block at a time and keeps the
block's transcript span with what comes back.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.commands import Block, Sentence
from pipeline.llm import LLMSettings, complete
from pipeline.templates import Prompt

# Vocal fillers only. "like", "you know" and "I mean" carry meaning too often to drop blindly.
FILLER_WORD = r"(?<![\w'-])(?:u+m+|u+h+m*|e+r+m*|h+m+|m+h?m+)(?![\w'-])"
# Whisper sets a filler off with commas it would not write otherwise: "it was, uh, fine".
FILLER_IN_COMMAS = re.compile(rf",\s*{FILLER_WORD}\s*,", re.I)
FILLER = re.compile(rf"{FILLER_WORD},?", re.I)
# Repeats that speakers mean: "very, very", "had had", "that that".
INTENDED_REPEATS = {"very", "really", "so", "much", "many", "no", "yes", "had", "that", "far"}
PAUSE_FOR_PARAGRAPH = 1.5  # seconds of silence between sentences that start a new paragraph
PARAGRAPH_WORDS = 120  # past this, the next sentence starts a new paragraph
MIN_PARAGRAPH_WORDS = 40  # ... but never leave a paragraph shorter than this


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: float  # seconds: the transcript span this paragraph came from
    end: float


def _bare(word: str) -> str:
    return re.sub(r"[^\w']", "", word).lower()


def remove_fillers(text: str) -> str:
    return FILLER.sub("", FILLER_IN_COMMAS.sub(" ", text))


def remove_repeats(text: str) -> str:
    """Drop the first copy of an immediately repeated word or phrase (up to three words)."""
    words = text.split()
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            first, second = words[i : i + n], words[i + n : i + 2 * n]
            if len(second) == n and [_bare(w) for w in first] == [_bare(w) for w in second]:
                if n == 1 and _bare(first[0]) in INTENDED_REPEATS:
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


def clean_sentence(text: str) -> str:
    """The sentence without fillers and repeats; "" when nothing but fillers was said."""
    cleaned = tidy_punctuation(remove_repeats(tidy_punctuation(remove_fillers(text))))
    return cleaned if re.search(r"\w", cleaned) else ""


def clean_heading(heading: str | None) -> str | None:
    """A spoken title or heading without fillers ("Um, what it costs" → "What it costs")."""
    if heading is None:
        return None
    return clean_sentence(heading).rstrip(".,;:") or heading


def paragraphs_by_rules(sentences: list[Sentence]) -> list[Paragraph]:
    """Clean each sentence and group them into paragraphs at long pauses and by length."""
    groups: list[list[Sentence]] = []
    words = 0
    for sentence in sentences:
        text = clean_sentence(sentence.text)
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


def clean_block_by_rules(block: Block) -> list[Paragraph]:
    """A block's paragraphs: the speaker's own breaks, refined by pauses and length."""
    return [p for spoken in block.paragraphs for p in paragraphs_by_rules(spoken)]


CHUNK_CHARS = 6000  # about 1,500 tokens: small enough for any model, large enough for context


def clean_block_with_llm(block: Block, llm: LLMSettings, prompt: Prompt) -> list[Paragraph]:
    """The block cleaned by the LLM, chunk by chunk on sentence boundaries."""
    text, starts = _text_with_offsets(block)
    sentences = block.sentences
    paragraphs = []
    for chunk in _split_for_llm(text) if sentences else []:
        begin = chunk.metadata["start_index"]
        first = bisect.bisect_right(starts, begin) - 1
        last = bisect.bisect_right(starts, begin + len(chunk.page_content) - 1) - 1
        reply = complete(llm, prompt.render(transcript=chunk.page_content))
        span = (sentences[first].start, sentences[last].end)
        paragraphs += [Paragraph(text, *span) for text in reply_paragraphs(reply)]
    return paragraphs


def reply_paragraphs(reply: str) -> list[str]:
    """The paragraphs of an LLM's reply, whitespace folded inside each."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", reply.strip()) if p.strip()]


def _text_with_offsets(block: Block) -> tuple[str, list[int]]:
    """The block as text (the speaker's paragraphs kept apart) and where each sentence starts."""
    text, starts = "", []
    for paragraph in block.paragraphs:
        if text:
            text += "\n\n"
        for i, sentence in enumerate(paragraph):
            if i:
                text += " "
            starts.append(len(text))
            text += sentence.text
    return text, starts


def _split_for_llm(text: str):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS,
        chunk_overlap=0,
        separators=["\n\n", ". ", "? ", "! ", " "],
        keep_separator="end",
        add_start_index=True,
    )
    return splitter.create_documents([text])
