"""``ask()``: question -> (follow-up resolution) -> retrieve -> answer with citations.

This is the flow every caller uses (Python, CLI, UI, eval), readable top to bottom.
Inputs are checked here, at the boundary, with exact messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.answer import Citation, ExtractiveAnswerer
from bot.followup import resolve
from bot.library import get_library
from bot.retrieve import Hit
from bot.terms import language
from index.errors import QuestionError
from index.settings import Settings

MODES = ("extractive",)


@dataclass
class Answer:
    """What ``ask()`` returns.

    ``text`` is shown to a person; ``answered`` is False when the report does not hold
    the answer; every citation's ``quote`` equals ``document_text[start:end]``.
    """

    text: str
    answered: bool
    citations: list[Citation]
    question: str = ""
    resolved_question: str = ""
    language: str = "en"
    support: float = 0.0
    mode: str = "extractive"
    hits: list[Hit] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)


def _check(question: object, history: object, settings: Settings) -> list[tuple[str, str]]:
    if not isinstance(question, str):
        raise QuestionError(f"question must be text, not {type(question).__name__}")
    if not question.strip():
        raise QuestionError("question is empty")
    if len(question) > settings.max_question_chars:
        raise QuestionError(
            f"question is {len(question)} characters, over the limit of "
            f"{settings.max_question_chars} (REPORTBOT_MAX_QUESTION_CHARS)"
        )
    pairs: list[tuple[str, str]] = []
    for turn in history or []:
        if not (isinstance(turn, (list, tuple)) and len(turn) == 2):
            raise QuestionError("history must be a list of (question, answer) pairs")
        pairs.append((str(turn[0] or ""), str(turn[1] or "")))
    return pairs


def ask(
    question: str,
    history: list[tuple[str, str]] | None = None,
    *,
    reports: list[str] | str | None = None,
    mode: str = "extractive",
    settings: Settings | None = None,
) -> Answer:
    """Answer ``question`` from the indexed reports, quoting them exactly.

    Args:
        question: the question, in Chinese or English.
        history: earlier turns as ``(question, answer)`` pairs, for follow-ups.
        reports: report name(s) to search; all indexed reports by default.
        mode: ``"extractive"`` (offline default).

    >>> a = ask("快手上半年营收多少?")
    >>> a.answered, a.citations[0].quote
    """
    library = get_library(settings)
    pairs = _check(question, history, library.settings)
    if mode not in MODES:
        raise QuestionError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    t0 = time.perf_counter()
    library.load_model()
    library.ensure_default()
    names = [reports] if isinstance(reports, str) else reports
    sources = library.check_sources(names)

    resolved = resolve(question.strip(), pairs)
    retriever = library.retriever
    query = retriever.query(resolved, lang=language(question), own=question)
    timings: dict[str, float] = {}
    hits = retriever.search(query, sources, timings)

    t = time.perf_counter()
    cfg = library.settings
    answerer = ExtractiveAnswerer(cfg.max_citations, cfg.min_support, cfg.min_support_cross)
    draft = answerer.answer(query, hits)
    timings["answer"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    return Answer(
        text=draft.text,
        answered=draft.answered,
        citations=draft.citations,
        question=question,
        resolved_question=resolved,
        language=query.lang,
        support=draft.support,
        mode=mode,
        hits=hits,
        timings=timings,
    )
