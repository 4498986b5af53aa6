"""The first start in a real Chromium: the page is up while the bot prepares, says how far
it has come, and becomes a working chat without a reload.

The app starts on a fresh data folder (no ``indexed_data`` copy), so it really indexes
the bundled report while the page is open.
"""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import START_TIMEOUT, Server, open_page
from tests.ui.test_browser import BOT, ask, screenshot

pytestmark = pytest.mark.slow
expect = pytest.importorskip("playwright.sync_api").expect

PREPARING = re.compile(r"Preparing the model|Indexing the bundled report")


def test_the_page_is_up_while_the_bot_prepares_then_answers(browser, tmp_path):
    with Server(tmp_path, ready=False).start() as srv:  # as soon as the page answers
        with open_page(browser, srv.url, timeout=START_TIMEOUT) as page:
            status, box = page.locator("#rb-status"), page.locator("#rb-question textarea")
            expect(status).to_contain_text(PREPARING)
            expect(box).to_be_disabled()
            # The count goes up while the page watches: the timer shows each step.
            progress = re.compile(r"Indexing the bundled report: \d+/87 passages")
            expect(status).to_contain_text(progress, timeout=START_TIMEOUT * 1000)
            screenshot(page, "preparing.png")
            page.locator("#rb-lang").get_by_text("中文").click()
            expect(status).to_contain_text(re.compile(r"正在索引内置报告|即将就绪"))
            expect(box).to_be_disabled()  # a language switch does not enable it early
            page.locator("#rb-lang").get_by_text("English").click()

            # Ready: the status goes, the chat and what needed the index come in.
            expect(status).to_be_hidden(timeout=START_TIMEOUT * 1000)
            expect(box).to_be_enabled()
            expect(page.locator("#rb-examples")).to_be_visible()
            page.get_by_text("Your reports: upload").click()
            expect(page.locator("#rb-reports")).to_contain_text("kuaishou-2024h1.txt")
            ask(page, "How much did UAX lift ARPU?")
            expect(page.locator(BOT).last).to_contain_text("196%")
    said = srv.log.read_text()
    # The address first, while preparing; "ready in" after the passages were indexed.
    assert said.index("reportbot UI: http") < said.index("Indexing the bundled report")
    assert said.index("Indexing the bundled report") < said.index("reportbot: ready in")
