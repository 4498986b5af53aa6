"""Choose the sentence(s) that answer a question and phrase an answer from them.

The default :class:`ExtractiveAnswerer` needs no LLM: it scores the retrieved sentences
by how well they match the question (cosine, keyword coverage, and whether they hold
the kind of thing asked for, e.g. a figure for "how much"), quotes the best verbatim,
and leads the answer with the figure or name asked for. When the evidence is too weak it
says the report does not contain the answer. An LLM answerer plugs in behind the same
``answer(query, hits) -> Draft`` interface.

The answer step never searches the text again: every quote is ``text[start:end]`` of
a retrieved sentence (or a clause range of it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from bot import periods
from bot.retrieve import Hit, Query
from bot.terms import ZH_STOP, is_proper, language, words_of

NOT_FOUND = {
    "zh": "报告中没有找到这个问题的答案。",
    "en": "The report does not contain the answer to this question.",
}
FROM_REPORT = {"zh": "依据报告原文:", "en": "From the report:"}

_NUMBER = re.compile(
    r"(?:[约近超逾]|超过|达到?)?"
    r"(?:\d[\d,]*(?:\.\d+)?|[零一二两三四五六七八九十百千]+(?=[万亿]))"
    r"(?:\s*(?:%|‰|个百分点|亿元|万元|亿美元|美元|元|亿|万|千|百|倍|家|人次|人|次|个|件|款|单|场|部|名|小时|天|年|月|日|号))*"
)
_CJK_NUMBER = re.compile(r"[超近逾约]?[百千万亿]+(?:[万亿])?")
_QUANTITY_EN = re.compile(
    r"\b(how (much|many|fast|big|large|high|long)|what (percentage|share|proportion|"
    r"number|amount|rate|growth|margin)|by how|percent|how .* (grow|rise|increase|fall))\b"
)
# "What was the revenue …" asks for a figure too: general measure words of business text.
_MEASURE_EN = re.compile(
    r"\bwhat (was|is|were|are|will be)\b.*\b(revenue|revenues|sales|income|profit|profits|"
    r"earnings|cost|costs|price|spend|spending|budget|value|amount|total|number|count|"
    r"volume|turnover|valuation|population|growth|increase|decline|rise|drop|change|"
    r"margin|rate|share|percentage)\b"
)
_QUANTITY_ZH = re.compile(
    r"多少|(?<!哪)几|多大|多高|多快|百分之|比例|增长了|增速|幅度|占比|规模|数量"
)
_NAME_EN = re.compile(
    r"\b(what is the name|what('s| is) .* called|which (app|product|drama|model)|title)\b"
)
_NAME_ZH = re.compile(r"叫什么|名字|名称|哪部|什么名")
_WHEN_EN = re.compile(
    r"^\s*when\b|\b(when (did|was|were|is|will|does|do|has|had)|what (year|month|date|day|time)|"
    r"which (year|month|date|day))\b"
)
_WHEN_ZH = re.compile(r"哪一?年|哪一?月|哪一?天|什么时候|何时|几月|几号|哪个月|什么时间|日期")
# A date or a point in time, in either language: 2024年, 6月, 3日, 今年, last year, 2023.
_DATE = re.compile(
    r"(?:19|20)\d{2}|\d{1,2}\s*[月日号]|[一二三四五六七八九十]+月|今年|去年|明年|前年|上半年|下半年|"
    r"季度|年初|年底|年末|月初|月底|近日|近期|日前|同日|当天|\b(january|february|march|april|"
    r"june|july|august|september|october|november|december|yesterday|today|last year)\b",
    re.I,
)
# What a price or a payment is asked with; and what a sum of money looks like.
_MONEY_ASKED = re.compile(
    r"\bhow much (?:did|does|do|has|have|had|will|would)\b.*\b(?:pay|paid|cost|costs|charge|"
    r"charged|spend|spent|invest|invested)\b|\bhow much money\b|\bwhat (?:is|was|are|were) "
    r"the (?:[\w-]+ ){0,2}(?:price|cost|fee|fees)\b|"
    r"多少钱|花了多少|花费了?多少|支付了?多少|付了多少"
)
_MONEY = re.compile(r"元|[$¥￥€£]|\b(?:yuan|rmb|usd|hkd|dollars?|euros?)\b", re.I)
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
_CLAUSE = re.compile(r"[,，;；:：]")
_TITLE = re.compile(r"《[^》]{1,40}》|“[^”]{1,40}”")
LONG_QUOTE = 110
# A runner-up this close to the best sentence is quoted too: cheaper than a wrong guess.
CLOSE = 0.2
# A sentence that can answer (see ExtractiveAnswerer.answer) this close to a better
# match that cannot is chosen over it; further down, the question goes unanswered.
FIT_MARGIN = 0.2


@dataclass(frozen=True)
class Citation:
    """An exact quote: ``quote == document_text[start:end]`` of report ``source``."""

    source: str
    start: int
    end: int
    quote: str
    score: float


@dataclass(frozen=True)
class Draft:
    text: str
    answered: bool
    citations: list[Citation]
    support: float


class Answerer(Protocol):
    def answer(self, query: Query, hits: list[Hit]) -> Draft: ...


def asks_quantity(question: str) -> bool:
    q = question.lower()
    return bool(_QUANTITY_EN.search(q) or _MEASURE_EN.search(q) or _QUANTITY_ZH.search(q))


def asks_name(question: str) -> bool:
    q = question.lower()
    return bool(_NAME_EN.search(q) or _NAME_ZH.search(q))


def asks_when(question: str) -> bool:
    return bool(_WHEN_EN.search(question.lower()) or _WHEN_ZH.search(question))


def expected(question: str) -> str | None:
    """The kind of answer a question asks for: "time", "rate", "change" (a rate or an
    amount), "level" (a margin, a share), "money", "amount", "count", or None."""
    if asks_when(question):
        return "time"
    if asks_quantity(question):
        q = question.lower()
        if re.search(r"\bhow many times\b(?! (?:more|higher|larger|bigger|greater|as)\b)", q):
            return "count"  # how often, not a multiple
        if _LEVEL_ASKED.search(q) and not _GROWTH.search(q):
            return "level"  # a margin or a share, not how much something grew
        if _RATE_ASKED.search(q):
            return "rate"
        if _RATE.search(q):  # "how much did it lift sales": a rate or an amount
            return "change"
        if _MONEY_ASKED.search(q):  # "how much did it pay": a sum of money
            return "money"
        # "How much" asks for an amount (money, a volume); "how many", 多少 and 几 may be
        # answered by a count in words (两次, a dozen).
        return "amount" if re.search(r"\bhow much\b|\bwhat (was|is|were|are)\b", q) else "count"
    return None


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
    a date for "when", a figure in digits for "how much", any figure for "how many", a
    rate or a change for "how fast"."""
    if kind == "time":
        return bool(_DATE.search(text))
    if kind == "money":
        return any(_MONEY.search(text, max(0, m.start() - 2), m.end() + 8) for m in _figures(text))
    if kind in ("amount", "count", "rate", "change", "level"):
        found = _figures(text, counted=kind != "amount")
        if kind == "amount":  # a share (37%) is not an amount (revenue, a price)
            found = [m for m in found if not re.search(r"%|‰|百分点", m.group())]
        if kind == "level":  # 18.9%, 由50.2%增至55.3%; not the 14% of 同比增长14%
            return any(
                re.search(r"%|‰", m.group())
                and not _CHANGE.search(text[max(0, m.start() - 6) : m.start()])
                for m in found
            )
        if kind == "rate":
            return any(
                re.search(r"%|‰|倍|百分点", m.group())
                or _CHANGE.search(text[max(0, m.start() - 6) : m.start()])
                for m in found
            )
        return bool(found)
    return True


