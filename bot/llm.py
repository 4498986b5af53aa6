"""The LLM answerer: numbered sources -> an OpenAI-compatible chat model -> a checked answer.

:meth:`LLMAnswerer.stream` reads top to bottom: the best hits become numbered sources
(each sentence with the one before it, within a token budget counted with tiktoken),
:func:`build_prompt` fills the templates of ``prompts/``, the model's reply is streamed,
then :func:`bot.verify.verify` checks it against the sources and quotes the sentences
that hold it. A reply that fails, or a model that is unreachable, slow
(``REPORTBOT_LLM_TIMEOUT``) or incoherent, gives the extractive answer with a note saying
why. Instructions inside a question or a report cannot change this: whatever the model
writes is only shown when the quotes hold it.

With history, :func:`rewrite` turns a follow-up into a standalone question first.

This module does not start a model server or download a model; any OpenAI-compatible
server works (vLLM, Ollama, llama.cpp's server, OpenAI) through langchain-openai.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from functools import lru_cache

import prompts
from bot.answer import Draft, ExtractiveAnswerer
from bot.followup import needs_context
from bot.retrieve import Hit, Query
from bot.terms import content_terms, language
from bot.verify import Rejected, Source, Span, compose, verify, with_note
from index.settings import Settings
from index.split import split_sentences

PROMPT_TOKENS = 700  # rules + sources + question, in cl100k tokens
MAX_SOURCES = 3
ANSWER_TOKENS = 120
LANGUAGE_NAMES = {"en": "in English", "zh": "用中文回答"}


@dataclass(frozen=True)
class Check:
    """What was sent, what came back, and whether it was shown."""

    prompt: str
    reply: str
    passed: bool
    problem: str = ""  # key of PROBLEMS when not passed
    detail: str = ""
    first_token: float | None = None  # seconds from the request to the first token
    seconds: float = 0.0


# ---------------------------------------------------------------- the model


@lru_cache(maxsize=4)
def chat_model(settings: Settings):
    """langchain-openai's chat model for the configured endpoint (no request is made).

    Retries are off and the timeout bounds the connection, the first token and every gap
    between tokens, so an unreachable or stalled server costs at most that long.
    """
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        max_tokens=ANSWER_TOKENS,
    )


def _problem_of(exc: Exception) -> str:
    if "no generation chunks" in str(exc).lower():  # LangChain's word for an empty stream
        return "empty"
    names = " ".join(c.__name__ for c in type(exc).__mro__).lower()
    if "timeout" in names:
        return "timeout"
    if "connect" in names:
        return "unreachable"
    return "error"


def _reply_stream(model, messages, deadline: float) -> Iterator[str]:
    """The reply's text pieces; raises TimeoutError once ``deadline`` (perf_counter) passes.

    The HTTP client's own timeout catches a silent server; the deadline catches one that
    trickles tokens forever.
    """
    stream = model.stream(messages)
    try:
        # Not every server honours max_tokens (llama-cpp-python ignores the newer
        # max_completion_tokens that ChatOpenAI sends), so the pieces are counted here too.
        for n, chunk in enumerate(stream):
            if time.perf_counter() > deadline:
                raise TimeoutError("the reply took too long")
            if n >= ANSWER_TOKENS:
                raise Rejected("empty", f"cut off after {ANSWER_TOKENS} tokens")
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                yield piece
    finally:
        getattr(stream, "close", lambda: None)()


# ---------------------------------------------------------------- the prompt


def _window(hit: Hit) -> tuple[int, int]:
    """The hit's sentence with the one before it in its paragraph ("其中,营收…" needs it)."""
    s, chunk = hit.sentence, hit.chunk
    if hit.before and chunk:
        at = chunk.text.rfind(hit.before, 0, s.start - chunk.start)
        if at >= 0:
            return chunk.start + at, s.end
    return s.start, s.end


