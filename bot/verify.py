"""Check an LLM's reply against the numbered sources it was given; quote what holds.

:func:`verify` raises :class:`Rejected` (with a reason a person can read) unless:

- the reply is an answer in the question's language (not empty, not a question, not a
  refusal; a figure when the question asks "how much");
- every ``[n]`` names a given source (a reply without any is attributed to the one
  source that holds all its figures and most of its words, or rejected);
- every figure in it is in a cited sentence, compared as values: 亿/万/%, full-width
  digits, thousands separators, "x times"/倍 and "million"/"billion" are normalised,
  so "1.31 million" does not pass for 1.31亿 while "131 million" does. A year the
  question itself names ("in 2024") is the question's, not a claim;
- every name in Latin letters (SDXL, Acme) is in the question or the quotes (directly,
  or as the Chinese word the dictionary bridge maps it to);
- the cited sentences hold enough of the reply's words (:data:`MIN_GROUNDING`);
- one of them is among the extractive answer's quotes: that answerer, reading the same
  passages, is a second reader the model must agree with (when it finds nothing, the
  report does not answer, whatever the model says).

The quotes are those sentences (long ones cut to the clauses that hold the figures),
with exact offsets, plus the extractive answer's quotes, so that what is shown never
holds less evidence than the extractive answer. This module does not call a model;
:mod:`bot.llm` does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.answer import FROM_REPORT, NOT_FOUND, Citation, Draft, asks_quantity, coverage
from bot.numbers import COMMA, quantities
from bot.retrieve import Query

MAX_REPLY_CHARS = 1200
LONG_QUOTE = 110
# The cited quotes must hold this share of the reply's (rarity-weighted) words.
MIN_GROUNDING = 0.3

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
    "ungrounded": ("the model's reply is not supported by its sources", "模型的回答缺乏出处支持"),
    "refused": ("the model found no answer in the passages", "模型认为段落中没有答案"),
    "no_figure": ("the model's reply gives no figure", "模型的回答没有给出数字"),
    "no_sources": ("no passage matched the question", "没有与问题相关的段落"),
    "unconfirmed": (
        "no passage matches the question closely enough to confirm the model's answer",
        "没有与问题足够匹配的段落来确认模型的回答",
    ),
    "disagrees": (
        "the model relied on other passages than the best-matching ones",
        "模型依据的段落不是与问题最匹配的段落",
    ),
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


@dataclass(frozen=True, order=True)
class Span:
    start: int  # offsets into the report
    end: int
    text: str


@dataclass(frozen=True)
class Source:
    """Passage ``n`` of the prompt (sentences of report ``name``), with its sentences."""

    n: int
    name: str
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]


_MARKER = re.compile(r"[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_PERIOD = re.compile(r"\b[qh][1-4]\b", re.I)


@dataclass(frozen=True)
class Figure:
    """A number as a value of a kind (``n``, ``pct`` or ``times``) with its precision."""

    value: float
    kind: str
    tolerance: float  # half a unit of its last written digit: 60.4 billion -> 0.05e9
    text: str

    def matches(self, other: Figure) -> bool:
        return self.kind == other.kind and abs(self.value - other.value) <= self.tolerance + 1e-9


def normalise(text: str) -> str:
    """NFKC (full-width digits and signs), lower case, no thousands separators."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)


def figures(text: str, strict: bool = True) -> list[Figure]:
    """The figures written in ``text``, read by the bot's one number grammar
    (:mod:`bot.numbers`), markers and period names (Q2, H1) left out.

    ``strict`` (for replies) keeps amounts, rates, counts and years; otherwise (for
    sources) every number counts, so "二季度" backs a "Q2"-like "2".
    """
    t = _PERIOD.sub(" ", _MARKER.sub(" ", text))
    found: list[Figure] = []
    for q in quantities(t):
        if strict and q.kind in ("name", "code", "ordinal", "date"):
            continue
        kind = "pct" if q.unit in ("%", "pp", "bp") else "times" if q.unit == "x" else "n"
        written = re.sub(r"\D", "", q.text) if q.kind == "year" else q.text
        found.append(Figure(q.value, kind, q.tolerance, written))
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
    reply: str  # the reply as shown: a marker is added when the model gave none
    citations: list[Citation]
    renumber: dict[int, list[int]]  # source n -> citation numbers
    grounding: float = 0.0
    figures: list[str] = field(default_factory=list)


