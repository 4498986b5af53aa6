"""The reportbot command: ask, chat, index, reports, feedback, eval, ui.

User mistakes print one line (``reportbot: error: …``) and exit 2; nothing else prints a
traceback unless ``REPORTBOT_DEBUG=1``. All work is done by :mod:`bot`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

# Control characters (but tab and newline), ANSI escapes and bidirectional overrides:
# text from a report or a model must not drive the terminal that prints it.
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f"
    r"\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """``text`` without control characters, for a terminal."""
    return _CONTROL.sub("", text)


def _progress(desc: str, unit: str = "passage"):
    """A tqdm bar driven by ``progress(done, total)`` callbacks."""
    from tqdm import tqdm

    bar = tqdm(total=1, desc=desc, unit=f" {unit}", leave=False, file=sys.stderr)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.reset(total)  # and its clock: its rate counts from the first report
        bar.n = done
        bar.refresh()

    update.close = bar.close  # type: ignore[attr-defined]
    return update


def _print_answer(answer, as_json: bool) -> None:
    """Print an ``Answer``, or its :func:`answer_dict` (from the resident process)."""
    d = answer if isinstance(answer, dict) else answer_dict(answer)
    if as_json:
        print(json.dumps(d, ensure_ascii=False, indent=1))
        return
    print(printable(d["answer"]))
    if d["citations"]:
        print()
        for i, c in enumerate(d["citations"], 1):
            page = f" page {c['page']}" if c.get("page") else ""
            print(printable(f"[{i}] {c['source']}{page} [{c['start']}:{c['end']}] {c['quote']}"))


def answer_dict(answer) -> dict:
    out = {
        "question": answer.question,
        "answer": answer.text,
        "answered": answer.answered,
        "language": answer.language,
        "citations": [
            {
                "source": c.source,
                "start": c.start,
                "end": c.end,
                "quote": c.quote,
                "score": round(c.score, 4),
                "page": c.page,
            }
            for c in answer.citations
        ],
        "timings_ms": {k: round(v * 1000, 1) for k, v in answer.timings.items()},
    }
    if answer.check:  # --llm: what the model was sent and said, and whether it was shown
        c = answer.check
        out["llm"] = {"passed": c.passed, "problem": c.problem, "reply": c.reply}
        out["llm"]["prompt"] = c.prompt
    return out


def _mode(args) -> str:
    return "llm" if args.llm or getattr(args, "show_prompt", False) else "extractive"


def _print_prompt(answer) -> None:
    if answer.check:
        print(printable(answer.check.prompt))
        print(f"--- reply ({'shown' if answer.check.passed else answer.check.problem}) ---")
        print(printable(answer.check.reply))
        print("--- answer ---")


def cmd_ask(args) -> int:
    from ui import resident

    plain = _mode(args) == "extractive"
    reply = resident.ask(args.question, args.report or None) if plain else None
    if reply is not None:  # a resident process answered: no model or store to load here
        if "error" in reply:
            print(f"reportbot: error: {reply['error']}", file=sys.stderr)
            return 2
        _print_answer(reply, args.json)
        return 0
    from bot import ask

    answer = ask(args.question, reports=args.report or None, mode=_mode(args))
    if args.show_prompt and not args.json:
        _print_prompt(answer)
    _print_answer(answer, args.json)
    if plain and sys.stdin.isatty():  # a person at a terminal: the next ask is fast
        resident.start_in_background()
    return 0


def cmd_resident(args) -> int:
    from ui import resident

    if args.stop:
        resident.stop()
        return 0
    resident.serve(args.idle)
    return 0


CHAT_TURNS = 10  # turns of a terminal chat sent with each question
_NOT_UTF8 = "the question is not UTF-8 text; set the terminal's encoding to UTF-8"


def cmd_chat(args) -> int:
    from bot import ReportBotError, ask

    history: list[tuple[str, str]] = []
    print("Ask about the report (empty line or Ctrl-D to quit, /new to forget the chat).")
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        except UnicodeDecodeError:
            print(f"error: {_NOT_UTF8}")
            continue
        if not question:
            return 0
        if question == "/new":
            history.clear()
            continue
        try:
            # The last turns carry a follow-up; older ones would only meet the history limits.
            recent = history[-CHAT_TURNS:]
            answer = ask(question, recent, reports=args.report or None, mode=_mode(args))
        except ReportBotError as exc:
            print(f"error: {_one_line(exc)}")
            continue
        if args.show_prompt:
            _print_prompt(answer)
        _print_answer(answer, False)
        history.append((question, answer.text))


def cmd_index(args) -> int:
    """Index files, and bring folders up to date: new and changed files, removed ones."""
    import time

    from tqdm import tqdm

    from bot.library import get_library

    t0 = time.perf_counter()
    library = get_library()
    if args.rebuild:
        bar = _progress("rebuilding")
        try:
            rebuilt = library.rebuild(bar)
        finally:
            bar.close()
        print(f"rebuilt the index from {len(rebuilt)} saved reports: "
              f"{sum(r.embedded for r in rebuilt)} embeddings computed")  # fmt: skip
        if not args.paths:
            return 0
    elif not args.paths:
        from index.errors import ReportBotError

        raise ReportBotError("name the files or folders to index (or --rebuild)")
    before = {r.name for r in library.reports()}
    files = [p for p in args.paths if not Path(p).is_dir()]
    results, removed = [], []
    if files:
        bar = _progress("embedding")
        try:
            results += library.index_paths(files, bar)
        finally:
            bar.close()
    for folder in (Path(p) for p in args.paths if Path(p).is_dir()):
        fmt = "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total_fmt} files [{elapsed}<{remaining}]"
        with tqdm(total=1, desc=str(folder), leave=False, file=sys.stderr, bar_format=fmt) as bar:

            def step(done: float, total: int, bar=bar) -> None:
                bar.total, bar.n = total, done
                bar.refresh()

            outcome = library.index_folder(folder, step)
        results += outcome.results
        removed += outcome.removed
    for r in results:
        if not r.unchanged:
            read_as = f", read as {r.encoding}" if r.encoding not in ("", "utf-8") else ""
            print(
                printable(f"{r.name}: {r.sentences} sentences, {r.chunks} chunks, ")
                + f"{r.embedded} embeddings computed, {r.seconds:.1f}s{read_as}"
            )
    for name in removed:
        print(printable(f"{name}: removed (its file is no longer in the folder)"))
    _index_changed()
    fresh = [r for r in results if not r.unchanged]
    new = sum(r.name not in before for r in fresh)
    print(
        f"{len(results)} files: {new} new, {len(fresh) - new} changed, "
        f"{len(results) - len(fresh)} unchanged, {len(removed)} removed; "
        f"{sum(r.chunks for r in results)} chunks, "
        f"{sum(r.embedded for r in results)} embeddings computed, "
        f"{time.perf_counter() - t0:.1f} s"
    )
    if sys.stdin.isatty():  # a person at a terminal asks next: that ask is fast
        from ui import resident

        resident.start_in_background()
    return 0


def _index_changed() -> None:
    """A resident answering process would keep the old index: it is stopped."""
    from ui import resident

    resident.stop()


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def reports_table(reports) -> str:
    """Aligned columns: name, then characters, sentences and chunks right-aligned."""
    head = ("report", "characters", "sentences", "chunks")
    rows = [head] + [(r.name, f"{r.chars:,}", f"{r.sentences:,}", f"{r.chunks:,}") for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join([row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])])
        for row in rows
    )


def cmd_reports(args) -> int:
    from bot import list_reports, remove_report

    if args.remove:
        from index.errors import UnknownReportError

        known = [r.name for r in list_reports()]
        unknown = [name for name in args.remove if name not in known]
        if unknown:  # nothing is removed when one name is wrong
            raise UnknownReportError(unknown, known)
        for name in args.remove:
            remove_report(name)
            print(printable(f"{name}: removed"))
        _index_changed()
        return 0
    reports = list_reports()
    if not reports:
        print("no report is indexed (reportbot index FILE adds one)")
        return 0
    print(printable(reports_table(reports)))
    print(f"{_count(len(reports), 'report')}, {_count(sum(r.chunks for r in reports), 'chunk')}")
    return 0


def cmd_feedback(args) -> int:
    """The thumbs up/down given in the page, with the question, answer and quotes."""
    from bot import get_chats

    items = get_chats().feedback()
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=1))
        return 0
    for item in items:
        thumb = "+1" if item["feedback"] > 0 else "-1"
        print(f"{thumb}  {item['question']}  ->  {item['answer'].splitlines()[0]}")
    print(_count(len(items), "rating"))
    return 0


def cmd_eval(args) -> int:
    from bot import ask, evaluate
    from bot.library import get_library

    if bool(args.file) == bool(args.manifest):
        from index.errors import ReportBotError

        raise ReportBotError("eval takes a question file or --manifest, not both or neither")
    library = get_library()
    answers = []
    bar = None

    def asked(question, history=None, reports=None):
        answers.append(ask(question, history, reports=reports, mode=_mode(args)))
        if bar is not None and len(answers) > 1:  # the first call is the warm-up
            bar.update()
        return answers[-1]

    if args.manifest:
        from bot import suite

        entries = suite.load_manifest(args.manifest)
        rounds = {int(r) for r in args.rounds.split(",")} if args.rounds else None
        progress = _progress("questions", "question")
        try:
            outcomes = suite.run(
                entries, library, asked, rounds, held_out=not args.shipped, progress=progress
            )
        finally:
            progress.close()
        figures = evaluate.report(outcomes, ("form", "lang", "kind", "round"))
    else:
        from tqdm import tqdm

        items = evaluate.load_items(args.file)
        reports = None
        if args.report:
            library.index_paths([args.report], None)
            reports = [Path(args.report).name]
        elif not all(i.report for i in items):
            # A question file without report names is about the default report: never
            # silently about every indexed report.
            from index import default_report_path

            library.ensure_default()
            reports = [default_report_path().name]
        texts = {r.name: library.store.report_text(r.name) for r in library.reports()}
        bar = tqdm(total=len(items), desc="eval", unit="q", leave=False, file=sys.stderr)
        try:
            outcomes = evaluate.run(items, asked, texts, reports)
        finally:
            bar.close()
        figures = evaluate.report(outcomes)
    print(evaluate.table(figures))
    if args.llm:
        from bot.llm import summary

        figures["llm"] = summary(answers[1:])  # without the warm-up question
        print("\nLLM: " + ", ".join(f"{k} {v}" for k, v in figures["llm"].items()))
    fails = evaluate.failures(outcomes)
    if fails:
        print(f"\nfailures ({len(fails)}):")
        print("\n".join(fails))
    if args.json:
        Path(args.json).write_text(evaluate.to_json(outcomes, figures), encoding="utf-8")
    return 0


def cmd_ui(args) -> int:
    import threading
    import time

    # Importing the web framework takes seconds on a busy machine: say so while it runs.
    t0, imported = time.monotonic(), threading.Event()

    def beat() -> None:
        while not imported.wait(3):
            print(f"reportbot: starting… {time.monotonic() - t0:.0f} s", file=sys.stderr)

    print("reportbot: starting the web page", file=sys.stderr, flush=True)
    threading.Thread(target=beat, daemon=True).start()
    try:
        from ui.app import main as run_ui
    finally:
        imported.set()

    run_ui(
        host=args.host, port=args.port, auth=args.auth, share=args.share, auth_file=args.auth_file
    )
    return 0


EXAMPLES = """examples:
  reportbot ask "What was the revenue in the first half?"
  reportbot index annual-report.md notes/ && reportbot ask "营收多少?" --report annual-report.md
  reportbot ui --port 8080 --auth alice:secret,bob:hunter2