def select_sources(
    ranked: list[Hit], count_tokens: Callable[[str], int], budget: int, limit: int = MAX_SOURCES
) -> list[Source]:
    """Passages for the best ``ranked`` hits: each sentence with the one before it (two in
    one chunk merge when they touch), in rank order, within ``budget`` tokens."""
    windows: list[list] = []  # [record the window lies in, start, end]
    used = 0

    def cost(rec, start: int, end: int) -> int:
        return count_tokens(rec.text[start - rec.start : end - rec.start]) + 4  # "Source n: "

    for hit in ranked:
        rec = hit.chunk or hit.sentence
        start, end = _window(hit)
        near = [w for w in windows if w[0].source == rec.source and start <= w[2] and w[1] <= end]
        if any(w[1] <= hit.sentence.start < w[2] for w in near):
            continue  # already given
        if near:
            w = near[0]
            if w[0].id != rec.id:
                continue
            grown = cost(rec, min(w[1], start), max(w[2], end)) - cost(rec, w[1], w[2])
            if used + grown <= budget:
                w[1], w[2], used = min(w[1], start), max(w[2], end), used + grown
        elif len(windows) < limit and used + cost(rec, start, end) <= budget:
            windows.append([rec, start, end])
            used += cost(rec, start, end)
    sources = []
    for n, (rec, start, end) in enumerate(windows, 1):
        text = rec.text[start - rec.start : end - rec.start]
        spans = tuple(Span(start + p.start, start + p.end, p.text) for p in split_sentences(text))
        sources.append(Source(n, rec.source, start, end, text, spans))
    return sources


def format_sources(sources: list[Source]) -> str:
    """Numbered passages under the name of their report."""
    lines: list[str] = []
    for i, s in enumerate(sources):
        if i == 0 or s.name != sources[i - 1].name:
            lines.append(f"From the report {s.name}:")
        lines.append(f"Source {s.n}: {s.text}")
    return "\n".join(lines)


def build_prompt(question: str, sources: list[Source], lang: str):
    """The messages sent to the model: the one place that decides what the model sees.

    >>> print(render(build_prompt("上半年营收多少?", sources, "zh")))
    """
    return prompts.answer_prompt().format_messages(
        language=LANGUAGE_NAMES[lang], sources=format_sources(sources), question=question
    )


def render(messages) -> str:
    """Messages as plain text, as ``reportbot ask --show-prompt`` prints them."""
    return "\n\n".join(f"--- {m.type} ---\n{m.content}" for m in messages)


def fit_sources(
    question: str, ranked: list[Hit], lang: str, count_tokens: Callable[[str], int]
) -> list[Source]:
    """As many sources as fit :data:`PROMPT_TOKENS` together with the rules and question."""
    fixed = count_tokens(render(build_prompt(question, [], lang)))
    return select_sources(ranked, count_tokens, PROMPT_TOKENS - fixed)


# ---------------------------------------------------------------- the answerer


class LLMAnswerer:
    """Answers through a chat model, checked against its sources, extractive as fallback.

    ``to_query`` turns text into a :class:`Query` (``Retriever.query``), which is how the
    reply's words are matched to the (possibly Chinese) quotes.
    """

    def __init__(
        self,
        model,
        fallback: ExtractiveAnswerer,
        count_tokens: Callable[[str], int],
        to_query: Callable[[str], Query],
        timeout: float = 10.0,
    ):
        self.model = model
        self.fallback = fallback
        self.count_tokens = count_tokens
        self.to_query = to_query
        self.timeout = timeout

    def prompt(self, query: Query, hits: list[Hit]) -> tuple[list[Source], list]:
        ranked = [h for _, _, h in self.fallback.rank(query, hits)]
        # The model reads the rewritten question, not the retrieval text (which also
        # carries the conversation's topic words).
        question = query.standalone or query.text
        sources = fit_sources(question, ranked, query.lang, self.count_tokens)
        return sources, build_prompt(question, sources, query.lang)

    def answer(self, query: Query, hits: list[Hit]) -> Draft:
        draft, _check = self.run(query, hits)
        return draft

    def run(self, query: Query, hits: list[Hit]) -> tuple[Draft, Check]:
        """:meth:`stream` without the pieces."""
        stream = self.stream(query, hits)
        while True:
            try:
                next(stream)
            except StopIteration as done:
                return done.value

    def stream(self, query: Query, hits: list[Hit]) -> Generator[str, None, tuple[Draft, Check]]:
        """Yield the reply's pieces as they arrive; return the checked answer and its Check.

        The pieces are provisional: the returned draft replaces them (renumbered markers
        and quotes, or the extractive answer with a note).
        """
        fallback = self.fallback.answer(query, hits)
        sources, messages = self.prompt(query, hits)
        prompt = render(messages)
        if not sources:
            return fallback, Check(prompt, "", False, "no_sources")  # the model is not asked
        t0 = time.perf_counter()
        # The whole reply is bounded too: a token per timeout would otherwise never end.
        deadline = t0 + 3 * self.timeout
        parts: list[str] = []
        first: float | None = None
        problem = detail = ""
        try:
            for piece in _reply_stream(self.model, messages, deadline):
                if first is None:
                    first = time.perf_counter() - t0
                parts.append(piece)
                yield piece
        except Rejected as r:
            problem, detail = r.problem, r.detail
        except Exception as exc:  # noqa: BLE001 - any transport failure means: fall back
            problem, detail = _problem_of(exc), f"{type(exc).__name__}: {exc}"[:200]
        reply = "".join(parts)
        if not problem:
            try:
                verified = verify(reply, sources, query, self.to_query, fallback.citations)
            except Rejected as r:
                problem, detail = r.problem, r.detail
        seconds = time.perf_counter() - t0
        if problem:
            check = Check(prompt, reply, False, problem, detail, first, seconds)
            return with_note(fallback, problem, query.lang), check
        text = compose(verified, query.lang)
        draft = Draft(text, True, verified.citations, fallback.support)
        return draft, Check(prompt, reply, True, "", "", first, seconds)


