"""Summaries (bot/summary.py): what a user sees of "summarize this report".

The reports are invented; sentence vectors come from a small predictable fake (hashed
words), so these tests check the choice of sentences, not the embedding model.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from bot import summary
from tests.bot.conftest import make_corpus

EN = """Orlin Kettleworks posts record quarter as kettle sales climb

Orlin Kettleworks reported revenue of $412 million, up 17%, and net income of $38 million.

The company makes kettles, toasters and small ovens in two plants.

Management thinks the market is changing quickly and remains attentive to customers.

The kettle segment grew 24% to $251 million, while the oven segment fell 6% to $97 million.

Gross margin widened to 41.5% from 38.9%, helped by cheaper steel.

| Segment | Revenue | Change |

| Kettles | 251 | 24% |

The company believes its products are appreciated by customers in many places.

For the outlook, Orlin expects fourth-quarter revenue of $430 million to $445 million.

Orlin also opened a design studio in Porto and named Mara Halvorsen as chief operating officer.

Customers continue to value quality, and the company continues to value its customers.

The board said it remains committed to long-term thinking and to its many stakeholders.

Orlin repurchased 1.2 million shares for $54 million and declared a dividend of $0.15 per share.

Operating cash flow was $66 million, and cash at the end of the quarter stood at $310 million.

The company thanked its employees, partners and suppliers for their continued dedication.

Research spending rose 9% to $21 million as Orlin tested a new induction kettle line.

The company said its people and its culture remain important to everything it does.

Inventories fell to $88 million from $102 million as the Porto warehouse closed.

Orlin said it had no plans to change how it sells through department stores this year.

By Tamsin Greel, staff writer
"""

ZH = """栖霞电器三季度营收52.6亿元 同比增长21.4%

栖霞电器三季度实现营业收入52.6亿元，同比增长21.4%；归属于母公司股东的净利润为4.31亿元，同比增长33.0%。

公司长期坚持以用户为中心的发展理念。

分业务看，厨房电器收入为19.8亿元，同比增长28.7%；清洁电器收入为11.2亿元，同比下降3.5%。

公司表示，将继续推进各项工作。

展望四季度，公司预计营业收入将在55亿元至58亿元之间。

毛利率为31.2%，较去年同期提升1.6个百分点。
"""


def _embed(text: str) -> list[float]:
    """Words (or characters, for Chinese) hashed into 64 dimensions."""
    v = np.zeros(64)
    for w in re.findall(r"[a-z]+|[\u4e00-\u9fff]|\d+", text.lower()):
        v[int(hashlib.md5(w.encode()).hexdigest(), 16) % 64] += 1.0
    return list(v / (np.linalg.norm(v) + 1e-12))


def _summary(name: str, text: str, question: str, lang: str = "en"):
    corpus = make_corpus(name, text)
    records = sorted(
        (r for r in corpus.retriever.sentences.records if r.source == name),
        key=lambda r: r.start,
    )
    vectors = {r.id: _embed(r.text) for r in records}
    query = corpus.query(question)
    return summary.summarize(records, vectors, lang, None, summary.aspects(query))


@pytest.fixture(scope="module")
def english():
    return _summary("orlin-q3.txt", EN, "Give me a short summary of this report.")


def test_quotes_are_exact_in_report_order_and_distinct(english):
    quotes = [c.quote for c in english.citations]
    assert 3 <= len(quotes) <= 6
    assert all(EN[c.start : c.end] == c.quote for c in english.citations)
    assert [c.start for c in english.citations] == sorted(c.start for c in english.citations)
    assert len(set(quotes)) == len(quotes)
    for i, c in enumerate(english.citations, 1):
        assert f"“{c.quote}” [{i}]" in english.text


def test_the_lead_sentence_not_the_headline_that_repeats_it(english):
    quotes = [c.quote for c in english.citations]
    assert any("revenue of $412 million" in q for q in quotes)
    assert not any(q.startswith("Orlin Kettleworks posts record quarter") for q in quotes)


def test_no_table_row_or_byline(english):
    assert "|" not in english.text
    assert "Tamsin Greel" not in english.text


def test_figures_before_generalities(english):
    """Six key facts (sales, segments, outlook, cash): every quote states a figure, no
    platitude is quoted."""
    assert len(english.citations) == 6
    assert all(re.search(r"\d", c.quote) for c in english.citations)
    for fact in ("$251 million", "$430 million to $445 million"):
        assert fact in english.text
    for platitude in ("value its customers", "appreciated by customers", "stakeholders"):
        assert platitude not in english.text


def test_a_named_aspect_is_covered():
    """ "Summarize ... and the management changes": a sentence about it, which has no
    figure and would not be chosen otherwise, is quoted."""
    plain = _summary("orlin-q3.txt", EN, "Summarize this report.")
    asked = _summary(
        "orlin-q3.txt", EN, "Summarize this report: results and the chief operating officer."
    )
    assert "chief operating officer" not in plain.text
    assert "chief operating officer" in asked.text


def test_chinese_report_lead_and_outlook():
    zh = _summary("qixia-q3.txt", ZH, "请概括这份报告的要点和展望。", "zh")
    quotes = [c.quote for c in zh.citations]
    assert any("营业收入52.6亿元" in q for q in quotes)
    assert not any(q.startswith("栖霞电器三季度营收52.6亿元 同比增长21.4%") for q in quotes)
    assert any("展望四季度" in q for q in quotes)
    assert "继续推进各项工作" not in zh.text
    assert all(ZH[c.start : c.end] == c.quote for c in zh.citations)


def test_aspects_leave_out_the_request_names_and_periods():
    corpus = make_corpus("orlin-q3.txt", EN)
    query = corpus.query("Give me a short summary of Orlin's third quarter results and outlook.")
    words = [forms[0] for forms in summary.aspects(query)]
    assert "results" in words and "outlook" in words
    for word in ("give", "short", "summary", "orlin", "third", "quarter"):
        assert word not in words
