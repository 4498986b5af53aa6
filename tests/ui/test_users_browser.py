"""Two people logged in to one server, in a real Chromium: bob never sees alice's upload.

The server runs with two logins (``REPORTBOT_UI_AUTH=alice:…,bob:…``). Alice uploads a
report through the page and is answered from it; bob, in his own browser context,
finds it neither in the reports table nor in the scope list, and his answer to the same
question does not come from it.
"""

from __future__ import annotations

import pytest

from tests.ui.conftest import PageWatch, Server
from tests.ui.test_browser import BOT, ask, upload

pytestmark = pytest.mark.slow
expect = pytest.importorskip("playwright.sync_api").expect

QUESTION = "How many crates does the Tromso depot store?"


@pytest.fixture(scope="module")
def two_users(tmp_path_factory, indexed_data):
    env = {"REPORTBOT_UI_AUTH": "alice:pw-a,bob:pw-b"}
    with Server(tmp_path_factory.mktemp("ui-two"), data=indexed_data, **env).start() as srv:
        yield srv


def logged_in(browser, url: str, user: str, password: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.watch = PageWatch(page)
    page.goto(url)
    page.locator("input[type=password]").wait_for()
    page.locator("input:not([type=password])").first.fill(user)
    page.locator("input[type=password]").fill(password)
    page.get_by_role("button", name="Login").click()
    page.locator("html[data-rb-ready]").wait_for(state="attached")
    # Chromium's hint on Gradio's login form ("Input elements should have autocomplete
    # attributes… More info: https://goo.gl/9p2vKq") names a URL; nothing is fetched.
    page.watch.external = [u for u in page.watch.external if "goo.gl/9p2vKq" not in u]
    return context, page


def test_bob_does_not_see_or_get_answers_from_alices_upload(browser, two_users, tmp_path):
    report = tmp_path / "depot.md"
    report.write_text("The Tromso depot stores 7,654 crates.\n", encoding="utf-8")
    alice_context, alice = logged_in(browser, two_users.url, "alice", "pw-a")
    try:
        upload(alice, report)
        expect(alice.locator("#rb-notices")).to_contain_text("depot.md: indexed")
        expect(alice.locator("#rb-reports")).to_contain_text("depot.md")
        ask(alice, QUESTION)
        expect(alice.locator(BOT).last).to_contain_text("7,654")
    finally:
        alice_context.close()
    assert alice.watch.external == [] and alice.watch.dialogs == []

    bob_context, bob = logged_in(browser, two_users.url, "bob", "pw-b")
    try:
        bob.get_by_text("Your reports: upload").click()
        expect(bob.locator("#rb-reports")).to_contain_text("kuaishou-2024h1.txt")
        expect(bob.locator("#rb-reports")).not_to_contain_text("depot.md")
        bob.locator("#rb-scope input").click()  # the scope's choices: the shared report only
        expect(bob.get_by_role("option", name="kuaishou-2024h1.txt")).to_be_visible()
        expect(bob.get_by_role("option", name="depot.md")).to_have_count(0)
        bob.keyboard.press("Escape")
        ask(bob, QUESTION)
        expect(bob.locator(BOT).last).not_to_contain_text("7,654")
        expect(bob.locator("#rb-sources")).not_to_contain_text("depot.md")
    finally:
        bob_context.close()
    assert bob.watch.external == [] and bob.watch.dialogs == []


def test_an_upload_behind_another_users_shows_its_place_then_is_indexed(
    browser, two_users, tmp_path
):
    big = tmp_path / "ledger.md"  # some 400 embeddings: tens of seconds on two cores
    big.write_text(
        "\n".join(
            f"Ledger line {i}: warehouse {i % 17} shipped {i * 3} pallets." for i in range(360)
        ),
        encoding="utf-8",
    )
    small = tmp_path / "memo.md"
    small.write_text("The Bergen office has 14 desks.\n", encoding="utf-8")
    alice_context, alice = logged_in(browser, two_users.url, "alice", "pw-a")
    bob_context, bob = logged_in(browser, two_users.url, "bob", "pw-b")
    try:
        upload(alice, big)
        expect(alice.locator("#rb-files")).to_contain_text("Indexing ledger.md")
        upload(bob, small)
        expect(bob.locator("#rb-files")).to_contain_text("Waiting to index memo.md: 1st in line")
        expect(bob.locator("#rb-notices")).to_contain_text("memo.md: indexed", timeout=180_000)
        expect(alice.locator("#rb-notices")).to_contain_text("ledger.md: indexed")
    finally:
        alice_context.close()
        bob_context.close()
