"""The LLM answerer: numbered sources -> an OpenAI-compatible chat model -> a checked answer.

:meth:`LLMAnswerer.stream` reads top to bottom: the distinct chunks of the best hits
become numbered sources (within a token budget counted with tiktoken), :func:`build_prompt`
fills the templates of ``prompts/``, the model's reply is streamed, then checked:

- every ``[n]`` must name a source the model was given, and there must be one;
- every figure in the reply (亿/万/%, full-width digits, thousands separators, "x times"
  and 倍 normalised: "1.31 million" is not 1.31亿) must be in a cited source;
- the cited sentences must be about the question, and the reply about them.

Citations are the sentences of the cited sources that hold the verified figures, with
exact offsets, and the quotes are shown under the reply in the report's own words. A reply
that fails, or a model that is unreachable, slow (``REPORTBOT_LLM_TIMEOUT``) or incoherent,
gives the extractive answer with a note saying why. Instructions inside a question or a
report cannot change this: whatever the model writes is only shown if the quotes hold it.

This module does not start a model server or download a model; any OpenAI-compatible
server works (vLLM, Ollama, llama.cpp's server, OpenAI) through langchain-openai.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field

import prompts
from bot.answer import FROM_REPORT, NOT_FOUND, Citation, Draft, ExtractiveAnswerer, coverage
from bot.retrieve import Hit, Query
from bot.terms import language
from index.settings import Settings
from index.split import split_sentences

PROMPT_TOKENS = 1400  # system + sources + question, in cl100k tokens
MAX_SOURCES = 4
ANSWER_TOKENS = 200
MAX_REPLY_CHARS = 1200
LONG_QUOTE = 110
# The cited quotes must hold this share of the reply's (rarity-weighted) words.
MIN_GROUNDING = 0.3
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文 (Chinese)"}

# Why a reply was not shown, as the note under the fallback answer says it.
PROBLEMS = {
    "unreachable": ("the model server could not be reached", "无法连接模型服务"),
    "timeout": ("the model did not answer in time", "模型未能及时回答"),
    "error": ("the model server returned an error", "模型服务返回了错误"),
    "empty": ("the model's reply was empty or unusable", "模型的回答为空或无法使用"),
    "no_citation": ("the model's reply cited no source", "模型的回答没有标注出处"),
    "bad_citation": ("the model cited a source it was not given", "模型引用了不存在的出处"),
    "language": ("the model answered in another language", "模型用了另一种语言回答"),
    "figure": ("a figure in the model's reply is not in its sources", "模型回答中的数字与出处不符"),
    "off_topic": ("the cited passages are not about the question", "模型引用的段落与问题无关"),
    "ungrounded": ("the model's reply is not supported by its sources", "模型的回答缺乏出处支持"),
    "refused": ("the model found no answer in the passages", "模型认为段落中没有答案"),
}
NOTE = {
    "en": "(Note: {why}; showing the report's own words instead.)",
    "zh": "(注:{why},以下为报告原文摘录。)",
}


class Rejected(Exception):
    """The reply failed a check; ``problem`` is a key of :data:`PROBLEMS`."""

    def __init__(self, problem: str, detail: str = ""):
        self.problem, self.detail = problem, detail
        super().__init__(f"{problem}: {detail}" if detail else problem)


@dataclass(frozen=True)
class Span:
    start: int  # offsets into the report
    end: int
    text: str


@dataclass(frozen=True)
class Source:
    """Passage ``[n]`` of the prompt: a chunk (or a sentence) of report ``name``."""

    n: int
    name: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]


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
        for chunk in stream:
            if time.perf_counter() > deadline:
                raise TimeoutError("the reply took too long")
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                yield piece
    finally:
        getattr(stream, "close", lambda: None)()


# ---------------------------------------------------------------- the prompt


def select_sources(
    ranked: list[Hit], count_tokens: Callable[[str], int], budget: int, limit: int = MAX_SOURCES
) -> list[Source]:
    """Distinct chunks of ``ranked`` hits (best first) that fit ``budget`` tokens."""
    sources: list[Source] = []
    seen: set[str] = set()
    used = 0
    for hit in ranked:
        rec = hit.chunk or hit.sentence
        if rec.id in seen:
            continue
        seen.add(rec.id)
        cost = count_tokens(rec.text) + 12  # the "[n] (name)" line
        if used + cost > budget:
            if rec is hit.chunk and hit.sentence.id not in seen:  # the sentence may still fit
                rec = hit.sentence
                seen.add(rec.id)
                cost = count_tokens(rec.text) + 12
            if used + cost > budget:
                continue
        spans = tuple(
            Span(rec.start + s.start, rec.start + s.end, s.text) for s in split_sentences(rec.text)
        )
        sources.append(Source(len(sources) + 1, rec.source, rec.start, rec.end, rec.text, spans))
        used += cost
        if len(sources) == limit:
            break
    return sources


def format_sources(sources: list[Source]) -> str:
    return "\n\n".join(f"[{s.n}] ({s.name})\n{s.text}" for s in sources)


def build_prompt(question: str, sources: list[Source], lang: str):
    """The messages sent to the model: the one place that decides what the model sees.

    >>> print(render(build_prompt("快手上半年营收多少?", sources, "zh")))
    """
    return prompts.answer_prompt().format_messages(
        language=LANGUAGE_NAMES[lang],
        not_found=NOT_FOUND[lang],
        sources=format_sources(sources),
        question=question,
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


# ---------------------------------------------------------------- figures

_MARKER = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_PERIOD = re.compile(r"\b[qh][1-4]\b")
_DIGITS = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*"
    r"(?P<scale>万亿|亿|万|千(?![米克瓦])|百(?!分)|thousand|million|billion|trillion|bn\b|mn\b)?\s*"
    r"(?P<kind>%|％|‰|percent|per cent|个百分点|percentage points?|倍|times|-?fold|x\b)?"
)
_WORDS = re.compile(
    r"\b(?P<word>a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|hundred|"
    r"hundreds of)\s+(?P<scale>thousand|million|billion)s?\b"
)
_CJK_NUM = re.compile(r"(?P<cn>[零〇一二两三四五六七八九十百千万亿]+)(?P<kind>倍|%)?")
_SCALES = {
    "万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2, "thousand": 1e3,
    "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6,
}  # fmt: skip
_WORD_VALUES = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "hundred": 100,
    "hundreds of": 100,
}  # fmt: skip
_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", [0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9]))


@dataclass(frozen=True)
class Figure:
    """A number as a value of a kind (``n``, ``pct`` or ``times``) with its precision."""

    value: float
    kind: str
    tolerance: float  # half a unit of its last written digit: 60.4 billion -> 0.05e9
    text: str

    def matches(self, other: Figure) -> bool:
        return self.kind == other.kind and abs(self.value - other.value) <= self.tolerance + 1e-9


def _kind(unit: str | None) -> str:
    if not unit:
        return "n"
    if unit in ("倍", "times", "fold", "-fold", "x"):
        return "times"
    return "pct"


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs), lower case, no thousands separators."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def _chinese_value(cn: str) -> float:
    total = section = 0.0
    digit: int | None = None
    for ch in cn.replace("万亿", "兆"):
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in "十百千":
            section += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = None
        else:  # 万 亿 兆
            section += digit or 0
            total += (section or 1) * {"万": 1e4, "亿": 1e8, "兆": 1e12}[ch]
            section, digit = 0.0, None
    return total + section + (digit or 0)


def figures(text: str, strict: bool = True) -> list[Figure]:
    """The figures written in ``text``.

    ``strict`` (for replies) reads a Chinese numeral only when it carries 十/百/千/万/亿
    or 倍 ("超百万", "两倍"); otherwise (for sources) every Chinese numeral counts, so
    "二季度" backs a "Q2"-like "2".
    """
    t = _PERIOD.sub(" ", _MARKER.sub(" ", normalise(text)))
    found: list[Figure] = []
    for m in _DIGITS.finditer(t):
        num, scale = m.group("num"), m.group("scale")
        size = _SCALES.get(scale or "", 1.0)
        decimals = len(num.partition(".")[2])
        tol = 0.5 * 10**-decimals * size
        found.append(Figure(float(num) * size, _kind(m.group("kind")), tol, m.group().strip()))
    for m in _WORDS.finditer(t):
        value = _WORD_VALUES[m.group("word")] * _SCALES[m.group("scale")]
        found.append(Figure(value, "n", 0.0, m.group()))
    for m in _CJK_NUM.finditer(t):
        cn, kind = m.group("cn"), m.group("kind")
        if strict and not (kind or re.search("[十百千万亿]", cn)):
            continue
        found.append(Figure(_chinese_value(cn), _kind(kind), 0.0, m.group()))
    return found


# ---------------------------------------------------------------- the check


def markers(reply: str) -> list[int]:
    """Source numbers cited in ``reply``, in order of first appearance."""
    seen: dict[int, None] = {}
    for m in _MARKER.finditer(reply):
        for n in re.split(r"\s*[,，、]\s*", m.group(1)):
            seen.setdefault(int(n), None)
    return list(seen)


def reply_language(text: str) -> str:
    """The language a reply is written in: Chinese figures inside English stay English."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "zh" if cjk > words else "en"


