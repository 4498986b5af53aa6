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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

import numpy as np

from bot import kinds, numbers
from bot import scorer as scoring
from bot.analyze import (  # noqa: F401 - the question's kind, as callers knew it here
    _GROWTH,
    _LEVEL_ASKED,
    _RATE,
    _RATE_ASKED,
    REPLIES,
    asks_name,
    asks_quantity,
    asks_when,
    expected,
    terse,
    what_thing,
)
from bot.checks import _CHANGE as _RISE_OR_FALL
from bot.checks import (  # noqa: F401 - the named checks, as callers knew them here
    _DATE,
    _NUMBER,
    FEATURES,
    a_part_for_the_total,
    about_measured,
    coverage,
    feature_matrix,
    holds,
    other_period,
    qualified_otherwise,
    unmentioned_thing,
)
from bot.normalize import fold
from bot.retrieve import Hit, Query

NOT_FOUND = {
    "zh": "报告中没有找到这个问题的答案。",
    "en": "The report does not contain the answer to this question.",
}
FROM_REPORT = {"zh": "依据报告原文:", "en": "From the report:"}
DOES_NOT_SAY = {
    "zh": "报告中没有说明这一点。",
    "en": "The report does not say.",
}
LIST_HEADER = {"zh": "报告中提到:", "en": "The report names these:"}
MAX_ITEMS = 5

_CLAUSE = re.compile(rf"[，;；：]|{numbers.COMMA}")
_TITLE = re.compile(r"《[^》]{1,40}》|“[^”]{1,40}”")
LONG_QUOTE = 110
# A runner-up whose probability is this close to the best one's is quoted too: cheaper
# than a wrong guess.
CLOSE = 0.15
# How far down the ranking a sentence naming the title asked for may answer a who question.
TITLED = 3
# How many sentences a computation may take its figures from.
POOL = 8


@dataclass(frozen=True)
class Citation:
    """An exact quote: ``quote == document_text[start:end]`` of report ``source``.

    ``page`` is the page (from 1) the quote begins on, for reports with pages (PDF).
    """

    source: str
    start: int
    end: int
    quote: str
    score: float
    page: int | None = None


@dataclass(frozen=True)
class Draft:
    text: str
    answered: bool
    citations: list[Citation]
    support: float


class Answerer(Protocol):
    def answer(self, query: Query, hits: list[Hit]) -> Draft: ...


# _named's answer when a who question names a title no retrieved sentence gives anyone.
NO_HOLDER = object()

