"""Report -> sentences and chunks -> vectors -> store, computing only what is new.

``index_report`` embeds just the sentences and chunks whose content id the store does
not hold yet (an unchanged report computes no embeddings; an edited one only its edited
parts), in batches of similar length (see :func:`batches`), reporting progress through a
callback. Nothing here knows about questions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from index.directives import is_directive
from index.embed import Embedder
from index.errors import ReportError
from index.load import Report
from index.split import MAX_CHARS, chunk_report, content_id
from index.store import Record, Store

Progress = Callable[[int, int], None]
BATCH = 32  # texts per embedding batch at most
BATCH_TOKENS = 1024  # padded tokens per embedding batch at most (texts x the longest)
SPECIAL_TOKENS = 8  # the "passage: " prompt and the model's own start/end tokens


@dataclass(frozen=True)
class IndexResult:
    name: str
    chunks: int
    sentences: int
    embedded: int
    unchanged: bool
    seconds: float
    encoding: str = ""  # how the file was decoded, for text files


def build_records(
    report: Report, count: Callable[[str], int], budget: int, max_chars: int = MAX_CHARS
) -> list[Record]:
    """Sentence and chunk records of ``report`` with content-derived ids.

    A chunk is marked a directive when one of its sentences is."""
    records: list[Record] = []
    seen: dict[str, int] = {}
    for chunk in chunk_report(report.name, report.text, count, budget, max_chars):
        sentences = []
        for s in chunk.sentences:
            n = seen.get(s.text, 0)
            seen[s.text] = n + 1
            sid = content_id(report.name, "sentence", s.text, n)
            sentences.append(
                Record(sid, "sentence", report.name, s.start, s.end, s.text, chunk.id,
                       directive=is_directive(s.text))
            )  # fmt: skip
        marked = any(r.directive for r in sentences)
        records.append(
            Record(chunk.id, "chunk", report.name, chunk.start, chunk.end, chunk.text,
                   directive=marked)
        )  # fmt: skip
        records.extend(sentences)
    return records


def check_cost(report: Report, max_embeddings: int, max_chars: int = MAX_CHARS) -> None:
    """Refuse a report that certainly needs more than ``max_embeddings``, before splitting.

    Every sentence holds at most ``max_chars`` characters, so a report has at least
    (characters / max_chars) of them: one division rejects a 20 MB run without
    punctuation at once, where splitting it would take seconds.
    """
    least = len(report.text) // (max_chars + 1)  # whitespace between sentences is rare
    if least > max_embeddings:
        _too_costly(report, f"at least {least:,}", max_embeddings)


def _too_costly(report: Report, needed: str, limit: int) -> None:
    raise ReportError(
        report.path or report.name,
        f"would need {needed} embeddings, over the limit of {limit:,} per report "
        "(REPORTBOT_MAX_REPORT_EMBEDDINGS); split it into smaller reports",
    )


def batches(
    records: list[Record], count: Callable[[str], int], budget: int = BATCH_TOKENS
) -> list[list[Record]]:
    """``records`` in embedding batches: sorted by length, each at most ``BATCH`` texts
    and ``budget`` padded tokens.

    A batch is padded to its longest text, so a 200-token chunk among 31 short sentences
    makes the model read 32 x 200 tokens: in document order, nearly 4x the time of
    encoding the same texts sorted (docs/benchmarks.md). ``count`` only needs to be
    roughly the model's tokenizer: it sizes batches, it does not truncate. A text longer
    than ``budget`` goes alone.
    """
    sized = sorted(((count(r.text) + SPECIAL_TOKENS, r) for r in records), key=lambda x: x[0])
    out: list[list[Record]] = []
    batch: list[Record] = []
    for tokens, record in sized:
        # Ascending order: this text is the longest so far, the one the batch pads to.
        if batch and (len(batch) == BATCH or (len(batch) + 1) * tokens > budget):
            out.append(batch)
            batch = []
        batch.append(record)
    if batch:
        out.append(batch)
    return out


def index_report(
    report: Report,
    store: Store,
    embedder: Embedder,
    count: Callable[[str], int],
    budget: int,
    progress: Progress | None = None,
    *,
    max_embeddings: int | None = None,
    max_chars: int = MAX_CHARS,
) -> IndexResult:
    """Bring ``report`` up to date in ``store``; see the module docstring.

    New records are staged (one write per batch) and made live together by
    ``store.commit`` at the end, so a run that fails half-way leaves the previous
    version answering, and the next run reuses what was staged.
    """
    t0 = time.perf_counter()
    # One manifest read, not a listing of every report (1,000 reports: one per file).
    known = store.report_info(report.name)
    if known is not None and known.sha256 == report.sha256:
        if report.pages and known.pages != report.pages:  # indexed before pages were kept
            store.set_pages(report.name, report.pages)
        if progress:
            progress(1, 1)
        seconds = time.perf_counter() - t0
        return IndexResult(
            report.name, known.chunks, known.sentences, 0, True, seconds, report.encoding
        )
    if max_embeddings is not None:
        check_cost(report, max_embeddings, max_chars)
    records = build_records(report, count, budget, max_chars)
    if max_embeddings is not None and len(records) > max_embeddings:
        _too_costly(report, f"{len(records):,}", max_embeddings)
    n_chunks = sum(r.kind == "chunk" for r in records)
    have = store.existing([r.id for r in records])
    todo = [r for r in records if r.id not in have]
    total = max(len(todo), 1)
    if progress:
        progress(0, total)
    done = 0
    for part in batches(todo, count):
        vectors = embedder.embed_passages([r.text for r in part])
        store.stage(part, vectors.tolist())
        done += len(part)
        if progress:
            progress(done, total)
    store.commit(report, records, path=report.path)
    if progress and not todo:
        progress(1, 1)
    seconds = time.perf_counter() - t0
    sentences = len(records) - n_chunks
    return IndexResult(report.name, n_chunks, sentences, len(todo), False, seconds, report.encoding)