def is_refusal(reply: str) -> bool:
    r = normalise(reply)
    return any(normalise(s).rstrip("。.") in r for s in NOT_FOUND.values()) or bool(
        re.search(r"(没有|未)(找到|提及|提到)|does not (contain|mention)|not (mentioned|stated)", r)
    )


@dataclass
class Verified:
    citations: list[Citation]
    renumber: dict[int, list[int]]  # source n -> citation numbers
    grounding: float = 0.0
    figures: list[str] = field(default_factory=list)


def verify(
    reply: str,
    sources: list[Source],
    query: Query,
    to_query: Callable[[str], Query],
    min_support: float,
    min_support_cross: float,
) -> Verified:
    """Check ``reply`` against ``sources``; raise :class:`Rejected`, or return its citations."""
    body = reply.strip()
    if not body or len(body) > MAX_REPLY_CHARS or not re.search(r"\w", body):
        raise Rejected("empty", body[:80])
    if is_refusal(body):
        raise Rejected("refused")
    cited = markers(body)
    if not cited:
        raise Rejected("no_citation")
    by_n = {s.n: s for s in sources}
    wrong = [n for n in cited if n not in by_n]
    if wrong:
        raise Rejected("bad_citation", f"[{wrong[0]}] of {len(sources)} sources")
    if reply_language(body) != query.lang:
        raise Rejected("language", reply_language(body))

    plain = _MARKER.sub(" ", body)
    for s in sources:  # a report name ("…-2024h1.txt") is not a claimed figure
        plain = plain.replace(s.name, " ")
    claimed = figures(plain, strict=True)
    spans: dict[int, list[Span]] = {n: [] for n in cited}
    for fig in claimed:
        holders = [
            (n, sp)
            for n in cited
            for sp in by_n[n].sentences
            if any(fig.matches(g) for g in figures(sp.text, strict=False))
        ]
        if not holders:
            raise Rejected("figure", fig.text)
        n, sp = holders[0]
        if sp not in spans[n]:
            spans[n].append(sp)

    said = to_query(plain)
    for n in cited:  # a source cited for words, not figures: its sentence closest to the reply
        if not spans[n]:
            best = max(by_n[n].sentences, key=lambda sp: coverage(said, sp.text), default=None)
            if best is None or coverage(said, best.text) == 0:
                raise Rejected("ungrounded", f"[{n}]")
            spans[n].append(best)
    quoted = [(n, _trim(sp, claimed, said)) for n in cited for sp in sorted(spans[n], key=_start)]
    joined = " ".join(q.text for _, q in quoted)

    same = language(joined) == query.lang
    if coverage(query, joined) < (min_support if same else min_support_cross):
        raise Rejected("off_topic")
    grounding = coverage(said, joined)
    if said.units and grounding < MIN_GROUNDING:
        raise Rejected("ungrounded", f"{grounding:.2f}")

    citations: list[Citation] = []
    renumber: dict[int, list[int]] = {}
    for n, q in quoted:
        citations.append(Citation(by_n[n].name, q.start, q.end, q.text, 1.0))
        renumber.setdefault(n, []).append(len(citations))
    return Verified(citations, renumber, grounding, [f.text for f in claimed])


