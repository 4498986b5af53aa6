"""Named checks on a candidate sentence: does it hold what the question asks for?

Each check reads the question's analysis (:class:`bot.retrieve.Query`) and one retrieved
sentence (:class:`bot.retrieve.Hit`). :data:`FEATURES` names every one of them; the
answer scorer (:mod:`bot.scorer`) weighs them with weights learned on labelled reports,
and the LLM check (:mod:`bot.verify`) reuses :func:`coverage`. None of them decides alone.

Checks, in words:
- similarity: cosine to the question, coverage of its words (in the sentence, with the
  sentence before, in its chunk), fused rank, keyword score, and each relative to the
  best candidate;
- kind: the sentence holds the kind of answer asked for (:func:`holds`: a date for
  "when", a figure for "how much", a rate for "by what percentage");
- period: it is not about another period, span or base (:func:`bot.periods.conflict`);
- names: it names what the question names;
- thing: it is about the thing measured, not the same measure of another thing
  (:func:`about_measured`, :func:`qualified_otherwise`, :func:`a_part_for_the_total`);
- directive: it addresses a reader or a model ("ignore the above ...") rather than
  reporting anything.
"""

from __future__ import annotations

import re

import numpy as np

from bot import periods
from bot.analyze import asks_quantity, expected
from bot.normalize import cjk_pairs, fold
from bot.retrieve import Hit, Query
from bot.terms import ZH_STOP, is_proper, language, words_of

_NUMBER = re.compile(
    r"(?:[约近超逾]|超过|达到?)?"
    r"(?:\d[\d,]*(?:\.\d+)?|[零一二两三四五六七八九十百千]+(?=[万亿]))"
    r"(?:\s*(?:%|‰|个百分点|亿元|万元|亿美元|美元|元|亿|万|千|百|倍|家|人次|人|次|个|件|款|单|场|部|名|小时|天|年|月|日|号))*"
)
_CJK_NUMBER = re.compile(r"[超近逾约]?[百千万亿]+(?:[万亿])?")
_DATE = re.compile(
    r"(?:19|20)\d{2}|\d{1,2}\s*[月日号]|[一二三四五六七八九十]+月|今年|去年|明年|前年|上半年|下半年|"
    r"季度|年初|年底|年末|月初|月底|近日|近期|日前|同日|当天|\b(january|february|march|april|"
    r"june|july|august|september|october|november|december|yesterday|today|last year)\b",
    re.I,
)
# What a price or a payment is asked with; and what a sum of money looks like.
# A count in words: 两次, 三家, three times, twice.
_COUNTED = re.compile(
    r"[数几]?[一二两三四五六七八九十百千]+[余多几]?(?:次|个|家|倍|款|项|部|名|种|类|届|场|位|条|大)|"
    r"\b(?:once|twice|(?:two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|"
    r"thousands?|millions?|billions?)\b(?:\s+times)?)",
    re.I,
)
# A figure that is a date (2024年, 6月, 20日) says when, not how much.
_DATE_FIGURE = re.compile(r"^(?:[约近超逾]|超过|达到?)?\s*\d+\s*(?:年|月|日|号)$")
# A change: a figure right after a word of rising or falling is how much something grew.
_CHANGE = re.compile(
    r"(增长|增加|增|提升|提高|上涨|上升|涨|下降|下跌|减少|降|跌|rose|grew|increased|fell|dropped|"
    r"up|down)\s*(了|by)?\s*$",
    re.I,
)


def _figures(text: str, counted: bool = True) -> list[re.Match]:
    """Amounts, counts and rates in ``text`` (2.5亿, 14%, 两次, three times); dates
    (2024年, 6月) are not figures."""
    found = [
        m
        for m in _NUMBER.finditer(text)
        if re.search(r"\d|[百千万亿]", m.group()) and not _DATE_FIGURE.match(m.group().strip())
    ]
    spans = [(m.start(), m.end()) for m in found]
    for m in _COUNTED.finditer(text) if counted else ():
        if not any(a <= m.start() < b for a, b in spans):
            found.append(m)
    return sorted(found, key=lambda m: m.start())


