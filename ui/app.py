"""The web page: chat with the indexed reports, see each quoted passage in its paragraph.

A thin Gradio layer over :mod:`bot`: it shows what ``ask()`` returns (text, citations,
whether the report answered) and ranks nothing. Markup comes from :mod:`ui.format`,
which escapes every piece of report text. Also here: uploads (checked, then copied
to a temporary file named by its hash, never by the uploaded name) and the API
endpoints ``/ask``, ``/reports``, ``/report_text`` and ``/index_reports`` for
``gradio_client``.

Offline by construction: analytics are off, the theme uses system fonts, no share
link unless asked, and the server binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

# Before gradio is imported: no analytics, no version check, no hub telemetry.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from bot import ReportBotError, ask, list_reports, prepare, report_text  # noqa: E402
from bot.ask import ask_stream  # noqa: E402
from bot.library import get_library  # noqa: E402
from index.errors import ReportError  # noqa: E402
from index.load import LOADERS, load_report  # noqa: E402
from index.settings import Settings  # noqa: E402
from ui import format as fmt  # noqa: E402

HERE = Path(__file__).parent
STREAM_STEPS = 24
STREAM_DELAY = 0.02  # seconds between streamed pieces: the answer types out in ~0.5 s

THEME = gr.themes.Default(
    primary_hue="indigo",
    neutral_hue="slate",
    # System fonts only: a Google font would be fetched from the internet.
    font=[
        "system-ui",
        "-apple-system",
        "Segoe UI",
        "Roboto",
        "Noto Sans CJK SC",
        "PingFang SC",
        "Microsoft YaHei",
        "sans-serif",
    ],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)

# Markers [n] in the chat link to #src-n in the sources panel; scroll there smoothly and
# flash the passage (a plain anchor jump would scroll the whole page, not the panel).
HEAD = """<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest("a.rb-marker") : null;
  if (!link) return;
  const target = document.getElementById((link.getAttribute("href") || "").slice(1));
  if (!target) return;
  event.preventDefault();
  event.stopPropagation();
  target.scrollIntoView({behavior: "smooth", block: "nearest"});
  target.classList.remove("rb-flash");
  void target.offsetWidth;
  target.classList.add("rb-flash");
}, true);
</script>"""

INTRO = (
    "Ask about the report in English or Chinese. Every answer quotes the report "
    "exactly; click a marker like <b>[1]</b> to see the quote in its paragraph."
)


def load_examples(names: list[str]) -> list[str]:
    """Example questions for the indexed reports, from ``ui/examples.json``."""
    data = json.loads((HERE / "examples.json").read_text(encoding="utf-8"))
    return [q for name in names for q in data.get(name, [])]


def _language(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def _pieces(text: str) -> Iterator[str]:
    """Growing prefixes of ``text``: how the answer is streamed into the chat."""
    step = max(4, -(-len(text) // STREAM_STEPS))
    for end in range(step, len(text), step):
        yield text[:end]
    yield text


# --- chat -------------------------------------------------------------------------


def _default_mode() -> str:
    """LLM answers when REPORTBOT_LLM_BASE_URL names a model server: the page's toggle is
    then on, and the API's ``mode`` defaults to it too."""
    return "llm" if get_library().settings.llm_base_url else "extractive"


def respond(message: str, chat: list, turns: list, scope: list[str] | None, use_llm: bool = False):
    """Stream the answer to ``message`` into the chat; then show its sources.

    ``turns`` holds the earlier ``(question, answer text)`` pairs, passed to ``ask()``
    as ``history`` so follow-ups work. Yields ``(textbox, chat, turns, sources)``; the
    textbox is emptied once, at the start, so a next question typed meanwhile survives.
    With ``use_llm`` the model's reply streams as it arrives, then the checked answer
    (or the extractive one, with a note) replaces it.
    """
    question = (message or "").strip()
    if not question:
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    chat = [*chat, {"role": "user", "content": fmt.question_html(question)}]
    reply = {"role": "assistant", "content": fmt.thinking_html(_language(question))}
    chat.append(reply)
    yield "", chat, turns, fmt.sources_pending_html()
    history, streamed = [tuple(t) for t in turns], ""
    try:
        if use_llm:
            for event in ask_stream(question, history, reports=scope or None, mode="llm"):
                if isinstance(event, str):  # the model's reply so far, not yet checked
                    streamed += event
                    reply["content"] = fmt.answer_html(streamed, True, [], streaming=True)
                    yield gr.skip(), chat, turns, gr.skip()
                else:
                    answer = event
        else:
            answer = ask(question, history, reports=scope or None)
    except ReportBotError as exc:
        reply["content"] = fmt.error_html(str(exc))
        yield gr.skip(), chat, turns, fmt.sources_html(None, {})
        return
    show = partial(
        fmt.answer_html,
        answered=answer.answered,
        citations=answer.citations,
        language=answer.language,
    )
    for prefix in [] if streamed else _pieces(answer.text):
        reply["content"] = show(prefix, streaming=True)
        yield gr.skip(), chat, turns, gr.skip()
        time.sleep(STREAM_DELAY)
    reply["content"] = show(answer.text)
    texts = {name: report_text(name) for name in {c.source for c in answer.citations}}
    sources = fmt.sources_html(answer.citations, texts, answer.answered)
    yield gr.skip(), chat, [*turns, [question, answer.text]], sources