def verify(
    reply: str,
    sources: list[Source],
    query: Query,
    to_query: Callable[[str], Query],
    evidence: list[Citation],
) -> Verified:
    """Check ``reply`` against ``sources``; raise :class:`Rejected`, or return its citations.

    ``to_query`` (``Retriever.query``) turns the reply into weighted words with their
    Chinese forms, which is how an English reply is matched to Chinese quotes.
    ``evidence`` are the extractive answer's citations: a reply must cite a sentence
    among them (none: the report does not answer, whatever the model says), and they
    stay among the citations, so the quotes shown never hold less than the extractive
    answer's.
    """
    body = reply.strip()
    plain = _MARKER.sub(" ", body)
    for s in sources:  # a report name ("…-2024h1.txt") is not a claimed figure
        plain = plain.replace(s.name, " ")
    if len(body) > MAX_REPLY_CHARS or not re.search(r"\w", plain) or _is_question(plain):
        raise Rejected("empty", body[:80])
    if is_refusal(body):
        raise Rejected("refused")
    if reply_language(plain) != query.lang:
        raise Rejected("language", reply_language(plain))
    by_n = {s.n: s for s in sources}
    cited = markers(body)
    wrong = [n for n in cited if n not in by_n]
    if wrong:
        raise Rejected("bad_citation", f"[{wrong[0]}] of {len(sources)} sources")
    written = figures(plain, strict=True)
    if asks_quantity(query.text) and not written:
        raise Rejected("no_figure")
    claimed = [f for f in written if not _named_by_question(f, query.text)]
    said = to_query(plain)
    if not cited:
        n = _attribute(claimed, said, sources)
        cited, body = [n], f"{body} [{n}]"

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
    for n in cited:  # a source cited for words, not figures: its sentence closest to the reply
        if not spans[n]:
            best = max(by_n[n].sentences, key=lambda sp: coverage(said, sp.text), default=None)
            if best is None or coverage(said, best.text) == 0:
                raise Rejected("ungrounded", f"[{n}]")
            spans[n].append(best)
    quoted = [(n, sp, _trim(sp, claimed, said)) for n in cited for sp in sorted(spans[n])]
    joined = " ".join(q.text for _, _, q in quoted)
    for name in _names(plain):
        if not _name_held(name, query.text, joined, to_query):
            raise Rejected("ungrounded", name)
    grounding = coverage(said, joined)
    if said.units and grounding < MIN_GROUNDING:
        raise Rejected("ungrounded", f"{grounding:.2f}")

    # The extractive answer is a second reader: the reply must rest on a passage it quotes.
    if not evidence:
        raise Rejected("unconfirmed")
    name_of = {n: by_n[n].name for n in cited}
    if not any(_overlaps(name_of[n], q, c) for n, _, q in quoted for c in evidence):
        raise Rejected("disagrees")

    citations: list[Citation] = []
    renumber: dict[int, list[int]] = {}
    for n, sentence, q in quoted:
        for c in evidence:  # keep what the extractive quote holds, too
            if _overlaps(name_of[n], sentence, c):
                q = _union(sentence, q, c)
        citations.append(Citation(name_of[n], q.start, q.end, q.text, 1.0))
        renumber.setdefault(n, []).append(len(citations))
    citations += [c for c in evidence if not any(_overlaps(d.source, d, c) for d in citations)]
    return Verified(body, citations, renumber, grounding, [f.text for f in claimed])


def _overlaps(source: str, span, c: Citation) -> bool:
    return source == c.source and span.start < c.end and c.start < span.end


def _union(sentence: Span, q: Span, c: Citation) -> Span:
    start, end = max(sentence.start, min(q.start, c.start)), min(sentence.end, max(q.end, c.end))
    return Span(start, end, sentence.text[start - sentence.start : end - sentence.start])


def _is_question(text: str) -> bool:
    return text.rstrip().endswith(("?", "？", "吗", "呢"))


def _named_by_question(fig: Figure, question: str) -> bool:
    """A year the question names ("in 2024") is its premise, not the reply's claim."""
    is_year = fig.kind == "n" and fig.value.is_integer() and 1900 <= fig.value <= 2100
    return is_year and any(fig.matches(g) for g in figures(question, strict=False))


def _attribute(claimed: list[Figure], said: Query, sources: list[Source]) -> int:
    """The one source a reply without markers comes from: it holds all the reply's
    figures, and the most of its words."""
    holding = [
        s
        for s in sources
        if all(any(f.matches(g) for g in figures(s.text, strict=False)) for f in claimed)
    ]
    best = max(holding, key=lambda s: coverage(said, s.text), default=None)
    if best is None or coverage(said, best.text) == 0:
        raise Rejected("no_citation")
    return best.n


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z0-9\-]*|\b[A-Z0-9]*[A-Z][A-Z0-9]+\b")


def _names(text: str) -> list[str]:
    """Latin-letter names in ``text``: capitalised words not opening a sentence, and
    acronyms (GDP, CEO, GMV)."""
    return [m.group() for m in _NAME.finditer(text.strip())]


def _name_held(name: str, question: str, quotes: str, to_query: Callable[[str], Query]) -> bool:
    low = name.lower()
    if low in question.lower() or low in quotes.lower():
        return True
    forms = to_query(name).bridged.get(low, [])
    return any(z in quotes for z in forms)


def _trim(span: Span, claimed: list[Figure], said: Query) -> Span:
    """A long sentence cut to the clauses holding the claimed figures (or reply's words)."""
    if len(span.text) <= LONG_QUOTE:
        return span
    breaks = re.finditer(rf"[，;；：]|{COMMA}", span.text)
    bounds = [0] + [m.end() for m in breaks] + [len(span.text)]
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


def compose(verified: Verified, lang: str) -> str:
    """The shown answer: the reply with its markers renumbered, then the exact quotes."""

    def renumber(m: re.Match) -> str:
        ns = [int(n) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
        return "".join(f"[{i}]" for n in ns for i in verified.renumber.get(n, []))

    text = _MARKER.sub(renumber, verified.reply)
    quotes = " ".join(f"“{c.quote}” [{i}]" for i, c in enumerate(verified.citations, 1))
    return f"{text}\n\n{FROM_REPORT[lang]} {quotes}"


def with_note(draft: Draft, problem: str, lang: str) -> Draft:
    why = PROBLEMS[problem][0 if lang == "en" else 1]
    return Draft(f"{draft.text}\n\n{NOTE[lang].format(why=why)}", draft.answered, draft.citations,
                 draft.support)  # fmt: skip
