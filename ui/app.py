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
import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import partial
from itertools import zip_longest
from pathlib import Path

# Before gradio is imported: no analytics, no version check, no hub telemetry.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402

from bot import (  # noqa: E402
    ReportBotError,
    Turn,
    ask,
    chat_markdown,
    example_questions,
    get_chats,
    index_upload,
    list_reports,
    reindex_report,
    remove_report,
    report_pages,
    report_text,
)
from bot.ask import ask_stream  # noqa: E402
from bot.library import get_library  # noqa: E402
from index.cleanup import private_temp  # noqa: E402
from index.errors import NotYoursError, QuotaError, ReportError, size_text  # noqa: E402
from index.load import LOADERS  # noqa: E402
from index.settings import Settings  # noqa: E402
from ui import format as fmt  # noqa: E402
from ui import resident  # noqa: E402
from ui.limits import BodyLimit  # noqa: E402
from ui.startup import Startup, Ticker, prepare_in_background  # noqa: E402
from ui.text import LANGUAGES, ordinal, pick, plain_error, t  # noqa: E402

HERE = Path(__file__).parent
HISTORY_TURNS = 10  # turns of a saved chat sent with each question
# How far the model and the default report are prepared (``main`` starts it; a page
# built without ``main`` has nothing to wait for). Until it is ready the page touches
# no report: it would wait for the index behind the preparation.
STARTUP = Startup("ready")
log = logging.getLogger("reportbot.ui")
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

HEAD = f"<script>{(HERE / 'page.js').read_text(encoding='utf-8')}</script>"


EXAMPLE_REPORTS = 4  # reports whose examples are shown at once (the first in scope)
MAX_EXAMPLES = 12


def load_examples(names: list[str], wait: bool = True) -> list[str]:
    """Example questions for the reports ``names``, taken in turn from each.

    The bundled report's come from ``ui/examples.json``; any other report's from its own
    text (:func:`bot.example_questions`, worked out once per report). With ``wait=False``
    a report whose questions are not ready yet has none this time (they are being worked
    out): a page load never waits for them.
    """
    data = json.loads((HERE / "examples.json").read_text(encoding="utf-8"))
    lists = []
    curated_first = sorted(names, key=lambda name: name not in data)
    for name in curated_first[:EXAMPLE_REPORTS]:
        if name in data:
            lists.append(data[name])
            continue
        try:
            lists.append(example_questions(name, wait=wait))
        except ReportBotError as exc:  # removed meanwhile: no examples, not an error
            log.info("no examples for %s: %s", name, exc)
    return [q for row in zip_longest(*lists) for q in row if q][:MAX_EXAMPLES]


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


def _user(request: gr.Request | None) -> str:
    """The logged-in user (``--auth``), or "" without a login: whose chats these are."""
    return (getattr(request, "username", None) or "") if request is not None else ""


def _viewer(request: gr.Request | None) -> str | None:
    """Whose reports to show: the logged-in user's (and the shared ones), or None
    without a login (one local user, every report)."""
    return _user(request) or None


def _sources(turns: list[Turn], user: str | None, lang: str) -> str:
    """The sources panel for ``turns``; "finding the passages" until the reports can be read."""
    if turns and not STARTUP.ready:
        return fmt.sources_pending_html(lang)
    return fmt.sources_html(turns, _texts(turns, user), lang)


def _texts(turns: list[Turn], user: str | None = None) -> dict[str, str]:
    """Full text of every report the turns cite (a removed report is left out)."""
    texts = {}
    for name in {c.source for turn in turns for c in turn.citations}:
        try:
            texts[name] = report_text(name, user)
        except ReportBotError:
            pass
    return texts


def _messages(turns: list[Turn]) -> list[dict]:
    """The chat as Gradio messages; answer ``k``'s markers link to its own sources."""
    out = []
    for k, turn in enumerate(turns):
        out.append({"role": "user", "content": fmt.question_html(turn.question)})
        html = fmt.answer_html(turn.text, turn.answered, turn.citations, turn.language, turn=k)
        out.append({"role": "assistant", "content": html})
    return out


def _feedback_values(turns: list[Turn]) -> list[str | None]:
    return [FEEDBACK.get(turn.feedback) for turn in turns]


def _chat_list(user: str, current: str | None, lang: str = "en"):
    chats = get_chats().list(user)
    choices = [(c.title or t(lang, "untitled"), c.id) for c in chats]
    value = current if any(c.id == current for c in chats) else None
    return gr.Radio(choices=choices, value=value)


