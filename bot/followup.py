"""Turn a follow-up question into one that stands on its own, using the history.

"How fast did it grow?" after "What was the revenue in H1?" becomes a question that
carries the earlier question's topic words, so retrieval finds the same passage. Only
questions that look like follow-ups (a pronoun, "and …?", "那…呢", or almost no content
words of their own) are rewritten. An LLM rewriter can replace this (see ``prompts/``).
"""

from __future__ import annotations

import re

from bot.terms import PRONOUNS_EN, PRONOUNS_ZH, content_terms, english_words, language

_EN_OPENERS = ("and ", "what about", "how about", "also ", "then ")
_ZH_MARKERS = ("那", "那么", "还有", "另外")


def needs_context(question: str) -> bool:
    q = question.strip()
    if language(q) == "zh":
        return (
            any(p in q for p in PRONOUNS_ZH)
            or q.startswith(_ZH_MARKERS)
            or bool(re.search(r"呢[?？]?$", q))
            or len(content_terms(q)) <= 1
        )
    words = english_words(q)
    return (
        any(w in PRONOUNS_EN for w in words)
        or q.lower().startswith(_EN_OPENERS)
        or len(content_terms(q)) <= 1
    )


def resolve(question: str, history: list[tuple[str, str]] | None) -> str:
    """``question`` with the topic of the conversation added when it needs it.

    >>> resolve("它生成了多少视频?", [("视频模型的使用人数有多少?", "超百万")])
    '模型 使用 人数 它生成了多少视频?'
    """
    if not history:
        return question
    # Earlier questions may be follow-ups themselves: resolve the chain in order.
    context = ""
    for prev, _answer in history:
        context = resolve_one(prev, context)
    return resolve_one(question, context)


def resolve_one(question: str, context: str) -> str:
    if not context or not needs_context(question):
        return question
    own = set(content_terms(question))
    topic = [t for t in content_terms(context) if t not in own]
    return " ".join(topic[:6] + [question]) if topic else question