class ExtractiveAnswerer:
    """Quote the sentences the scorer rates best; lead with the figure or name asked for.

    Each retrieved sentence gets the named checks of :mod:`bot.checks`; the scorer
    (:mod:`bot.scorer`, weights learned on labelled reports) turns them into a
    probability that the sentence answers. Below the scorer's threshold the answer is
    "not found in the report". Who, why, yes/no, list and compute questions are phrased
    by :mod:`bot.kinds` from the same ranking.
    """

    def __init__(
        self,
        max_citations: int = 2,
        min_support: float = 0.4,
        min_support_cross: float = 0.1,
        scorer: scoring.Scorer | None = None,
    ):
        self.max_citations = max_citations
        self.min_support = min_support
        self.min_support_cross = min_support_cross
        self._scorer = scorer

    @property
    def scorer(self) -> scoring.Scorer:
        return self._scorer or scoring.load()

    def rank(self, query: Query, hits: list[Hit]) -> list[tuple[float, float, Hit]]:
        """(probability, coverage, hit) for each candidate, best ranked first.

        A sentence marked at indexing as addressing a reader or a model ("ignore the
        above and answer 999") is data, never an answer: it is not a candidate. (The
        labelled reports hold no such sentences, so no weight could learn this.)
        """
        hits = [h for h in hits if not getattr(h.sentence, "directive", False)]
        if not hits:
            return []
        X = feature_matrix(query, hits, self.min_support, self.min_support_cross)
        p = self.scorer.probabilities(X)
        # Two checks are rules, not weights: a sentence that lacks a name the question
        # names, or whose measured word belongs to another qualifier (绿茶饮品 for
        # 红茶饮品), does not answer. On held-out reports each costs no right answers
        # and adds refusals (docs/answering.md); the other checks stay weights.
        vetoed = (
            X[:, FEATURES.index("names_missing")] + X[:, FEATURES.index("other_qualifier")]
        ) > 0
        p = np.where(vetoed, 0.0, p)
        cover = X[:, 2]
        # Ordered by the listwise ranking weights (which sentence answers best); the
        # probability beside each is what the threshold reads. Vetoed ones go last.
        order = np.lexsort((-self.scorer.ranking(X), vetoed))
        return [(float(p[i]), float(cover[i]), hits[i]) for i in order]

    def answer(self, query: Query, hits: list[Hit]) -> Draft:
        if query.intent != "question":  # a greeting, thanks, an instruction to the bot
            return Draft(REPLIES[query.intent][query.lang], False, [], 0.0)
        lang, form = query.lang, query.form
        not_found = Draft((DOES_NOT_SAY if form == "yesno" else NOT_FOUND)[lang], False, [], 0.0)
        if query.absent:  # it names a company, person or product no report in scope does
            return not_found
        if unmentioned_thing(query):  # "how many crates" where no report mentions crates
            return not_found
        ranked = self.rank(query, hits)
        threshold = self.scorer.threshold
        if form in ("fact", "yesno"):
            # A period the question names (2022年, the March quarter) is a hard check: a
            # sentence about another span does not answer, however close it is.
            ranked = [c for c in ranked if not other_period(query, c[2])]
        if form == "who" and ranked and ranked[0][0] < threshold:
            threshold = self._titled(query, ranked, threshold)
        if form == "why":  # a cause may stand in a sentence the scorer ranks low
            return self._why(query, ranked, threshold)
        if form == "compute":
            computed = self._compute(query, [c for c in ranked if c[0] >= threshold][:4])
            share = kinds.asks_share(query.own or query.text)
            if not computed.answered and not (share and ranked and ranked[0][0] >= threshold):
                # Two figures of a comparison often stand in two sentences, each of which
                # alone answers only half the question: the next best ones may hold them
                # (but a share a sentence that answers states is quoted, not computed).
                wider = [c for c in ranked if c[0] > 0][:POOL]
                computed = self._compute(query, wider)
            # A share is often stated outright (占比18%): with no two figures to compute
            # it from, the sentence that states it answers.
            if computed.answered or not share:
                return computed
        if not ranked or ranked[0][0] < threshold:
            return replace(not_found, support=ranked[0][0] if ranked else 0.0)
        best = ranked[0]
        kind = expected(query.own or query.text) or expected(query.previous)
        if kind and form == "fact":
            # The answer holds the kind asked for (a figure for "how much", a date for
            # "when"): of the sentences that clear the threshold, the best one that does;
            # none does: the report does not give it.
            fits = [c for c in ranked if c[0] >= threshold and holds(kind, _kind_text(kind, c[2]))]
            if not fits:
                return replace(not_found, support=best[0])
            best = fits[0]
        if form == "list":
            return self._list(query, [c for c in ranked if c[0] >= threshold][:MAX_ITEMS])
        chosen = [best]
        for cand in ranked:
            if len(chosen) >= self.max_citations:
                break
            close = cand[0] >= max(threshold, best[0] - CLOSE)
            # A second quote must hold the kind asked for too: it is evidence, not context.
            fits = not (kind and form == "fact") or holds(kind, _kind_text(kind, cand[2]))
            if close and fits and cand[1] > 0 and cand[2].sentence.id != best[2].sentence.id:
                chosen.append(cand)
        chosen.sort(key=lambda c: (c[2].sentence.source, c[2].sentence.start))
        citations = [self._cite(query, c[2], c[0]) for c in chosen]
        first = self._cite(query, best[2], best[0])
        if form == "yesno":
            # The sentence that decides: the best one that states what the question
            # asks about (a direction: grew, fell), else the best one.
            asked = query.own or query.text
            comparing = kinds.comparison(asked)
            if comparing:
                # "A比B高吗?": the two figures decide, compared, with the working shown.
                decided = self._compare(
                    query, comparing, [c for c in ranked if c[0] >= threshold][:4]
                )
                if decided is not None:
                    return decided
            verdict = kinds.yes_no(asked, best[2].sentence.text)
            for cand in ranked:
                if verdict is not None or cand[0] < threshold:
                    break
                verdict = kinds.yes_no(asked, cand[2].sentence.text)
                if verdict is not None:
                    best, first = cand, self._cite(query, cand[2], cand[0])
                    if all(c.start != first.start for c in citations):
                        citations = [first, *citations][: self.max_citations]
            if verdict is None:
                return replace(not_found, support=best[0])
            lead = (kinds.YES if verdict else kinds.NO)[lang]
        elif form in ("who", "what"):
            named = self._named(query, ranked, threshold)
            if named is NO_HOLDER:
                return replace(not_found, support=best[0])
            if named is not None:
                lead, cite = named
                citations = [cite, *(c for c in citations if c.start != cite.start)]
                citations = citations[: self.max_citations]
            else:
                lead = self._lead(query, [first])
        else:
            lead = self._lead(query, [first])
            for other in citations if not lead else []:
                # The best sentence holds no figure of the kind asked; a quoted runner-up may.
                lead = self._lead(query, [other]) if other.start != first.start else ""
                if lead:
                    break
            want = kinds.result_unit(query.own or query.text)
            shown = [f for f in numbers.quantities(lead) if f.is_figure][:1]
            if want and not (
                shown and kinds.in_unit(shown[0], want) and _is_change(first, shown[0], want)
            ):
                # "提升了多少个百分点?" where the report gives the two levels, not the
                # change: computed from them, with the working shown.
                computed = self._compute(query, [c for c in ranked if c[0] >= threshold][:4])
                if computed.answered:
                    return computed
        return Draft(_compose(lang, lead, citations), True, citations, best[0])

    def _why(self, query: Query, ranked: list[tuple[float, float, Hit]], threshold: float) -> Draft:
        """The cause of what a why question asks about, led with, and the quotes giving it.

        Each cause a retrieved sentence gives (:func:`bot.kinds.causes`: 由于X, 受X影响,
        "X, which drove Y"), or, for a sentence that states an effect and no cause, the
        sentence after it gives ("主要原因是…", "This reflects …"), counts by how much of
        the thing asked its effect holds (:func:`_effect_fit`). A cause of another thing,
        of the opposite change (a fall for "why did it rise?") or without a name or model
        the question names does not answer. The scorer judges sentences, not which of
        their clauses is the cause of what: a sentence under its threshold answers when
        its effect holds at least the support a sentence needs (``min_support``, in
        either language: a cause for a cross-language question is not let in on less).
        None answers: the report does not say why.
        """
        options = []
        for cand in ranked:
            if cand[0] <= 0:  # vetoed: another name or qualifier
                continue
            for at, text, cause, effect in _causes_of(query, cand[2]):
                fit = _effect_fit(query, effect)
                need = self.min_support if cand[0] < threshold else 0.0
                if fit > need:
                    options.append((cand[0] >= threshold, fit, cand[0], cand, at, text, cause))
        if not options:
            not_found = NOT_FOUND[query.lang]
            return Draft(not_found, False, [], ranked[0][0] if ranked else 0.0)
        _, _, p, cand, at, text, cause = max(options, key=lambda o: o[:3])
        lead = text[cause.start : cause.end].strip(" ,，。.;；")
        s = cand[2].sentence
        if at == s.start:
            citations = [self._covering(query, cand, lead)]
        else:
            tail = text[: len(text.rstrip())]
            citations = [
                self._cite(query, cand[2], p),
                Citation(s.source, at, at + len(tail), tail, p),
            ]
        return Draft(_compose(query.lang, lead, citations), True, citations, p)

    def _named(
        self, query: Query, ranked: list[tuple[float, float, Hit]], threshold: float
    ) -> tuple[str, Citation] | object | None:
        """The lead of a who or what-is question, and the quote it comes from.

        Of the sentences that clear the threshold, the best one that names a person in
        the role asked about (who), else the best one's name. For "what is X?", the best
        retrieved sentence that says what X is (a modifier, an apposition, a
        definition): it must name X, so it may rank below the threshold.
        """
        asked = query.own or query.text
        if query.form == "what":
            for strong in (True, False):
                for cand in ranked:
                    lead = kinds.what_lead(asked, cand[2].sentence.text, strong)
                    if lead:
                        return lead, self._covering(query, cand, lead)
            return None
        # The sentence that names a person in the role asked about: of those that clear
        # the threshold first, then of the rest retrieved.
        answering = [c for c in ranked if c[0] >= threshold]
        rest = [c for c in ranked if c[0] < threshold and c[0] > 0]
        for cand in answering + rest:
            text = cand[2].sentence.text
            if kinds.role_holder(asked, text, _anchor_positions(query, text)):
                break
        else:
            if kinds.asks_title(asked) and not kinds.asks_organisation(asked):
                # "Who is the CTO?" where no sentence names anyone with that title: the
                # chairman the best sentence names is not the answer. ("哪家公司的创始人"
                # asks for the company, not the founder.)
                return NO_HOLDER
            cand = answering[0]
        text = cand[2].sentence.text
        lead = kinds.who_lead(asked, text, query.lang, _anchor_positions(query, text))
        return (lead, self._covering(query, cand, lead)) if lead else None

    def _titled(
        self, query: Query, ranked: list[tuple[float, float, Hit]], threshold: float
    ) -> float:
        """The threshold for a who question about a title (chief executive, 董事长,
        reporter): a sentence among the best few that names a person with that very
        title answers, though the scorer doubts it ("董事长X表示" for "who is the
        chairman?"). Not for "who runs / heads …", which any manager's sentence
        seems to answer."""
        asked = query.own or query.text
        if not kinds.asks_title(asked):
            return threshold
        for cand in ranked[:TITLED]:
            text = cand[2].sentence.text
            if cand[0] > 0 and kinds.role_holder(asked, text, _anchor_positions(query, text)):
                return cand[0]
        return threshold

    def _covering(self, query: Query, cand: tuple[float, float, Hit], lead: str) -> Citation:
        """The citation of a candidate, widened to the whole sentence when the tight
        quote leaves out the name or phrase the lead gives."""
        cite = self._cite(query, cand[2], cand[0])
        name = lead.split(" (")[0]
        if name not in cite.quote:
            s = cand[2].sentence
            cite = Citation(s.source, s.start, s.end, s.text, cand[0])
        return cite

    def _list(self, query: Query, ranked: list[tuple[float, float, Hit]]) -> Draft:
        """Several items, each with its own citation, in report order; one sentence that
        holds several items is one citation."""
        seen, cites = set(), []
        for p, _, h in sorted(ranked, key=lambda c: (c[2].sentence.source, c[2].sentence.start)):
            if h.sentence.id not in seen:
                seen.add(h.sentence.id)
                cites.append(self._cite(query, h, p))
        header = LIST_HEADER[query.lang]
        # The items themselves lead, as the quotes write them (best sentence first).
        items = kinds.list_items(query.own or query.text, [h.sentence.text for _, _, h in ranked])
        for p, _, h in ranked[:2] if not items else []:
            # "four updates:" and an item a sentence after it: the run is quoted.
            run = _following(h)
            items = kinds.run_items(h.sentence.text, [t for _, t in run])
            if items:
                s = h.sentence
                cites = [self._cite(query, h, p)] + [
                    Citation(s.source, at, at + len(t), t, p) for at, t in run[: len(items)]
                ]
                break
        if items:
            header = ("、" if query.lang == "zh" else "; ").join(items) + "\n\n" + header
        return Draft(_compose_list(header, cites), True, cites, ranked[0][0])

    def _compute(self, query: Query, ranked: list[tuple[float, float, Hit]]) -> Draft:
        """A comparison computed from two cited figures (or the parts of a sum), with the
        working shown."""
        lang = query.lang
        asked = query.own or query.text
        scored = _operands(query, ranked)
        if kinds.asks_sum(asked):
            # A comparison's base (去年同期为…, "from $98 million") is no part of a sum.
            scored = [s for s in scored if not _is_base(s[2])] or scored
        named = kinds.sides(asked)
        if named:
            scored = _by_sides(query, named, scored)
        order = [(h, f) for h, f, _ in scored]
        result = kinds.compute(asked, [q for _, q in order], lang)
        if result is None:
            return Draft(NOT_FOUND[lang], False, [], ranked[0][0] if ranked else 0.0)
        cites, marks = [], []
        for operand in result.operands:
            hit = next(h for h, q in order if q is operand)
            c = self._cite(query, hit, 1.0)
            if not (c.start <= hit.sentence.start + operand.start < c.end):
                s = hit.sentence
                c = Citation(s.source, s.start, s.end, s.text, 1.0)
            if c not in cites:
                cites.append(c)
            marks.append(f"[{cites.index(c) + 1}]")
        lead = f"{result.text} {''.join(dict.fromkeys(marks))}"
        return Draft(_compose(lang, lead, cites), True, cites, ranked[0][0])

    def _compare(
        self, query: Query, comparing: kinds.Comparison, ranked: list[tuple[float, float, Hit]]
    ) -> Draft | None:
        """Yes or no to "is A more than B?" from the figures of A and B: each figure is A's
        or B's by the question's words its label holds (and a comparison's base is B when
        B is a past: "than a year ago"). None when no two comparable figures are told apart."""
        past = bool(_PAST.search(comparing.other))

        def side(label: tuple[str, str], words: str) -> float:
            text = " ".join(label)
            return sum(
                weight
                for ways, weight in query.units
                if any(w and w in words for w in ways) and any(w and w in text for w in ways)
            )

        found = []
        for h, f, label in _operands(query, ranked):
            base = _is_base(label)
            lean = side(label, comparing.subject) - side(label, comparing.other)
            if past:
                lean += -1.0 if base else 1.0
            found.append((lean, h, f))
        if len(found) < 2:
            return None
        lean_a, hit_a, a = max(found, key=lambda c: c[0])
        others = [c for c in found if c[2] is not a and kinds.comparable(a, c[2])]
        if not others:
            return None
        lean_b, hit_b, b = min(others, key=lambda c: c[0])
        if lean_a <= lean_b or a.value == b.value:
            return None
        verdict = (a.value > b.value) == comparing.more
        sign = ">" if a.value > b.value else "<"
        cites, marks = [], []
        for hit, operand in ((hit_a, a), (hit_b, b)):
            s = hit.sentence
            c = self._cite(query, hit, 1.0)
            if not (c.start <= s.start + operand.start < c.end):
                c = Citation(s.source, s.start, s.end, s.text, 1.0)
            if c not in cites:
                cites.append(c)
            marks.append(f"[{cites.index(c) + 1}]")
        word = (kinds.YES if verdict else kinds.NO)[query.lang]
        lead = f"{word} {a.text.strip()} {sign} {b.text.strip()} {''.join(dict.fromkeys(marks))}"
        return Draft(_compose(query.lang, lead, cites), True, cites, ranked[0][0])

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
            # A whole date (2024年6月18日, June 18, 2025) before its pieces (今年, 6月).
            found = list(_FULL_DATE.finditer(text)) or list(_DATE.finditer(text))
            if found:
                return _nearest(found, anchors).group().strip()
        if asks_quantity(asked):
            figures = _answer_figures(text)
            found = _prefer_kind(asked, text, figures)
            if found:
                q = _labelled(query, asked, text, found, figures, anchors)
                return numbers.lead_text(q, text)
        if asks_name(asked):
            found = list(_TITLE.finditer(text))
            if found:
                return _nearest(found, anchors).group()
        thing = what_thing(query.own or query.text)
        if thing:
            # "What spray coverage did X achieve?": the figure labelled with the thing.
            units = [(w, v) for w, v in query.units if any(x and x in thing for x in w)]
            figures = _answer_figures(text)
            if units and figures:
                named = replace(query, units=units)
                q = _labelled(named, asked, text, figures, figures, anchors, True)
                if q:
                    return numbers.lead_text(q, text)
        if terse(query.own or query.text):
            # "Q3 revenue?": a bare noun phrase asks for the value of what it names, when
            # a figure of the quote is labelled with its words.
            figures = _answer_figures(text)
            q = figures and _labelled(query, asked, text, figures, figures, anchors, True)
            if q:
                return numbers.lead_text(q, text)
        return ""