def holds(kind: str | None, text: str) -> bool:
    """Whether ``text`` holds an answer of the ``kind`` asked for (see :func:`expected`):
    a date for "when", a figure in digits for "how much", any figure for "how many" (but a
    share for "how many people"), a rate or a change for "how fast"."""
    text = fold(text)
    if kind == "time":
        return bool(_DATE.search(text))
    if kind == "money":  # a sum of money: a figure with its currency (not a stock code)
        from bot.numbers import quantities

        return any(q.is_figure and q.currency for q in quantities(text))
    if kind in ("amount", "count", "tally", "rate", "change", "level"):
        from bot.numbers import quantities

        if not any(q.is_figure for q in quantities(text)) and not (
            kind != "amount" and _COUNTED.search(text)
        ):
            return False  # only codes, years, dates or a name's digit: no figure at all
        found = _figures(text, counted=kind != "amount")
        if kind in ("amount", "tally"):  # a share (37%) is not an amount, nor a headcount
            found = [m for m in found if not re.search(r"%|‰|百分点", m.group())]
        # Percentages the number grammar reads ("21.1 percent", "5 per cent") count as
        # the % they are.
        read = [q for q in quantities(text) if q.is_figure]
        if kind == "level":  # 18.9%, 由50.2%增至55.3%; not the 14% of 同比增长14%
            return any(
                re.search(r"%|‰", m.group())
                and not _CHANGE.search(text[max(0, m.start() - 6) : m.start()])
                for m in found
            ) or any(
                q.unit == "%" and not _CHANGE.search(text[max(0, q.start - 6) : q.start])
                for q in read
            )
        if kind == "rate":
            return any(
                re.search(r"%|‰|倍|百分点", m.group())
                or _CHANGE.search(text[max(0, m.start() - 6) : m.start()])
                for m in found
            ) or any(q.unit in ("%", "pp", "bp", "x") for q in read)
        return bool(found)
    return True


def about_measured(query: Query, text: str) -> bool:
    """Whether ``text`` is about the thing the question measures: "how many orders" is
    not answered by a count of searches. True when the question names no such thing
    or none the reports could show; False when it is a thing no report mentions."""
    low = fold(text)
    if query.head and not any(h in low for h in query.head):
        return False  # 日活跃用户数 is not answered by 月活跃访客数 and 用户留存率
    if not query.measured:
        return True
    if not any(query.measured):
        return False  # "how many parameters" where no report mentions parameters
    return any(form in low for forms in query.measured for form in forms)


def unmentioned_thing(query: Query) -> bool:
    """Whether the question measures a thing no report mentions in any form: "how many
    crates" where the reports speak of boats and pallets only. Such a question is refused
    whatever the sentences say, as one naming an absent company is."""
    if not query.measured or any(query.measured):
        return False
    return asks_quantity(query.own or query.text)  # not "what drove the growth of X"


def qualified_otherwise(query: Query, text: str) -> bool:
    """Whether ``text`` is about the thing measured with another qualifier: the sales of
    绿茶饮品 for a question about 红茶饮品的销售额 (红茶 nowhere in the sentence), or
    orders of mugs for "orders for Jane Doe's teapot" (nothing of her teapot in it)."""
    low = fold(text)
    if query.owner and not any(f in low for forms in query.owner for f in forms):
        return True  # nothing of it here, or (all forms empty) in no report at all
    if not query.qualified:
        return False
    words = words_of(low)
    for qualifier, word in query.qualified:
        if _DATE.search(word) or word not in low:
            continue
        # What the sentence puts before the word: jieba's word, or (jieba often cuts
        # across a name and the next word: 星辰线上 -> 星 / 辰线 / 上) the characters that form a
        # word of the reports.
        before = [words[i - 1] for i in range(1, len(words)) if words[i] == word]
        for m in re.finditer(re.escape(word), low):
            before += _report_words_before(low, m.start(), {2, 3, len(qualifier)}, query)
        before = [b for b in before if len(b) >= 2 and b not in ZH_STOP and not _DATE.search(b)]
        if qualifier not in low and any(b != qualifier for b in before):
            return True
        # 星辰的创始人 against 蓝海科技创始人: the word belongs to another name, even when
        # the question's name is elsewhere in the sentence.
        if qualifier + word not in low and any(b != qualifier and is_proper(b) for b in before):
            return True
    return False


_TOTAL = re.compile(r"\b(?:total|overall|entire|whole)\b|整体|全部|总体")