def about_measured(query: Query, text: str) -> bool:
    """Whether ``text`` is about the thing the question measures: "how many orders" is
    not answered by a count of searches. True when the question names no such thing
    or none the reports could show; False when it is a thing no report mentions."""
    low = text.lower()
    if query.head and not any(h in low for h in query.head):
        return False  # 日活跃用户数 is not answered by 月活跃访客数 and 用户留存率
    if not query.measured:
        return True
    if not any(query.measured):
        return False  # "how many parameters" where no report mentions parameters
    return any(form in low for forms in query.measured for form in forms)


def qualified_otherwise(query: Query, text: str) -> bool:
    """Whether ``text`` is about the thing measured with another qualifier: the sales of
    绿茶饮品 for a question about 红茶饮品的销售额 (红茶 nowhere in the sentence), or
    orders of mugs for "orders for Jane Doe's teapot" (nothing of her teapot in it)."""
    low = text.lower()
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
    """Whether ``text`` gives the measured thing only for parts (羽毛球用品GMV) when the
    question asks for its total ("total GMV"): each place it is named, a word of the
    reports that the question does not use stands before it."""
    if not _TOTAL.search(query.own.lower()):
        return False
    low = text.lower()
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
    low = text.lower()
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


class ExtractiveAnswerer:
    """Quote the best sentences; lead with the figure or name the question asks for."""

    # A candidate's score: cosine to the question, coverage of the question's words (by
    # the sentence with the one before it, and by its chunk), fused rank, BM25 score, and
    # a penalty when a figure is asked for and the sentence has none.
    weights = {
        "dense": 3.0,
        "cover": 1.0,
        "context": 0.2,
        "fused": 0.3,
        "keyword": 0.1,
        "no_figure": 0.3,
    }

    def __init__(
        self, max_citations: int = 2, min_support: float = 0.4, min_support_cross: float = 0.1
    ):
        self.max_citations = max_citations
        self.min_support = min_support
        self.min_support_cross = min_support_cross

    def rank(self, query: Query, hits: list[Hit]) -> list[tuple[float, float, Hit]]:
        """(score, coverage, hit) for each candidate, best first."""
        if not hits:
            return []
        want_number = asks_quantity(query.text) or (
            not expected(query.text) and asks_quantity(query.previous)
        )
        top = max(h.score for h in hits)
        ranked = []
        for h in hits:
            # "其中,营收X亿元" (of which revenue …) answers through the sentence before it.
            cov = max(
                coverage(query, h.sentence.text), 0.9 * coverage(query, h.before + h.sentence.text)
            )
            ctx = coverage(query, h.chunk.text) if h.chunk else cov
            w = self.weights
            score = (
                w["dense"] * h.dense
                + w["cover"] * cov
                + w["context"] * ctx
                + w["fused"] * h.score / top
                + w["keyword"] * h.keyword
            )
            if want_number and not _NUMBER.search(h.sentence.text):
                score -= w["no_figure"]
            ranked.append((score, cov, h))
        ranked.sort(key=lambda x: -x[0])
        return ranked

    def support(self, query: Query, best: tuple[float, float, Hit]) -> float:
        """How much of the question the best sentence covers, 0..1 (see :func:`coverage`)."""
        return best[1]

    def threshold(self, query: Query, hit: Hit) -> float:
        # Across languages, words are matched through a dictionary and many are missed,
        # so a question in another language than its evidence gets the lower bar.
        same = language(hit.sentence.text) == query.lang
        return self.min_support if same else self.min_support_cross

    def answer(self, query: Query, hits: list[Hit]) -> Draft:
        ranked = self.rank(query, hits)
        if not ranked:
            return Draft(NOT_FOUND[query.lang], False, [], 0.0)
        # The best evidence is about another period than the one asked for (Q2 for a
        # question about Q3): the report does not answer this question.
        # The answer is the best sentence that could answer: it holds the kind of answer
        # asked for (a figure for "how much", a date for "when"), it is about the period
        # asked for (not Q2 for a Q3 question), and it names the names the question
        # names (not company B's revenue for company A's). A sentence that trails the
        # best match by far is no answer: then the report does not answer the question.
        # A follow-up that names no kind ("净利润呢?") asks for what its question did.
        kind = expected(query.own or query.text) or expected(query.previous)
        asked = periods.asked(query.own, query.text)

        def answers(hit: Hit) -> bool:
            evidence = _evidence(hit)
            near = evidence[1].lower()
            return (
                holds(kind, hit.sentence.text if kind != "time" else evidence[1])
                and not periods.conflict(asked, evidence)
                and all(
                    any(way in near for way in (name, *query.bridged.get(name, ())))
                    for name in query.names
                )
                and about_measured(query, hit.sentence.text)
                and not qualified_otherwise(query, hit.sentence.text)
                and not a_part_for_the_total(query, hit.sentence.text)
                and (not query.maker or any(f in near for fs in query.maker for f in fs))
            )

        # Only sentences that could be chosen or quoted beside the chosen one are checked.
        floor = ranked[0][0] - FIT_MARGIN - CLOSE
        fits = [c for c in ranked if c[0] >= floor and answers(c[2])]
        if not fits or fits[0][0] < ranked[0][0] - FIT_MARGIN:
            return Draft(NOT_FOUND[query.lang], False, [], ranked[0][1])
        ranked = fits
        support = self.support(query, ranked[0])
        if support < self.threshold(query, ranked[0][2]):
            return Draft(NOT_FOUND[query.lang], False, [], support)
        chosen = [ranked[0]]
        for cand in ranked[1 : self.max_citations]:
            close = cand[0] >= ranked[0][0] - CLOSE
            new_words = cand[1] > 0 and cand[2].sentence.id != ranked[0][2].sentence.id
            if close and new_words:
                chosen.append(cand)
        chosen.sort(key=lambda c: (c[2].sentence.source, c[2].sentence.start))
        citations = [self._cite(query, c[2], c[0]) for c in chosen]
        lead = self._lead(query, citations)
        return Draft(_compose(query.lang, lead, citations), True, citations, support)

    def _cite(self, query: Query, hit: Hit, score: float) -> Citation:
        s = hit.sentence
        start, end = s.start, s.end
        if len(s.text) > LONG_QUOTE:
            start, end = _tight(query, s.text, s.start)
        return Citation(s.source, start, end, s.text[start - s.start : end - s.start], score)

    def _lead(self, query: Query, citations: list[Citation]) -> str:
        text = citations[0].quote
        anchors = _anchor_positions(query, text)
        asked = query.text if expected(query.text) else f"{query.previous} {query.text}"
        if asks_when(asked):
            found = list(_DATE.finditer(text))
            if found:
                return _nearest(found, anchors).group().strip()
        if asks_quantity(asked):
            found = _prefer_kind(asked, text, _figures(text))
            if found:
                return _nearest(found, anchors).group().strip()
        if asks_name(asked):
            found = list(_TITLE.finditer(text))
            if found:
                return _nearest(found, anchors).group()
        return ""