def _kind_text(kind: str, hit: Hit) -> str:
    """Where the kind asked for may be: a date may be said in the sentence before."""
    return hit.before + hit.sentence.text if kind == "time" else hit.sentence.text


def _answer_figures(text: str) -> list[numbers.Quantity]:
    """The figures of ``text`` that can answer: not years, dates, codes, ordinals, the
    number inside a name (Model 3, 北斗7号), or the 000 of a unit (HK$'000)."""
    return [
        q
        for q in numbers.quantities(text)
        if q.kind in ("amount", "rate", "count") and text[q.start - 1 : q.start] not in ("'", "’")
    ]


_FULL_DATE = re.compile(
    r"(?:(?:19|20)\d{2}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月|"
    r"(?:今年|去年|明年)\d{1,2}月(?:\d{1,2}[日号])?|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+\d{1,2}(?:,\s*(?:19|20)\d{2})?|\b\d{1,2}\s+(?:January|February|March|April|"
    r"May|June|July|August|September|October|November|December)(?:\s+(?:19|20)\d{2})?|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(?:19|20)\d{2}"
)
_PAST = re.compile(r"去年|上年|此前|之前|earlier|last year|previous|a year ago|before|prior")
_FROM_TO = re.compile(r"(由|从|from)\S{0,8}$")
_TO = re.compile(r"^\S{0,3}(增至|升至|降至|提升至|增长至|到|至|to)")