def respond(
    message: str,
    chat: list,
    turns: list[Turn],
    scope: list[str] | None,
    use_llm: bool = False,
    lang: str = "en",
    chat_id: str | None = None,
    request: gr.Request = None,
):
    """Stream the answer to ``message`` into the chat; then show its sources and save it.

    ``turns`` holds the earlier answers (:class:`bot.Turn`), passed to ``ask()`` as
    ``history`` so follow-ups work. Yields ``(textbox, chat, turns, sources, chat_id,
    chat list)``; the textbox is emptied once, at the start, so a next question typed
    meanwhile survives. The chat is saved (created on its first answer) with the answer's
    citations. With ``use_llm`` the model's reply streams as it arrives, then the checked
    answer (or the extractive one, with a note) replaces it.
    """
    question = (message or "").strip()
    if not question:
        yield (gr.skip(),) * 6
        return
    skip2 = (gr.skip(), gr.skip())
    chat = [*chat, {"role": "user", "content": fmt.question_html(question)}]
    if not STARTUP.ready:  # the box is disabled meanwhile; an example or a race gets here
        why = STARTUP.status(lang) if STARTUP.failed else t(lang, "prepare_wait")
        chat.append({"role": "assistant", "content": fmt.error_html(why)})
        yield gr.skip(), chat, turns, gr.skip(), *skip2
        return
    reply = {"role": "assistant", "content": fmt.thinking_html(lang)}
    chat.append(reply)
    yield "", chat, turns, fmt.sources_pending_html(lang), *skip2
    # The last turns only: follow-ups need the recent ones, and ask() bounds the
    # history it accepts (REPORTBOT_MAX_HISTORY_TURNS / _CHARS).
    history, streamed = [(turn.question, turn.text) for turn in turns][-HISTORY_TURNS:], ""
    k, viewer = len(turns), _viewer(request)
    try:
        if use_llm:
            asked = ask_stream(question, history, reports=scope or None, mode="llm", user=viewer)
            for event in asked:
                if isinstance(event, str):  # the model's reply so far, not yet checked
                    streamed += event
                    reply["content"] = fmt.answer_html(streamed, True, [], streaming=True)
                    yield gr.skip(), chat, turns, gr.skip(), *skip2
                else:
                    answer = event
        else:
            answer = ask(question, history, reports=scope or None, user=viewer)
    except ReportBotError as exc:
        log.info("question not answered: %s", exc)
        reply["content"] = fmt.error_html(plain_error(exc, lang))
        yield gr.skip(), chat, turns, fmt.sources_html(turns, _texts(turns, viewer), lang), *skip2
        return
    show = partial(
        fmt.answer_html,
        answered=answer.answered,
        citations=answer.citations,
        language=answer.language,
        turn=k,
    )
    for prefix in [] if streamed else _pieces(answer.text):
        reply["content"] = show(prefix, streaming=True)
        yield gr.skip(), chat, turns, gr.skip(), *skip2
        time.sleep(STREAM_DELAY)
    reply["content"] = show(answer.text)
    turn = Turn(question, answer.text, answer.answered, answer.language, list(answer.citations))
    turns = [*turns, turn]
    user, chats = _user(request), get_chats()
    try:
        chats.add_turn(chat_id or "", user, turn)
    except KeyError:  # the first answer of a new chat (or its chat was deleted meanwhile)
        chat_id = chats.create(user, scope).id
        chats.add_turn(chat_id, user, turn)
    sources = fmt.sources_html(turns, _texts(turns, viewer), lang)
    yield gr.skip(), chat, turns, sources, chat_id, _chat_list(user, chat_id, lang)


def new_chat(lang: str = "en", request: gr.Request = None):
    """An empty chat; it is saved with its first answer. Returns (chat, turns, sources,
    textbox, chat_id, chat list)."""
    return [], [], fmt.sources_html([], {}, lang), "", "", _chat_list(_user(request), None, lang)


def open_chat(chat_id: str | None, lang: str = "en", request: gr.Request = None):
    """A saved chat as it was: messages, feedback, sources and report scope.

    Returns (chat, turns, sources, scope, chat_id, chat list, title); an unknown id (or
    another user's) gives an empty chat.
    """
    user = _user(request)
    saved, turns, scope, names = _saved(chat_id, user)
    return (
        gr.Chatbot(value=_messages(turns), feedback_value=_feedback_values(turns)),
        turns,
        _sources(turns, user or None, lang),
        gr.Dropdown(choices=names, value=scope, label=_scope_label(scope, lang), multiselect=True),
        saved.id if saved else "",
        _chat_list(user, saved.id if saved else None, lang),
        saved.title if saved else "",
    )


def _saved(chat_id: str | None, user: str):
    """(chat or None, its turns, its scope among the indexed reports, all report names)."""
    saved = get_chats().get(chat_id, user) if chat_id else None
    names = _report_names(user or None)
    if saved is None:
        return None, [], [], names
    return saved, saved.turns, [n for n in saved.scope if n in names], names


def rename_chat(chat_id: str, title: str, lang: str = "en", request: gr.Request = None):
    user = _user(request)
    if chat_id and title.strip():
        get_chats().rename(chat_id, user, title)
    return _chat_list(user, chat_id, lang)


def delete_chat(chat_id: str, lang: str = "en", request: gr.Request = None):
    if chat_id:
        get_chats().delete(chat_id, _user(request))
    return new_chat(lang, request)


def export_chat(chat_id: str, request: gr.Request = None):
    """The chat as a Markdown file (quotes with their offsets), offered for download."""
    saved = get_chats().get(chat_id or "", _user(request)) if chat_id else None
    if saved is None:
        return gr.File(value=None, visible=False)
    folder = Path(tempfile.mkdtemp(prefix="reportbot-export-"))
    name = re.sub(r"[^\w.-]+", "-", saved.title).strip("-")[:60] or "chat"
    path = folder / f"{name}.md"
    path.write_text(chat_markdown(saved), encoding="utf-8")
    return gr.File(value=str(path), visible=True)


def save_scope(chat_id: str, scope: list[str] | None, lang: str = "en", request: gr.Request = None):
    """The scope is part of the chat; an empty one means every report, and says so."""
    if chat_id:
        get_chats().set_scope(chat_id, _user(request), scope)
    return gr.Dropdown(label=_scope_label(scope, lang)), _examples(scope)


