"""LLM answers in the page and over the API: with a real model server, and with a dead one.

One app answers through llama-cpp-python's server with the small test model (the
``llm_server`` fixture, shared with tests/bot); another has REPORTBOT_LLM_BASE_URL on a
port where nothing listens. Either way a person sees an answer with its exact quotes
and no traceback or error toast: the model's checked reply (streamed as it arrives), or
the extractive answer with a note saying why. The model writes ~20 tokens/s on two
cores, so there are two questions to it here, one in the page and one over the API.
"""

from __future__ import annotations

import os
import re
import socket
import time

import pytest

from index import default_report_path
from tests.servers import free_port
from tests.ui.conftest import Server, open_page
from tests.ui.test_browser import BOT, ask, screenshot

pytestmark = pytest.mark.slow
expect = pytest.importorskip("playwright.sync_api").expect
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
gradio_client = pytest.importorskip("gradio_client")

MODEL_TIMEOUT = 30  # REPORTBOT_LLM_TIMEOUT with the real model: two loaded cores are slow
DEAD_TIMEOUT = 3  # the same for the app whose model server is down
NOTE = re.compile(r"\(Note: |\(注:")

# Every text the newest bot message shows while its caret is there (i.e. while streaming).
WATCH_STREAM = """() => {
  window.rbSeen = [];
  new MutationObserver(() => {
    const m = [...document.querySelectorAll('[data-testid="bot"]')].pop();
    if (!m || !m.querySelector('.rb-caret')) return;
    const text = m.innerText;
    if (window.rbSeen[window.rbSeen.length - 1] !== text) window.rbSeen.push(text);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def llm_app(tmp_path_factory, indexed_data, llm_server):
    env = {"REPORTBOT_LLM_BASE_URL": llm_server.base_url,
           "REPORTBOT_LLM_TIMEOUT": str(MODEL_TIMEOUT)}  # fmt: skip
    with Server(tmp_path_factory.mktemp("ui-llm"), data=indexed_data, **env).start() as srv:
        yield srv


@pytest.fixture(scope="module")
def dead_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def dead_app(tmp_path_factory, indexed_data, dead_port):
    env = {"REPORTBOT_LLM_BASE_URL": f"http://127.0.0.1:{dead_port}/v1",
           "REPORTBOT_LLM_TIMEOUT": str(DEAD_TIMEOUT)}  # fmt: skip
    with Server(tmp_path_factory.mktemp("ui-dead-llm"), data=indexed_data, **env).start() as srv:
        yield srv


def client(server):
    return gradio_client.Client(server.url, verbose=False, analytics_enabled=False)


def check_sources(page) -> None:
    """Every quote in the sources panel is the report's text at the citation's offsets."""
    text = default_report_path().read_text(encoding="utf-8")
    sources = page.locator("#rb-sources .rb-source")
    assert sources.count() >= 1
    for source in sources.all():
        start, end = int(source.get_attribute("data-start")), int(source.get_attribute("data-end"))
        assert source.locator("mark.rb-quote").text_content() == text[start:end]


def check_no_error(page, server) -> None:
    expect(page.get_by_test_id("toast-body")).to_have_count(0)
    assert "Traceback" not in page.locator("body").inner_text()
    assert "Traceback" not in server.log.read_text(errors="replace")


def test_llm_answer_streams_then_the_checked_answer_shows_with_quotes(browser, llm_app):
    with open_page(browser, llm_app.url, timeout=4 * MODEL_TIMEOUT) as page:
        expect(page.locator("#rb-llm input")).to_be_checked()
        page.evaluate(WATCH_STREAM)
        ask(page, "快手电商二季度月活跃买家数是多少?")
        answer = page.locator(BOT).last
        final = answer.inner_text()
        streamed = page.evaluate("window.rbSeen")
        # The model's reply typed in piece by piece, then the checked answer replaced it
        # (unless the reply was empty: then the extractive answer types in, with a note).
        assert len(streamed) >= 3, streamed
        assert final not in streamed or "模型的回答为空" in final, (final, streamed)
        expect(answer).to_contain_text("1.31亿")
        expect(answer.locator("a.rb-marker").first).to_have_text("[1]")
        if not NOTE.search(final):  # the model's reply passed the check: it leads
            assert "1.31亿" in final.split("依据报告原文")[0], final
        check_sources(page)
        check_no_error(page, llm_app)
        screenshot(page, "ui-llm.png")


def test_api_answers_with_the_model_by_default_and_extractively_when_asked(llm_app):
    api = client(llm_app)
    llm = api.predict(question="How much did UAX lift ARPU?", api_name="/ask")
    assert llm["mode"] == "llm" and llm["llm"]["reply"], llm  # the model was asked, and answered
    assert "196%" in llm["answer"]
    assert llm["llm"]["passed"] or "(Note: " in llm["answer"]
    plain = api.predict(question="How much did UAX lift ARPU?", mode="extractive", api_name="/ask")
    assert plain["mode"] == "extractive" and plain["llm"] is None
    assert "196%" in plain["answer"] and "(Note: " not in plain["answer"]
    for c in llm["citations"] + plain["citations"]:
        text = api.predict(c["source"], api_name="/report_text")
        assert text[c["start"] : c["end"]] == c["quote"]


def test_dead_model_server_gives_the_extractive_answer_with_a_note(browser, dead_app):
    with open_page(browser, dead_app.url) as page:
        expect(page.locator("#rb-llm input")).to_be_checked()
        t0 = time.monotonic()
        ask(page, "How much did UAX lift ARPU?")
        seconds = time.monotonic() - t0
        answer = page.locator(BOT).last
        expect(answer).to_contain_text("196%")
        expect(answer).to_contain_text(
            "(Note: the model server could not be reached; showing the report's own words"
        )
        expect(answer.locator("a.rb-marker").first).to_have_text("[1]")
        assert seconds < 3 * DEAD_TIMEOUT, seconds  # the bound on a whole reply
        check_sources(page)
        check_no_error(page, dead_app)
        screenshot(page, "ui-llm-down.png")

        page.locator("#rb-llm input").uncheck()  # without the model: no note
        ask(page, "快手上半年经调整净利润是多少?")
        expect(page.locator(BOT).last).to_contain_text("90.7亿元")
        expect(page.locator(BOT).last).not_to_contain_text("注:")


def test_api_on_a_stalled_model_server_falls_back_within_the_timeout(dead_app, dead_port):
    # Something listens on the port now but never answers: the client's timeout ends it.
    with socket.create_server(("127.0.0.1", dead_port)):
        t0 = time.monotonic()
        result = client(dead_app).predict(question="快手的毛利率是多少?", api_name="/ask")
        seconds = time.monotonic() - t0
    assert result["llm"] == {"passed": False, "problem": "timeout", "reply": ""}
    assert "55.3%" in result["answer"] and "(注:模型未能及时回答" in result["answer"]
    assert DEAD_TIMEOUT <= seconds < 3 * DEAD_TIMEOUT, seconds