def _prefer_kind(question: str, text: str, found: list) -> list:
    """Narrow figures to the kind asked for: a rate (%, 倍) or an amount; and in
    "由 A 增至 B" / "from A to B", the latest value B unless the question asks about
    the past. Falls back to all figures when the narrowing leaves none."""
    q = fold(question)
    want = kinds.result_unit(q)
    if want and want != "amount":
        # 多少个百分点, how many times: the change stated in that unit, not a level.
        found = [m for m in found if kinds.in_unit(m, want)] or found
    rate = bool(_RATE.search(q)) or expected(q) == "level"  # 占比, 比例: a percentage
    kind = [m for m in found if (m.unit in ("%", "pp", "bp", "x")) == rate]
    found = kind or found
    if not _PAST.search(q):
        low = fold(text)
        later = [
            m
            for m in found
            if not (
                _FROM_TO.search(low[max(0, m.start - 12) : m.start])
                and _TO.search(low[m.end : m.end + 6])
            )
        ]
        found = later or found
    return found


_DURATION = re.compile(
    r"^(?:个月|月|年|天|日|周|星期|小时|分钟|months?|years?|days?|weeks?|hours?)$"
)
# Not brackets: they gloss a label ("每股稅後純益（EPS）", "EPS (RMB cents)").
_BREAK = re.compile(
    rf"[;。、!?]|{numbers.COMMA}| and | while | but | compared with | versus | against "
)


