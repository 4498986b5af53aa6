"""Example questions for an indexed report, formed from its own key sentences.

The summary step (:mod:`bot.summary`) picks the report's central, mutually different
sentences among those holding a figure; each becomes an echo question that asks for
that figure ("The depot stores 812 crates." -> "The depot stores how many crates?",
"仓库存放了812箱。" -> "仓库存放了多少箱?"). A question is kept only when :func:`bot.ask`
answers it from this report, quoting the sentence it came from: an example the bot
cannot answer would be worse than none.

Asking costs a fraction of a second per question, so the result is kept per report
content (sha256) in ``<data folder>/examples/``: a report pays once, not per page load.
Nothing here knows any report; the words are general question words.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

from bot.numbers import COMMA, quantities
from index.errors import UnknownReportError

MAX_EXAMPLES = 4
CANDIDATES = 8  # sentences the summary picks; those the bot cannot answer are dropped
MAX_HEAD_CHARS = 90  # a longer lead-in is cut back to the clause holding the figure
VERSION = 1  # bump when the questions formed here change: older cached ones are redone
FIGURES = ("amount", "rate", "count")

_CJK = re.compile(r"[\u3400-\u9fff]")
_CLAUSE = re.compile(rf"[，;；：、]|{COMMA}")
_END = re.compile(r"[\s。.!?！？;；:：,，]+$")
_DANGLING = re.compile(
    r"(?:^|\s+)(?:in|at|on|of|for|to|by|with|from|the|a|an|and|or|its|their)$", re.IGNORECASE
)
_lock = threading.Lock()
_lock_pending = threading.Lock()
log = logging.getLogger("reportbot.examples")


def question_from(sentence: str) -> str | None:
    """An echo question asking for the first figure of ``sentence``; None without one.

    >>> question_from("The depot stores 812 crates in winter.")
    'The depot stores how many crates in winter?'
    >>> question_from("仓库去年存放了812箱，比前年多。")
    '仓库去年存放了多少箱?'
    """
    figures = [q for q in quantities(sentence) if q.kind in FIGURES]
    if not figures:
        return None
    figure = figures[0]
    zh = bool(_CJK.search(sentence))
    head = sentence[: figure.start]
    if len(head) > MAX_HEAD_CHARS:  # the clause holding the figure
        cut = [m.end() for m in _CLAUSE.finditer(head)]
        head = head[cut[-1] :] if cut else head[-MAX_HEAD_CHARS:]
    stop = _CLAUSE.search(sentence, figure.end)
    end = stop.start() if stop else len(sentence)
    if len(figures) > 1:  # the next figure is another question
        if not sentence[figure.end : figures[1].start].strip():
            return None  # a table row ("Profit 1,204 1,130"): no sentence to ask from
        end = min(end, figures[1].start)
    tail = re.split(r"[(（\[【]", sentence[figure.end : end])[0]  # no half an aside
    if zh and end < (stop.start() if stop else len(sentence)):
        tail = ""  # "由多少下降至" would ask for the next figure too
    # A short tail: what is counted and when, not the rest of a long clause.
    head = re.sub(r"^[\W_]+", "", head).strip()  # a list's bullet, an opening bracket
    tail = _END.sub("", tail[:12] if zh else " ".join(tail.split()[:6]))
    if not zh:  # "… at its school in?": no word left dangling where the tail was cut
        while _DANGLING.search(tail):
            tail = _DANGLING.sub("", tail)
        tail = f" {tail}" if tail else ""
    if not head:
        return None  # a clause that starts with its figure has nothing to ask about
    if zh:
        counter = figure.counter if figure.kind == "count" and figure.counter else ""
        return f"{head}多少{counter}{tail.strip()}?"
    if figure.kind == "count":
        asked = "how many"
    elif head.lower().endswith(" by") or figure.kind != "rate":
        asked = "how much"
    else:
        asked = "by how much"
    return f"{head} {asked}{tail}?"


def example_questions(name: str, settings=None, *, wait: bool = True) -> list[str]:
    """Up to ``MAX_EXAMPLES`` questions the bot answers from report ``name``, each with a
    quote from the sentence it was formed from; cached per report content.

    With ``wait=False`` a report whose questions are not ready yet gets none now; they
    are worked out in the background for the next call. Raises
    :class:`UnknownReportError` when ``name`` is not indexed.
    """
    from bot.library import get_library

    library = get_library(settings)
    info = library.store.report_info(name)
    if info is None:
        raise UnknownReportError([name], [r.name for r in library.reports()])
    folder = library.settings.data_dir / "examples"
    cache = folder / f"{info.sha256}.v{VERSION}.json"
    ready = _read(cache)
    if ready is not None:
        return ready
    if not wait:
        _in_background(cache, lambda: example_questions(name, settings))
        return []
    with _lock:  # two pages opening at once ask the questions once
        ready = _read(cache)
        if ready is not None:
            return ready
        questions = _answerable(library, name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # a read-only data folder: computed again next time, still correct
        return questions


def _read(cache: Path) -> list[str] | None:
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


_pending: set[Path] = set()


def _in_background(cache: Path, work) -> None:
    """Run ``work`` once in a daemon thread (not again while it runs)."""
    with _lock_pending:
        if cache in _pending:
            return
        _pending.add(cache)

    def run() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - a removed report, a full disk: none this time
            log.info("no example questions for %s", cache.name, exc_info=True)
        finally:
            with _lock_pending:
                _pending.discard(cache)

    threading.Thread(target=run, name="reportbot-examples", daemon=True).start()


def _answerable(library, name: str) -> list[str]:
    """Questions from the summary's figure sentences that ``ask`` answers from them."""
    from bot import summary
    from bot.ask import ask

    records = [r for r in library.store.records("sentence", [name]) if question_from(r.text)]
    if not records:
        return []
    vectors = library.store.vectors_by_id([r.id for r in records])
    lang = "zh" if _CJK.search(records[0].text) else "en"
    picked = summary.summarize(records, vectors, lang, CANDIDATES).citations
    out: list[str] = []
    for sentence in picked:
        question = question_from(sentence.quote)
        if question is None or question in out:
            continue
        answer = ask(question, reports=[name], settings=library.settings)
        if answer.answered and any(
            c.source == name and c.start < sentence.end and c.end > sentence.start
            for c in answer.citations
        ):
            out.append(question)
        if len(out) == MAX_EXAMPLES:
            break
    return out