_RATE = re.compile(
    r"增长|增速|增幅|同比|环比|百分|率|提升|提高|下降|减少|涨|跌|倍|\b(growth|grow|grew|grown|"
    r"rise|rose|risen|increase|increased|decline|declined|fall|fell|drop|dropped|lift|lifted|"
    r"boost|boosted|raise|raised|improve|improved|gain|gained|jump|jumped|expand|expanded|"
    r"shrink|shrank|percent|percentage|rate|margin|share|how fast|by how much)\b"
)
# A rate asked for in so many words (not "how much rain fell", which wants an amount).
_RATE_ASKED = re.compile(
    r"百分|率|增速|增幅|比例|占比|倍|同比|环比|\b(percent|percentage|rate|share|margin|how fast|"
    r"by how much|times)\b"
)
# A level asked for (a margin, a share, a penetration rate), and words of growth.
_LEVEL_ASKED = re.compile(
    r"毛利率|利润率|净利率|占比|比例|比重|渗透率|市场份额|\b(margin|share|proportion|penetration|ratio)\b"
)
_GROWTH = re.compile(
    r"增长|增速|增幅|提升|提高|下降|减少|同比|环比|变化|\b(grow|grew|grown|growth|rise|rose|"
    r"increase|increased|decline|declined|fall|fell|drop|dropped|change|changed|by how much|"
    r"year[- ]on[- ]year|quarter[- ]on[- ]quarter)\b"
)
_PAST = re.compile(r"去年|上年|此前|之前|earlier|last year|previous|a year ago|before|prior")
_FROM_TO = re.compile(r"(由|从|from)\S{0,8}$")
_TO = re.compile(r"^\S{0,3}(增至|升至|降至|提升至|增长至|到|至|to)")