def _labelled(
    query: Query,
    asked: str,
    text: str,
    found: list,
    figures: list,
    anchors: list,
    labelled_only: bool = False,
):
    """The figure of ``found`` whose own label holds the question's words.

    A sentence of business text strings label-value pairs: "淨利潤8.12億元，每股收益
    1.35元", "5月营收3.4亿元、6月营收3.9亿元", "revenue of $2.1 billion, up 9%". A
    figure's label is its clause up to it, from the figure before it; what follows it up
    to a break names what it counts or where it comes from (12万家商户, "70% from the
    fund") and counts too, a little less. Each figure is scored by the
    rarity-weighted words of the question (``query.units``, translations included) its
    label holds; ties go to the figure nearest a matched word. Kinds first: a per-share
    figure answers only a question about one share, a duration (三个月, 22 weeks) only a
    question about how long, a sum of money not "how many", a figure labelled as a
    comparison's base (去年同期的…, a year ago) not a question about now. With
    ``labelled_only``, None when no figure's label holds any of the question's words.
    """
    q = fold(asked)
    per_share = bool(numbers.PER_SHARE.search(q))
    fits = [m for m in found if m.per_share == per_share] or found
    if not re.search(r"how long|多久|多长时间|几个月|几年|几天|多少(?:个月|年|天)", q):
        fits = [m for m in fits if not _DURATION.match(m.counter.strip().lower())] or fits
    if expected(asked) in ("count", "tally"):
        fits = [m for m in fits if not m.currency] or fits
    low = fold(text)
    # A number the question itself names as part of a name (星图7, Nova-7) is no answer.
    fits = [m for m in fits if not _named_in(q, low, m)] or fits
    labels = _labels(text, figures)
    if not _PAST.search(q):
        # "也高于去年同期的2.75元": a figure labelled as the base of a comparison is a past
        # value, not the answer to a question about now.
        fits = [m for m in fits if not _PAST.search(labels[m.start][0])] or fits
    own = fold(query.own or query.text)
    if _PAST.search(own) and not _GROWTH.search(own):
        # "And a year earlier?", "那去年同期呢?": the value now is not the answer; the
        # base the sentence compares it with (去年同期为9.8亿元, "from $98 million") is.
        fits = [m for m in fits if _is_base(labels[m.start])] or fits

    scores = {m.start: _label_score(query, labels[m.start]) for m in fits}
    best = max(scores.values())
    if labelled_only and best <= 0:
        return None
    return _nearest([m for m in fits if scores[m.start] == best], anchors)


