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

from index.embed import Embedder
from index.load import Report
from index.split import chunk_report, content_id
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


def build_records(report: Report, count: Callable[[str], int], budget: int) -> list[Record]:
    """Sentence and chunk records of ``report`` with content-derived ids."""
    records: list[Record] = []
    seen: dict[str, int] = {}
    for chunk in chunk_report(report.name, report.text, count, budget):
        records.append(Record(chunk.id, "chunk", report.name, chunk.start, chunk.end, chunk.text))
        for s in chunk.sentences:
            n = seen.get(s.text, 0)
            seen[s.text] = n + 1
            sid = content_id(report.name, "sentence", s.text, n)
            records.append(Record(sid, "sentence", report.name, s.start, s.end, s.text, chunk.id))
    return records


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
        if progress:
            progress(1, 1)
        seconds = time.perf_counter() - t0
        return IndexResult(report.name, known.chunks, known.sentences, 0, True, seconds)
    records = build_records(report, count, budget)
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
    return IndexResult(report.name, n_chunks, len(records) - n_chunks, len(todo), False, seconds)
