"""ui.format: answers and sources as markup; report text always inert, offsets exact."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ui import format as fmt

NASTY = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) **b** $$x$$"
)


@dataclass
class Cite:
    source: str
    start: int
    end: int
    quote: str
    score: float = 1.0


@dataclass
class Said:
    question: str
    answered: bool
    citations: list


def cite(text: str, quote: str, source: str = "r.txt") -> Cite:
    start = text.index(quote)
    return Cite(source, start, start + len(quote), quote)


def visible(markup: str) -> str:
    """The text a browser shows for ``markup`` (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<br>", "\n", re.sub(r"<(?!br>)[^>]+>", "", markup)))


def tags(markup: str) -> list[str]:
    return re.findall(r"<\s*([a-zA-Z]+)", markup)


def test_text_html_leaves_no_markup_and_shows_the_same_text():
    out = fmt.text_html(NASTY + "\nline 2")
    assert set(tags(out)) <= {"br"}
    for dangerous in ("<script", "<img", "](", "**", "$$", "javascript:"):
        assert dangerous not in out
    assert visible(out) == NASTY + "\nline 2"


def test_grounded_answer_links_each_marker_to_its_source():
    report = "Revenue was 603.8 billion. Margin rose to 55.3%."
    c1, c2 = cite(report, "Revenue was 603.8 billion."), cite(report, "Margin rose to 55.3%.")
    text = f"603.8 billion\n\nFrom the report: “{c1.quote}” [1] “{c2.quote}” [2]"
    out = fmt.answer_html(text, True, [c1, c2])
    assert 'class="rb-answer"' in out and "rb-notfound" not in out
    assert re.findall(r'href="#src-0-(\d)"[^>]*>\[(\d)\]', out) == [("1", "1"), ("2", "2")]
    # A later answer's markers link to that answer's own sources.
    later = fmt.answer_html(text, True, [c1, c2], turn=3)
    assert re.findall(r'href="#src-3-(\d)"', later) == ["1", "2"]
    assert '<p class="rb-lead">603&#46;8 billion</p>' in out
    assert visible(out).replace("\n", "") == text.replace("\n", "")


def test_marker_inside_a_quote_stays_text():
    report = "See note [1] for the 42% figure."
    c = cite(report, report)
    out = fmt.answer_html(f"“{report}” [1]", True, [c])
    assert out.count('class="rb-marker"') == 1
    assert out.index("&#91;1&#93;") < out.index('class="rb-marker"')


def test_not_found_answer_looks_different():
    out = fmt.answer_html("报告中没有找到这个问题的答案。", False, [], "zh")
    assert 'class="rb-notfound"' in out and "rb-answer" not in out
    assert "报告中未找到" in out
    assert "Not found in the report" in fmt.answer_html("No.", False, [], "en")


def test_streamed_prefixes_never_produce_broken_markup():
    report = "UAX lifted ARPU by 196%."
    c = cite(report, report)
    text = f"196%\n\nFrom the report: “{report}” [1]"
    for end in range(len(text) + 1):
        out = fmt.answer_html(text[:end], True, [c])
        assert out.count("<a ") == out.count("</a>") <= 1
        assert visible(out).replace("\n", "") == text[:end].replace("\n", "")


def test_answer_with_hostile_quote_is_escaped():
    c = cite(NASTY, NASTY)
    out = fmt.answer_html(f"“{NASTY}” [1]", True, [c])
    assert set(tags(out)) <= {"div", "a", "br", "p"}
    assert NASTY in visible(out)


def test_paragraph_span_finds_the_blank_line_block_and_counts_it():
    text = "Title\n\nFirst para.\nSame para.\n\n  \n\nSecond para has the quote here.\n\nLast."
    start = text.index("the quote")
    p_start, p_end, number = fmt.paragraph_span(text, start, start + len("the quote"))
    assert text[p_start:p_end] == "Second para has the quote here."
    assert number == 3  # the whitespace-only block between does not count
    assert fmt.paragraph_span(text, 0, 5) == (0, 5, 1)


def test_source_html_highlights_exactly_the_offsets():
    text = "Intro.\n\nWe sold 7 units. UAX lifted ARPU by 196%. More text.\n\nEnd."
    c = cite(text, "UAX lifted ARPU by 196%.", "report <b>.txt")
    out = fmt.source_html(1, c, text)
    assert 'id="src-0-1"' in out
    mark = re.search(r'<mark class="rb-quote">(.*?)</mark>', out).group(1)
    assert html.unescape(mark) == text[c.start : c.end]
    para = re.search(r'<p class="rb-para">(.*?)</p>', out).group(1)
    assert visible(para) == "We sold 7 units. UAX lifted ARPU by 196%. More text."
    assert "paragraph 2" in out and f"characters {c.start}–{c.end}" in out
    assert "report &#60;b&#62;&#46;txt" in out and "<b>" not in out


def test_source_html_uses_offsets_not_a_search():
    # The quote occurs twice; the citation points at the second occurrence.
    text = "Growth was 14%.\n\nLater: Growth was 14%."
    start = text.rindex("Growth")
    c = Cite("r.txt", start, start + len("Growth was 14%."), "Growth was 14%.")
    out = fmt.source_html(1, c, text)
    assert "paragraph 2" in out and visible(out).count("Later:") == 1


def test_long_paragraph_is_trimmed_around_the_quote():
    text = "a" * 5000 + " QUOTE " + "b" * 5000
    c = cite(text, "QUOTE")
    out = visible(fmt.source_html(1, c, text))
    assert "QUOTE" in out and len(out) < 2 * fmt.CONTEXT_CHARS + 200
    assert out.count("…") == 2


def test_hostile_report_text_in_sources_is_inert():
    text = f"Intro.\n\n{NASTY} The figure is 42%.\n\nEnd."
    c = cite(text, "The figure is 42%.")
    out = fmt.sources_html([Said("q", True, [c])], {"r.txt": text})
    assert set(tags(out)) <= {"div", "section", "h", "article", "span", "p", "mark", "br", "button"}
    assert NASTY in visible(out)


def test_missing_report_text_still_shows_the_quote():
    c = Cite("gone.txt", 10, 20, "the quote.")
    out = fmt.sources_html([Said("q", True, [c])], {})
    assert "no longer indexed" in out and "the quote" in visible(out)


def test_sources_panel_without_citations_says_why():
    assert "appear here" in fmt.sources_html([], {})
    assert "No passage" in fmt.sources_html([Said("q", False, [])], {})
    assert "没有段落" in fmt.sources_html([Said("q", False, [])], {}, "zh")


def test_sources_panel_keeps_every_answers_sources_and_shows_one():
    text = "Alpha rose 5%.\n\nBeta fell 3%."
    first, second = cite(text, "Alpha rose 5%."), cite(text, "Beta fell 3%.")
    turns = [Said("alpha?", True, [first]), Said("beta?", True, [second])]
    out = fmt.sources_html(turns, {"r.txt": text})
    sections = re.findall(r'<section class="rb-turn" data-turn="(\d)"( hidden)?>', out)
    assert sections == [("0", " hidden"), ("1", "")]  # the latest answer's are shown
    assert 'id="src-0-1"' in out and 'id="src-1-1"' in out
    shown = fmt.sources_html(turns, {"r.txt": text}, shown=0)
    assert re.findall(r'data-turn="(\d)"( hidden)?>', shown) == [("0", ""), ("1", " hidden")]


def test_reports_and_notices_escape_names():
    @dataclass
    class Info:
        name: str
        chars: int
        sentences: int
        chunks: int
        path: str = ""

    out = fmt.reports_html([Info("<img src=x onerror=alert(1)>.txt", 12345, 7, 3)])
    assert "<img" not in out and "12,345" in out and "<td>3</td>" in out
    notes = fmt.notices_html([("error", "<script>x</script>.exe: not supported")])
    assert "<script" not in notes and 'class="rb-notice rb-notice-error"' in notes
    assert fmt.notices_html([]) == ""


def test_markers_in_a_models_reply_link_to_their_sources():
    report = "Revenue was 603.8 billion. Margin rose to 55.3%."
    c1, c2 = cite(report, "Revenue was 603.8 billion."), cite(report, "Margin rose to 55.3%.")
    # The reply copies quote 1 and names a [3] it was not given: those stay text.
    reply = "Revenue was 603.8 billion.[1] The margin was 55.3% [2], see [3]."
    text = f"{reply}\n\nFrom the report: “{c1.quote}” [1] “{c2.quote}” [2]"
    out = fmt.answer_html(text, True, [c1, c2])
    links = re.findall(r'href="#src-0-(\d)"[^>]*>\[(\d)\]', out)
    assert links == [("1", "1"), ("2", "2"), ("1", "1"), ("2", "2")]
    assert "&#91;3&#93;" in out and visible(out).replace("\n", "") == text.replace("\n", "")


# --- the reader ----------------------------------------------------------------------

PAGED = "Cover page.\n\nThe mill ground 730 sacks. " + NASTY + "\n\nPage three: 12 carts left."


def reader_text(markup: str) -> str:
    """The report text the reader shows: inside .rb-reader-text, without the labels."""
    body = markup.split('<div class="rb-reader-text">', 1)[1]
    return visible(body.removesuffix("</div></div>"))


def test_reader_shows_the_whole_text_inert_with_every_cited_span_marked():
    first = cite(PAGED, "The mill ground 730 sacks.")
    overlap = cite(PAGED, "730 sacks")
    elsewhere = cite(PAGED, "Cover", source="other.txt")
    turns = [Said("q1", True, [first]), Said("q2", True, [elsewhere, overlap])]
    markup = fmt.reader_html("r.txt", PAGED, turns)
    assert reader_text(markup) == PAGED  # every character, in order, as text
    assert set(tags(markup)) <= {"div", "span", "mark", "br"}  # the report's tags are text
    marks = re.findall(r'<mark class="rb-cited" data-cites="([^"]+)"[^>]*>(.*?)</mark>', markup)
    assert [(refs, html.unescape(t)) for refs, t in marks] == [
        ("0-1", "The mill ground "), ("0-1 1-2", "730 sacks"), ("0-1", "."),
    ]  # fmt: skip
    # Each citation's start has its anchor, right before its first marked piece.
    assert markup.index('id="rd-0-1"') < markup.index('data-cites="0-1"')
    assert 'id="rd-1-2"' in markup and 'id="rd-1-1"' not in markup  # other.txt: not here


def test_reader_divides_pages_and_names_the_page_of_each_citation():
    third = PAGED.index("Page three")
    c = Cite("r.pdf", third, third + 10, PAGED[third : third + 10])
    c.page = 3
    markup = fmt.reader_html("r.pdf", PAGED, [Said("q", True, [c])], pages=(0, 13, third))
    assert re.findall(r'data-label="([^"]+)"', markup) == ["page 1", "page 2", "page 3"]
    assert "3 pages" in markup and 'title="[1] of answer 1 · page 3"' in markup
    assert reader_text(markup) == PAGED  # the labels are not part of the text


def test_a_long_report_is_shown_in_parts_around_the_citation_asked_for():
    text = "x" * 1000 + "The cited passage." + "y" * 1000
    c = cite(text, "The cited passage.")
    markup = fmt.reader_html("r.txt", text, [Said("q", True, [c])], limit=300, focus=(0, 1))
    shown = reader_text(markup)
    assert "The cited passage." in shown and len(shown) == 300
    assert "showing characters" in markup and 'id="rd-0-1"' in markup


def test_source_card_names_the_page_and_opens_the_reader_at_its_citation():
    c = cite(PAGED, "730 sacks")
    c.page = 2
    card = fmt.source_html(1, c, PAGED, turn=3)
    assert "page 2 · paragraph 2" in visible(card)
    assert 'class="rb-open" data-target="rd-3-1"' in card
    assert "rb-open" not in fmt.source_html(1, c, None)  # a removed report cannot be opened


def test_a_summary_or_a_list_renders_as_bullets_each_with_its_own_marker():
    cites = [Cite("r.txt", 0, 5, "abcde"), Cite("r.txt", 10, 15, "fghij")]
    html = fmt.answer_html("Key points of r.txt:\n- “abcde” [1]\n- “fghij” [2]", True, cites)
    items = re.findall(r"<li>(.*?)</li>", html)
    assert len(items) == 2 and html.count('<ul class="rb-items">') == 1
    assert "abcde" in items[0] and 'href="#src-0-1"' in items[0]
    assert "fghij" in items[1] and 'href="#src-0-2"' in items[1]
    # A single-fact answer has no list; a line that merely starts with "-" is no list.
    plain = fmt.answer_html("-5%\n\nFrom the report: “abcde” [1]", True, cites[:1])
    assert "<ul" not in plain and "rb-lead" in plain
