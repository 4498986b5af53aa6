"""The keyword side of retrieval: BM25 from postings, without the model or Chroma."""

from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.retrieve import KeywordIndex, _top
from bot.terms import tokens
from index import default_report_path
from index.load import Report
from index.pipeline import build_records

ENGLISH = (
    "Revenue grew in the first half. Revenue from online marketing grew faster.\n\n"
    "The company expects revenue to keep growing. Costs fell.\n\n"
    "Revenue, revenue, revenue: the word appears in most sentences here."
)
QUESTIONS = [
    ["营收", "上半年", "快手"],
    ["revenue", "grew"],
    ["revenue", "revenue", "costs"],  # a repeated word counts twice, as in rank_bm25
    ["电商", "gmv", "no-such-word"],
    ["no-such-word"],
]


def records_of(name: str, text: str):
    report = Report(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    return build_records(report, lambda t: max(1, len(t) // 2), 200)


@pytest.fixture(scope="module")
def sentences():
    kuaishou = default_report_path().read_text(encoding="utf-8")
    records = records_of("kuaishou.txt", kuaishou) + records_of("en.txt", ENGLISH)
    return [r for r in records if r.kind == "sentence"]


@pytest.mark.parametrize("words", QUESTIONS)
def test_scores_equal_rank_bm25_over_the_same_tokens(sentences, words):
    reference = BM25Okapi([tokens(r.text) for r in sentences]).get_scores(words)
    got = KeywordIndex(sentences).scores(words)
    np.testing.assert_allclose(got, reference, rtol=1e-12, atol=1e-12)
    assert (got > 0).sum() == (reference > 0).sum()


def test_a_word_in_most_records_gets_rank_bm25s_floored_idf():
    # "revenue" is in 4 of 5 sentences: a negative raw idf, floored by rank_bm25.
    records = [r for r in records_of("en.txt", ENGLISH) if r.kind == "sentence"]
    reference = BM25Okapi([tokens(r.text) for r in records]).get_scores(["revenue"])
    np.testing.assert_allclose(KeywordIndex(records).scores(["revenue"]), reference, rtol=1e-12)


def test_document_frequencies_and_vocabulary(sentences):
    index = KeywordIndex(sentences)
    df = Counter(w for r in sentences for w in set(tokens(r.text)))
    assert index.df == df and index.vocabulary == set(df)
    assert index.idf("营收") < index.idf("no-such-word")


def test_questions_do_not_rescan_the_records(sentences, monkeypatch):
    index = KeywordIndex(sentences)

    def scan(*_):
        raise AssertionError("scored by walking every record")

    monkeypatch.setattr(BM25Okapi, "get_scores", scan)
    assert index.scores(["营收"]).max() > 0


def test_scoped_search_keeps_only_the_named_reports(sentences):
    index = KeywordIndex(sentences)
    words = ["revenue", "营收"]
    everywhere = _top(index, words, len(sentences), None)
    assert {r.source for r, _ in everywhere} == {"kuaishou.txt", "en.txt"}
    scoped = _top(index, words, len(sentences), ["en.txt", "not-indexed.txt"])
    assert {(r.id, s) for r, s in scoped} == {
        (r.id, s) for r, s in everywhere if r.source == "en.txt"
    }
    assert [s for _, s in scoped] == sorted((s for _, s in scoped), reverse=True)
    assert _top(index, words, len(sentences), ["not-indexed.txt"]) == []


def test_an_empty_index_scores_nothing():
    index = KeywordIndex([])
    assert index.scores(["营收"]).shape == (0,) and _top(index, ["营收"], 5, ["a"]) == []


def test_the_keyword_side_follows_changes_to_the_index(monkeypatch):
    from bot import retrieve
    from bot.retrieve import Retriever
    from tests.bot.conftest import RecordStore

    first = [r for r in records_of("a.txt", ENGLISH) if r.kind in ("sentence", "chunk")]
    store = RecordStore(first)
    retriever = Retriever(store, embedder=None)
    assert "costs" in retriever.query("costs").terms and "costs" in retriever.sentences.df
    # Another process adds a report: seen once RECHECK seconds have passed.
    monkeypatch.setattr(retrieve, "RECHECK", 3600.0)
    store._records = first + records_of("b.txt", "Profits doubled. Margins widened.")
    retriever.query("profits")
    assert "profits" not in retriever.sentences.df  # within RECHECK: not read again
    monkeypatch.setattr(retrieve, "RECHECK", 0.0)
    retriever.query("profits")
    assert "profits" in retriever.sentences.df
    # This process's own writes are seen at once.
    monkeypatch.setattr(retrieve, "RECHECK", 3600.0)
    store._records = first
    store.writes += 1
    retriever.query("profits")
    assert "profits" not in retriever.sentences.df


# ---------------------------------------------------------------- names the reports mention

_SIBLINGS = (
    "北斗7号公司员工人数为107人。北斗17号公司营收为3.2亿元。\n\n"
    "Skarholm Kraft reported revenue of €1.2 billion, up 12% year on year.\n"
)


def test_a_name_no_report_mentions_is_absent_and_a_digit_makes_another_name():
    from tests.bot.conftest import make_corpus

    corpus = make_corpus("siblings.txt", _SIBLINGS)
    r = corpus.retriever

    def absent(q):
        return r.mentioning(r.query(q), None)[0]

    assert absent("北斗9号公司员工人数是多少?") == ["北斗9号"]
    assert absent("北斗7号公司员工人数是多少?") == []
    assert absent("What was Skarholm Kraft's revenue?") == []
    assert absent("What was Brightwater's revenue?") == ["brightwater"]
    assert absent("What Was The Revenue Last Year?") == []  # Title Case is not names


def test_a_simplified_question_finds_a_traditional_report():
    from tests.bot.conftest import make_corpus

    corpus = make_corpus(
        "tw.txt",
        "峻嶺半導體第三季營收為35.2億元，年增18％。\n\n董事長孫志遠出席法說會。\n\n"
        "公司員工人數為1,200人。\n",
    )
    query, hits = corpus.hits("峻岭半导体第三季营收是多少?")
    assert hits and "35.2億元" in hits[0].sentence.text
    assert corpus.retriever.mentioning(query, None)[0] == []


def test_a_title_is_asked_about_not_a_name_the_evidence_must_hold():
    from tests.bot.conftest import make_corpus

    corpus = make_corpus(
        "titles.txt",
        "The CEO of a rival spoke first.\n\n峻岭科技董事长兼首席执行官孙志远表示，公司将扩产。\n",
    )
    query = corpus.query("峻岭科技的董事长兼CEO是谁?")
    assert "ceo" not in query.names


# ---------------------------------------------------------------- the keyword side, cached


def _retriever(records, cache):
    from bot.retrieve import Retriever
    from tests.bot.conftest import RecordStore

    return Retriever(RecordStore(records), embedder=None, cache=cache)


def _keyword_side(retriever) -> tuple:
    """Everything the retriever derived from the records, comparable."""
    postings = {
        kind: {w: (ids.tolist(), ws.tolist()) for w, (ids, ws) in index.postings.items()}
        for kind, index in (("s", retriever.sentences), ("c", retriever.chunks))
    }
    return (
        retriever.sentences.records,
        retriever.chunks.records,
        postings,
        dict(retriever.sentences.df),
        dict(retriever.bridge.by_pinyin),
        dict(retriever.bridge.by_surname),
        retriever.texts,
        retriever.by_id,
        retriever.sentences_of,
    )


@pytest.fixture(scope="module")
def two_reports():
    kuaishou = default_report_path().read_text(encoding="utf-8")
    return records_of("kuaishou.txt", kuaishou) + records_of("en.txt", ENGLISH)


QUESTIONS_TEXT = ["How much did UAX lift ARPU?", "上半年营收多少?", "Did revenue grow?"]


def test_a_fresh_process_reads_the_keyword_side_from_the_cache(tmp_path, two_reports):
    path = tmp_path / "cache" / "keywords.marshal"
    built = _retriever(two_reports, path)
    queries = [built.query(q) for q in QUESTIONS_TEXT]  # builds, then saves
    assert path.exists()

    fresh = _retriever(two_reports, path)
    fresh.store.records = lambda kind: pytest.fail("read the records again")
    assert [fresh.query(q) for q in QUESTIONS_TEXT] == queries
    assert _keyword_side(fresh) == _keyword_side(built)
    words = ["营收", "revenue", "uax"]
    np.testing.assert_array_equal(fresh.sentences.scores(words), built.sentences.scores(words))


def test_a_new_index_version_is_built_again_and_replaces_the_cache(tmp_path, two_reports):
    path = tmp_path / "keywords.marshal"
    _retriever(two_reports, path).query("revenue")
    added = two_reports + records_of("b.txt", "Profits doubled. Margins widened.")
    for records in (added, two_reports[:-3], two_reports):  # added, removed, re-indexed
        fresh = _retriever(records, path)  # RecordStore's version: the number of records
        fresh.query("profits")
        assert fresh.sentences.records == [r for r in records if r.kind == "sentence"]
    again = _retriever(two_reports, path)
    again.store.records = lambda kind: pytest.fail("the last version was not kept")
    again.query("profits")


def test_a_damaged_cache_is_built_again_not_an_error(tmp_path, two_reports):
    path = tmp_path / "keywords.marshal"
    built = _retriever(two_reports, path)
    built.query("revenue")
    path.write_bytes(path.read_bytes()[:1000])
    fresh = _retriever(two_reports, path)
    assert fresh.query("revenue") == built.query("revenue")
    assert _keyword_side(fresh) == _keyword_side(built)
    kept = _retriever(two_reports, path)  # and the file was written whole again
    kept.store.records = lambda kind: pytest.fail("the damaged file was not replaced")
    kept.query("revenue")


def test_an_edit_to_the_code_that_builds_it_is_a_new_key(tmp_path, two_reports, monkeypatch):
    from bot import retrieve

    path = tmp_path / "keywords.marshal"
    _retriever(two_reports, path).query("revenue")
    monkeypatch.setattr(retrieve, "_derived_from", lambda: ("another", "version"))
    fresh = _retriever(two_reports, path)
    calls = []
    fresh.store.records = lambda kind: (
        calls.append(kind) or [r for r in two_reports if r.kind == kind]
    )
    fresh.query("revenue")
    assert calls == ["sentence", "chunk"]