def new_chat():
    return [], [], fmt.sources_html(None, {}), ""


# --- uploads ----------------------------------------------------------------------


def clean_name(name: str) -> str:
    """A display name from an uploaded file's name: its base name, safe characters only.

    >>> clean_name("../../etc/报告 <2024>.PDF")
    '报告_2024_.PDF'
    """
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"_+", "_", stem)[:80].strip(" ._") or "report"
    return f"{stem}.{suffix}" if suffix else stem


def _unused(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when a different report already has it."""
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, dot + suffix) if dot else (name, "")
    n = 2
    while f"{stem} ({n}){suffix}" in taken:
        n += 1
    return f"{stem} ({n}){suffix}"


def _copy_by_hash(path: Path, suffix: str, folder: Path) -> Path:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    target = folder / f"{digest.hexdigest()}{suffix}"
    shutil.copyfile(path, target)
    return target


def index_uploads(
    paths: list[str | Path], progress: Callable[[int, int, str], None] | None = None
) -> tuple[list[tuple[str, str]], list[str]]:
    """Check, copy and index uploaded files; one bad file does not stop the others.

    Returns ``(notices, names)``: ``(kind, message)`` per file (kind ``ok``, ``same`` or
    ``error``) and the report names the uploads now correspond to. The type and size are
    checked before a file is parsed; a file whose text is already indexed (same sha256)
    is not indexed again; a new file never replaces a report of the same name.
    """
    notices: list[tuple[str, str]] = []
    names: list[str] = []
    for path in paths:
        kind, message, name = _index_upload(Path(path), progress)
        notices.append((kind, message))
        if name:
            names.append(name)
    return notices, names


def _index_upload(
    upload: Path, progress: Callable[[int, int, str], None] | None
) -> tuple[str, str, str | None]:
    """``(kind, message, report name or None)`` for one uploaded file."""
    settings = get_library().settings
    shown = clean_name(upload.name)
    suffix = upload.suffix.lower()
    if suffix not in LOADERS:
        kinds = ", ".join(sorted(LOADERS))
        what = f"{suffix} files are" if suffix else "files without an extension are"
        return "error", f"{shown}: {what} not supported; use {kinds}.", None
    size = upload.stat().st_size
    if size == 0:
        return "error", f"{shown}: the file is empty.", None
    if size > settings.max_report_mb * 1024 * 1024:
        limit = f"{settings.max_report_mb:g} MB limit (REPORTBOT_MAX_REPORT_MB)"
        return "error", f"{shown}: {size / 1048576:.1f} MB is over the {limit}.", None
    known = {r.sha256: r.name for r in list_reports()}
    name = _unused(shown, set(known.values()))
    folder = Path(tempfile.mkdtemp(prefix="reportbot-upload-"))
    try:
        copy = _copy_by_hash(upload, suffix, folder)
        report = load_report(copy, max_mb=settings.max_report_mb, name=name)
        if report.sha256 in known:
            same = known[report.sha256]
            return "same", f"{shown}: the same text is already indexed as {same}.", same
        step = (lambda done, total: progress(done, total, name)) if progress else None
        result = get_library().index_report(replace(report, path=""), step)
    except ReportError as exc:
        return "error", f"{shown}: {exc.problem}.", None
    except ReportBotError as exc:
        return "error", f"{shown}: {exc}", None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    renamed = f" as {name}" if name != shown else ""
    counts = f"{result.sentences:,} sentences, {len(report.text):,} characters"
    return "ok", f"{shown}: indexed{renamed} ({counts}).", result.name


def upload(
    files: list[str] | None,
    scope: list[str] | None,
    progress=gr.Progress(),  # noqa: B008 - Gradio injects the tracker through this default
):
    """UI handler: index the uploads, then add them to the reports the chat is about."""

    def step(done: int, total: int, name: str) -> None:
        progress((done, total), desc=f"Indexing {name}", unit="passages")

    notices, added = index_uploads(files or [], step)
    reports = list_reports()
    names = [r.name for r in reports]
    keep = [n for n in (scope or []) if n in names]
    chosen = list(dict.fromkeys(keep + added)) if keep else names
    return (
        fmt.notices_html(notices),
        gr.Dropdown(choices=names, value=chosen),
        fmt.reports_html(reports),
        None,
    )


def refresh():
    """On page load: every indexed report (another session may have added some)."""
    reports = list_reports()
    names = [r.name for r in reports]
    return gr.Dropdown(choices=names, value=names), fmt.reports_html(reports)


# --- API (gradio_client) ------------------------------------------------------------


def api_ask(
    question: str,
    history: list[list[str]] | None = None,
    reports: list[str] | None = None,
    mode: str | None = None,
) -> dict:
    """Answer a question from the indexed reports.

    Returns {"question", "answer", "answered", "language", "mode", "citations": [{"source",
    "start", "end", "quote", "score"}], "llm"}. Every quote equals
    report_text(source)[start:end]. history: earlier [question, answer] pairs; reports:
    report names to search (default: all); mode: "extractive" or "llm" (default: "llm"
    when the server has a model, as in the page). "llm" is {"passed", "problem", "reply"}
    in mode "llm": whether the model's reply was shown, else why not (the answer is then
    the extractive one, with a note); null otherwise.
    """
    try:
        answer = ask(
            question, [tuple(t) for t in history or []], reports=reports or None,
            mode=mode or _default_mode(),
        )  # fmt: skip
    except ReportBotError as exc:
        raise gr.Error(str(exc)) from None
    llm = None
    if answer.check:
        c = answer.check
        llm = {"passed": c.passed, "problem": c.problem, "reply": c.reply}
    return {
        "question": question,
        "answer": answer.text,
        "answered": answer.answered,
        "language": answer.language,
        "mode": answer.mode,
        "citations": [asdict(c) for c in answer.citations],
        "llm": llm,
    }


def api_reports() -> list[dict]:
    """The indexed reports: name, sha256, chars, sentences, chunks."""
    return [{k: v for k, v in asdict(r).items() if k != "path"} for r in list_reports()]


def api_report_text(name: str) -> str:
    """The full text of an indexed report: the text citation offsets index."""
    try:
        return report_text(name)
    except ReportBotError as exc:
        raise gr.Error(str(exc)) from None


def api_index(files: list[str] | None) -> dict:
    """Index uploaded files; returns {"notices": [{"kind", "message"}], "reports": [...]}."""
    notices, names = index_uploads(files or [])
    return {
        "notices": [{"kind": k, "message": m} for k, m in notices],
        "reports": names,
    }


# --- page ---------------------------------------------------------------------------


def build_app() -> gr.Blocks:
    """The page and its API. Call :func:`launch` (or ``main``) to serve it."""
    names = [r.name for r in list_reports()]
    examples = load_examples(names)
    private = {"api_visibility": "private"}
    with gr.Blocks(title="reportbot", analytics_enabled=False) as demo:
        turns = gr.State([])
        gr.HTML(
            f'<header class="rb-header"><h1>reportbot</h1><p>{INTRO}</p></header>',
            elem_id="rb-header",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat = gr.Chatbot(
                    label="Chat",
                    elem_id="rb-chat",
                    height=540,
                    latex_delimiters=[],
                    buttons=[],
                    feedback_options=None,
                    placeholder="Ask a question below, or pick an example. "
                    "Answers quote the report; when it has no answer, the bot says so.",
                )
                msg = gr.Textbox(
                    placeholder="Ask about the report… / 向报告提问…",
                    show_label=False,
                    submit_btn=True,
                    autofocus=True,
                    max_lines=4,
                    elem_id="rb-question",
                )
                with gr.Row():
                    scope = gr.Dropdown(
                        choices=names,
                        value=names,
                        multiselect=True,
                        scale=4,
                        label="Reports to ask about",
                        elem_id="rb-scope",
                    )
                    clear = gr.Button("New chat", variant="secondary", scale=1, min_width=100)
                # Offered (and on) only when REPORTBOT_LLM_BASE_URL names a model server.
                has_llm = _default_mode() == "llm"
                use_llm = gr.Checkbox(
                    value=has_llm,
                    visible=has_llm,
                    elem_id="rb-llm",
                    label="LLM answer (checked against the quotes; falls back to them)",
                )
                example_set = gr.Dataset(
                    components=[msg],
                    samples=[[q] for q in examples],
                    label="Examples · 示例问题",
                    samples_per_page=len(examples) or 1,
                    elem_id="rb-examples",
                )
            with gr.Column(scale=2, min_width=340):
                gr.HTML('<h2 class="rb-panel-title">Sources · 出处</h2>')
                sources = gr.HTML(
                    fmt.sources_html(None, {}),
                    elem_id="rb-sources",
                    container=True,
                )
        with gr.Accordion(
            "Your reports: upload .txt, .md, .pdf, .docx or .html", open=False, elem_id="rb-upload"
        ):
            with gr.Row():
                with gr.Column(scale=3):
                    files = gr.File(
                        file_count="multiple",
                        file_types=sorted(LOADERS),
                        label="Upload reports",
                        elem_id="rb-files",
                        height=140,
                    )
                    notes = gr.HTML("", elem_id="rb-notices")
                with gr.Column(scale=2):
                    table = gr.HTML(fmt.reports_html(list_reports()), elem_id="rb-reports")

        chat_io = {
            "inputs": [msg, chat, turns, scope, use_llm],
            "outputs": [msg, chat, turns, sources],
        }
        # A question sent while an answer streams is asked next, not dropped.
        asked = msg.submit(respond, **chat_io, trigger_mode="always_last", **private)
        picked = example_set.click(lambda sample: sample[0], example_set, msg, **private).then(
            respond, **chat_io, **private
        )
        # A new chat stops an answer still streaming, which would otherwise refill it.
        reset = {"outputs": [chat, turns, sources, msg], "cancels": [asked, picked], **private}
        clear.click(new_chat, None, **reset)
        chat.clear(new_chat, None, **reset)
        files.upload(upload, [files, scope], [notes, scope, table, files], **private)
        demo.load(refresh, None, [scope, table], **private)

        gr.api(api_ask, api_name="ask")
        gr.api(api_reports, api_name="reports")
        gr.api(api_report_text, api_name="report_text")
        # Files need a component (it checks that a path is a real upload) and a trigger.
        api_files = gr.File(file_count="multiple", visible=False)
        api_result = gr.JSON(visible=False)
        api_go = gr.Button(visible=False)
        api_go.click(api_index, api_files, api_result, api_name="index_reports")
    return demo


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    share: bool = False,
) -> tuple[str, str | None]:
    """Serve ``demo`` without blocking; returns the local address and the share link."""
    max_mb = get_library().settings.max_report_mb
    _, url, share_url = demo.queue().launch(
        server_name=host,
        server_port=port,
        auth=auth,
        share=share,
        prevent_thread_lock=True,
        quiet=True,
        inbrowser=False,
        show_error=False,
        theme=THEME,
        css_paths=[HERE / "style.css"],
        head=HEAD,
        footer_links=["api"],
        # Bigger uploads than the report limit still arrive, to get a message naming it.
        max_file_size=f"{int(max_mb * 4) + 1}mb",
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
    )
    return url, share_url


def parse_auth(value: str | tuple[str, str] | None) -> tuple[str, str] | None:
    """``"user:password"`` -> ``("user", "password")``; None stays None."""
    if value is None or isinstance(value, tuple):
        return value
    user, colon, password = value.partition(":")
    if not (colon and user and password):
        raise SystemExit("reportbot: --auth (or REPORTBOT_UI_AUTH) must be user:password")
    return user, password


def _check_port(host: str, port: int) -> None:
    """Fail before the slow preparation, not after it, when the port is taken."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        raise SystemExit(f"reportbot: cannot serve on {host}:{port}: {exc.strerror}") from None


