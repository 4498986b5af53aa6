"""ui.startup: where the preparation stands, for the page and the terminal; the page while
the bot prepares (it waits for nothing, answers politely, and fills in when ready)."""

from __future__ import annotations

import html
import threading
import time

import pytest

from index.errors import ReportBotError
from ui import app, startup
from ui.startup import Startup


def test_the_status_follows_each_step_in_the_pages_language():
    s = Startup()
    s.model(converting=True)
    assert "converting" in s.status("en") and "转换" in s.status("zh")
    s.model(converting=False)
    assert s.status("en") == "Preparing the model…" and s.status("zh") == "正在准备模型…"
    s.indexing(40, 87)
    assert s.status("en") == "Indexing the bundled report: 40/87 passages"
    assert s.status("zh") == "正在索引内置报告：40/87 个段落"
    s.indexing(87, 87)  # every passage embedded: the keyword index is built next
    assert s.now.phase == "warming" and not s.ready
    s.finish()
    assert s.ready and s.status("en") == s.status("zh") == ""
    s.indexing(1, 2)  # ready is final: a late progress call changes nothing
    assert s.ready


def test_a_failure_is_one_line_and_final():
    s = Startup()
    s.fail("the index at /data is damaged:\n  its reports are gone")
    s.finish()
    assert s.failed and not s.ready
    assert s.status("en") == (
        "The bot could not get ready: the index at /data is damaged: its reports are gone"
    )
    assert s.status("zh").startswith("无法就绪：")


def test_the_time_counts_while_preparing_and_stops_at_the_end():
    s = Startup()
    time.sleep(0.05)
    assert s.now.seconds >= 0.05
    s.finish()
    assert s.now.seconds == s.now.seconds  # frozen: the page no longer counts


@pytest.mark.parametrize("converts", [True, False])
def test_the_first_start_is_never_silent_and_says_converting_only_then(
    monkeypatch, capsys, converts
):
    def prepare(progress):
        time.sleep(1.1)
        for done in range(0, 11):
            progress(done, 10)

    monkeypatch.setattr(startup, "HEARTBEAT", 0.2)
    monkeypatch.setattr(startup, "needs_conversion", lambda: converts)
    monkeypatch.setattr(startup, "prepare", prepare)
    monkeypatch.setattr(startup, "list_reports", lambda: [])
    s = Startup()
    startup.prepare_with_progress(s)
    lines = capsys.readouterr().err.splitlines()
    assert ("converting" in lines[0]) is converts and "ready in" in lines[-1]
    assert len(lines) >= 5  # a line at least every HEARTBEAT seconds while preparing
    assert "Indexing the bundled report: 0/10 passages" in "\n".join(lines)
    assert s.ready


def test_preparing_in_the_background_records_the_error_for_the_page(monkeypatch, capsys):
    started = threading.Event()

    def prepare(progress):
        progress(3, 87)
        started.wait(5)
        raise ReportBotError("no model named nano (REPORTBOT_EMBED_MODEL)")

    monkeypatch.setattr(startup, "needs_conversion", lambda: False)
    monkeypatch.setattr(startup, "prepare", prepare)
    s = Startup()
    ticker = startup.Ticker("starting the web server…").start()
    thread = startup.prepare_in_background(s, ticker)
    deadline = time.monotonic() + 5
    while s.now.phase != "indexing" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert s.status("en") == "Indexing the bundled report: 3/87 passages"
    started.set()
    thread.join(5)
    # The page's line names no setting; the terminal's, for whoever runs the server, does.
    assert s.failed and s.status("en") == "The bot could not get ready: no model named nano"
    said = capsys.readouterr().err
    assert "preparing failed: no model named nano (REPORTBOT_EMBED_MODEL)" in said
    assert ticker.stopped  # the terminal's heartbeat ends with the preparation


@pytest.fixture
def preparing(monkeypatch):
    """The page while the bot prepares: any look at the reports would wait, so it fails."""

    def wait(*args, **kwargs):
        raise AssertionError("the page waited for the index")

    s = Startup()
    s.indexing(40, 87)
    monkeypatch.setattr(app, "STARTUP", s)
    for name in ("ask", "list_reports", "report_text", "example_questions"):
        monkeypatch.setattr(app, name, wait)
    return s


def test_while_preparing_a_question_gets_a_polite_answer_and_no_turn(preparing):
    *_, (box, chat, turns, *_) = app.respond("How much?", [], [], None, lang="en")
    assert "Still preparing" in chat[-1]["content"] and turns == []
    *_, (box, chat, turns, *_) = app.respond("多少?", [], [], None, lang="zh")
    assert "仍在准备中" in chat[-1]["content"]
    preparing.fail("no model")
    *_, (box, chat, turns, *_) = app.respond("How much?", [], [], None, lang="en")
    assert "could not get ready: no model" in html.unescape(chat[-1]["content"])


def test_while_preparing_the_page_builds_and_lists_nothing_without_waiting(preparing):
    scope, table, picker = app._reports_view(["r.txt"], "zh", None)
    assert scope.constructor_args["choices"] == [] and "就绪后会列出报告" in table
    assert app._sources([object()], None, "en") == app.fmt.sources_pending_html("en")
    assert app.show_report("r.txt", [], "en")[0] == app.fmt.reader_empty_html("en")
    demo = app.build_app()  # would raise if it looked at a report
    status = next(b for b in demo.blocks.values() if b.elem_id == "rb-status")
    assert status.visible
    assert "Indexing the bundled report: 40/87 passages" in html.unescape(status.value)
    question = next(b for b in demo.blocks.values() if b.elem_id == "rb-question")
    assert question.interactive is False
