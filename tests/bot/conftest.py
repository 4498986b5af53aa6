"""Fixtures for the answer-step tests.

- ``kuaishou``: the bundled report as records, with a :class:`Retriever` over them that
  builds real queries (jieba, the dictionary bridge, IDF) and keyword hits, without the
  embedding model or Chroma: fast enough for unit tests of the LLM answerer;
- ``llm_settings``: the shared real index answering through ``llm_server``, the model
  server of ``tests/conftest.py`` (shared with the UI tests, started once).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

# bench/llm_eval.py starts and stops the model server through these names.
from tests.servers import LlamaServer, assemble_gguf, start_llama_server  # noqa: F401

stop = LlamaServer.stop

# ---------------------------------------------------------------- fast: records, queries


@pytest.fixture
def plain_scorer(monkeypatch):
    """These tests check the answer step's mechanics (the kind asked for, the checks,
    the lead, the quotes) on a few hand-made hits, so they use plain hand-set weights:
    similarity counts for, each failed check against. The fitted weights are measured
    where they belong: on whole reports (tests/bot/test_scorer.py, the suite)."""
    from bot import scorer
    from bot.checks import FEATURES

    weights = {"dense": 4.0, "cover": 3.0, "kind_missing": -3.0, "period_conflict": -3.0,
               "thing_missing": -3.0, "part_for_total": -3.0, "maker_missing": -3.0,
               "low_support": -3.0}  # fmt: skip
    plain = scorer.Scorer(
        FEATURES, tuple(weights.get(f, 0.0) for f in FEATURES), -5.0,
        (0.0,) * len(FEATURES), (1.0,) * len(FEATURES), 0.5,
    )  # fmt: skip
    monkeypatch.setattr(scorer, "load", lambda *a, **k: plain)


class RecordStore:
    """What the retriever's keyword side uses of :class:`index.store.Store`."""

    def __init__(self, records):
        self._records = records
        self.writes = 0

    def fingerprint(self) -> str:
        return str(len(self._records))

    def records(self, kind: str):
        return [r for r in self._records if r.kind == kind]


@dataclass
class Corpus:
    name: str
    text: str
    retriever: object

    def query(self, question: str):
        return self.retriever.query(question)

    def hits(self, question: str, k: int = 12):
        """Keyword hits for ``question`` (dense fields carry the scaled keyword score)."""
        from bot.retrieve import Hit

        r = self.retriever
        query = r.query(question)
        scores = r.sentences.scores(query.keywords)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        top = max(scores[order[0]], 1e-9) if order else 1.0
        hits = []
        for i in order:
            if scores[i] <= 0:
                continue
            s = r.sentences.records[i]
            kw = float(scores[i] / top)
            hits.append(Hit(s, r.chunk_by_id.get(s.chunk_id), kw, 0.5 * kw, 0.0, kw, ""))
        return query, hits


def make_corpus(name: str, text: str) -> Corpus:
    from bot.retrieve import Retriever
    from index.load import Report
    from index.pipeline import build_records

    report = Report(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    records = build_records(report, lambda t: max(1, len(t) // 2), 200)
    retriever = Retriever(RecordStore(records), embedder=None)
    retriever.query("warm")  # builds the keyword index and the bridge
    return Corpus(name, text, retriever)


@pytest.fixture(scope="session")
def kuaishou(report_text) -> Corpus:
    return make_corpus("kuaishou-2024h1.txt", report_text)


# ---------------------------------------------------------------- slow: a real model server


@pytest.fixture(scope="session")
def llm_settings(real_settings, llm_server):
    """The shared real index, answering through the real model server."""
    from dataclasses import replace

    return replace(real_settings, llm_base_url=llm_server.base_url, llm_timeout=30.0)
