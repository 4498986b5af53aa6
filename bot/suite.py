"""The multi-report suite: many reports, each with its own questions, scored per report.

A manifest (``eval/suite/manifest.json``) pairs each report file with its question files
and names its form (traditional-Chinese news, an English press release, ...). Every
question is asked of its own report only, never of whatever else is indexed. With
``held_out=True`` the answer scorer is fitted leave-one-report-out: the questions of
each report are answered by a scorer fitted on the *other* reports' questions only, so
each report's figures are those of a report the scorer never saw.

This module runs and scores; it does not choose answers (:mod:`bot.answer` does) or fit
weights (:mod:`bot.scorer` does).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from bot import evaluate
from index.errors import ReportBotError


@dataclass(frozen=True)
class Entry:
    report: Path
    form: str
    questions: list[Path]

    @property
    def name(self) -> str:
        return self.report.name


def load_manifest(path: str | Path) -> list[Entry]:
    """The reports of a manifest, with their question files (paths relative to it)."""
    path = Path(path)
    if not path.is_file():
        raise ReportBotError(f"manifest {path} does not exist")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = [
            Entry(
                path.parent / e["report"],
                e.get("form", ""),
                [path.parent / q for q in e["questions"]],
            )
            for e in raw["reports"]
        ]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ReportBotError(f"{path}: not a manifest ({exc})") from None
    for e in entries:
        for f in (e.report, *e.questions):
            if not f.is_file():
                raise ReportBotError(f"{path}: {f} does not exist")
    return entries


def items_of(entries: list[Entry], rounds: set[int] | None = None) -> list[evaluate.Item]:
    """Every question of the manifest; each names its report (checked here)."""
    out = []
    for e in entries:
        for qfile in e.questions:
            for item in evaluate.load_items(qfile):
                if item.report and item.report != e.name:
                    raise ReportBotError(f"{qfile}: {item.id} names {item.report}, not {e.name}")
                item.report = e.name
                if rounds is None or item.round in rounds:
                    out.append(item)
    return out


def run(
    entries: list[Entry],
    library,
    ask,
    rounds: set[int] | None = None,
    held_out: bool = True,
    progress=None,
) -> list[evaluate.Outcome]:
    """Index the manifest's reports, then ask and score every question of its report.

    ``held_out``: answer each report's questions with a scorer fitted on the other
    reports (see module docstring); else with the shipped scorer.
    """
    library.index_paths([e.report for e in entries])
    forms = {e.name: e.form for e in entries}
    texts = {e.name: library.store.report_text(e.name) for e in entries}
    items = items_of(entries, rounds)
    if not items:
        raise ReportBotError("the manifest holds no questions for the rounds asked")
    if held_out:
        from bot import scorer

        outcomes = scorer.held_out(items, library, ask, texts, progress)
    else:
        outcomes = []
        ask(items[0].question, reports=[items[0].report])  # warm
        for n, item in enumerate(items, 1):
            t = time.perf_counter()
            answer = ask(item.question, [tuple(h) for h in item.history], reports=[item.report])
            outcomes.append(evaluate.score_item(item, answer, texts, time.perf_counter() - t))
            if progress:
                progress(n, len(items))
    for o in outcomes:
        o.form = forms.get(o.report, "")
    return outcomes