def _say(text: str, end: str = "\n") -> None:
    print(text, end=end, file=sys.stderr, flush=True)


def _prepare_with_progress() -> None:
    t0 = time.perf_counter()
    _say("reportbot: loading the embedding model (the first start converts it once)…")
    tty = sys.stderr.isatty()

    def step(done: int, total: int) -> None:
        line = f"reportbot: indexing the bundled report: {done}/{total} passages"
        _say(("\r" + line) if tty else line, end="" if tty and done < total else "\n")

    prepare(step)
    n = len(list_reports())
    _say(f"reportbot: ready in {time.perf_counter() - t0:.1f} s ({n} report(s) indexed)")


def main(
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | tuple[str, str] | None = None,
    share: bool = False,
) -> None:
    """Prepare the model and index, serve the UI, print its address, block until Ctrl+C.

    ``auth`` is ``"user:password"``; when None, ``REPORTBOT_UI_AUTH`` is used if set.
    """
    try:
        env_auth = Settings.from_env().ui_auth or None
    except ReportBotError as exc:
        raise SystemExit(f"reportbot: {exc}") from None
    credentials = parse_auth(auth if auth is not None else env_auth)
    _check_port(host, port)
    try:
        _prepare_with_progress()
        demo = build_app()
        url, share_url = launch(demo, host, port, credentials, share)
    except ReportBotError as exc:
        raise SystemExit(f"reportbot: {exc}") from None
    except OSError as exc:
        raise SystemExit(f"reportbot: cannot serve on {host}:{port}: {exc}") from None
    login = " (login required)" if credentials else ""
    print(f"reportbot UI: {url}{login}  (Ctrl+C to stop)", flush=True)
    if share_url:
        print(f"reportbot UI, public link: {share_url}", flush=True)
    # `kill` (SIGTERM) stops the server as cleanly as Ctrl+C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    demo.block_thread()
