"""Summaries: the report's key sentences, chosen by coverage and centrality, each cited.

"What is this report about?" is answered with 3-6 sentences of the report, in report
order, each quoted exactly with its offsets. They are chosen greedily, each next one for
what it adds to those already chosen:

- the figures it states that none of them does (amounts, rates, counts; a figure the
  report repeats, in a headline, a table or a later section, weighs more: it is one
  the report itself treats as key);
- how central it is (its embedding against the mean of the report's sentence vectors);
- how early it comes (a report leads with what matters, so a little, not alone);
- the aspects the question names that no chosen sentence covers yet ("results and
  outlook": a sentence holding the word or a translation the bridge gives, so 展望
  answers "outlook").

A sentence nearly the same as one chosen (by embedding) is never added, nor one whose
figures are all said already. Headings, titles, table rows, bylines and sentences that
address a reader or a model are not candidates: a headline that repeats the lead
sentence yields to that sentence, whose figures it counts as repeated.

This module chooses sentences; it does not rank for questions (:mod:`bot.retrieve`).
"""

from __future__ import annotations

import math
import re

import numpy as np

from bot.answer import Citation, Draft, _compose_list
from bot.normalize import fold
from bot.numbers import FIGURES, quantities
from bot.periods import find_periods

MIN_CHARS = 18
# The words of a request for a summary, which name no aspect of the report.
_SUMMARY_WORD = re.compile(
    r"summar|overview|highlight|概括|总结|概述|摘要|要点|重点|内容|大意|几句"
)
_REQUEST = frozenset(
    "give me please quick short brief few sentences main key points point this the report "
    "article story document release announcement text piece about tell what 请 帮 我 一下 "
    "用 这篇 这份 这次 报道 报导 报告 文章 主要 简要 简单".split()
)
HEADER = {
    "en": "Key points of {name}:",
    "zh": "{name} 的要点:",
}
# A sentence ends with an end mark, maybe closed by a quote or bracket; a heading, a
# title, a table row or a byline does not.
_END = re.compile(r"[。.!?！？;；…][\"'”’」』)）\]]*\s*$")
_TABLE = re.compile(r"[|｜\t]|\S(?:\s{2,}|\u3000+)\S.*\S(?:\s{2,}|\u3000+)\S")
# Weights of what a sentence adds, each part scaled to 0..1 first: its new figures
# (the best TOP_FIGURES of them, so that a note listing ten figures does not outweigh
# the lead), its centrality and its place (as percentiles), an aspect it covers.
FIGURE_GAIN = 1.0
TOP_FIGURES = 3
KIND = {"amount": 1.0, "rate": 0.7, "count": 0.5}  # a sum of money says most
CENTRAL = 0.5
EARLY = 0.3
ASPECT = 0.6
SAME = 0.95  # cosine above which two sentences say the same thing
SUBJECT = 0.1  # an aspect word in more than this share of the sentences is the subject


def size_for(chars: int) -> int:
    """3 key sentences for a short report, 6 for any other: a report's key facts are
    spread over more sentences than a short one has."""
    return 3 if chars < 1500 else 6


def _candidate(r, vectors) -> bool:
    text = r.text.strip()
    return (
        len(text) >= MIN_CHARS
        and r.id in vectors
        and not getattr(r, "directive", False)
        and bool(_END.search(text))
        and not _TABLE.search(text)
    )


def _figures(text: str) -> dict[str, str]:
    """The figures of ``text`` as written (digits, and % for a rate), with their kind:
    a table's 486.72 under a 亿元 header is the body's 486.72亿元."""
    out = {}
    for q in quantities(text):
        if q.kind not in FIGURES:
            continue
        digits = re.sub(r"[^\d.]", "", fold(q.text).replace(",", "")).strip(".")
        if digits:
            out.setdefault(digits + ("%" if q.unit == "%" else ""), q.kind)
    return out


def _weight(figure: str, repeats: int) -> float:
    """A figure the report repeats weighs more; a bare small integer (a list's "3
    plants") less."""
    small = len(figure.rstrip("%")) < 2
    return (0.5 if small else 1.0) * (1.0 + math.log(repeats))


