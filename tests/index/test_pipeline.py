"""Embedding batches and what one indexing run costs the store (real Chroma, fake model)."""

import pytest

from index.load import report_from_text
from index.pipeline import BATCH, SPECIAL_TOKENS, batches, build_records, index_report
from index.settings import Settings
from index.store import Record, Store
from index.tokens import counter
from tests.conftest import FakeEmbedder

# A long chunk among many short sentences: in document order every batch would pad the
# short ones to the chunk's length.
PARAGRAPHS = [
    "短句一。短句二。短句三,稍长一点的句子。"
    + "这是很长的一句话,包含很多很多的字" * (i % 4 + 1)
    + "。"
    for i in range(30)
]
REPORT = "\n\n".join(PARAGRAPHS)


def words(text: str) -> int:
    return len(text.split())


def record(i: int, n_words: int) -> Record:
    return Record(f"r{i}", "sentence", "a.txt", 0, 1, " ".join(["w"] * n_words))


def test_batches_hold_similar_lengths_within_the_budget():
    lengths = [3, 200, 5, 60, 7, 1, 300, 40, 2, 9] * 12 + [2000]
    records = [record(i, n) for i, n in enumerate(lengths)]
    out = batches(records, words, budget=1024)
    assert sorted(r.id for b in out for r in b) == sorted(r.id for r in records)
    sizes = [[words(r.text) + SPECIAL_TOKENS for r in b] for b in out]
    flat = [s for b in sizes for s in b]
    assert flat == sorted(flat)  # shortest first, so a batch pads to little
    for b in sizes:
        assert len(b) <= BATCH
        assert len(b) == 1 or len(b) * max(b) <= 1024  # padded tokens within the budget
    assert sizes[-1] == [2000 + SPECIAL_TOKENS]  # longer than the budget: alone
    # The short texts share batches of BATCH; the long ones do not wait for them.
    assert len(out[0]) == BATCH and len(out) < len(records) // 4


@pytest.fixture
def env(tmp_path):
    settings = Settings.from_env(
        {"REPORTBOT_DATA_DIR": str(tmp_path), "REPORTBOT_EMBED_MODEL": "fake"}
    )
    return settings, Store(settings, embeddings=None), counter(tmp_path / "tk")


def test_one_run_stages_once_per_batch_and_reports_progress(env, monkeypatch):
    settings, store, count = env
    staged, seen = [], []
    stage = store.stage
    monkeypatch.setattr(store, "stage", lambda rs, vs: (staged.append(len(rs)), stage(rs, vs)))
    # Indexing one report reads its own manifest entry, never a listing of them all.
    monkeypatch.setattr(store, "reports", lambda: pytest.fail("listed every report"))
    emb = FakeEmbedder()
    result = index_report(
        report_from_text("a.txt", REPORT), store, emb, count, settings.chunk_tokens,
        lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    n = result.chunks + result.sentences
    assert result.embedded == emb.embedded == n == sum(staged)
    assert (
        1 < len(staged) == len(batches(store.records("sentence") + store.records("chunk"), count))
    )
    assert seen[0] == (0, n) and seen[-1] == (n, n)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and {t for _, t in seen} == {n}
    again = index_report(report_from_text("a.txt", REPORT), store, FakeEmbedder(), count, 200)
    assert again.unchanged and (again.chunks, again.sentences) == (result.chunks, n - result.chunks)


def test_records_read_back_in_document_order_after_an_edit(env):
    # Batches are written shortest first and an edit's new sentences last; readers (the
    # retriever's "sentence before", its sibling lists) need document order.
    settings, store, count = env
    edited = REPORT.replace("短句二。", "改过的第二句,比原来的长了许多。", 1)
    for text in (REPORT, edited):
        report = report_from_text("a.txt", text)
        index_report(report, store, FakeEmbedder(), count, settings.chunk_tokens)
        for kind in ("sentence", "chunk"):
            want = [r.id for r in build_records(report, count, settings.chunk_tokens)]
            got = [r.id for r in store.records(kind)]
            assert len(got) > 1 and got == [i for i in want if i in set(got)]


def test_page_starts_are_kept_and_an_unchanged_report_gets_them_without_embedding(env):
    from dataclasses import replace

    settings, store, count = env
    plain = report_from_text("r.pdf", REPORT)
    index_report(plain, store, FakeEmbedder(), count, settings.chunk_tokens)
    assert store.report_info("r.pdf").pages == ()  # indexed before pages were kept
    paged = replace(plain, pages=(0, 40))
    emb = FakeEmbedder()
    assert index_report(paged, store, emb, count, settings.chunk_tokens).unchanged
    assert store.report_info("r.pdf").pages == (0, 40) and emb.embedded == 0
    assert [r.pages for r in store.reports()] == [(0, 40)]