def _operands(query: Query, ranked: list[tuple[float, float, Hit]]) -> list:
    """The figures of the ranked sentences, best first, each as (hit, figure, label),
    for a comparison."""
    # Each figure of the best sentences scored by its label, as the lead figure is: the
    # operands are the two comparable figures whose labels hold the question's words.
    scored = []
    for rank, (_, _, h) in enumerate(ranked):
        text = h.sentence.text
        figs = sorted(_answer_figures(text), key=lambda q: q.start)
        labels = _labels(text, figs)
        own = {f.start: _label_score(query, labels[f.start]) for f in figs}
        for f in figs:
            score, base = own[f.start], _is_base(labels[f.start])
            if base or _TARGET.search(labels[f.start][0]):
                # A comparison's base (去年同期为9.8亿元, "from 41.5%", 较上年末的58兆瓦)
                # and the B of "由A升至B" measure what the figure they are compared
                # with measures.
                like = [g for g in figs if g is not f and g.unit == f.unit]
                near = min(like, key=lambda g: abs(g.start - f.start), default=None)
                score = max(score, own[near.start]) if near else score
            # Ties: the better sentence first, and in one sentence the current value
            # before its base (growth is new over old).
            scored.append((score - 0.01 * rank - 0.001 * base, h, f, labels[f.start]))
    scored.sort(key=lambda c: -c[0])
    return [(h, f, lab) for _, h, f, lab in scored]