def a_part_for_the_total(query: Query, text: str) -> bool:
    """Whether ``text`` gives the measured thing only for parts (园艺用品GMV) when the
    question asks for its total ("total GMV"): each place it is named, a word of the
    reports that the question does not use stands before it."""
    if not _TOTAL.search(fold(query.own)):
        return False
    low = fold(text)
    asked = set(query.keywords)
    for forms in [query.head, *query.measured]:
        for form in forms:
            places = [m.start() for m in re.finditer(re.escape(form), low)]
            if places and all(
                set(_report_words_before(low, p, (2, 3), query)) - asked for p in places
            ):
                return True
    return False


def _report_words_before(low: str, at: int, lengths, query: Query) -> list[str]:
    """The characters just before ``at`` that form a word of the reports, for each of
    ``lengths`` (jieba's own cut may run across a word boundary there)."""
    return [low[at - n : at] for n in lengths if at >= n and low[at - n : at] in query.vocabulary]


def coverage(query: Query, text: str) -> float:
    """Weighted share of the question's words that ``text`` contains (0..1).

    Each word counts with its weight (rarity in the reports) when the text holds one of
    its forms (for English: the word or a Chinese word it translates to). A Chinese word
    not found whole earns half credit for the share of its characters found.
    """
    low = fold(text)
    got = total = 0.0
    for ways, weight in query.units:
        if any(w in low for w in ways):
            found = 1.0
        elif len(ways) == 1 and ways[0] and "\u4e00" <= ways[0][0] <= "\u9fff":
            found = 0.5 * sum(ch in low for ch in ways[0]) / len(ways[0])
        else:
            found = 0.0
        got += weight * found
        total += weight
    return got / total if total else 0.0


def _evidence(hit: Hit) -> list[str]:
    """The sentence, then with the one before it, its paragraph up to it, then its
    chunk: nearest context first."""
    near = hit.before + hit.sentence.text
    if not hit.chunk:
        return [hit.sentence.text, near]
    c, s = hit.chunk, hit.sentence
    upto = c.text[: max(0, s.end - c.start)]
    paragraph = upto[upto.rfind("\n") + 1 :]
    return [hit.sentence.text, near, paragraph, c.text]


def other_period(query: Query, hit: Hit) -> bool:
    """Whether the question's own words name a year (2022年, "in 2021") or a month
    ("revenue in March", 7月) and the evidence names only other ones: "revenue in 2021" is
    not answered by 2024's, nor March's by July's. Not quarters, nor dates: they are read
    less surely across languages ("六月季度", "the nine months ended June 30"), and as a
    hard check a misreading refuses a right answer."""
    asked = query.own or query.text
    own = {k: v for k, v in periods.periods(asked).items() if k == "year"}
    # A month named as a month ("in March", "7月的营收"): not a day's date (截至6月30日, as
    # of a day) nor a month that names a quarter (六月季度, "the June quarter").
    months = {
        str(p.first[0])
        for p in periods.find_periods(asked)
        if p.kind == "month" and not p.base and not asked[p.end_char :].lstrip().startswith("季")
    }
    if months:
        own["month"] = months
    if not own:
        return False
    return periods.conflict(own, [fold(e) for e in _evidence(hit)])


# ---------------------------------------------------------------- features

# The named checks, in the order of the scorer's weights. Each is a number per candidate;
# the "missing"/"conflict" ones are 1.0 when the check fails.
FEATURES = (
    "dense",  # cosine of question and sentence
    "dense_gap",  # that, minus the best candidate's
    "cover",  # share of the question's (rarity-weighted) words in the sentence
    "cover_before",  # ... in the sentence with the one before it
    "cover_chunk",  # ... in its chunk
    "cover_gap",  # cover minus the best candidate's
    "fused",  # reciprocal-rank fusion score, relative to the best
    "keyword",  # BM25, relative to the best
    "rank",  # 1 / (1 + position in the fused list)
    "low_support",  # cover under the setting REPORTBOT_MIN_SUPPORT(_CROSS)
    "cross_language",  # the sentence is in another language than the question
    "kind_asked",  # the question asks for a kind of answer (a figure, a date)
    "kind_missing",  # ... and the sentence holds none of that kind
    "period_conflict",  # the sentence is about another period, span or base
    "names_missing",  # a name the question names is not in or just before the sentence
    "thing_missing",  # the thing measured is not in the sentence
    "other_qualifier",  # the measured word belongs to another qualifier or name
    "part_for_total",  # a total is asked, the sentence gives parts
    "maker_missing",  # who made the figure is not in or just before the sentence
    "directive",  # the sentence addresses a reader or a model
    "short",  # the sentence is a fragment (a heading, a byline)
    "period_match",  # the sentence (or the text just before it) names the period asked
    "figure_near",  # a figure of the kind asked for stands right after a question word
    "bigrams",  # share of the question's Chinese character pairs in the sentence
)


