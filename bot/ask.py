"""``ask()``: question -> (follow-up resolution) -> retrieve -> answer with citations.

This is the flow every caller uses (Python, CLI, UI, eval), readable top to bottom.
Inputs are checked here, at the boundary, with exact messages. ``ask_stream()`` is the
same flow, yielding an LLM's reply as it arrives before the checked answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from bot import llm
from bot.answer import Citation, ExtractiveAnswerer
from bot.checks import unmentioned_thing
from bot.followup import needs_context, resolve
from bot.library import get_library
from bot.retrieve import Hit, Query
from bot.terms import language
from index.errors import QuestionError, SettingsError
from index.load import page_at
from index.settings import Settings

MODES = ("extractive", "llm")


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
    check: llm.Check | None = None  # mode "llm": the prompt, the model's reply, its check
    query: Query | None = field(default=None, repr=False)  # the question as analysed


def _check(
    question: object, history: object, settings: Settings, reports: object = None
) -> list[tuple[str, str]]:
    """The question, history and report names as given by any caller (Python, CLI, UI,
    API), checked before any work: every size is bounded, every type named."""
    if not isinstance(question, str):
        raise QuestionError(f"question must be text, not {type(question).__name__}")
    if not question.strip():
        raise QuestionError("question is empty")
    if not _encodable(question):  # undecodable bytes arrive as lone surrogates
        raise QuestionError("question is not valid text: it holds bytes that are not UTF-8")
    if len(question) > settings.max_question_chars:
        raise QuestionError(
            f"question is {len(question)} characters, over the limit of "
            f"{settings.max_question_chars} (REPORTBOT_MAX_QUESTION_CHARS)"
        )
    if reports is not None and not isinstance(reports, str):
        if not isinstance(reports, (list, tuple)) or not all(isinstance(r, str) for r in reports):
            raise QuestionError("reports must be a report name or a list of report names")
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise QuestionError(
            f"history must be a list of (question, answer) pairs, not {type(history).__name__}"
        )
    if len(history) > settings.max_history_turns:
        raise QuestionError(
            f"history has {len(history)} turns, over the limit of "
            f"{settings.max_history_turns} (REPORTBOT_MAX_HISTORY_TURNS); start a new chat"
        )
    pairs: list[tuple[str, str]] = []
    chars = 0
    for turn in history:
        if not (isinstance(turn, (list, tuple)) and len(turn) == 2):
            raise QuestionError("history must be a list of (question, answer) pairs")
        if not all(t is None or isinstance(t, str) for t in turn):
            raise QuestionError("history must hold text: (question, answer) pairs of strings")
        pair = (turn[0] or "", turn[1] or "")
        if not all(map(_encodable, pair)):
            raise QuestionError("history is not valid text: it holds bytes that are not UTF-8")
        chars += len(pair[0]) + len(pair[1])
        if chars > settings.max_history_chars:
            raise QuestionError(
                f"history holds over {settings.max_history_chars} characters, the limit "
                "(REPORTBOT_MAX_HISTORY_CHARS); start a new chat"
            )
        pairs.append(pair)
    return pairs


def _named_reports(question: str, retriever) -> list[str]:
    """Reports a question names by file name or stem ("summarize notes.pdf")."""
    from pathlib import Path

    from bot.normalize import fold

    q = fold(question)
    return [n for n in retriever.texts if fold(n) in q or fold(Path(n).stem) in q]


def _summarize(library, retriever, sources: list[str] | None, query: Query):
    """The key sentences of each report in scope (at most three reports)."""
    from bot import summary
    from bot.answer import NOT_FOUND, Draft

    names = list(sources or retriever.texts)[:3]
    drafts = []
    for name in names:
        records = sorted(
            (r for r in retriever.sentences.records if r.source == name), key=lambda r: r.start
        )
        vectors = library.store.vectors_by_id([r.id for r in records])
        k = None if len(names) == 1 else 3
        drafts.append(summary.summarize(records, vectors, query.lang, k, summary.aspects(query)))
    drafts = [d for d in drafts if d.answered]
    if not drafts:
        return Draft(NOT_FOUND[query.lang], False, [], 0.0)
    if len(drafts) == 1:
        return drafts[0]
    citations, parts = [], []
    for d in drafts:  # renumber the markers across reports
        text = d.text
        for i in range(len(d.citations), 0, -1):
            text = text.replace(f"[{i}]", f"[{i + len(citations)}]")
        citations += d.citations
        parts.append(text)
    return Draft("\n\n".join(parts), True, citations, 1.0)


def _with_pages(library, citations: list[Citation]) -> list[Citation]:
    """The citations with the page each quote begins on, for reports with pages."""
    pages = {name: library.pages(name) for name in {c.source for c in citations}}
    return [replace(c, page=page_at(pages[c.source], c.start)) for c in citations]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ask(
    question: str,
    history: list[tuple[str, str]] | None = None,
    *,
    reports: list[str] | str | None = None,
    mode: str = "extractive",
    settings: Settings | None = None,
    user: str | None = None,
) -> Answer:
    """Answer ``question`` from the indexed reports, quoting them exactly.

    Args:
        question: the question, in Chinese or English.
        history: earlier turns as ``(question, answer)`` pairs, for follow-ups.
        reports: report name(s) to search; all indexed reports by default.
        mode: ``"extractive"`` (offline default) or ``"llm"`` (the model at
            ``REPORTBOT_LLM_BASE_URL`` phrases the answer; it is checked against the
            quotes, and the extractive answer is shown with a note when it fails).
        user: the logged-in user of the web UI: only the shared reports and this user's
            own are read (None: every report).

    >>> a = ask("上半年营收多少?")
    >>> a.answered, a.citations[0].quote
    """
    *_, answer = ask_stream(
        question, history, reports=reports, mode=mode, settings=settings, user=user
    )
    return answer


def ask_stream(
    question: str,
    history: list[tuple[str, str]] | None = None,
    *,
    reports: list[str] | str | None = None,
    mode: str = "extractive",
    settings: Settings | None = None,
    user: str | None = None,
) -> Iterator[str | Answer]:
    """:func:`ask`, yielding the LLM's reply in pieces (``str``) as it arrives, then the
    :class:`Answer`. The pieces are provisional: show ``Answer.text`` once it comes (the
    checked reply with its quotes, or the extractive answer with a note).

    >>> for event in ask_stream("What was the revenue in the first half?", mode="llm"):
    ...     print(event if isinstance(event, str) else "\n" + event.text, end="")
    """
    library = get_library(settings)
    cfg = library.settings
    pairs = _check(question, history, cfg, reports)
    if mode not in MODES:
        raise QuestionError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if mode == "llm" and not cfg.llm_base_url:
        raise SettingsError("REPORTBOT_LLM_BASE_URL", "", "the URL of a model server for --llm")
    model = llm.chat_model(cfg) if mode == "llm" else None
    t0 = time.perf_counter()
    library.load_model()
    library.ensure_default()
    names = [reports] if isinstance(reports, str) else reports
    sources = library.check_sources(names, user)

    # With a model, a follow-up is rewritten into a standalone question; else (or when
    # the rewrite fails) it borrows the topic words of the earlier questions.
    own = question.strip()
    resolved = resolve(own, pairs)
    rewritten = None
    if model and pairs:
        rewritten = llm.rewrite(model, own, pairs, cfg.max_question_chars)
        if rewritten:
            # The rewrite leads, and the words found without the model stay: a rewrite
            # that drops a name the conversation gave ("the company's CEO" for the CEO's
            # name) cannot lose the passage the extractive answer would quote. (They are
            # the topic words before the question, or the whole question rewritten.)
            topic = resolved.removesuffix(own).strip() if resolved != own else ""
            resolved = f"{topic} {rewritten}".strip()
    retriever = library.retriever
    query = retriever.query(resolved, lang=language(question), own=question)
    if rewritten:
        query = replace(query, standalone=rewritten)
    if pairs and needs_context(own):
        query = replace(query, previous=pairs[-1][0])  # "净利润呢?" asks as that one did
    timings: dict[str, float] = {}
    hits: list[Hit] = []
    summary = None
    if sources == [] and query.intent == "question":  # a user who sees no report at all
        query = replace(query, absent=["(no report in scope)"])
    elif query.intent == "question" and query.form == "summary":
        named = [n for n in _named_reports(own, retriever) if sources is None or n in sources]
        summary = _summarize(library, retriever, named or sources, query)
    elif query.intent == "question":
        # Names the question mentions: a report in scope must mention them; of several
        # reports, those that mention them all are the ones to search.
        absent, holders = retriever.mentioning(query, sources)
        if holders:
            # The retriever's view may be up to RECHECK seconds old: a report just
            # removed must not be the one a name leads to.
            live = {r.name for r in library.reports()}
            alive = [h for h in holders if h in live]
            if not alive:
                absent = absent or ["(a removed report)"]
            holders = alive
        query = replace(query, absent=absent)
        if not absent:
            hits = retriever.search(query, holders or sources, timings)

    t = time.perf_counter()
    extractive = ExtractiveAnswerer(cfg.max_citations, cfg.min_support, cfg.min_support_cross)
    check = None
    if summary is not None:
        draft = summary
    elif model is None or query.intent != "question" or query.absent or unmentioned_thing(query):
        draft = extractive.answer(query, hits)
    else:
        answerer = llm.LLMAnswerer(
            model, extractive, library.count_tokens, retriever.query, cfg.llm_timeout
        )
        draft, check = yield from answerer.stream(query, hits)
        if check.first_token is not None:
            timings["first_token"] = t - t0 + check.first_token
    citations = _with_pages(library, draft.citations)
    timings["answer"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    yield Answer(
        text=draft.text,
        answered=draft.answered,
        citations=citations,
        question=question,
        resolved_question=resolved,
        language=query.lang,
        support=draft.support,
        mode=mode,
        hits=hits,
        timings=timings,
        check=check,
        query=query,
    )
