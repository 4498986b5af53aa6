"""Report -> sentences and chunks -> vectors -> store, computing only what is new.

``index_report`` embeds just the sentences and chunks whose content id the store does
not hold yet (an unchanged report computes no embeddings; an edited one only its edited
parts), in batches, reporting progress through a callback. Nothing here knows about
questions.
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
BATCH = 32


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


def index_report(
    report: Report,
    store: Store,
    embedder: Embedder,
    count: Callable[[str], int],
    budget: int,
    progress: Progress | None = None,
) -> IndexResult:
    """Bring ``report`` up to date in ``store``; see the module docstring."""
    t0 = time.perf_counter()
    known = {r.name: r for r in store.reports()}
    records = build_records(report, count, budget)
    n_chunks = sum(r.kind == "chunk" for r in records)
    n_sent = len(records) - n_chunks
    if report.name in known and known[report.name].sha256 == report.sha256:
        if progress:
            progress(1, 1)
        return IndexResult(report.name, n_chunks, n_sent, 0, True, time.perf_counter() - t0)
    have = store.existing([r.id for r in records])
    todo = [r for r in records if r.id not in have]
    total = max(len(todo), 1)
    if progress:
        progress(0, total)
    for i in range(0, len(todo), BATCH):
        part = todo[i : i + BATCH]
        vectors = embedder.embed_passages([r.text for r in part])
        store.stage(part, vectors.tolist())
        if progress:
            progress(min(i + BATCH, len(todo)), total)
    store.commit(report, records, path=report.path)
    if progress and not todo:
        progress(1, 1)
    return IndexResult(report.name, n_chunks, n_sent, len(todo), False, time.perf_counter() - t0)