exit status: 0 when an answer was printed, also "not found in the report" (see
"answered" in --json); 2 for a usage error or an unusable input, with one line
"reportbot: error: ..." on stderr; 130 on Ctrl+C.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportbot",
        description="Ask questions about reports; every answer quotes them exactly.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("ask", help="answer one question")
    a.add_argument("question")
    a.add_argument("--report", action="append", help="only this report (repeatable)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--llm", action="store_true", help="answer through REPORTBOT_LLM_BASE_URL")
    a.add_argument("--show-prompt", action="store_true", help="print what the LLM is sent")
    a.set_defaults(fn=cmd_ask)

    c = sub.add_parser("chat", help="a conversation in the terminal")
    c.add_argument("--report", action="append", help="only this report (repeatable)")
    c.add_argument("--llm", action="store_true", help="answer through REPORTBOT_LLM_BASE_URL")
    c.add_argument("--show-prompt", action="store_true", help="print what the LLM is sent")
    c.set_defaults(fn=cmd_chat)

    i = sub.add_parser("index", help="index report files or folders")
    i.add_argument("paths", nargs="*")
    i.add_argument(
        "--rebuild",
        action="store_true",
        help="re-create a damaged index from the reports' saved text",
    )
    i.set_defaults(fn=cmd_index)

    r = sub.add_parser("reports", help="list indexed reports")
    r.add_argument("--remove", action="append", help="drop this report from the index")
    r.set_defaults(fn=cmd_reports)

    f = sub.add_parser("feedback", help="the thumbs up/down given in the page")
    f.add_argument("--json", action="store_true", help="every rating with its question and quotes")
    f.set_defaults(fn=cmd_feedback)

    s = sub.add_parser("resident", help="keep a process answering, for fast 'ask' calls")
    s.add_argument("--idle", type=float, default=900, help="exit after this many idle seconds")
    s.add_argument("--stop", action="store_true", help="stop the running one")
    s.set_defaults(fn=cmd_resident)

    e = sub.add_parser("eval", help="score the bot on a question file (.jsonl)")
    e.add_argument("file", nargs="?", help="a question file (.jsonl) about one report")
    e.add_argument("--report", help="a report to index and ask about instead of the default")
    e.add_argument(
        "--manifest", help="a multi-report suite (eval/suite/manifest.json), held-out scores"
    )
    e.add_argument("--rounds", help="with --manifest: only these rounds, e.g. 1 or 1,2")
    e.add_argument(
        "--shipped",
        action="store_true",
        help="with --manifest: use the shipped scorer instead of fitting it per held-out report",
    )
    e.add_argument("--json", help="write all figures and outcomes to this file")
    e.add_argument("--llm", action="store_true", help="answer through REPORTBOT_LLM_BASE_URL")
    e.set_defaults(fn=cmd_eval)

    u = sub.add_parser("ui", help="the chat page in the browser")
    u.add_argument("--host", default="127.0.0.1")
    u.add_argument("--port", type=int, default=7860)
    u.add_argument(
        "--auth",
        default=os.environ.get("REPORTBOT_UI_AUTH"),
        help="user:password to require a login; several users: alice:pw1,bob:pw2",
    )
    u.add_argument(
        "--auth-file",
        default=None,
        help="a file of user:password lines (default: env REPORTBOT_UI_AUTH_FILE)",
    )
    u.add_argument("--share", action="store_true", help="ask Gradio for a public link")
    u.set_defaults(fn=cmd_ui)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from index.errors import ReportBotError

    try:
        if getattr(args, "question", "") and not _is_utf8(args.question):
            raise ReportBotError(_NOT_UTF8)
        status = args.fn(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return status
    except BrokenPipeError:
        # The reader left (`reportbot reports | head`): not an error, and nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback (see the docstring)
        if os.environ.get("REPORTBOT_DEBUG"):
            raise
        if not isinstance(exc, ReportBotError):
            exc = f"{type(exc).__name__}: {_one_line(exc)} (REPORTBOT_DEBUG=1 shows where)"
        print(f"reportbot: error: {_one_line(exc)}", file=sys.stderr)
        return 2


def _is_utf8(text: str) -> bool:
    """Arguments in bytes that are not UTF-8 reach Python as lone surrogates."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _one_line(exc: object) -> str:
    return printable(" ".join(str(exc).split()))


if __name__ == "__main__":
    sys.exit(main())