def _focus(aspects, records, cands) -> np.ndarray:
    """Which candidates speak of each aspect (candidates x aspects): those that hold one
    of its words or translations. An aspect the whole report is about is none: a word
    of its title (a first line that is no sentence) or of more than a tenth of its
    sentences (and more than two) names its subject (the company, the period)."""
    texts = [fold(r.text) for r in cands]
    first = records[0]
    title = "" if _candidate(first, {first.id: 0}) else fold(first.text)
    columns = []
    for forms in aspects:
        folded = [fold(f) for f in forms]
        hits = [any(f in t for f in folded) for t in texts]
        if not any(f in title for f in folded) and 0 < sum(hits) <= max(2, SUBJECT * len(texts)):
            columns.append(hits)
    return np.array(columns, dtype=bool).T.reshape(len(cands), len(columns))


def _percentile(x: np.ndarray) -> np.ndarray:
    if len(x) < 2:
        return np.ones(len(x))
    return np.argsort(np.argsort(x)) / (len(x) - 1)


def aspects(query) -> list[tuple[str, ...]]:
    """What a summary question asks about beyond "summarize": its words (each with its
    translations) other than the request itself, names (capitalised in an English
    question), periods and numbers.

    "Summarize Acme's 2024 results and outlook" -> results, outlook.
    """
    periods = [(p.start_char, p.end_char) for p in find_periods(query.text)]
    out = []
    for forms, _ in query.units:
        word = forms[0]
        at = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", query.text, re.I)
        if (
            word in _REQUEST
            or _SUMMARY_WORD.search(word)
            or any(ch.isdigit() for ch in word)
            or (not word.isascii() and len(word) < 2)
            or (at and word.isascii() and at.group()[0].isupper() and at.start() > 0)
            or (at and any(a <= at.start() < b for a, b in periods))
        ):
            continue
        out.append(forms)
    return out


def summarize(
    records,
    vectors: dict[str, list[float]],
    lang: str,
    k: int | None = None,
    aspects: list[tuple[str, ...]] = (),
) -> Draft:
    """A summary of the sentences ``records`` (one report, in order) from ``vectors``.

    ``aspects``: what the question asks about (see :func:`aspects`), each covered by
    one chosen sentence that speaks of it, when one does.
    """
    cands = [r for r in records if _candidate(r, vectors)]
    if not cands:
        return Draft("", False, [], 0.0)
    V = np.array([vectors[r.id] for r in cands], dtype=np.float64)
    V /= np.linalg.norm(V, axis=1, keepdims=True) + 1e-12
    centre = V.mean(axis=0)
    centre /= np.linalg.norm(centre) + 1e-12
    central = V @ centre

    repeats: dict[str, int] = {}
    for r in records:  # titles and tables count: they repeat what is key
        for f in _figures(r.text):
            repeats[f] = repeats.get(f, 0) + 1
    weight: dict[str, float] = {}
    figs: list[set[str]] = []
    for r in cands:
        kinds = _figures(r.text)
        for f, kind in kinds.items():
            weight.setdefault(f, _weight(f, repeats[f]) * KIND[kind])
        figs.append(set(kinds))

    n = len(cands)
    base = CENTRAL * _percentile(central) + EARLY * (1 - np.arange(n) / max(n - 1, 1))
    near = _focus(aspects, records, cands)
    chars = sum(len(r.text) for r in records)
    k = min(k or size_for(chars), n)
    chosen: list[int] = []
    said: set[str] = set()
    open_aspects = np.ones(near.shape[1], dtype=bool)
    while len(chosen) < k:
        gain = np.array(
            [sum(sorted((weight[f] for f in fs - said), reverse=True)[:TOP_FIGURES]) for fs in figs]
        )
        top = gain.max()
        score = base + FIGURE_GAIN * (gain / top if top > 0 else gain)
        if near.shape[1]:
            # Each aspect the question names is covered once.
            score += ASPECT * near[:, open_aspects].sum(axis=1)
        if chosen:
            same = (V @ V[chosen].T).max(axis=1) > SAME
            restated = np.array([bool(fs) and not (fs - said) for fs in figs])
            score[same | restated] = -np.inf
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        if not np.isfinite(score[best]):
            break
        chosen.append(best)
        said |= figs[best]
        if near.shape[1]:
            open_aspects &= ~near[best]
    chosen.sort()
    citations = [
        Citation(cands[i].source, cands[i].start, cands[i].end, cands[i].text, float(central[i]))
        for i in chosen
    ]
    name = cands[chosen[0]].source
    text = _compose_list(HEADER[lang].format(name=name), citations)
    return Draft(text, True, citations, 1.0)