# ---------------------------------------------------------------- follow-ups


def rewrite(model, question: str, history: list[tuple[str, str]], max_chars: int) -> str | None:
    """``question`` rewritten by the model to stand on its own, or None when that failed.

    Only the last three turns are shown, each answer cut short: the rewrite needs the
    topic, not the quotes. A rewrite is used only if it keeps every content word of the
    question, adds one from the earlier questions and no longer looks like a follow-up
    (:func:`bot.followup.needs_context`): small models tend to return the previous
    question, or the follow-up with its pronoun, instead.
    """
    turns = "\n".join(
        f"Q: {q.strip()}\nA: {a.strip().splitlines()[0][:120] if a.strip() else ''}"
        for q, a in history[-3:]
    )
    messages = prompts.rewrite_prompt().format_messages(history=turns, question=question)
    try:
        reply = model.invoke(messages).content
    except Exception:  # noqa: BLE001 - the rule-based resolution is the fallback
        return None
    if not isinstance(reply, str):
        return None
    lines = [ln.strip() for ln in reply.strip().splitlines() if ln.strip()]
    if not lines:
        return None
    line = re.sub(r"^(rewritten|standalone question)\s*[:：]\s*", "", lines[0], flags=re.I)
    line = line.strip().strip("\"'“”")
    if not line or len(line) > max_chars or language(line) != language(question):
        return None
    low = line.lower()
    own = content_terms(question, search=False)
    topic = {t for q, _ in history for t in content_terms(q, search=False)} - set(own)
    if not all(t in low for t in own) or not any(t in low for t in topic) or needs_context(line):
        return None
    return line


def summary(answers: list) -> dict:
    """LLM figures over ``ask()`` answers: passed checks, fallbacks by problem, latency."""
    checks = [a.check for a in answers if a.check is not None]
    passed = sum(c.passed for c in checks)
    problems: dict[str, int] = {}
    for c in checks:
        if not c.passed:
            problems[c.problem] = problems.get(c.problem, 0) + 1
    firsts = sorted(a.timings["first_token"] for a in answers if "first_token" in a.timings)
    totals = sorted(a.timings["total"] for a in answers if "total" in a.timings)

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        return round(values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000)

    return {
        "llm_answers": len(checks),
        "passed": passed,
        "passed_share": round(passed / len(checks), 3) if checks else None,
        "fallbacks": len(checks) - passed,
        "fallback_problems": problems,
        "first_token_p50_ms": pct(firsts, 0.5),
        "first_token_p95_ms": pct(firsts, 0.95),
        "total_p50_ms": pct(totals, 0.5),
        "total_p95_ms": pct(totals, 0.95),
    }