def _start(span: Span) -> int:
    return span.start


def _trim(span: Span, claimed: list[Figure], said: Query) -> Span:
    """A long sentence cut to the clauses holding the claimed figures (or reply's words)."""
    if len(span.text) <= LONG_QUOTE:
        return span
    bounds = [0] + [m.end() for m in re.finditer(r"[,，;；:：]", span.text)] + [len(span.text)]
    clauses = [(a, b) for a, b in zip(bounds, bounds[1:]) if a < b]

    def useful(a: int, b: int) -> bool:
        part = span.text[a:b]
        held = figures(part, strict=False)
        if any(f.matches(g) for f in claimed for g in held):
            return True
        return not claimed and coverage(said, part) > 0

    keep = [i for i, (a, b) in enumerate(clauses) if useful(a, b)]
    if not keep:
        return span
    a, b = clauses[min(keep)][0], clauses[max(keep)][1]
    while a < b and span.text[a].isspace():
        a += 1
    return Span(span.start + a, span.start + b, span.text[a:b])


def compose(reply: str, verified: Verified, lang: str) -> str:
    """The shown answer: the reply with its markers renumbered, then the exact quotes."""

    def renumber(m: re.Match) -> str:
        ns = [int(n) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
        return "".join(f"[{i}]" for n in ns for i in verified.renumber.get(n, []))

    text = _MARKER.sub(renumber, reply.strip())
    quotes = " ".join(f"“{c.quote}” [{i}]" for i, c in enumerate(verified.citations, 1))
    return f"{text}\n\n{FROM_REPORT[lang]} {quotes}"


def with_note(draft: Draft, problem: str, lang: str) -> Draft:
    why = PROBLEMS[problem][0 if lang == "en" else 1]
    return Draft(f"{draft.text}\n\n{NOTE[lang].format(why=why)}", draft.answered, draft.citations,
                 draft.support)  # fmt: skip


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
        sources = fit_sources(query.text, ranked, query.lang, self.count_tokens)
        return sources, build_prompt(query.text, sources, query.lang)

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
            return fallback, Check(prompt, "", False, "refused", "no sources")
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
        except Exception as exc:  # noqa: BLE001 - any transport failure means: fall back
            problem, detail = _problem_of(exc), f"{type(exc).__name__}: {exc}"[:200]
        reply = "".join(parts)
        if not problem:
            try:
                verified = verify(
                    reply,
                    sources,
                    query,
                    self.to_query,
                    self.fallback.min_support,
                    self.fallback.min_support_cross,
                )
            except Rejected as r:
                problem, detail = r.problem, r.detail
        seconds = time.perf_counter() - t0
        if problem:
            check = Check(prompt, reply, False, problem, detail, first, seconds)
            return with_note(fallback, problem, query.lang), check
        text = compose(reply, verified, query.lang)
        draft = Draft(text, True, verified.citations, fallback.support)
        return draft, Check(prompt, reply, True, "", "", first, seconds)


# ---------------------------------------------------------------- follow-ups


def rewrite(model, question: str, history: list[tuple[str, str]], max_chars: int) -> str | None:
    """``question`` rewritten by the model to stand on its own, or None when that failed.

    Only the last three turns are shown, each answer cut short: the rewrite needs the
    topic, not the quotes.
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