def _prefer_kind(question: str, text: str, found: list[re.Match]) -> list[re.Match]:
    """Narrow figures to the kind asked for: a rate (%, 倍) or an amount; and in
    "由 A 增至 B" / "from A to B", the latest value B unless the question asks about
    the past. Falls back to all figures when the narrowing leaves none."""
    q = question.lower()
    rate = bool(_RATE.search(q))
    kind = [m for m in found if bool(re.search(r"%|‰|倍|百分点", m.group())) == rate]
    found = kind or found
    if not _PAST.search(q):
        later = [
            m
            for m in found
            if not (
                _FROM_TO.search(text[max(0, m.start() - 12) : m.start()])
                and _TO.search(text[m.end() : m.end() + 6])
            )
        ]
        found = later or found
    return found


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


def _anchor_positions(query: Query, text: str) -> list[int]:
    low = text.lower()
    words = list(query.terms) + [z for zh in query.bridged.values() for z in zh]
    return [low.find(w) + len(w) for w in words if w and w in low]


def _nearest(matches: list[re.Match], anchors: list[int]) -> re.Match:
    if not anchors:
        return matches[0]

    # Prefer a figure right after a matched word: "营收X亿元" answers "revenue".
    def distance(m: re.Match) -> float:
        return min(m.start() - a if m.start() >= a else (a - m.start()) * 3 for a in anchors)

    return min(matches, key=distance)


