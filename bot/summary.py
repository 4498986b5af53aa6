"""Summaries: the report's key sentences, chosen by centrality and coverage, each cited.

"What is this report about?" is answered with 3-6 sentences of the report, in report
order, each quoted exactly with its offsets. They are chosen by maximal marginal
relevance over the sentence embeddings the index already holds: each next sentence is
the one closest to the report's centre (the mean of its sentence vectors) and least like
those already chosen, so that no two say the same thing. Headings, bylines and sentences
that address a reader or a model are not candidates.

This module chooses sentences; it does not rank for questions (:mod:`bot.retrieve`).
"""

from __future__ import annotations

import re

import numpy as np

from bot.answer import Citation, Draft, _compose_list
from bot.numbers import quantities

# How alike two chosen sentences may be: MMR's balance of centrality and novelty.
LAMBDA = 0.65
MIN_CHARS = 18
HEADER = {
    "en": "Key points of {name}:",
    "zh": "{name} 的要点:",
}


def size_for(chars: int) -> int:
    """3 key sentences for a short report, 5 for a usual one, 6 for a long one."""
    return 3 if chars < 1500 else 5 if chars < 12000 else 6


def summarize(records, vectors: dict[str, list[float]], lang: str, k: int | None = None) -> Draft:
    """A summary of the sentences ``records`` (one report, in order) from ``vectors``."""
    cands = [
        r
        for r in records
        if len(r.text.strip()) >= MIN_CHARS
        and r.id in vectors
        and not getattr(r, "directive", False)
        and re.search(r"[。.!?！？;；]\s*$|[,，]", r.text)  # a sentence, not a heading
    ]
    if not cands:
        return Draft("", False, [], 0.0)
    V = np.array([vectors[r.id] for r in cands], dtype=np.float64)
    V /= np.linalg.norm(V, axis=1, keepdims=True) + 1e-12
    centre = V.mean(axis=0)
    centre /= np.linalg.norm(centre) + 1e-12
    central = V @ centre
    # A sentence with a figure carries a fact: a small nudge, not a rule.
    central = central + 0.02 * np.array([bool(quantities(r.text)) for r in cands])
    chars = sum(len(r.text) for r in records)
    k = min(k or size_for(chars), len(cands))
    chosen: list[int] = []
    while len(chosen) < k:
        if chosen:
            redundancy = (V @ V[chosen].T).max(axis=1)
        else:
            redundancy = np.zeros(len(cands))
        score = LAMBDA * central - (1 - LAMBDA) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    picked = sorted((cands[i] for i in chosen), key=lambda r: r.start)
    citations = [
        Citation(r.source, r.start, r.end, r.text, float(central[cands.index(r)])) for r in picked
    ]
    name = picked[0].source
    text = _compose_list(HEADER[lang].format(name=name), citations)
    return Draft(text, True, citations, 1.0)