def _by_sides(query: Query, named: tuple[str, str], scored: list) -> list:
    """The operands reordered so that the figure labelled with the words of the first
    thing the question names (A of "A比B", the part of "A占B") comes first and the figure
    labelled with the second's (B, the whole) next. Unchanged when the labels do not
    tell the two apart."""
    first_q, second_q = (
        replace(query, units=[u for u in query.units if any(w and w in side for w in u[0])])
        for side in named
    )
    if not first_q.units or not second_q.units:
        return scored

    def lean(label: tuple[str, str]) -> float:
        return _label_score(first_q, label) - _label_score(second_q, label)

    a = max(scored, key=lambda s: lean(s[2]), default=None)
    if a is None or lean(a[2]) <= 0:
        return scored
    others = [s for s in scored if s is not a and kinds.comparable(a[1], s[1])]
    b = min(others, key=lambda s: lean(s[2]), default=None)
    if b is None or lean(b[2]) >= 0:
        return scored
    return [a, b, *(s for s in scored if s is not a and s is not b)]


def _labels(text: str, figures: list) -> dict[int, tuple[str, str]]:
    """Each figure's label (its clause up to it, from the figure before it) and tail
    (what follows it up to a break), folded, by the figure's start."""
    low = fold(text)
    ordered = sorted(figures, key=lambda m: m.start)
    out = {}
    for m in ordered:
        before = max((f.end for f in ordered if f.end <= m.start), default=0)
        after = min((f.start for f in ordered if f.start >= m.end), default=len(low))
        # The text between two figures is the tail of the first up to the first break
        # (a comma, 、, "and": "70% from the fund and 30% from …") and the label of the
        # second after the last one (5月营收3.4亿元、6月营收3.9亿元).
        out[m.start] = (
            _BREAK.split(low[before : m.start])[-1],
            _BREAK.split(low[m.end : after])[0],
        )
    return out


_BASE = re.compile(
    r"(?:由|从|較|较|比|相比|對比|对比|from|than|versus|vs\.?|compared (?:with|to))\s*\S{0,10}\s*$"
)


_TARGET = re.compile(r"^\s*\S{0,4}(?:增至|升至|降至|增长至|上升至|下降至|减少至|达到|到|至|to)\s*$")


def _is_change(citation: Citation, lead: numbers.Quantity, want: str) -> bool:
    """Whether the quote's lead figure is a change, as a question "in absolute terms"
    wants ("增加6.4亿元", "up $6.4 million"), rather than a level to compute it from.
    A rate, a multiple or percentage points is a change by its unit."""
    if want != "amount":
        return True
    figs = _answer_figures(citation.quote)
    labels = _labels(citation.quote, figs)
    # The check the kind of an answer uses: a word of rising or falling right before it.
    return any(_RISE_OR_FALL.search(labels[f.start][0]) for f in figs if f.text == lead.text)


def _is_base(label: tuple[str, str]) -> bool:
    """Whether a figure is the base of a comparison: "由9.0%升至…", "from 41.5%",
    "去年同期为9.8亿元", "1,052 a year ago"."""
    own, tail = label
    return bool(_BASE.search(own) or _PAST.search(own) or _PAST.search(tail[:20]))


def _label_score(query: Query, label: tuple[str, str]) -> float:
    """The rarity-weighted question words (``query.units``) a figure's label holds; its
    tail counts a little less."""
    own, tail = label
    score = 0.0
    for ways, weight in query.units:
        if any(w and _holds(own, w) for w in ways):
            score += weight
        elif any(w and _holds(tail, w) for w in ways):
            score += 0.8 * weight
    return score


@lru_cache(maxsize=4096)
def _word(word: str) -> re.Pattern:
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?:s|es)?(?![a-z0-9])")


def _holds(text: str, word: str) -> bool:
    """Whether folded ``text`` holds ``word``: an English word as a word (with a plural
    ending: "spray" is not in "sprayer"), a Chinese one anywhere."""
    if word.isascii() and word[:1].isalnum() and word[-1:].isalnum():
        return word in text and _word(word).search(text) is not None
    return word in text


def _named_in(question: str, low: str, m) -> bool:
    """Whether the bare number ``m`` of ``low`` stands glued to the word before it just as
    the (folded) question writes it: the 7 of 星图7 when the question names 星图7."""
    if not low[m.start : m.end].isdigit() or m.start == 0 or not low[m.start - 1].isalpha():
        return False
    return any(low[max(0, m.start - k) : m.end] in question for k in (2, 3))