def _tight(query: Query, text: str, offset: int) -> tuple[int, int]:
    """The smallest run of clauses holding the matched words (absolute offsets)."""
    bounds = [0] + [m.end() for m in _CLAUSE.finditer(text)] + [len(text)]
    clauses = [
        (bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]
    ]
    anchors = [a - 1 for a in _anchor_positions(query, text)]
    hit = [i for i, (a, b) in enumerate(clauses) if any(a <= p < b for p in anchors)]
    if not hit:
        return offset, offset + len(text)
    first, last = min(hit), max(hit)
    if asks_quantity(query.text) and not _NUMBER.search(text[clauses[first][0] : clauses[last][1]]):
        # Reach forward to the first clause that carries a figure.
        for j in range(last + 1, len(clauses)):
            if _NUMBER.search(text[clauses[j][0] : clauses[j][1]]):
                last = j
                break
    a, b = clauses[first][0], clauses[last][1]
    while a < b and text[a].isspace():
        a += 1
    return offset + a, offset + b


def _compose(lang: str, lead: str, citations: list[Citation]) -> str:
    quotes = " ".join(f"“{c.quote}” [{i}]" for i, c in enumerate(citations, 1))
    head = f"{lead}\n\n" if lead else ""
    return f"{head}{FROM_REPORT[lang]} {quotes}"