def feature_matrix(
    query: Query, hits: list[Hit], min_support: float = 0.4, min_support_cross: float = 0.1
) -> np.ndarray:
    """One row of :data:`FEATURES` per hit."""
    if not hits:
        return np.zeros((0, len(FEATURES)))
    kind = expected(query.own or query.text) or expected(query.previous)
    asked = periods.asked(query.own, query.text)
    asked_spans = [p for p in periods.find_periods(query.own or query.text) if not p.base]
    pairs = cjk_pairs(fold(query.own or query.text))
    top_fused = max(h.score for h in hits) or 1.0
    covers = [coverage(query, h.sentence.text) for h in hits]
    # Gaps are measured to the best candidate that could answer: one that holds the
    # kind asked for (a figure for "how much"), when any does.
    able = [
        i for i, h in enumerate(hits)
        if kind is None or holds(kind, (h.before if kind == "time" else "") + h.sentence.text)
    ] or list(range(len(hits)))  # fmt: skip
    best_dense = max(hits[i].dense for i in able)
    best_cover = max(covers[i] for i in able)
    rows = []
    for rank, (h, cov) in enumerate(zip(hits, covers)):
        text = h.sentence.text
        evidence = _evidence(h)
        near = fold(evidence[1])
        cross = language(text) != query.lang
        names_ok = all(
            any(way in near for way in (name, *query.bridged.get(name, ()))) for name in query.names
        )
        maker_ok = not query.maker or any(f in near for fs in query.maker for f in fs)
        rows.append(
            [
                h.dense,
                h.dense - best_dense,
                cov,
                0.9 * coverage(query, h.before + text),
                coverage(query, h.chunk.text) if h.chunk else cov,
                cov - best_cover,
                h.score / top_fused,
                h.keyword,
                1.0 / (1 + rank),
                float(cov < (min_support_cross if cross else min_support)),
                float(cross),
                float(kind is not None),
                float(
                    kind is not None and not holds(kind, text if kind != "time" else evidence[1])
                ),
                float(periods.conflict(asked, [fold(e) for e in evidence])),
                float(not names_ok),
                float(not about_measured(query, text)),
                float(qualified_otherwise(query, text)),
                float(a_part_for_the_total(query, text)),
                float(not maker_ok),
                float(getattr(h.sentence, "directive", False)),
                float(len(text.strip()) < 12),
                float(_names_period(asked_spans, evidence[:2])),
                _figure_near(query, text, kind),
                (len(pairs & cjk_pairs(fold(text))) / len(pairs)) if pairs else 0.0,
            ]
        )
    return np.array(rows, dtype=np.float64)


def _names_period(asked: list, evidence: list[str]) -> bool:
    """Whether the nearest text naming a period names one the question asks about."""
    if not asked:
        return False
    for text in evidence:
        named = [p for p in periods.find_periods(text) if not p.base]
        if named:
            return any(
                periods.same_span(a, n) or (a.bare and periods.overlap(a, n))
                for a in asked
                for n in named
            )
    return False


def _figure_near(query: Query, text: str, kind: str | None) -> float:
    """1 when a figure of the kind asked for follows a question word within a few
    characters ("毛利率为47.3%", "revenue of $1.2 billion"), falling with the distance;
    0 when no figure is asked for or none is near."""
    if kind is None or kind == "time":
        return 0.0
    from bot.numbers import quantities

    low = fold(text)
    words = [w for w in (*query.terms, *(z for zh in query.bridged.values() for z in zh)) if w]
    ends = [m.end() for w in words if len(w) >= 2 for m in re.finditer(re.escape(w), low)]
    if not ends:
        return 0.0
    best = 0.0
    for q in quantities(text):
        if not q.is_figure:
            continue
        if kind in ("rate", "level") and q.unit not in ("%", "pp", "bp"):
            continue
        gaps = [q.start - e for e in ends if 0 <= q.start - e]
        if gaps:
            best = max(best, 1.0 / (1.0 + min(gaps) / 8.0))
    return best


def overlaps_any(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    """Whether the hit's sentence overlaps one of the ``[start, end)`` spans."""
    s = hit.sentence
    return any(s.start < b and a < s.end for a, b in spans)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