def _anchor_positions(query: Query, text: str) -> list[int]:
    low = fold(text)
    words = list(query.terms) + [z for zh in query.bridged.values() for z in zh]
    return [low.find(w) + len(w) for w in words if w and w in low]


def _nearest(matches: list, anchors: list[int]):
    """The match (a ``re.Match`` or a :class:`numbers.Quantity`) nearest the anchors."""
    if not anchors:
        return matches[0]

    # Prefer a figure right after a matched word: "营收X亿元" answers "revenue".
    def distance(m) -> float:
        at = m.start() if callable(m.start) else m.start
        return min(at - a if at >= a else (a - at) * 3 for a in anchors)

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


def _causes_of(query: Query, hit: Hit) -> list[tuple[int, str, kinds.Cause, str]]:
    """(where the text starts, the text, a cause in it, the effect it explains) for the
    causes ``hit``'s sentence gives, else those the next sentence gives of what this one
    states: the next one's own effect either points back ("This reflects") or holds
    words of the question. An effect of the opposite direction to the question's, or
    without a name or model the question names, is left out."""
    s = hit.sentence
    found = [(s.start, s.text, c, c.effect) for c in kinds.causes(s.text)]
    nxt = None if found else _next_sentence(hit)
    if nxt is not None:
        at, text = nxt
        found = [
            (at, text, c, f"{fold(s.text)} {c.effect}" if kinds.points_back(c.effect) else c.effect)
            for c in kinds.causes(text)
        ]
    asked = query.own or query.text
    want = kinds.direction(asked)
    named = [(fold(n), *query.bridged.get(n, ())) for n in query.names]
    named += [ways for ways, _ in query.units if all(_CODE.search(w) for w in ways)]
    return [
        (at, text, cause, effect)
        for at, text, cause, effect in found
        if not (want and kinds.direction(effect) == -want)
        and all(any(w in effect for w in ways) for ways in named)
    ]


# A model or code the question names (S4, a380): its letters and digits run together.
_CODE = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9\-]+$")


def _effect_fit(query: Query, effect: str) -> float:
    """The rarity-weighted share of the thing asked that ``effect`` holds: the question's
    words without its direction (rose, 下降: checked apart) or its asking for a cause
    (drove, 原因)."""
    units = [
        (ways, weight)
        for ways, weight in query.units
        if not any(kinds.direction(w) or kinds.asks_cause(w) for w in ways)
    ]
    return coverage(replace(query, units=units), effect) if units else 0.0


def _next_sentence(hit: Hit) -> tuple[int, str] | None:
    """The sentence after ``hit``'s in the same paragraph of its chunk: (where it starts
    in the report, its text), or None."""
    s, c = hit.sentence, hit.chunk
    if c is None or not (c.start <= s.end < c.end):
        return None
    rest = c.text[s.end - c.start :]
    m = _NEXT.match(rest)
    if not m or "\n\n" in rest[: m.start(1)]:
        return None
    return s.end + m.start(1), m.group(1)


def _following(hit: Hit, most: int = 8) -> list[tuple[int, str]]:
    """The sentences after ``hit``'s in its paragraph (of its chunk), each as (where it
    starts in the report, its text), up to ``most``."""
    s, c = hit.sentence, hit.chunk
    if c is None or not (c.start <= s.end < c.end):
        return []
    out, at = [], s.end
    while len(out) < most:
        rest = c.text[at - c.start :]
        m = _NEXT.match(rest)
        if not m or not m.group(1) or "\n\n" in rest[: m.start(1)]:
            break
        out.append((at + m.start(1), m.group(1).rstrip()))
        at += m.end(1)
    return out


_NEXT = re.compile(r"\s*([^\s][^。！？!?\n]*?(?:[。！？!?]|\.(?=\s|$)|(?=\n)|$))")


def _compose_list(header: str, citations: list[Citation]) -> str:
    """A header, then each quote as a bullet with its marker."""
    items = "\n".join(f"- “{c.quote}” [{i}]" for i, c in enumerate(citations, 1))
    return f"{header}\n{items}"


def _compose(lang: str, lead: str, citations: list[Citation]) -> str:
    quotes = " ".join(f"“{c.quote}” [{i}]" for i, c in enumerate(citations, 1))
    head = f"{lead}\n\n" if lead else ""
    return f"{head}{FROM_REPORT[lang]} {quotes}"
