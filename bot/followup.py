"""Turn a follow-up question into one that stands on its own, using the history.

"How fast did it grow?" after "What was the revenue in H1?" becomes a question that
carries the earlier question's topic words, so retrieval finds the same passage. Only
questions that look like follow-ups (a pronoun, "and …?", "那…呢", or almost no content
words of their own) are rewritten. An LLM rewriter can replace this (see ``prompts/``).
"""

from __future__ import annotations

import re

from bot.normalize import fold
from bot.terms import (
    _CHANGE_VERBS,
    _MEASURE_WORDS,
    _ZH_LINK,
    PRONOUNS_EN,
    PRONOUNS_ZH,
    content_terms,
    english_words,
    language,
)

_EN_OPENERS = ("and ", "what about", "how about", "also ", "then ")
_ZH_MARKERS = ("那", "那么", "还有", "另外")


def needs_context(question: str) -> bool:
    """Whether a question cannot stand alone: it points back (a pronoun, "and …?",
    "那…呢"), or names no thing of its own ("同比增长多少?", "How fast?"). "Who is the
    CFO?" names one, so it stands alone, whatever was asked before."""
    q = fold(question.strip())
    if language(q) == "zh":
        return (
            any(p in q for p in PRONOUNS_ZH)
            or q.startswith(_ZH_MARKERS)
            or bool(re.search(r"呢[?？]?$", q))
            or not _things(q)
        )
    words = english_words(q)
    return any(w in PRONOUNS_EN for w in words) or q.startswith(_EN_OPENERS) or not _things(q)


def _things(question: str) -> list[str]:
    """Content words that name a thing, not a measure or a change (growth, 同比)."""
    return [
        t
        for t in content_terms(question, search=False)
        if t not in _MEASURE_WORDS
        and t not in _ZH_LINK
        and not re.fullmatch(_CHANGE_VERBS, t)
        and not t.replace(".", "").isdigit()
    ]


def resolve(question: str, history: list[tuple[str, str]] | None) -> str:
    """``question`` with the topic of the conversation added when it needs it.

    >>> resolve("它生成了多少视频?", [("视频模型的使用人数有多少?", "超百万")])
    '模型 使用 人数 它生成了多少视频?'
    """
    if not history:
        return question
    # Earlier questions may be follow-ups themselves: resolve the chain in order. A short
    # answer joins its question ("Who is the CEO?" - "Cheng Yixiao": "he" is Cheng).
    context = ""
    for prev, answer in history:
        context = resolve_one(prev, context)
        context = f"{_short(answer)} {context}".strip()
    return resolve_one(question, context)


def _short(answer: str) -> str:
    """The lead of an answer when it is a name or a phrase (not quotes, not a refusal)."""
    lead = (answer or "").strip().split("\n", 1)[0]
    if re.search(r"\d", lead):
        return ""  # a figure is no topic: "Who is the CFO?" after "860" is about the CFO
    return lead if 0 < len(lead) <= SHORT_ANSWER and not lead.endswith(":") else ""


SHORT_ANSWER = 40


def resolve_one(question: str, context: str) -> str:
    if not context or not needs_context(question):
        return question
    own = set(content_terms(question))
    topic = [t for t in content_terms(context) if t not in own]
    return " ".join(topic[:6] + [question]) if topic else question
