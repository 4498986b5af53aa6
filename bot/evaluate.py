"""Score ``ask()`` on a question file (schema: see ``eval/README.md``).

Metrics, split by language and kind: retrieval hit@1/hit@3 (a retrieved chunk contains
the evidence), answer accuracy, citation accuracy, refusal precision/recall, median
quote length, latency p50/p95 (warm). Normalisation follows the shared README: NFKC,
lower case, whitespace removed, thousands separators between digits removed.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index.errors import ReportBotError


def normalise(text: str) -> str:
    """NFKC, lower case, no whitespace, no thousands separators, simplified characters
    (so 12.5億 and 12.5亿 are the same answer)."""
    from bot.normalize import to_simplified

    text = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


# The answer's lead is what it says before quoting the report (see bot.answer).
_QUOTES_START = re.compile(r"(?:^|\n)\s*(?:From the report:|依据报告原文:)")


def lead(text: str) -> str:
    """The part of an answer before its quotes: where the figure or name must be."""
    m = _QUOTES_START.search(text)
    return text[: m.start()] if m else text


@dataclass
class Item:
    id: str
    lang: str
    question: str
    answerable: bool
    kind: str
    history: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    match: str = "any"
    evidence: str | list = ""
    # The multi-report suite (eval/suite/README.md): which report, which round, and
    # what round 2's kinds are scored on.
    report: str = ""
    round: int = 0
    script: str = ""
    near_miss: str = ""
    yes: bool | None = None
    value: float | None = None
    unit: str = ""
    facts: list = field(default_factory=list)

    @property
    def evidences(self) -> list[str]:
        return [self.evidence] if isinstance(self.evidence, str) else list(self.evidence)


@dataclass
class Outcome:
    id: str
    lang: str
    kind: str
    question: str
    answerable: bool
    answered: bool
    answer_ok: bool
    citation_ok: bool
    hit1: bool
    hit3: bool
    quotes_exact: bool
    quote_lengths: list[int]
    seconds: float
    text: str
    report: str = ""
    round: int = 0
    coverage: float = 0.0  # a summary: share of the key facts it covers
    form: str = ""


def load_items(path: str | Path) -> list[Item]:
    items = []
    path = Path(path)
    if not path.is_file():
        raise ReportBotError(f"question file {path} does not exist")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(Item(**{k: v for k, v in raw.items() if k in Item.__dataclass_fields__}))
        except (json.JSONDecodeError, TypeError) as exc:
            raise ReportBotError(f"{path}:{n}: not a question in the eval schema ({exc})") from None
    if not items:
        raise ReportBotError(f"question file {path} holds no questions")
    return items


def _right(item: Item, answer) -> tuple[bool, float]:
    """Whether an answered answerable item is right, and for a summary the share of its
    key facts covered. In the multi-report suite (items with a round) figures and names
    must be in the lead, before the quotes; a single-report file is scored as the shared
    schema says, on the whole answer text."""
    shown = normalise(lead(answer.text) if item.round else answer.text)
    if item.kind == "summary":
        whole = normalise(answer.text)
        facts = [normalise(f) for f in item.facts]
        share = sum(f in whole for f in facts) / len(facts) if facts else 0.0
        return share >= 0.5, share
    if item.kind == "yesno" and item.yes is not None:
        said = _yes_no(lead(answer.text))
        return said is not None and said == item.yes, 0.0
    if item.kind == "compute" and item.value is not None:
        return _computed_right(item, lead(answer.text)), 0.0
    wanted = [normalise(a) for a in item.answers]
    test = all if item.match == "all" else any
    return bool(wanted and test(w in shown for w in wanted)), 0.0


def _computed_right(item: Item, shown: str) -> bool:
    """Whether the result of a computed answer (the figures after its last "=", or any
    figure of a lead without working) is the item's value, within 1% or half a unit of
    its last digit. The value is read in its unit as well as bare: 21.9 with unit 亿元 is
    2.19e9, as "= 21.9亿" is read; 76 "million" is 7.6e7."""
    from bot.numbers import quantities

    result = shown.rsplit("=", 1)[-1] if "=" in shown else shown
    got = [q.value for q in quantities(result) if q.kind in ("amount", "rate", "count")]
    v, unit = f"{item.value:g}", item.unit.strip()
    currency = re.match(r"(?:人民[币幣]|港[币幣]|新台[币幣]|RMB|HK\$|US\$|NT\$|[$€£¥])", unit)
    written = [f"{v}{unit}", f"{v} {unit}"]
    if currency:  # 人民幣百萬元: 人民幣74.6百萬元
        written.append(f"{currency.group()}{v}{unit[currency.end():]}")
    wanted = [item.value] + [q.value for w in written for q in quantities(w) if q.is_figure]
    return any(
        abs(abs(v) - abs(w)) <= max(abs(w) * 0.01, 0.051) for v in got for w in wanted
    )


_YES = re.compile(r"^\W*(yes|是的?|对|有|确实)", re.I)
_NO = re.compile(r"^\W*(no\b|否|不是|没有|并未|未)", re.I)


def _yes_no(text: str) -> bool | None:
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def score_item(item: Item, answer, texts: dict[str, str], seconds: float) -> Outcome:
    answer_ok, share = _right(item, answer) if item.answerable and answer.answered else (False, 0.0)
    cite_ok = hit1 = hit3 = False
    evidence = [e for e in item.evidences if e]
    if item.answerable and evidence:

        def cited(ev: str) -> bool:
            for c in answer.citations:
                doc = texts.get(c.source, "")
                at = doc.find(ev)
                if ev in c.quote or (at >= 0 and c.start < at + len(ev) and at < c.end):
                    return True
            return False

        # A computed answer must cite every figure it uses; otherwise one piece will do.
        cite_ok = (all if item.kind == "compute" else any)(cited(ev) for ev in evidence)
        chunks = []
        for h in answer.hits:
            if h.chunk and h.chunk.id not in [c.id for c in chunks]:
                chunks.append(h.chunk)
        hit1 = any(ev in c.text for c in chunks[:1] for ev in evidence)
        hit3 = any(ev in c.text for c in chunks[:3] for ev in evidence)
    elif item.answerable and item.kind == "summary":
        cite_ok = bool(answer.citations)
    exact = all(texts.get(c.source, "")[c.start : c.end] == c.quote for c in answer.citations)
    return Outcome(
        id=item.id,
        lang=item.lang,
        kind=item.kind,
        question=item.question,
        answerable=item.answerable,
        answered=answer.answered,
        answer_ok=answer_ok,
        citation_ok=cite_ok,
        hit1=hit1,
        hit3=hit3,
        quotes_exact=exact,
        quote_lengths=[len(c.quote) for c in answer.citations],
        seconds=seconds,
        text=answer.text,
        report=item.report,
        round=item.round,
        coverage=share,
    )


def run(items: list[Item], ask, texts: dict[str, str], reports=None) -> list[Outcome]:
    """Ask every question (after one warm-up call) and score it."""
    ask(items[0].question, reports=[items[0].report] if items[0].report else reports)  # warm
    outcomes = []
    for item in items:
        scope = [item.report] if item.report else reports  # a question names its report
        t = time.perf_counter()
        answer = ask(item.question, [tuple(h) for h in item.history], reports=scope)
        outcomes.append(score_item(item, answer, texts, time.perf_counter() - t))
    return outcomes


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def summarise(outcomes: list[Outcome]) -> dict:
    ans = [o for o in outcomes if o.answerable]
    una = [o for o in outcomes if not o.answerable]
    refused = [o for o in outcomes if not o.answered]
    lengths = [n for o in outcomes for n in o.quote_lengths]
    secs = [o.seconds for o in outcomes]

    def ratio(num: int, den: int) -> float | None:
        return round(num / den, 3) if den else None

    return {
        "questions": len(outcomes),
        "answerable": len(ans),
        "hit@1": ratio(sum(o.hit1 for o in ans), len(ans)),
        "hit@3": ratio(sum(o.hit3 for o in ans), len(ans)),
        "answer_accuracy": ratio(sum(o.answer_ok for o in ans), len(ans)),
        "citation_accuracy": ratio(sum(o.citation_ok for o in ans), len(ans)),
        "refusal_precision": ratio(sum(not o.answerable for o in refused), len(refused)),
        "refusal_recall": ratio(sum(not o.answered for o in una), len(una)),
        "wrongly_refused": sum(not o.answered for o in ans),
        "quotes_exact": all(o.quotes_exact for o in outcomes),
        "median_quote_chars": statistics.median(lengths) if lengths else 0,
        "summary_coverage": ratio(
            sum(o.coverage for o in ans if o.kind == "summary") * 1000,
            sum(o.kind == "summary" for o in ans) * 1000,
        ),
        "p50_ms": round(_pct(secs, 0.5) * 1000, 1),
        "p95_ms": round(_pct(secs, 0.95) * 1000, 1),
    }


def report(outcomes: list[Outcome], keys: tuple[str, ...] = ("lang", "kind")) -> dict:
    """Overall figures plus the same split by each of ``keys`` (language, kind, ...)."""
    out = {"overall": summarise(outcomes)}
    for key in keys:
        for value in sorted({getattr(o, key) for o in outcomes}):
            out[f"{key}={value}"] = summarise([o for o in outcomes if getattr(o, key) == value])
    return out


COLUMNS = [
    ("n", "questions"),
    ("hit@1", "hit@1"),
    ("hit@3", "hit@3"),
    ("answer", "answer_accuracy"),
    ("cite", "citation_accuracy"),
    ("ref.P", "refusal_precision"),
    ("ref.R", "refusal_recall"),
    ("wrong.ref", "wrongly_refused"),
    ("quote", "median_quote_chars"),
    ("p50ms", "p50_ms"),
    ("p95ms", "p95_ms"),
]


def table(figures: dict) -> str:
    head = f"{'':24}" + "".join(f"{c:>10}" for c, _ in COLUMNS)
    rows = [head]
    for name, fig in figures.items():
        cells = "".join(f"{'-' if fig[k] is None else fig[k]!s:>10}" for _, k in COLUMNS)
        rows.append(f"{name[:24]:24}{cells}")
    return "\n".join(rows)


def failures(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.answerable and not (o.answer_ok and o.citation_ok):
            why = (
                "refused"
                if not o.answered
                else ("wrong answer" if not o.answer_ok else "citation misses evidence")
            )
            lines.append(f"{o.id} [{o.lang}] {why}: {o.question} -> {o.text[:120]!r}")
        elif not o.answerable and o.answered:
            lines.append(f"{o.id} [{o.lang}] should refuse: {o.question} -> {o.text[:120]!r}")
    return lines


def to_json(outcomes: list[Outcome], figures: dict) -> str:
    return json.dumps(
        {"figures": figures, "outcomes": [asdict(o) for o in outcomes]},
        ensure_ascii=False,
        indent=1,
    )
