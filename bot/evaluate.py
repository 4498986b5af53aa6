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
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\s+", "", text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


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
    evidence: str = ""


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


def score_item(item: Item, answer, texts: dict[str, str], seconds: float) -> Outcome:
    shown = normalise(answer.text)
    wanted = [normalise(a) for a in item.answers]
    test = all if item.match == "all" else any
    answer_ok = bool(
        item.answerable and answer.answered and wanted and test(w in shown for w in wanted)
    )
    cite_ok = hit1 = hit3 = False
    if item.answerable and item.evidence:
        ev = item.evidence
        for c in answer.citations:
            doc = texts.get(c.source, "")
            at = doc.find(ev)
            overlaps = at >= 0 and c.start < at + len(ev) and at < c.end
            if ev in c.quote or overlaps:
                cite_ok = True
        chunks = []
        for h in answer.hits:
            if h.chunk and h.chunk.id not in [c.id for c in chunks]:
                chunks.append(h.chunk)
        hit1 = any(ev in c.text for c in chunks[:1])
        hit3 = any(ev in c.text for c in chunks[:3])
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
    )


def run(items: list[Item], ask, texts: dict[str, str], reports=None) -> list[Outcome]:
    """Ask every question (after one warm-up call) and score it."""
    ask(items[0].question, reports=reports)  # warm: models loaded, caches built
    outcomes = []
    for item in items:
        t = time.perf_counter()
        answer = ask(item.question, [tuple(h) for h in item.history], reports=reports)
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
        "p50_ms": round(_pct(secs, 0.5) * 1000, 1),
        "p95_ms": round(_pct(secs, 0.95) * 1000, 1),
    }


def report(outcomes: list[Outcome]) -> dict:
    """Overall figures plus the same split by language and by kind."""
    out = {"overall": summarise(outcomes)}
    for key in ("lang", "kind"):
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
    head = f"{'':16}" + "".join(f"{c:>10}" for c, _ in COLUMNS)
    rows = [head]
    for name, fig in figures.items():
        cells = "".join(f"{'-' if fig[k] is None else fig[k]!s:>10}" for _, k in COLUMNS)
        rows.append(f"{name:16}{cells}")
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