def _scope_label(scope: list[str] | None, lang: str) -> str:
    return t(lang, "scope") + ("" if scope else f": {t(lang, 'scope_all')}")


def rate(chat_id: str, data: gr.LikeData, request: gr.Request = None) -> None:
    """Thumbs up/down on an answer, stored with the chat (``reportbot feedback --json``)."""
    if not chat_id or not isinstance(data.index, int):
        return
    value = {True: 1, "Like": 1, False: -1, "Dislike": -1}.get(data.liked)
    get_chats().set_feedback(chat_id, _user(request), data.index // 2, value)


FEEDBACK = {1: "Like", -1: "Dislike"}


# --- reader -----------------------------------------------------------------------


def show_report(
    name: str | None,
    turns: list[Turn],
    lang: str = "en",
    focus: str = "",
    request: gr.Request = None,
):
    """The whole report ``name`` in the reader, the chat's cited spans marked.

    ``focus`` is ``"<turn>-<n>"``: the citation to show when a long report is shown in
    parts. Returns (reader html, report picker); an unknown report (or, with a login,
    another user's) says so in one line.
    """
    user = _viewer(request)
    names = _report_names(user)
    picker = gr.Dropdown(choices=names, value=name if name in names else None)
    if not name or not STARTUP.ready:
        return fmt.reader_empty_html(lang), picker
    try:
        text, pages = report_text(name, user), report_pages(name)
    except ReportBotError as exc:
        return fmt.error_html(plain_error(exc, lang)), picker
    turn, _, n = focus.partition("-")
    at = (int(turn), int(n)) if turn.isdigit() and n.isdigit() else None
    return fmt.reader_html(name, text, turns, pages, lang, focus=at), picker


def open_in_report(request: str, turns: list[Turn], lang: str = "en", http: gr.Request = None):
    """A click on a quote or "Open in report": ``request`` is JSON ``{"source", "id"}``
    set by the page's script (``id``: ``rd-<turn>-<n>``). Opens the reader there."""
    try:
        asked = json.loads(request or "{}")
        name, target = str(asked["source"]), str(asked.get("id", ""))
    except (ValueError, KeyError, TypeError):
        return gr.skip(), gr.skip(), gr.skip()
    html, picker = show_report(name, turns, lang, target.removeprefix("rd-"), http)
    return html, picker, gr.Accordion(open=True)


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


TEMP: Path | None = None  # this process's temporary folder in the data folder (``main``)


def _copy_by_hash(path: Path, suffix: str, folder: Path) -> Path:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
    target = folder / f"{digest.hexdigest()}{suffix}"
    shutil.copyfile(path, target)
    return target


Waiting = Callable[[str, int], None]  # (report name, place in line: 1 = next)


def index_uploads(
    paths: list[str | Path],
    progress: Callable[[int, int, str], None] | None = None,
    owner: str = "",
    lang: str = "en",
    waiting: Waiting | None = None,
) -> tuple[list[tuple[str, str]], list[str]]:
    """Check, copy and index uploaded files; one bad file does not stop the others.

    Returns ``(notices, names)``: ``(kind, message)`` per file (kind ``ok``, ``same`` or
    ``error``) and the report names the uploads now correspond to. The type and size are
    checked before a file is parsed; naming, de-duplication, the line and the quota are
    the library's (:func:`bot.index_upload`); ``owner`` is the logged-in user.
    """
    notices: list[tuple[str, str]] = []
    names: list[str] = []
    for path in paths:
        kind, message, name = _index_upload(Path(path), progress, owner, lang, waiting)
        notices.append((kind, message))
        if name:
            names.append(name)
    return notices, names


def _index_upload(
    upload: Path,
    progress: Callable[[int, int, str], None] | None,
    owner: str,
    lang: str,
    waiting: Waiting | None,
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
        log.info("%s is over REPORTBOT_MAX_REPORT_MB=%g", shown, settings.max_report_mb)
        limit = f"{settings.max_report_mb:g} MB limit"
        return "error", f"{shown}: {size / 1048576:.1f} MB is over the {limit}.", None
    folder = Path(tempfile.mkdtemp(prefix="reportbot-upload-", dir=TEMP))
    step = (lambda done, total: progress(done, total, shown)) if progress else None
    wait = (lambda place: waiting(shown, place)) if waiting else None
    try:
        copy = _copy_by_hash(upload, suffix, folder)
        done = index_upload(copy, shown, owner, step, wait)
    except ReportError as exc:
        return "error", f"{shown}: {exc.problem}.", None
    except QuotaError as exc:
        log.info("%s: %s", owner, exc)
        sizes = {"adding": size_text(exc.adding), "total": size_text(exc.used + exc.adding)}
        return "error", f"{shown}: " + t(lang, "quota", limit=f"{exc.limit_mb:g}", **sizes), None
    except ReportBotError as exc:
        return "error", f"{shown}: {exc}", None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done.same:
        return "same", f"{shown}: the same text is already indexed as {done.name}.", done.name
    renamed = f" as {done.name}" if done.name != shown else ""
    counts = f"{done.result.sentences:,} sentences, {done.chars:,} characters"
    return "ok", f"{shown}: indexed{renamed} ({counts}).", done.name


def upload(
    files: list[str] | None,
    scope: list[str] | None,
    lang: str = "en",
    request: gr.Request = None,
    progress=gr.Progress(),  # noqa: B008 - Gradio injects the tracker through this default
):
    """UI handler: index the uploads, then add them to the reports the chat is about.

    An upload that waits for another one (``REPORTBOT_INDEX_JOBS`` at a time) shows its
    place in line until its turn, then its progress.
    """

    def step(done: int, total: int, name: str) -> None:
        progress((done, total), desc=t(lang, "indexing", name=name), unit="passages")

    def waiting(name: str, place: int) -> None:
        progress(0.0, desc=t(lang, "waiting", name=name, place=ordinal(place, lang)))

    user = _viewer(request)
    notices, added = index_uploads(files or [], step, user or "", lang, waiting)
    resident.stop()  # a resident answering process would keep the old index
    keep = [n for n in (scope or []) if n in _report_names(user)]
    chosen = list(dict.fromkeys(keep + added)) if keep else []
    return fmt.notices_html(notices), *_reports_view(chosen, lang, user), None


def _reports(user: str | None = None) -> list:
    """The reports ``user`` sees; none while the bot prepares (the page does not wait)."""
    return list_reports(user) if STARTUP.ready else []


def _reports_table(user: str | None, lang: str, reports: list | None = None) -> str:
    if not STARTUP.ready:
        return f'<div class="rb-sources-empty">{t(lang, "prepare_reports")}</div>'
    return fmt.reports_html(_reports(user) if reports is None else reports, lang)


def _report_names(user: str | None = None) -> list[str]:
    return [r.name for r in _reports(user)]


def _reports_view(scope: list[str] | None, lang: str, user: str | None = None):
    """(scope dropdown, reports table, report picker) after the reports changed."""
    reports = _reports(user)
    names = [r.name for r in reports]
    scope = [n for n in scope or [] if n in names]
    return (
        gr.Dropdown(choices=names, value=scope, label=_scope_label(scope, lang), multiselect=True),
        _reports_table(user, lang, reports),
        gr.Dropdown(choices=names, value=None),
    )


WATCH = 5.0  # seconds between looks for reports indexed elsewhere (a terminal, a tab)


def watch_reports(known: str, scope: list[str] | None, lang: str, request: gr.Request = None):
    """Reports indexed or removed elsewhere (``reportbot index`` in a terminal, another
    tab) show up in the page without a reload: when the reports the user sees changed
    since ``known`` (their names and hashes), the scope, table and picker are redrawn."""
    if not STARTUP.ready:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    user = _viewer(request)
    seen = _signature(_reports(user))
    if seen == known:
        return gr.skip(), gr.skip(), gr.skip(), gr.skip()
    return seen, *_reports_view(scope, lang, user)


def _signature(reports: list) -> str:
    """What identifies the reports a page shows: their names and contents' hashes."""
    return "\n".join(sorted(f"{r.name}\t{r.sha256}" for r in reports))


def remove(name: str | None, scope: list[str] | None, lang: str = "en", request: gr.Request = None):
    """Drop a report from the index; it leaves the scope too. Old answers keep their quotes.

    With a login, only the user's own uploads (the library refuses the rest)."""
    user = _viewer(request)
    if not name:
        return gr.skip(), *_reports_view(scope, lang, user)
    try:
        done = remove_report(name, user)
    except NotYoursError:
        notice = ("error", t(lang, "not_yours", name=name))
    else:
        resident.stop()
        notice = (
            ("ok", t(lang, "removed", name=name))
            if done
            else ("error", t(lang, "not_indexed", name=name))
        )
    return fmt.notices_html([notice]), *_reports_view(scope, lang, user)


def reindex(
    name: str | None, scope: list[str] | None, lang: str = "en", request: gr.Request = None
):
    """Read a report's file again (a changed file re-embeds only its new sentences).

    Reports uploaded in the page have no file to read again; they are uploaded anew.
    """
    user = _viewer(request)
    info = next((r for r in _reports(user) if r.name == name), None)
    if info is None:
        return gr.skip(), *_reports_view(scope, lang, user)
    path = Path(info.path) if info.path else None
    if path is None or path.name != name or not path.is_file():
        notice = ("error", t(lang, "uploaded_only", name=name))
    else:
        try:
            result = reindex_report(name, path, user)
            resident.stop()
            notice = ("ok", t(lang, "reindexed", name=name, n=result.embedded))
        except NotYoursError:
            notice = ("error", t(lang, "not_yours", name=name))
        except ReportBotError as exc:
            notice = ("error", plain_error(exc, lang))
    return fmt.notices_html([notice]), *_reports_view(scope, lang, user)


# --- API (gradio_client) ------------------------------------------------------------


def api_ask(
    question: str,
    history: list[list[str]] | None = None,
    reports: list[str] | None = None,
    mode: str | None = None,
    request: gr.Request = None,
) -> dict:
    """Answer a question from the indexed reports.

    Returns {"question", "answer", "answered", "language", "mode", "citations": [{"source",
    "start", "end", "quote", "score", "page"}], "llm"}; "page" is the page a quote begins
    on in a PDF, else null. Every quote equals
    report_text(source)[start:end]. history: earlier [question, answer] pairs; reports:
    report names to search (default: all); mode: "extractive" or "llm" (default: "llm"
    when the server has a model, as in the page). "llm" is {"passed", "problem", "reply"}
    in mode "llm": whether the model's reply was shown, else why not (the answer is then
    the extractive one, with a note); null otherwise. With a login, only the shared
    reports and the user's own are searched.
    """
    try:
        answer = ask(
            question, [tuple(t) for t in history or []], reports=reports or None,
            mode=mode or _default_mode(), user=_viewer(request),
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


def api_reports(request: gr.Request = None) -> list[dict]:
    """The indexed reports: name, sha256, chars, sentences, chunks (with a login: the
    shared ones and the user's own)."""
    hidden = {"path", "owner", "size"}
    reports = list_reports(_viewer(request))
    return [{k: v for k, v in asdict(r).items() if k not in hidden} for r in reports]


def api_report_text(name: str, request: gr.Request = None) -> str:
    """The full text of an indexed report: the text citation offsets index."""
    try:
        return report_text(name, _viewer(request))
    except ReportBotError as exc:
        raise gr.Error(str(exc)) from None


def api_index(files: list[str] | None, request: gr.Request = None) -> dict:
    """Index uploaded files; returns {"notices": [{"kind", "message"}], "reports": [...]}.

    With a login they are the user's own; past the user's quota a file is refused."""
    notices, names = index_uploads(files or [], owner=_user(request))
    return {
        "notices": [{"kind": k, "message": m} for k, m in notices],
        "reports": names,
    }


# --- page ---------------------------------------------------------------------------


def _examples(scope: list[str] | None, lang: str | None = None):
    """Example questions for the reports in scope (all reports when the scope is empty).

    Reports chosen by name are waited for; "all reports" shows what is ready."""
    samples = [[q] for q in load_examples(scope or _report_names(), wait=bool(scope))]
    label = {"label": t(lang, "examples")} if lang else {}
    return gr.Dataset(
        samples=samples, samples_per_page=len(samples) or 1, visible=bool(samples), **label
    )


def build_app(login: bool = False) -> gr.Blocks:
    """The page and its API. Call :func:`launch` (or ``main``) to serve it.

    ``login``: the server asks for one (``--auth``); the page then lists, until the user
    is known, only the shared reports.
    """
    before = "" if login else None  # whose reports the page shows before it loads
    names = _report_names(before)
    private = {"api_visibility": "private"}
    en = partial(t, "en")
    with gr.Blocks(title="reportbot", analytics_enabled=False) as demo:
        turns = gr.State([])
        # The current chat and the chosen language survive a reload (the browser keeps them).
        chat_id = gr.BrowserState("", storage_key="reportbot-chat", secret="reportbot-chat")
        lang_pref = gr.BrowserState("", storage_key="reportbot-lang", secret="reportbot-lang")
        lang = gr.State("en")
        with gr.Sidebar(open=True, elem_id="rb-sidebar"):
            new_btn = gr.Button(en("new_chat"), variant="primary", elem_id="rb-new")
            chats = gr.Radio(choices=[], label=en("chats"), elem_id="rb-chats")
            title = gr.Textbox(label=en("rename"), max_lines=1, elem_id="rb-title")
            with gr.Row():
                rename_btn = gr.Button(en("rename_btn"), size="sm", elem_id="rb-rename")
                delete_btn = gr.Button(
                    en("delete_btn"), size="sm", variant="stop", elem_id="rb-delete"
                )
            export_btn = gr.Button(en("export_btn"), size="sm", elem_id="rb-export")
            export_file = gr.File(visible=False, elem_id="rb-export-file")
        with gr.Row(elem_id="rb-top"):
            header = gr.HTML(_header(en("intro")), elem_id="rb-header")
            language = gr.Radio(
                choices=[(v, k) for k, v in LANGUAGES.items()],
                value="en",
                show_label=False,
                elem_id="rb-lang",
                min_width=230,
                scale=0,
            )
        # Until the model and the default report are ready: how far they are, each second.
        status = gr.HTML(_status_html("en"), visible=not STARTUP.ready, elem_id="rb-status")
        timer = gr.Timer(1, active=not STARTUP.ready)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(
                    show_label=False,  # a "Chat" label overlapped the first message on phones
                    elem_id="rb-chat",
                    height=540,
                    latex_delimiters=[],
                    buttons=[],
                    feedback_options=("Like", "Dislike"),
                    placeholder=en("placeholder"),
                )
                msg = gr.Textbox(
                    placeholder=en("question"),
                    show_label=False,
                    submit_btn=True,
                    autofocus=True,
                    interactive=STARTUP.ready,
                    max_lines=4,
                    elem_id="rb-question",
                )
                scope = gr.Dropdown(
                    choices=names,
                    value=[],
                    multiselect=True,
                    label=_scope_label([], "en"),
                    elem_id="rb-scope",
                )
                # Offered (and on) only when REPORTBOT_LLM_BASE_URL names a model server.
                has_llm = _default_mode() == "llm"
                use_llm = gr.Checkbox(
                    value=has_llm, visible=has_llm, elem_id="rb-llm", label=en("llm")
                )
                first = load_examples(names, wait=False)
                example_set = gr.Dataset(
                    components=[msg],
                    samples=[[q] for q in first],
                    label=en("examples"),
                    samples_per_page=len(first) or 1,
                    elem_id="rb-examples",
                )
                # The key points of the reports in scope, each cited (the summary form).
                summarize_btn = gr.Button(
                    en("summarize"), size="sm", elem_id="rb-summarize", variant="secondary"
                )
            with gr.Column(scale=2, min_width=300):
                sources_title = gr.HTML(_panel_title(en("sources")))
                sources = gr.HTML(fmt.sources_html([], {}), elem_id="rb-sources", container=True)
        with gr.Accordion(en("reader_title"), open=False, elem_id="rb-reader") as reader_box:
            reader_pick = gr.Dropdown(
                choices=names, value=None, label=en("reader_pick"), elem_id="rb-reader-pick"
            )
            reader = gr.HTML(fmt.reader_empty_html(), elem_id="rb-reader-body", container=True)
        # Written by the page's script when a quote or "Open in report" is clicked (its
        # "change" event: Gradio's "input" fires on key presses only).
        open_req = gr.Textbox(
            elem_id="rb-open-request", elem_classes=["rb-hidden"], show_label=False,
            container=False,
        )  # fmt: skip
        with gr.Accordion(en("reports_title"), open=False, elem_id="rb-upload") as accordion:
            with gr.Row():
                with gr.Column(scale=3):
                    files = gr.File(
                        file_count="multiple",
                        file_types=sorted(LOADERS),
                        label=en("upload"),
                        elem_id="rb-files",
                        interactive=STARTUP.ready,
                        height=140,
                    )
                    notes = gr.HTML("", elem_id="rb-notices")
                with gr.Column(scale=2):
                    table = gr.HTML(_reports_table(before, "en"), elem_id="rb-reports")
                    with gr.Row():
                        report_pick = gr.Dropdown(
                            choices=names,
                            value=None,
                            label=en("report_pick"),
                            elem_id="rb-pick",
                            scale=3,
                        )
                        remove_btn = gr.Button(
                            en("remove_btn"),
                            variant="stop",
                            size="sm",
                            elem_id="rb-remove",
                            scale=1,
                        )
                        reindex_btn = gr.Button(
                            en("reindex_btn"), size="sm", elem_id="rb-reindex", scale=1
                        )

        labelled = [
            header,
            msg,
            new_btn,
            chats,
            title,
            rename_btn,
            delete_btn,
            export_btn,
            example_set,
            summarize_btn,
            sources_title,
            accordion,
            files,
            report_pick,
            remove_btn,
            reindex_btn,
            use_llm,
            reader_box,
            reader_pick,
            chat,
        ]

        def relabel(code: str, scope_value: list[str] | None, ready: bool) -> list:
            s = partial(t, code)
            return [
                _header(s("intro")),
                gr.Textbox(placeholder=s("question"), interactive=ready),
                gr.Button(s("new_chat")),
                gr.Radio(label=s("chats")),
                gr.Textbox(label=s("rename")),
                gr.Button(s("rename_btn")),
                gr.Button(s("delete_btn")),
                gr.Button(s("export_btn")),
                _examples(scope_value, code),
                gr.Button(s("summarize")),
                _panel_title(s("sources")),
                gr.Accordion(label=s("reports_title")),
                gr.File(label=s("upload"), interactive=ready),
                gr.Dropdown(label=s("report_pick")),
                gr.Button(s("remove_btn")),
                gr.Button(s("reindex_btn")),
                gr.Checkbox(label=s("llm")),
                gr.Accordion(label=s("reader_title")),
                gr.Dropdown(label=s("reader_pick")),
                gr.Chatbot(placeholder=s("placeholder")),
                gr.Dropdown(label=_scope_label(scope_value, code)),
            ]

        def on_load(pref: str, browser: str, saved_id: str, request: gr.Request):
            """Restore the language and the current chat of the last visit.

            While the bot prepares, what needs the reports is left empty and the timer
            goes on: its last tick (:func:`tick`) fills it in."""
            ready = STARTUP.ready  # once: what follows may see it ready, never unready
            code = pick(pref, browser)
            opened = open_chat(saved_id, code, request)
            scope_value = _saved(saved_id, _user(request))[2]
            labels = relabel(code, scope_value, ready)[:-1]
            # The reports this user sees (the page was built before anyone logged in).
            user = _viewer(request)
            labels[next(i for i, c in enumerate(labelled) if c is report_pick)] = gr.Dropdown(
                label=t(code, "report_pick"), choices=_report_names(user), value=None
            )
            return (
                code,
                code,
                *opened[:3],
                opened[4],
                opened[5],
                opened[6],
                *labels,
                opened[3],
                _reports_table(user, code),
                _status(code),
                gr.Timer(active=not ready and not STARTUP.failed),
                _signature(_reports(user)) if ready else "",
            )

        def tick(code: str, saved_id: str, turns_value: list[Turn], request: gr.Request):
            """The status line each second; once ready, the chat enabled and the reports in."""
            if not STARTUP.ready:
                return _status(code), gr.Timer(active=not STARTUP.failed), *[gr.skip()] * 8
            user = _viewer(request)
            scope_value = _saved(saved_id, _user(request))[2]
            scope_box, table_html, picker = _reports_view(scope_value, code, user)
            return (
                _status(code),
                gr.Timer(active=False),
                gr.Textbox(interactive=True),
                gr.File(interactive=True),
                scope_box,
                table_html,
                picker,
                gr.Dropdown(choices=_report_names(user), value=None),
                _examples(scope_value, code),
                _sources(turns_value, user, code),
            )

        def switch(
            code: str,
            turns_value: list[Turn],
            scope_value: list[str] | None,
            request: gr.Request = None,
        ):
            user = _viewer(request)
            return (
                code,
                code,
                _sources(turns_value, user, code),
                _reports_table(user, code),
                *relabel(code, scope_value, STARTUP.ready),
            )

        # The page's language for the script (copy buttons) and screen readers; "ready" once
        # the last visit's chat is restored.
        set_html_lang = (
            "(code) => { const root = document.documentElement;"
            " root.lang = root.dataset.rbLang = code; root.dataset.rbReady = '1'; }"
        )
        known_reports = gr.State("")  # the reports the page shows (see watch_reports)
        restored = demo.load(
            on_load,
            [lang_pref, lang_pref, chat_id],
            [lang, language, chat, turns, sources, chat_id, chats, title, *labelled, scope, table,
             status, timer, known_reports],
            js="(pref, _, id) => [pref, navigator.language || 'en', id]",
            show_progress="hidden",
            **private,
        )  # fmt: skip
        timer.tick(
            tick,
            [lang, chat_id, turns],
            [status, timer, msg, files, scope, table, report_pick, reader_pick, example_set,
             sources],
            show_progress="hidden",
            concurrency_limit=None,  # a few microseconds each: no page waits for another's
            **private,
        )  # fmt: skip
        watch = gr.Timer(WATCH)
        watch.tick(
            watch_reports,
            [known_reports, scope, lang],
            [known_reports, scope, table, report_pick],
            show_progress="hidden",
            concurrency_limit=None,  # reads the report list only
            **private,
        )
        # Phones: the chat list starts closed (it would cover the chat); its button opens it.
        close_on_phone = (
            "() => { if (innerWidth < 700)"
            " document.querySelector('#rb-sidebar.open .toggle-button')?.click(); }"
        )
        restored.then(None, None, None, js=close_on_phone).then(None, lang, None, js=set_html_lang)
        language.input(
            switch,
            [language, turns, scope],
            [lang, lang_pref, sources, table, *labelled, scope],
            **private,
        ).then(None, lang, None, js=set_html_lang)

        chat_io = {
            "inputs": [msg, chat, turns, scope, use_llm, lang, chat_id],
            "outputs": [msg, chat, turns, sources, chat_id, chats],
        }
        # A question sent while an answer streams is asked next, not dropped.
        asked = msg.submit(respond, **chat_io, trigger_mode="always_last", **private)
        picked = example_set.click(lambda sample: sample[0], example_set, msg, **private).then(
            respond, **chat_io, **private
        )
        summed = summarize_btn.click(
            lambda code: t(code, "summarize_question"), lang, msg, **private
        ).then(respond, **chat_io, **private)
        # A new chat stops an answer still streaming, which would otherwise refill it.
        reset = {
            "outputs": [chat, turns, sources, msg, chat_id, chats],
            "cancels": [asked, picked, summed],
            **private,
        }
        new_btn.click(new_chat, lang, **reset)
        chat.clear(new_chat, lang, **reset)
        delete_btn.click(delete_chat, [chat_id, lang], **reset)
        opened = [chat, turns, sources, scope, chat_id, chats, title]
        chats.input(open_chat, [chats, lang], opened, cancels=[asked, picked, summed], **private)
        rename_btn.click(rename_chat, [chat_id, title, lang], chats, **private)
        title.submit(rename_chat, [chat_id, title, lang], chats, **private)
        export_btn.click(export_chat, chat_id, export_file, **private)
        chat.like(rate, chat_id, None, **private)
        scope.input(save_scope, [chat_id, scope, lang], [scope, example_set], **private)

        # The reader follows the chat: every answer (or another chat) re-marks its spans.
        def refresh_reader(
            name: str | None, turns_value: list[Turn], code: str, request: gr.Request
        ):
            return show_report(name, turns_value, code, "", request)[0] if name else gr.skip()

        reader_io = {"inputs": [reader_pick, turns, lang], "outputs": reader, **private}
        turns.change(refresh_reader, **reader_io)
        lang.change(refresh_reader, **reader_io)
        reader_pick.input(show_report, [reader_pick, turns, lang], [reader, reader_pick], **private)

        # Reports indexed elsewhere (a terminal, another tab) are offered when it opens.
        def offer_reports(name: str | None, request: gr.Request):
            return gr.Dropdown(choices=_report_names(_viewer(request)), value=name)

        reader_pick.focus(offer_reports, reader_pick, reader_pick, **private)
        open_req.change(
            open_in_report, [open_req, turns, lang], [reader, reader_pick, reader_box], **private
        ).then(None, open_req, None, js="(req) => window.rbReaderGo?.(req)")

        reports_out = [notes, scope, table, report_pick]
        # Not one at a time in Gradio's queue: every upload reaches the library's line,
        # which tells a waiting user their place (REPORTBOT_INDEX_JOBS run at once).
        files.upload(
            upload,
            [files, scope, lang],
            [*reports_out, files],
            show_progress_on=files,
            concurrency_limit=None,
            **private,
        )
        remove_btn.click(remove, [report_pick, scope, lang], reports_out, **private)
        reindex_btn.click(reindex, [report_pick, scope, lang], reports_out, **private)

        gr.api(api_ask, api_name="ask")
        gr.api(api_reports, api_name="reports")
        gr.api(api_report_text, api_name="report_text")
        # Files need a component (it checks that a path is a real upload) and a trigger.
        api_files = gr.File(file_count="multiple", visible=False)
        api_result = gr.JSON(visible=False)
        api_go = gr.Button(visible=False)
        api_go.click(
            api_index, api_files, api_result, api_name="index_reports", concurrency_limit=None
        )
    return demo


def _status_html(lang: str) -> str:
    """The status line of the preparation; "" once ready."""
    text, now = STARTUP.status(lang), STARTUP.now
    return fmt.status_html(text, now.seconds, now.phase == "failed") if text else ""


def _status(lang: str) -> gr.HTML:
    html = _status_html(lang)
    return gr.HTML(html, visible=bool(html))


def _header(intro: str) -> str:
    return f'<header class="rb-header"><h1>reportbot</h1><p>{intro}</p></header>'


def _panel_title(title: str) -> str:
    return f'<h2 class="rb-panel-title">{title}</h2>'


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: list[tuple[str, str]] | tuple[str, str] | None = None,
    share: bool = False,
) -> tuple[str, str | None]:
    """Serve ``demo`` without blocking; returns the local address and the share link.

    Every request body is bounded (:mod:`ui.limits`): REPORTBOT_UI_MAX_REQUEST_MB, and
    REPORTBOT_UI_MAX_UPLOAD_MB for an upload (each file: 4 x REPORTBOT_MAX_REPORT_MB).
    """
    from starlette.middleware import Middleware

    settings = get_library().settings
    max_mb = settings.max_report_mb
    limit = Middleware(
        BodyLimit, request_mb=settings.ui_max_request_mb, upload_mb=settings.ui_max_upload_mb
    )
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
        app_kwargs={"middleware": [limit]},
    )
    return url, share_url


def parse_auth(value: str | tuple[str, str] | None, file: str = "") -> list[tuple[str, str]] | None:
    """The logins: ``"user:password"``, several separated by commas, and/or the lines
    of ``file`` (``user:password`` each; blank lines and ``#`` comments are skipped).
    None when there are none. A password holding a comma goes in the file.

    >>> parse_auth("alice:pw1,bob:pw2")
    [('alice', 'pw1'), ('bob', 'pw2')]
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(value, tuple):
        pairs.append(value)
    elif value:
        where = "--auth (or REPORTBOT_UI_AUTH)"
        pairs += [_login(item.strip(), where) for item in value.split(",")]
    if file:
        try:
            lines = Path(file).expanduser().read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise SystemExit(f"reportbot: cannot read the logins file {file}: {why}") from None
        for n, line in enumerate(lines, 1):
            if line.strip() and not line.strip().startswith("#"):
                pairs.append(_login(line.strip(), f"line {n} of {file}"))
    users = [user for user, _ in pairs]
    twice = sorted({u for u in users if users.count(u) > 1})
    if twice:
        raise SystemExit(f"reportbot: user {', '.join(twice)} is given more than one password")
    return pairs or None


def _login(item: str, where: str) -> tuple[str, str]:
    user, colon, password = item.partition(":")
    if not (colon and user.strip() and password):
        raise SystemExit(
            f"reportbot: {where} must be user:password (several: user:password,user2:password2)"
        )
    return user.strip(), password


def _check_port(host: str, port: int) -> None:
    """Fail with one line, before Gradio tries other ports, when the port is taken."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):
            pass
    except OSError as exc:
        raise SystemExit(f"reportbot: cannot serve on {host}:{port}: {exc.strerror}") from None


def main(
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | tuple[str, str] | None = None,
    share: bool = False,
    auth_file: str | None = None,
) -> None:
    """Serve the UI, print its address, prepare the model and index, block until Ctrl+C.

    The page is served at once: it shows how far the preparation has come (the
    terminal too) and enables the question box when it is done.

    ``auth`` is ``"user:password"`` (several: comma-separated) and ``auth_file`` a file
    of such lines; when None, ``REPORTBOT_UI_AUTH`` / ``REPORTBOT_UI_AUTH_FILE``.
    """
    global TEMP, STARTUP
    try:
        settings = Settings.from_env()
    except ReportBotError as exc:
        raise SystemExit(f"reportbot: {exc}") from None
    credentials = parse_auth(
        auth if auth is not None else settings.ui_auth or None,
        auth_file if auth_file is not None else settings.ui_auth_file,
    )
    _check_port(host, port)
    # Uploads land in a folder of this process in the data folder, never in the shared
    # system one; what an earlier, ended process left there (rejected uploads too) goes.
    try:
        TEMP = private_temp(settings.data_dir)
        os.environ["GRADIO_TEMP_DIR"] = str(TEMP / "gradio")
    except OSError as exc:  # a read-only data folder: the system's temporary folder
        log.info("no temporary folder in %s: %s", settings.data_dir, exc)
    STARTUP = Startup()
    # The page is up first and says how far the preparation has come: on the first
    # start, converting the model and indexing the bundled report take a minute or more.
    ticker = Ticker("starting the web server…").start()
    try:
        demo = build_app(login=bool(credentials))
        url, share_url = launch(demo, host, port, credentials, share)
    except (ReportBotError, OSError) as exc:
        ticker.stop()
        where = "" if isinstance(exc, ReportBotError) else f"cannot serve on {host}:{port}: "
        raise SystemExit(f"reportbot: {where}{exc}") from None
    login = " (login required)" if credentials else ""
    print(f"reportbot UI: {url}{login}  (preparing…; Ctrl+C to stop)", flush=True)
    if share_url:
        print(f"reportbot UI, public link: {share_url}", flush=True)
    prepare_in_background(STARTUP, ticker)
    # `kill` (SIGTERM) stops the server as cleanly as Ctrl+C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    demo.block_thread()
