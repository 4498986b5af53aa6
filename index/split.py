"""Split a report into sentences and chunks, keeping exact ``[start, end)`` offsets.

Sentences end at 。！？；; ! ? and line breaks, and at ``.`` followed by whitespace
(English). They never end inside a number (``12.5亿元``, ``3.4%``) or inside a
quotation (“…”, 「…」, 《…》, (…)). Chunks group whole consecutive sentences within a token
budget counted with tiktoken. A run longer than ``max_chars`` with no end mark (a file
without punctuation) is cut into pieces of at most that many characters, so the pieces,
and the embeddings they cost, grow in step with the text's length. Offsets always index
the report text itself:
``text[s.start:s.end] == s.text`` for every sentence and chunk.

This module does not embed or store anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

TERMINALS = set("。！？；;!?…")
OPENERS = {"“": "”", "「": "」", "『": "』", "《": "》", "(": ")", "（": "）", "‘": "’"}
CLOSERS = set(OPENERS.values()) | {'"', "'"}
CLAUSE_BREAKS = set(",，、:：")
# A quotation longer than this is treated as unbalanced: we split inside it after all.
MAX_QUOTE = 400
MAX_CHARS = 400  # default longest sentence, in characters (REPORTBOT_MAX_SENTENCE_CHARS)


@dataclass(frozen=True)
class Span:
    """A sentence: ``[start, end)`` into the report text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """Whole consecutive sentences of one report, embedded and retrieved together."""

    source: str
    index: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...] = field(default=())

    @property
    def id(self) -> str:
        return content_id(self.source, "chunk", self.text, self.index)


def content_id(source: str, kind: str, text: str, occurrence: int) -> str:
    """A stable id from the report name and the content (not its position).

    ``occurrence`` tells apart identical texts repeated in one report.
    """
    digest = hashlib.sha256(f"{source}\0{kind}\0{occurrence}\0{text}".encode()).hexdigest()
    return digest[:32]


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` with their offsets; whitespace around them is left out."""
    spans: list[Span] = []
    start = 0
    stack: list[tuple[str, int]] = []  # open quotation marks and where they opened
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            stack.clear()
            _emit(text, start, i, spans)
            start = i + 1
        elif ch in OPENERS:
            stack.append((OPENERS[ch], i))
        elif stack and ch == stack[-1][0]:
            stack.pop()
        elif stack and i - stack[-1][1] > MAX_QUOTE:
            stack.clear()
        if stack:
            i += 1
            continue
        end = None
        if ch in TERMINALS:
            end = i + 1
        elif ch == "." and (i + 1 == n or text[i + 1] in " \t\n") and not _is_abbrev(text, i):
            end = i + 1
        if end is not None:
            # Runs of terminals and closing quotes stay with the sentence they end.
            while end < n and (text[end] in TERMINALS or text[end] in CLOSERS):
                end += 1
            _emit(text, start, end, spans)
            start = i = end
            continue
        i += 1
    _emit(text, start, n, spans)
    return spans


def _is_abbrev(text: str, i: int) -> bool:
    # "e.g. x", "U.S. x", "No. 5": a single letter or a short capitalised token before.
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    word = text[j:i]
    return len(word) == 1 or word in {"e.g", "i.e", "Mr", "Mrs", "Dr", "No", "vs", "etc", "Inc"}


def _emit(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Span(start, end, text[start:end]))


def _pieces(
    text: str, span: Span, count: Callable[[str], int], budget: int, max_chars: int = MAX_CHARS
) -> list[Span]:
    """Cut an over-long sentence at clause breaks so each piece fits the budget.

    Each piece is the longest prefix within ``max_chars`` characters and ``budget``
    tokens (found by bisection: a few token counts per piece, not one per character),
    cut back to its last clause break or space when it has one.
    """
    if span.end - span.start <= max_chars and count(span.text) <= budget:
        return [span]
    pieces: list[Span] = []
    start = span.start
    while start < span.end:
        stop = min(span.end, start + max_chars)
        if count(text[start:stop]) > budget:
            lo, hi = start + 1, stop  # text[start:lo] fits (one character always does)
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if count(text[start:mid]) <= budget:
                    lo = mid
                else:
                    hi = mid - 1
            stop = lo
        cut = stop
        if stop < span.end:
            breaks = [
                i + 1 for i in range(start, stop) if text[i] in CLAUSE_BREAKS or text[i] == " "
            ]
            if breaks and breaks[-1] > start:
                cut = breaks[-1]
        pieces.append(Span(start, cut, text[start:cut]))
        start = cut
    return [p for p in pieces if p.text.strip()]


def chunk_report(
    source: str,
    text: str,
    count: Callable[[str], int],
    budget: int = 200,
    max_chars: int = MAX_CHARS,
) -> list[Chunk]:
    """Group sentences into chunks of at most ``budget`` tokens.

    A chunk also closes at a paragraph break once it holds half its budget, so chunks
    follow the report's own structure where they can.
    """
    sentences = [
        p for s in split_sentences(text) for p in _pieces(text, s, count, budget, max_chars)
    ]
    chunks: list[Chunk] = []
    group: list[Span] = []
    used = 0

    def close() -> None:
        nonlocal group, used
        if group:
            start, end = group[0].start, group[-1].end
            chunks.append(Chunk(source, len(chunks), start, end, text[start:end], tuple(group)))
        group, used = [], 0

    for sent in sentences:
        cost = count(sent.text)
        paragraph_break = bool(group) and "\n\n" in text[group[-1].end : sent.start]
        if group and (used + cost > budget or (paragraph_break and used >= budget // 2)):
            close()
        group.append(sent)
        used += cost
    close()
    return _number(chunks)


def _number(chunks: list[Chunk]) -> list[Chunk]:
    # Chunk.index counts repeats of the same text, so ids survive edits elsewhere.
    seen: dict[str, int] = {}
    out = []
    for c in chunks:
        k = seen.get(c.text, 0)
        seen[c.text] = k + 1
        out.append(Chunk(c.source, k, c.start, c.end, c.text, c.sentences))
    return out
